// Reading what a report is drawn from (report_inputs.hpp): change.nc through GDAL's netCDF
// driver (file and group attributes, the patch, change and index variables), the colour COGs,
// and alerts.csv through the CSV reader and the alert field table.
#include "report/report_inputs.hpp"

#include <ogr_spatialref.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "compute/chunk_processor.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/csv_reader.hpp"
#include "outputs/product_layout.hpp"
#include "outputs/sanity_warnings.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

namespace variable = product::variable;

/// A metadata item of `ds` ("" when it has none), e.g. "NC_GLOBAL#geosweep_job".
std::string metadata(GDALDataset& ds, std::string const& key) {
  char const* v = ds.GetMetadataItem(key.c_str());
  return v != nullptr ? std::string(v) : std::string();
}

/// A root attribute of change.nc, as GDAL's netCDF driver lists it.
std::string root_attribute(GDALDataset& root, std::string_view name) {
  return metadata(root, "NC_GLOBAL#" + std::string(name));
}

/// One variable of an AOI group, opened through GDAL's netCDF driver.
GDALDatasetUniquePtr open_variable(fs::path const& nc, std::string const& aoi,
                                   std::string const& variable) {
  return open_raster(product::gdal_variable(nc, aoi, variable));
}

/// Whether an AOI group of change.nc holds `variable` (outputs.layers may leave some out).
bool has_variable(fs::path const& nc, std::string const& aoi, std::string const& variable) {
  CPLPushErrorHandler(CPLQuietErrorHandler);
  GDALDatasetUniquePtr ds(GDALDataset::Open(product::gdal_variable(nc, aoi, variable).c_str(),
                                            GDAL_OF_RASTER | GDAL_OF_READONLY));
  CPLPopErrorHandler();
  return ds != nullptr;
}

/// Band `band` of `ds` as `type`; `what` names the source in errors.
template <class T>
std::vector<T> read_band(GDALDataset& ds, int band, GDALDataType type, std::string const& what) {
  int const w = ds.GetRasterXSize(), h = ds.GetRasterYSize();
  std::vector<T> values(static_cast<std::size_t>(w) * h);
  CPLErrorReset();
  if (ds.GetRasterBand(band)->RasterIO(GF_Read, 0, 0, w, h, values.data(), w, h, type, 0, 0) !=
      CE_None)
    throw io_error(what + ": cannot read band " + std::to_string(band) + ": " +
                   last_gdal_message());
  return values;
}

/// The first band of a packed index layer as floats: unpacked by its scale and offset, NaN
/// where it holds the nodata (fill) value.
std::vector<float> read_unpacked(GDALDataset& ds, std::string const& what) {
  auto* band = ds.GetRasterBand(1);
  int has_nodata = 0;
  double const nodata = band->GetNoDataValue(&has_nodata);
  double const scale = band->GetScale(), offset = band->GetOffset();
  auto values = read_band<double>(ds, 1, GDT_Float64, what);
  std::vector<float> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    out[i] = (has_nodata != 0 && values[i] == nodata) || std::isnan(values[i])
                 ? NAN
                 : static_cast<float>(values[i] * scale + offset);
  }
  return out;
}

/// The alert field of each column of `header`, nullptr for a column that is none; throws
/// when a field has no column.
std::vector<alert_field const*> column_fields(fs::path const& path,
                                              std::vector<std::string> const& header) {
  std::vector<alert_field const*> fields;
  for (auto const& name : header) fields.push_back(find_alert_field(name));
  for (auto const& f : alert_fields()) {
    if (std::find(fields.begin(), fields.end(), &f) == fields.end())
      throw io_error(path.string() + ": no column '" + std::string(f.name) +
                     "': not an alert table of this geosweep");
  }
  return fields;
}

// ---- one AOI

/// The group attributes: the index, the dates of the images and the periods.
void read_group_attributes(aoi_inputs& in, fs::path const& nc, GDALDataset& root) {
  namespace attribute = product::group;
  auto const group = [&](std::string_view name) {
    return metadata(root, product::gdal_group_attribute(in.name, name));
  };
  in.index = group(attribute::change_index);
  if (in.index.empty())
    throw io_error(nc.string() + ": no group /" + product::aoi_group(in.name) +
                   ": run the job again (`geosweep run`) before the report");
  in.change_method = group(attribute::change_method);
  in.date_before = group(attribute::date_before);
  in.date_after = group(attribute::date_after);
  in.baseline_period = group(attribute::baseline_period);
  in.monitor_period = group(attribute::monitor_period);
  in.monitor_start = parse_iso_date(in.monitor_period.substr(0, 10));
  for (auto* period : {&in.baseline_period, &in.monitor_period}) {  // "a/b" reads "a to b"
    if (auto slash = period->find('/'); slash != std::string::npos)
      period->replace(slash, 1, " to ");
  }
}

/// The grid (from the patch variable's georeferencing), the patch numbers and change classes.
void read_change_rasters(aoi_inputs& in, fs::path const& nc) {
  std::string const& name = in.name;
  std::string const patch(variable::patch), change(variable::change);
  auto patch_ds = open_variable(nc, name, patch);
  in.grid.width = patch_ds->GetRasterXSize();
  in.grid.height = patch_ds->GetRasterYSize();
  if (patch_ds->GetGeoTransform(in.grid.transform.data()) != CE_None || !patch_ds->GetSpatialRef())
    throw io_error(product::gdal_variable(nc, name, patch) + " has no georeferencing");
  char* wkt = nullptr;
  patch_ds->GetSpatialRef()->exportToWkt(&wkt);
  in.grid.crs_wkt = wkt;
  CPLFree(wkt);
  in.patch =
      read_band<std::int32_t>(*patch_ds, 1, GDT_Int32, product::gdal_variable(nc, name, patch));
  auto change_ds = open_variable(nc, name, change);
  in.change =
      read_band<std::uint8_t>(*change_ds, 1, GDT_Byte, product::gdal_variable(nc, name, change));
}

/// The AOI's alerts; patch numbers are rows of alerts.csv within the AOI, so the counts agree.
void select_alerts(aoi_inputs& in, run_inputs const& run) {
  for (auto const& a : run.alerts)
    if (a.aoi == in.name) in.alerts.push_back(a);
  std::int32_t max_patch = 0;
  for (auto p : in.patch) max_patch = std::max(max_patch, p);
  if (static_cast<std::size_t>(max_patch) != in.alerts.size())
    throw io_error(run.nc.string() + ": AOI '" + in.name + "' has " + std::to_string(max_patch) +
                   " patches but alerts.csv lists " + std::to_string(in.alerts.size()) +
                   " alerts for it: outputs of different runs?");
}

/// The composite at `path`, none when there is no such COG; it must match the AOI grid.
std::optional<colour_composite> read_composite(fs::path const& path, raster_grid const& grid) {
  if (!fs::exists(path)) return std::nullopt;
  auto ds = open_raster(path);
  if (ds->GetRasterXSize() != grid.width || ds->GetRasterYSize() != grid.height ||
      ds->GetRasterCount() < 3)
    throw io_error(path.string() + ": " + std::to_string(ds->GetRasterXSize()) + " x " +
                   std::to_string(ds->GetRasterYSize()) +
                   " px does not match the AOI grid of change.nc (" + std::to_string(grid.width) +
                   " x " + std::to_string(grid.height) + "): outputs of different runs?");
  colour_composite c;
  for (int b = 0; b < 3; ++b) {
    auto values = read_band<float>(*ds, b + 1, GDT_Float32, path.string());
    int ok = 0;
    double const nodata = ds->GetRasterBand(b + 1)->GetNoDataValue(&ok);
    for (auto& v : values) {
      if (ok != 0 && v == nodata)
        v = NAN;
      else
        v /= 10000.0F;  // the COGs hold reflectance x 10000
    }
    c.bands[static_cast<std::size_t>(b)] = std::move(values);
  }
  return c;
}

/// The before/after images: colour COGs of both periods, else the index from change.nc.
void read_images(aoi_inputs& in, job_spec const& spec, fs::path const& nc) {
  for (std::string kind : {"true_colour", "false_colour"}) {
    auto before = read_composite(product::cog_file(spec.outputs.dir, in.name, kind, 0), in.grid);
    auto after = read_composite(product::cog_file(spec.outputs.dir, in.name, kind, 1), in.grid);
    if (before && after) in.colours[kind] = {std::move(before), std::move(after)};
  }
  if (in.colours.empty()) {  // no COGs (outputs.cog: false): the index itself
    if (!has_variable(nc, in.name, product::period_layer(in.index, 0)))
      throw io_error(nc.string() + ": AOI '" + in.name + "' has neither COGs nor " +
                     product::period_layer(in.index, 0) +
                     " (AOIs over 25 Mpx get none by default): list 'indices' in "
                     "outputs.layers, or set outputs.report: true, and run the job again");
    for (int p = 0; p < 2; ++p) {
      auto ds = open_variable(nc, in.name, product::period_layer(in.index, p));
      in.index_images[static_cast<std::size_t>(p)] =
          read_unpacked(*ds, nc.string() + ":" + product::period_layer(in.index, p));
    }
  }
}

/// The column of `name` in series.csv's header.
std::size_t series_column(fs::path const& csv, std::vector<std::string> const& header,
                          std::string_view name) {
  auto const it = std::find(header.begin(), header.end(), name);
  if (it == header.end())
    throw io_error(csv.string() + ": no column '" + std::string(name) +
                   "': not a series table of this geosweep");
  return static_cast<std::size_t>(it - header.begin());
}

// Time series (series.csv): the index of each date over the whole AOI, over each alert's
// pixels and over all of them (the alerts' rows pooled by their clear pixels). The dates are
// those of series.csv and of areas.csv, which lists every date, a wholly cloudy one too: a date
// without a clear look is a gap in the series, not a date that never was.
void read_series(aoi_inputs& in, fs::path const& csv, fs::path const& areas_csv) {
  if (!fs::exists(csv)) {
    spdlog::warn("{}: not found (a run of an older geosweep?): the report has no time series",
                 csv.string());
    return;
  }
  auto const table = read_csv(csv);
  auto const column = [&](std::string_view name) { return series_column(csv, table.header, name); };
  std::size_t const aoi = column("aoi"), id = column("alert_id"), date = column("date"),
                    mean = column("mean"), clear = column("clear_pixels");
  std::int64_t inside = 0;
  for (auto c : in.change) inside += c != kernels::change_outside_aoi ? 1 : 0;
  std::map<std::string, std::size_t> alert_number;  // by id: its place in in.alerts
  for (std::size_t k = 0; k < in.alerts.size(); ++k) alert_number[in.alerts[k].id] = k;
  struct pooled {
    series_point point;
    double alert_sum = 0.0;
    std::int64_t alert_clear = 0;
    std::map<std::size_t, double> by_alert;  // mean by place in in.alerts
  };
  std::map<int, pooled> by_day;
  auto const day_of = [&](civil_date day) -> pooled& {
    auto& p = by_day[days_since_epoch(day)];
    p.point.day = days_since_epoch(day);
    p.point.monitor = in.monitor_start && day >= *in.monitor_start;
    return p;
  };
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    auto const& row = table.rows[r];
    if (row.size() < table.header.size() || row[aoi] != in.name) continue;
    auto const day = parse_iso_date(row[date]);
    double value = 0.0;
    std::int64_t count = 0;
    try {
      value = std::stod(row[mean]);
      count = std::stoll(row[clear]);
    } catch (std::exception const&) {
      throw io_error(fmt::format("{}: line {}: mean or clear_pixels is not a number", csv.string(),
                                 table.row_lines[r]));
    }
    if (!day)
      throw io_error(fmt::format("{}: line {}: date '{}' is not YYYY-MM-DD", csv.string(),
                                 table.row_lines[r], row[date]));
    auto& p = day_of(*day);
    if (row[id].empty()) {
      p.point.aoi_mean = value;
      p.point.clear_share =
          inside > 0 ? static_cast<double>(count) / static_cast<double>(inside) : 0.0;
    } else {
      p.alert_sum += value * static_cast<double>(count);
      p.alert_clear += count;
      if (auto const k = alert_number.find(row[id]); k != alert_number.end() && count > 0)
        p.by_alert[k->second] = value;
    }
  }
  if (fs::exists(areas_csv)) {  // the dates without a clear pixel, which series.csv leaves out
    auto const areas = read_csv(areas_csv);
    auto const at = [&](std::string_view name) {
      return static_cast<std::size_t>(std::find(areas.header.begin(), areas.header.end(), name) -
                                      areas.header.begin());
    };
    std::size_t const area_aoi = at("aoi"), area_date = at("date"), cloud = at("cloud_fraction");
    for (auto const& row : areas.rows) {
      if (std::max({area_aoi, area_date, cloud}) >= row.size() || row[area_aoi] != in.name)
        continue;
      auto const day = parse_iso_date(row[area_date]);
      if (!day || by_day.count(days_since_epoch(*day)) > 0) continue;
      auto& p = day_of(*day);
      try {
        p.point.clear_share = std::clamp(1.0 - std::stod(row[cloud]), 0.0, 1.0);
      } catch (std::exception const&) {
        p.point.clear_share = 0.0;
      }
    }
  }
  in.alert_series.assign(in.alerts.size(), std::vector<double>(by_day.size(), NAN));
  for (auto& [day, p] : by_day) {
    if (p.alert_clear > 0) p.point.alert_mean = p.alert_sum / static_cast<double>(p.alert_clear);
    for (auto const& [k, value] : p.by_alert) in.alert_series[k][in.series.size()] = value;
    in.series.push_back(p.point);
  }
}

/// The days of a date layer COG (UInt16, 0 for none) on the AOI grid, none as
/// kernels::no_date; empty when the file does not exist.
std::vector<std::int32_t> read_days(fs::path const& path, raster_grid const& grid) {
  if (!fs::exists(path)) return {};
  auto ds = open_raster(path);
  if (ds->GetRasterXSize() != grid.width || ds->GetRasterYSize() != grid.height)
    throw io_error(fmt::format(
        "{}: {} x {} px does not match the AOI grid of change.nc ({} x "
        "{}): outputs of different runs?",
        path.string(), ds->GetRasterXSize(), ds->GetRasterYSize(), grid.width, grid.height));
  auto days = read_band<std::int32_t>(*ds, 1, GDT_Int32, path.string());
  for (auto& day : days)
    if (day == 0) day = kernels::no_date;  // the COG's nodata: no look
  return days;
}

/// The days of the looks of the maps and of the index (older outputs have none), and each
/// alert's range of them.
void read_look_days(aoi_inputs& in, job_spec const& spec, fs::path const& nc) {
  for (int p = 0; p < 2; ++p) {
    auto const period = static_cast<std::size_t>(p);
    in.colour_days[period] = read_days(
        product::cog_date_file(spec.outputs.dir, in.name, std::string(colour_look), p), in.grid);
    auto const name = variable::look_date(in.index, p);
    if (has_variable(nc, in.name, name)) {
      auto ds = open_variable(nc, in.name, name);
      in.index_days[period] = read_band<std::int32_t>(*ds, 1, GDT_Int32, nc.string() + ":" + name);
      if (in.index_days[period].size() != in.patch.size())
        throw io_error(nc.string() + ":" + name + ": not on the AOI grid of its patch raster");
    }
  }
  in.alert_days.assign(in.alerts.size(), {});
  in.alert_colour_days.assign(in.alerts.size(), {});
  for (std::size_t p = 0; p < 2; ++p) {
    auto const ranges = alert_day_ranges(in.patch, in.index_days[p], in.alerts.size());
    for (std::size_t k = 0; k < ranges.size(); ++k) in.alert_days[k][p] = ranges[k];
    auto const colour = alert_day_ranges(in.patch, in.colour_days[p], in.alerts.size());
    for (std::size_t k = 0; k < colour.size(); ++k) in.alert_colour_days[k][p] = colour[k];
  }
}

/// The baseline means of the index over the AOI and over its alerts: the `baseline` method's
/// mean, or for `bitemporal` the latest clear look before.
void read_baseline(aoi_inputs& in, fs::path const& nc, std::string const& method) {
  bool const mean = method != to_string(change_method::bitemporal);
  std::string const name = mean ? variable::baseline(in.index) : variable::before(in.index);
  if (mean && !has_variable(nc, in.name, name)) return;
  auto baseline = open_variable(nc, in.name, name);
  auto const base = read_unpacked(*baseline, nc.string() + ":" + name);
  double sa = 0, sb = 0;
  std::int64_t na = 0, nb = 0;
  for (std::size_t i = 0; i < base.size(); ++i) {
    if (!std::isfinite(base[i]) || in.change[i] == kernels::change_outside_aoi) continue;
    sa += base[i];
    ++na;
    if (in.patch[i] > 0) {
      sb += base[i];
      ++nb;
    }
  }
  in.baseline_aoi_mean = na > 0 ? sa / static_cast<double>(na) : NAN;
  in.baseline_alert_mean = nb > 0 ? sb / static_cast<double>(nb) : NAN;
}

}  // namespace

std::vector<look_date_share> look_date_shares(std::vector<std::int32_t> const& days,
                                              std::vector<std::uint8_t> const& change) {
  std::map<std::int32_t, std::int64_t> count;  // no_date (INT32_MAX) sorts last
  std::int64_t inside = 0;
  for (std::size_t i = 0; i < days.size() && i < change.size(); ++i) {
    if (change[i] == kernels::change_outside_aoi) continue;
    ++count[days[i]];
    ++inside;
  }
  std::vector<look_date_share> out;
  for (auto const& [day, pixels] : count) {
    look_date_share s;
    if (day != kernels::no_date) s.date = from_days_since_epoch(day);
    s.pixels = pixels;
    s.share = static_cast<double>(pixels) / static_cast<double>(inside);
    out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(), [](auto const& a, auto const& b) {
    if (a.date.has_value() != b.date.has_value()) return a.date.has_value();
    if (a.pixels != b.pixels) return a.pixels > b.pixels;
    return a.date > b.date;
  });
  return out;
}

std::vector<std::optional<day_range>> alert_day_ranges(std::vector<std::int32_t> const& patch,
                                                       std::vector<std::int32_t> const& days,
                                                       std::size_t alerts) {
  std::vector<std::optional<day_range>> out(alerts);
  for (std::size_t i = 0; i < days.size() && i < patch.size(); ++i) {
    auto const k = static_cast<std::size_t>(patch[i]) - 1;
    if (patch[i] <= 0 || k >= alerts || days[i] == kernels::no_date) continue;
    auto& r = out[k];
    if (!r) r = day_range{days[i], days[i]};
    r->first = std::min(r->first, days[i]);
    r->last = std::max(r->last, days[i]);
  }
  return out;
}

void require_run_outputs(job_spec const& spec) {
  for (auto const& needed :
       {spec.outputs.dir / product::netcdf_file, spec.outputs.dir / product::alert_table_file}) {
    if (!fs::exists(needed))
      throw io_error(needed.string() +
                     ": not found; reports are drawn from a run's outputs: run `geosweep run " +
                     spec.file.string() + "` first (with outputs.hdf5 and outputs.csv true)");
  }
}

std::vector<alert> read_alerts(fs::path const& path) {
  auto const table = read_csv(path);
  auto const fields = column_fields(path, table.header);
  std::vector<alert> alerts;
  alerts.reserve(table.rows.size());
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    field_row cells;
    alert a;
    try {
      for (std::size_t c = 0; c < fields.size(); ++c) {
        if (auto const* f = fields[c])
          cells.push_back(
              {f->name, f->type, f->decimals, parse_field(f->name, f->type, table.rows[r][c])});
      }
      set_alert_fields(a, cells);
    } catch (io_error const& e) {
      throw io_error(fmt::format("{}: line {}: {}", path.string(), table.row_lines[r], e.what()));
    }
    alerts.push_back(std::move(a));
  }
  return alerts;
}

std::map<std::string, std::vector<std::string>> read_area_warnings(fs::path const& path) {
  std::map<std::string, std::vector<std::string>> out;
  if (!fs::exists(path)) return out;
  auto const table = read_csv(path);
  auto const column = [&](std::string_view name) {
    return std::find(table.header.begin(), table.header.end(), name) - table.header.begin();
  };
  auto const aoi = static_cast<std::size_t>(column("aoi"));
  auto const warnings = static_cast<std::size_t>(column("warnings"));
  if (aoi >= table.header.size() || warnings >= table.header.size()) return out;
  for (auto const& row : table.rows) {
    if (row.size() <= std::max(aoi, warnings)) continue;
    auto& codes = out[row[aoi]];
    for (auto& code : split_warning_codes(row[warnings]))  // the same on each of its rows
      if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
  }
  return out;
}

landcover_change read_landcover_change(fs::path const& path) {
  landcover_change out;
  if (!fs::exists(path)) return out;
  auto const table = read_csv(path);
  auto const column = [&](std::string_view name) {
    auto const it = std::find(table.header.begin(), table.header.end(), name);
    if (it == table.header.end())
      throw io_error(path.string() + ": no column '" + std::string(name) +
                     "': not a land-cover table of this geosweep");
    return static_cast<std::size_t>(it - table.header.begin());
  };
  std::size_t const aoi = column("aoi"), id = column("alert_id"), name = column("class"),
                    ha = column("changed_ha"), value = column("value");
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    auto const& row = table.rows[r];
    if (row.size() < table.header.size())
      throw io_error(fmt::format("{}: line {}: {} fields, the header has {}", path.string(),
                                 table.row_lines[r], row.size(), table.header.size()));
    class_change c{row[name], 0.0, std::nullopt};
    try {
      c.changed_ha = std::stod(row[ha]);
      if (!row[value].empty()) c.value = std::stod(row[value]);
    } catch (std::exception const&) {
      throw io_error(fmt::format("{}: line {}: changed_ha or value is not a number", path.string(),
                                 table.row_lines[r]));
    }
    if (c.changed_ha <= 0.0) continue;
    (row[id].empty() ? out.by_aoi[row[aoi]] : out.by_alert[row[id]]).push_back(std::move(c));
  }
  for (auto* by : {&out.by_aoi, &out.by_alert})
    for (auto& [key, classes] : *by)
      std::stable_sort(classes.begin(), classes.end(),
                       [](auto const& a, auto const& b) { return a.changed_ha > b.changed_ha; });
  return out;
}

run_inputs read_run_inputs(job_spec const& spec) {
  run_inputs run;
  run.nc = spec.outputs.dir / product::netcdf_file;
  run.alerts_csv = spec.outputs.dir / product::alert_table_file;
  run.alerts = read_alerts(run.alerts_csv);
  run.warnings = read_area_warnings(spec.outputs.dir / product::area_table_file);
  // A landcover.csv left by an earlier run of the job with a `landcover` block is not this run's.
  if (spec.landcover)
    run.landcover = read_landcover_change(spec.outputs.dir / product::landcover_table_file);
  run.root = open_raster(run.nc);
  namespace root = product::root;
  std::string const job = root_attribute(*run.root, root::job);
  run.version = root_attribute(*run.root, root::version);
  run.backend = root_attribute(*run.root, root::backend);
  run.change_method = root_attribute(*run.root, root::change_method);
  std::istringstream lines(root_attribute(*run.root, root::scenes));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) run.scenes.push_back(line);
  if (!job.empty() && job != spec.name)
    spdlog::warn("{} was written by job '{}', not '{}'", run.nc.string(), job, spec.name);
  run.job = job.empty() ? spec.name : job;
  return run;
}

aoi_inputs read_aoi_inputs(job_spec const& spec, run_inputs const& run, std::string const& name) {
  aoi_inputs in;
  in.name = name;
  if (auto const w = run.warnings.find(name); w != run.warnings.end()) in.warnings = w->second;
  read_group_attributes(in, run.nc, *run.root);
  read_change_rasters(in, run.nc);
  select_alerts(in, run);
  read_images(in, spec, run.nc);
  read_look_days(in, spec, run.nc);
  read_series(in, spec.outputs.dir / product::series_table_file,
              spec.outputs.dir / product::area_table_file);
  read_baseline(in, run.nc, run.change_method);
  return in;
}

}  // namespace geosweep::pipeline
