#include "geosweep/pipeline/report.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <numbers>
#include <set>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "core/text.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/csv_writer.hpp"
#include "report/map_geometry.hpp"
#include "report/report_drawing.hpp"
#include "report/report_map.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
namespace d = drawing;

constexpr double kMargin = 36.0;

// ---------------------------------------------------------------- inputs

/// alerts.csv as rows of column name -> text (RFC 4180: quotes, CRLF).
std::vector<std::map<std::string, std::string>> read_alert_table(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(path.string() + ": cannot read the alert table");
  std::string const text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::vector<std::string>> records(1);
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      records.back().push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) records.back().push_back(std::move(field));
      field.clear();
      any = false;
      records.emplace_back();
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) records.back().push_back(std::move(field));
  std::erase_if(records, [](auto const& r) { return r.empty(); });
  if (records.empty()) throw io_error(path.string() + ": empty alert table (no header)");
  auto const& header = records.front();
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != header.size())
      throw io_error(path.string() + ": line " + std::to_string(r + 1) + ": " +
                     std::to_string(records[r].size()) + " fields, the header has " +
                     std::to_string(header.size()));
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < header.size(); ++c) row[header[c]] = records[r][c];
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string metadata(GDALDataset& ds, std::string const& key) {
  char const* v = ds.GetMetadataItem(key.c_str());
  return v != nullptr ? std::string(v) : std::string();
}

/// One variable of an AOI group, opened through GDAL's netCDF driver.
GDALDatasetUniquePtr open_variable(fs::path const& nc, std::string const& aoi,
                                   std::string const& variable) {
  return open_raster("NETCDF:\"" + nc.string() + "\":/aoi/" + aoi + "/" + variable);
}

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

/// An RGB composite of one period (reflectance, NaN where none).
struct composite {
  std::array<std::vector<float>, 3> bands;
};

/// The index of each date, summarised.
struct series_point {
  int day = 0;
  bool monitor = false;
  double aoi_mean = NAN;    ///< over clear pixels inside the AOI
  double alert_mean = NAN;  ///< over clear pixels of the alerts
  double clear_share = 0;   ///< clear share of the AOI
};

/// Everything the report of one AOI is drawn from.
struct aoi_inputs {
  std::string name;
  raster_grid grid;
  std::vector<std::int32_t> patch;
  std::vector<std::uint8_t> change;
  std::string index;  ///< the change index, e.g. ndvi
  std::string date_before, date_after, baseline_period, monitor_period;
  std::map<std::string, std::array<std::optional<composite>, 2>> colours;  ///< by kind
  std::array<std::vector<float>, 2> index_images;  ///< when no colour COG exists
  std::vector<series_point> series;
  double baseline_aoi_mean = NAN, baseline_alert_mean = NAN;
  std::vector<std::map<std::string, std::string>> alerts;  ///< its rows of alerts.csv
};

std::optional<composite> read_composite(fs::path const& path, raster_grid const& grid) {
  if (!fs::exists(path)) return std::nullopt;
  auto ds = open_raster(path);
  if (ds->GetRasterXSize() != grid.width || ds->GetRasterYSize() != grid.height ||
      ds->GetRasterCount() < 3)
    throw io_error(path.string() + ": " + std::to_string(ds->GetRasterXSize()) + " x " +
                   std::to_string(ds->GetRasterYSize()) +
                   " px does not match the AOI grid of change.nc (" + std::to_string(grid.width) +
                   " x " + std::to_string(grid.height) + "): outputs of different runs?");
  composite c;
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

aoi_inputs read_inputs(job_spec const& spec, std::string const& name, fs::path const& nc,
                       std::vector<std::map<std::string, std::string>> const& all_alerts,
                       GDALDataset& root) {
  aoi_inputs in;
  in.name = name;
  std::string const group = "/aoi/" + name + "/NC_GLOBAL#";
  in.index = metadata(root, group + "change_index");
  if (in.index.empty())
    throw io_error(nc.string() + ": no group /aoi/" + name +
                   ": run the job again (`geosweep run`) before the report");
  in.date_before = metadata(root, group + "date_before");
  in.date_after = metadata(root, group + "date_after");
  in.baseline_period = metadata(root, group + "baseline_period");
  in.monitor_period = metadata(root, group + "monitor_period");
  auto const monitor_first = parse_iso_date(in.monitor_period.substr(0, 10));
  for (auto* period : {&in.baseline_period, &in.monitor_period}) {  // "a/b" reads "a to b"
    if (auto slash = period->find('/'); slash != std::string::npos)
      period->replace(slash, 1, " to ");
  }

  auto patch_ds = open_variable(nc, name, "patch");
  in.grid.width = patch_ds->GetRasterXSize();
  in.grid.height = patch_ds->GetRasterYSize();
  if (patch_ds->GetGeoTransform(in.grid.transform.data()) != CE_None || !patch_ds->GetSpatialRef())
    throw io_error(nc.string() + ": /aoi/" + name + "/patch has no georeferencing");
  char* wkt = nullptr;
  patch_ds->GetSpatialRef()->exportToWkt(&wkt);
  in.grid.crs_wkt = wkt;
  CPLFree(wkt);
  in.patch =
      read_band<std::int32_t>(*patch_ds, 1, GDT_Int32, nc.string() + ":/aoi/" + name + "/patch");
  auto change_ds = open_variable(nc, name, "change");
  in.change =
      read_band<std::uint8_t>(*change_ds, 1, GDT_Byte, nc.string() + ":/aoi/" + name + "/change");

  for (auto const& row : all_alerts)
    if (row.at("aoi") == name) in.alerts.push_back(row);
  std::int32_t max_patch = 0;
  for (auto p : in.patch) max_patch = std::max(max_patch, p);
  if (static_cast<std::size_t>(max_patch) != in.alerts.size())
    throw io_error(nc.string() + ": AOI '" + name + "' has " + std::to_string(max_patch) +
                   " patches but alerts.csv lists " + std::to_string(in.alerts.size()) +
                   " alerts for it: outputs of different runs?");

  fs::path const cog = spec.outputs.dir / "cog" / name;
  for (std::string kind : {"true_colour", "false_colour"}) {
    auto before = read_composite(cog / (kind + "_before.tif"), in.grid);
    auto after = read_composite(cog / (kind + "_after.tif"), in.grid);
    if (before && after) in.colours[kind] = {std::move(before), std::move(after)};
  }
  if (in.colours.empty()) {  // no COGs (outputs.cog: false): the index itself
    for (int p = 0; p < 2; ++p) {
      auto ds = open_variable(nc, name, in.index + (p == 0 ? "_before" : "_after"));
      in.index_images[static_cast<std::size_t>(p)] =
          read_band<float>(*ds, 1, GDT_Float32, nc.string() + ":" + in.index);
    }
  }

  // Time series: the index of each date over the alerts' pixels and over the whole AOI.
  auto series = open_variable(nc, name, in.index);
  std::int64_t inside = 0;
  for (auto c : in.change) inside += c != kernels::change_outside_aoi ? 1 : 0;
  for (int b = 1; b <= series->GetRasterCount(); ++b) {
    char const* day = series->GetRasterBand(b)->GetMetadataItem("NETCDF_DIM_time");
    if (day == nullptr) throw io_error(nc.string() + ": " + in.index + " has no time coordinate");
    auto const values = read_band<float>(*series, b, GDT_Float32, nc.string() + ":" + in.index);
    series_point point;
    point.day = std::stoi(day);
    point.monitor = monitor_first && point.day >= days_since_epoch(*monitor_first);
    double sum_all = 0, sum_alert = 0;
    std::int64_t n_all = 0, n_alert = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i]) || in.change[i] == kernels::change_outside_aoi) continue;
      sum_all += values[i];
      ++n_all;
      if (in.patch[i] > 0) {
        sum_alert += values[i];
        ++n_alert;
      }
    }
    point.aoi_mean = n_all > 0 ? sum_all / static_cast<double>(n_all) : NAN;
    point.alert_mean = n_alert > 0 ? sum_alert / static_cast<double>(n_alert) : NAN;
    point.clear_share = inside > 0 ? static_cast<double>(n_all) / static_cast<double>(inside) : 0;
    in.series.push_back(point);
  }
  std::sort(in.series.begin(), in.series.end(),
            [](auto const& a, auto const& b) { return a.day < b.day; });
  auto baseline = open_variable(nc, name, in.index + "_baseline");
  auto const base = read_band<float>(*baseline, 1, GDT_Float32, nc.string() + ":baseline");
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
  return in;
}

// ---------------------------------------------------------------- pages

/// Stretched 0xRRGGBB pixels of one period; limits per band over both periods (2-98 %).
std::vector<std::uint32_t> stretch(aoi_inputs const& in, composite const& c,
                                   std::array<std::array<float, 2>, 3> const& limits) {
  std::size_t const n = in.grid.pixel_count();
  std::vector<std::uint32_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (in.change[i] == kernels::change_outside_aoi) {
      out[i] = 0xE6E6E6;
      continue;
    }
    std::uint32_t rgb = 0;
    bool valid = true;
    for (int b = 0; b < 3; ++b) {
      float const v = c.bands[static_cast<std::size_t>(b)][i];
      if (!std::isfinite(v)) {
        valid = false;
        break;
      }
      auto const& [lo, hi] = limits[static_cast<std::size_t>(b)];
      double const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      auto const byte = static_cast<std::uint32_t>(std::lround(std::clamp(t, 0.0, 1.0) * 255.0));
      rgb |= byte << (16 - 8 * b);
    }
    out[i] = valid ? rgb : 0x8C8C8C;
  }
  return out;
}

std::array<std::array<float, 2>, 3> stretch_limits(
    aoi_inputs const& in, std::array<std::optional<composite>, 2> const& c) {
  std::array<std::array<float, 2>, 3> limits{};
  for (std::size_t b = 0; b < 3; ++b) {
    std::vector<float> pooled;
    for (auto const& period : c) {
      for (std::size_t i = 0; i < in.change.size(); ++i)
        if (in.change[i] != kernels::change_outside_aoi) pooled.push_back(period->bands[b][i]);
    }
    limits[b] = percentile_limits(pooled, 2.0, 98.0);
  }
  return limits;
}

/// The index as colours (brown low, green high) when there is no colour image.
std::vector<std::uint32_t> index_colours(aoi_inputs const& in, std::vector<float> const& v,
                                         std::array<float, 2> limits) {
  std::vector<std::uint32_t> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (in.change[i] == kernels::change_outside_aoi) {
      out[i] = 0xE6E6E6;
    } else if (!std::isfinite(v[i])) {
      out[i] = 0x8C8C8C;
    } else {
      double const t = std::clamp(
          limits[1] > limits[0] ? (v[i] - limits[0]) / (limits[1] - limits[0]) : 0.5, 0.0, 1.0);
      auto const mix = [&](int a, int b) { return static_cast<std::uint32_t>(a + t * (b - a)); };
      out[i] = mix(0xA6, 0x1A) << 16 | mix(0x61, 0x96) << 8 | mix(0x1A, 0x41);
    }
  }
  return out;
}

struct page_context {
  std::string footer;
  int number = 0;
  int pages = 0;
};

void page_heading(cairo_t* cr, std::string const& title, std::string const& subtitle) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  d::set_font(cr, 15, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  d::draw_text(cr, kMargin, 44, title);
  d::set_font(cr, 9);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  d::draw_text(cr, kMargin, 60, subtitle);
}

struct table_column {
  std::string title;
  std::string key;  ///< alerts.csv column, "#" for the alert number
  double width;
  double align;  ///< 0 left, 1 right
};

std::vector<table_column> table_columns(bool with_value) {
  std::vector<table_column> c{{"#", "#", 26, 1},
                              {"Alert id", "alert_id", 104, 0},
                              {"First seen", "first_seen", 72, 0},
                              {"Confirmed", "confirmed_on", 72, 0},
                              {"Confidence", "confidence", 74, 0},
                              {"Area (ha)", "area_ha", 64, 1},
                              {"Latitude", "centroid_lat", 74, 1},
                              {"Longitude", "centroid_lon", 80, 1},
                              {"Magnitude", "mean_magnitude", 66, 1},
                              {"Pixels", "pixels", 50, 1}};
  if (with_value) c.push_back({"Est. value", "estimated_value", 74, 1});
  return c;
}

constexpr int kRowsPerPage = 26;

void draw_table_page(cairo_t* cr, aoi_inputs const& in, std::size_t first, std::size_t count,
                     int table_page, int table_pages, page_context const& ctx) {
  double total = 0;
  int high = 0;
  bool with_value = false;
  for (auto const& a : in.alerts) {
    total += std::stod(a.at("area_ha"));
    high += a.at("confidence") == "high" ? 1 : 0;
    with_value = with_value || !a.at("estimated_value").empty();
  }
  std::string title = in.name + ": alerts";
  if (table_pages > 1)
    title += " (" + std::to_string(table_page) + " of " + std::to_string(table_pages) + ")";
  page_heading(cr, title,
               std::to_string(in.alerts.size()) + " alert(s), " + fixed(total, 2) + " ha, " +
                   std::to_string(high) + " high confidence; monitoring " + in.monitor_period +
                   "; the numbers (#) are those on the maps; rows as in alerts.csv");
  auto const columns = table_columns(with_value);
  double y = 92;
  double const row_h = 16;
  double x = kMargin;
  d::set_font(cr, 8.5, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (auto const& c : columns) {
    d::draw_text(cr, c.align > 0 ? x + c.width - 6 : x, y, c.title, c.align);
    x += c.width;
  }
  double const table_right = x;
  cairo_set_line_width(cr, 0.8);
  cairo_move_to(cr, kMargin, y + 5);
  cairo_line_to(cr, table_right, y + 5);
  cairo_stroke(cr);
  y += 5;
  d::set_font(cr, 8.5);
  if (in.alerts.empty()) {
    d::draw_text(cr, kMargin, y + 16, "No change found in this AOI for the monitoring period.");
  }
  for (std::size_t r = first; r < first + count; ++r) {
    auto const& row = in.alerts[r];
    if ((r - first) % 2 == 1) {
      cairo_rectangle(cr, kMargin, y, table_right - kMargin, row_h);
      cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
      cairo_fill(cr);
    }
    x = kMargin;
    double const baseline = y + row_h - 4.5;
    for (auto const& c : columns) {
      std::string text = c.key == "#" ? std::to_string(r + 1) : row.at(c.key);
      if (c.key == "confirmed_on" && text.empty()) text = "\u2013";
      cairo_set_source_rgb(cr, 0, 0, 0);
      if (c.key == "confidence") {
        cairo_rectangle(cr, x, y + 4, 9, 8);
        d::set_colour(cr, text == "high" ? high_confidence_colour : low_confidence_colour);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        d::draw_text(cr, x + 13, baseline, text);
      } else {
        d::draw_text(cr, c.align > 0 ? x + c.width - 6 : x, baseline, text, c.align);
      }
      x += c.width;
    }
    y += row_h;
  }
  cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
  cairo_set_line_width(cr, 0.5);
  cairo_move_to(cr, kMargin, y + 1);
  cairo_line_to(cr, table_right, y + 1);
  cairo_stroke(cr);
  draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages);
}

void draw_series_page(cairo_t* cr, job_spec const& spec, aoi_inputs const& in,
                      std::vector<std::string> const& provenance, page_context const& ctx) {
  std::string const index = upper(in.index);
  page_heading(cr, in.name + ": " + index + " time series",
               "Mean " + index + " of each acquisition date over the clear pixels of the alerts " +
                   "and of the whole AOI; one column per date, in date order");
  double const px0 = kMargin + 46, px1 = report_page_width - kMargin - 190;
  double const py0 = 84, py1 = 360;
  std::size_t const n = in.series.size();
  // Value range: every plotted value, padded, on a 0.1 grid.
  double lo = 1e9, hi = -1e9;
  auto const take = [&](double v) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  };
  for (auto const& p : in.series) {
    take(p.aoi_mean);
    take(p.alert_mean);
  }
  take(in.baseline_aoi_mean);
  take(in.baseline_alert_mean);
  if (std::isfinite(in.baseline_alert_mean)) take(in.baseline_alert_mean - spec.change.drop);
  if (lo > hi) lo = 0, hi = 1;
  lo = std::floor(lo * 10 - 0.5) / 10;
  hi = std::ceil(hi * 10 + 0.5) / 10;
  auto const X = [&](std::size_t i) {
    return px0 + (px1 - px0) * (i + 0.5) / std::max<std::size_t>(n, 1);
  };
  auto const Y = [&](double v) { return py1 - (py1 - py0) * (v - lo) / (hi - lo); };
  // Periods shaded.
  for (std::size_t i = 0; i < n; ++i) {
    double const w = (px1 - px0) / std::max<std::size_t>(n, 1);
    cairo_rectangle(cr, px0 + w * i, py0, w, py1 - py0);
    d::set_colour(cr, in.series[i].monitor ? 0xEAF1FB : 0xF2F2F2);
    cairo_fill(cr);
  }
  // Grid and y labels.
  d::set_font(cr, 8);
  cairo_set_line_width(cr, 0.4);
  double const step = (hi - lo) > 1.2 ? 0.2 : 0.1;
  for (double v = lo; v <= hi + 1e-9; v += step) {
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_move_to(cr, px0, Y(v));
    cairo_line_to(cr, px1, Y(v));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, px0 - 5, Y(v) + 3, fixed(v, 1), 1.0);
  }
  cairo_save(cr);
  cairo_translate(cr, kMargin + 6, (py0 + py1) / 2);
  cairo_rotate(cr, -std::numbers::pi / 2);
  d::set_font(cr, 9, true);
  d::draw_text(cr, 0, 0, index + " (mean of clear pixels)", 0.5);
  cairo_restore(cr);
  // Period labels at the top of the shading.
  d::set_font(cr, 7.5);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  for (bool monitor : {false, true}) {
    for (std::size_t i = 0; i < n; ++i) {
      if (in.series[i].monitor != monitor) continue;
      d::draw_text(cr, X(i) - (px1 - px0) / std::max<std::size_t>(n, 1) / 2 + 3, py0 + 10,
                   monitor ? "monitoring" : "baseline");
      break;
    }
  }
  // Anomaly and confirmation dates: vertical lines.
  std::set<std::string> first_seen, confirmed;
  for (auto const& a : in.alerts) {
    first_seen.insert(a.at("first_seen"));
    if (!a.at("confirmed_on").empty()) confirmed.insert(a.at("confirmed_on"));
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::string const date = to_iso(from_days_since_epoch(in.series[i].day));
    bool const f = first_seen.count(date) > 0, c = confirmed.count(date) > 0;
    if (!f && !c) continue;
    cairo_set_line_width(cr, c ? 1.4 : 1.0);
    if (!c) {
      double const dash[] = {3, 3};
      cairo_set_dash(cr, dash, 2, 0);
    }
    d::set_colour(cr, c ? 0xC0003C : 0xE08000);
    cairo_move_to(cr, X(i), py0 + 14);
    cairo_line_to(cr, X(i), py1);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  // Baseline means and the anomaly threshold of the alert pixels.
  auto const hline = [&](double v, std::uint32_t colour, double dash_on) {
    if (!std::isfinite(v)) return;
    d::set_colour(cr, colour);
    cairo_set_line_width(cr, 1.0);
    double const dash[] = {dash_on, 3};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, px0, Y(v));
    cairo_line_to(cr, px1, Y(v));
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  };
  hline(in.baseline_aoi_mean, 0x2E7D32, 6);
  hline(in.baseline_alert_mean, 0xC0003C, 6);
  if (std::isfinite(in.baseline_alert_mean))
    hline(in.baseline_alert_mean - spec.change.drop, 0x555555, 1.5);
  // The two series: lines through the dates that have a clear look, dots on them.
  auto const series_line = [&](auto value, std::uint32_t colour) {
    d::set_colour(cr, colour);
    cairo_set_line_width(cr, 1.8);
    bool open = false;
    for (std::size_t i = 0; i < n; ++i) {
      double const v = value(in.series[i]);
      if (!std::isfinite(v)) continue;
      if (open)
        cairo_line_to(cr, X(i), Y(v));
      else
        cairo_move_to(cr, X(i), Y(v));
      open = true;
    }
    cairo_stroke(cr);
    for (std::size_t i = 0; i < n; ++i) {
      double const v = value(in.series[i]);
      if (!std::isfinite(v)) continue;
      cairo_arc(cr, X(i), Y(v), 3, 0, 2 * std::numbers::pi);
      cairo_fill(cr);
    }
  };
  series_line([](series_point const& p) { return p.aoi_mean; }, 0x2E7D32);
  series_line([](series_point const& p) { return p.alert_mean; }, 0xC0003C);
  cairo_rectangle(cr, px0, py0, px1 - px0, py1 - py0);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.8);
  cairo_stroke(cr);
  // X labels: the date, its clear share below.
  d::set_font(cr, 7.5);
  for (std::size_t i = 0; i < n; ++i) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, X(i), py1 + 12, to_iso(from_days_since_epoch(in.series[i].day)), 0.5);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    d::draw_text(cr, X(i), py1 + 23, fixed(100 * in.series[i].clear_share, 0) + " % clear", 0.5);
  }
  d::set_font(cr, 9, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  d::draw_text(cr, (px0 + px1) / 2, py1 + 38,
               "acquisition date (share of the AOI with a clear look)", 0.5);
  // Legend on the right.
  double lx = px1 + 18, ly = py0 + 8;
  d::set_font(cr, 8);
  struct entry {
    std::string text;
    std::uint32_t colour;
    int style;  // 0 line+dot, 1 dashed, 2 dotted, 3 vertical solid, 4 vertical dashed
  };
  std::vector<entry> const entries{
      {"alert pixels", 0xC0003C, 0},
      {"whole AOI", 0x2E7D32, 0},
      {"baseline mean, alert pixels", 0xC0003C, 1},
      {"baseline mean, whole AOI", 0x2E7D32, 1},
      {"alert baseline \u2212 drop (" + fixed(spec.change.drop, 2) + ")", 0x555555, 2},
      {"first anomaly (first seen)", 0xE08000, 4},
      {"confirmation", 0xC0003C, 3}};
  for (auto const& e : entries) {
    d::set_colour(cr, e.colour);
    cairo_set_line_width(cr, e.style == 0 ? 1.8 : 1.0);
    if (e.style == 1 || e.style == 2 || e.style == 4) {
      double const dash[] = {e.style == 2 ? 1.5 : 3.0, 3};
      cairo_set_dash(cr, dash, 2, 0);
    }
    if (e.style >= 3) {
      cairo_move_to(cr, lx + 9, ly - 8);
      cairo_line_to(cr, lx + 9, ly + 2);
    } else {
      cairo_move_to(cr, lx, ly - 3);
      cairo_line_to(cr, lx + 18, ly - 3);
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    if (e.style == 0) {
      cairo_arc(cr, lx + 9, ly - 3, 3, 0, 2 * std::numbers::pi);
      cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, lx + 24, ly, e.text);
    ly += 14;
  }
  // Provenance below the plot.
  double y = py1 + 66;
  d::set_font(cr, 10, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  d::draw_text(cr, kMargin, y, "Provenance");
  y += 14;
  d::set_font(cr, 8);
  for (auto const& line : provenance) {
    for (auto const& part : d::wrap_text(cr, line, report_page_width - 2 * kMargin)) {
      if (y > report_page_height - 40) break;
      d::draw_text(cr, kMargin, y, part);
      y += 11;
    }
  }
  draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages);
}

// ---------------------------------------------------------------- output

using page_painter = std::function<void(cairo_t*, page_context const&)>;

void check_cairo(cairo_status_t status, fs::path const& path) {
  if (status != CAIRO_STATUS_SUCCESS)
    throw io_error(path.string() + ": cannot draw: " + cairo_status_to_string(status));
}

void write_pdf(fs::path const& path, std::string const& title,
               std::vector<page_painter> const& pages, std::string const& footer) {
  atomic_file file(path);
  cairo_surface_t* surface =
      cairo_pdf_surface_create(file.temp_path().c_str(), report_page_width, report_page_height);
  check_cairo(cairo_surface_status(surface), path);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR,
                                 ("geosweep " + geosweep_version()).c_str());
  // Reproducible documents: SOURCE_DATE_EPOCH (reproducible-builds.org) fixes the dates that
  // cairo would otherwise take from the clock, so the same outputs give the same bytes.
  if (char const* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
    std::time_t const t = static_cast<std::time_t>(std::strtoll(epoch, nullptr, 10));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, date);
  }
  cairo_t* cr = cairo_create(surface);
  try {
    for (std::size_t i = 0; i < pages.size(); ++i) {
      pages[i](cr, {footer, static_cast<int>(i + 1), static_cast<int>(pages.size())});
      cairo_show_page(cr);
      check_cairo(cairo_status(cr), path);
    }
  } catch (...) {
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    throw;
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_status_t const status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  check_cairo(status, path);
  file.commit();
}

void write_png(fs::path const& path, page_painter const& page, page_context const& ctx,
               double scale) {
  atomic_file file(path);
  int const w = static_cast<int>(std::ceil(report_page_width * scale));
  int const h = static_cast<int>(std::ceil(report_page_height * scale));
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  check_cairo(cairo_surface_status(surface), path);
  cairo_t* cr = cairo_create(surface);
  cairo_scale(cr, scale, scale);
  try {
    page(cr, ctx);
  } catch (...) {
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    throw;
  }
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png(surface, file.temp_path().c_str());
  cairo_surface_destroy(surface);
  check_cairo(status, path);
  file.commit();
}

std::string html_escape(std::string const& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string url_escape(std::string const& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      out += buffer;
    }
  }
  return out;
}

void write_index(fs::path const& path, job_spec const& spec,
                 std::vector<std::map<std::string, std::string>> const& alerts,
                 std::string const& provenance) {
  fs::path const dir = path.parent_path();
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>geosweep "
          "reports: "
       << html_escape(spec.name)
       << "</title>\n<style>\nbody{font-family:'DejaVu Sans',sans-serif;margin:2em;color:#222}\n"
          "img{max-width:48%;border:1px solid #ccc;margin:0.3em}\n"
          "table{border-collapse:collapse;font-size:0.85em}\n"
          "th,td{padding:0.25em 0.6em;border-bottom:1px solid #ddd;text-align:right}\n"
          "th:nth-child(-n+5),td:nth-child(-n+5){text-align:left}\n"
          "tr:nth-child(even){background:#f4f4f4}\n.footer{color:#666;font-size:0.8em}\n"
          "</style>\n</head>\n<body>\n<h1>geosweep reports: "
       << html_escape(spec.name) << "</h1>\n<p>" << html_escape(provenance) << "</p>\n";
  auto const columns = table_columns(true);
  for (auto const& aoi : spec.aois) {
    fs::path const pdf = dir / (aoi.name + ".pdf");
    if (!fs::exists(pdf)) continue;
    html << "<h2 id=\"" << html_escape(aoi.name) << "\">" << html_escape(aoi.name) << "</h2>\n"
         << "<p><a href=\"" << url_escape(aoi.name + ".pdf") << "\">Report (PDF)</a></p>\n<p>\n";
    std::vector<std::string> images;
    for (std::string kind : {"true_colour", "false_colour"})
      for (std::string period : {"before", "after"})
        images.push_back(map_png_name(aoi.name, kind, period));
    for (auto const& index : spec.indices)
      for (std::string period : {"before", "after"})
        images.push_back(map_png_name(aoi.name, index, period));
    images.push_back(aoi.name + "_time_series.png");
    for (auto const& image : images) {
      if (!fs::exists(dir / image)) continue;
      html << "<a href=\"" << url_escape(image) << "\"><img src=\"" << url_escape(image)
           << "\" alt=\"" << html_escape(image) << "\"></a>\n";
    }
    html << "</p>\n<table>\n<tr>";
    bool with_value = false;
    for (auto const& row : alerts)
      with_value = with_value || (row.at("aoi") == aoi.name && !row.at("estimated_value").empty());
    for (auto const& c : columns) {
      if (c.key == "estimated_value" && !with_value) continue;
      html << "<th>" << html_escape(c.title) << "</th>";
    }
    html << "</tr>\n";
    std::size_t number = 0;
    for (auto const& row : alerts) {
      if (row.at("aoi") != aoi.name) continue;
      html << "<tr>";
      ++number;
      for (auto const& c : columns) {
        if (c.key == "estimated_value" && !with_value) continue;
        html << "<td>" << html_escape(c.key == "#" ? std::to_string(number) : row.at(c.key))
             << "</td>";
      }
      html << "</tr>\n";
    }
    if (number == 0)
      html << "<tr><td colspan=\"" << columns.size() << "\">No change found.</td></tr>\n";
    html << "</table>\n";
  }
  html << "<p class=\"footer\">Made by geosweep " << html_escape(geosweep_version())
       << " from the outputs in this folder's parent.</p>\n</body>\n</html>\n";
  atomic_file file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary);
    out << html.str();
    if (!out) throw io_error(path.string() + ": cannot write");
  }
  file.commit();
}

}  // namespace

std::string map_png_name(std::string const& aoi, std::string const& kind,
                         std::string const& period) {
  return aoi + "_map_" + kind + "_" + period + ".png";
}

report_result render_reports(job_spec const& spec, report_options const& options) {
  ensure_gdal();
  fs::path const out = spec.outputs.dir;
  fs::path const nc = out / "change.nc";
  fs::path const alerts_csv = out / "alerts.csv";
  for (auto const& needed : {nc, alerts_csv}) {
    if (!fs::exists(needed))
      throw io_error(needed.string() +
                     ": not found; reports are drawn from a run's outputs: run `geosweep run " +
                     spec.file.string() + "` first (with outputs.hdf5 and outputs.csv true)");
  }
  std::vector<std::string> names;
  for (auto const& a : spec.aois) names.push_back(a.name);
  if (options.aoi && std::find(names.begin(), names.end(), *options.aoi) == names.end()) {
    throw config_error(fmt::format("{}: no AOI named '{}' (the job's AOIs: {})", spec.file.string(),
                                   *options.aoi, fmt::join(names, ", ")));
  }
  auto const all_alerts = read_alert_table(alerts_csv);
  auto root = open_raster(nc);
  std::string const job = metadata(*root, "NC_GLOBAL#geosweep_job");
  std::string const version = metadata(*root, "NC_GLOBAL#geosweep_version");
  std::string const backend = metadata(*root, "NC_GLOBAL#geosweep_backend");
  std::vector<std::string> scenes;
  {
    std::istringstream lines(metadata(*root, "NC_GLOBAL#geosweep_scenes"));
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) scenes.push_back(line);
  }
  if (!job.empty() && job != spec.name)
    spdlog::warn("{} was written by job '{}', not '{}'", nc.string(), job, spec.name);

  fs::path const dir = out / "report";
  fs::create_directories(dir);
  report_result result;
  for (auto const& name : names) {
    if (options.aoi && *options.aoi != name) continue;
    auto const started = std::chrono::steady_clock::now();
    auto const in = read_inputs(spec, name, nc, all_alerts, *root);
    grid_geography const geo(in.grid);
    std::string first_date, last_date;
    if (!in.series.empty()) {
      first_date = to_iso(from_days_since_epoch(in.series.front().day));
      last_date = to_iso(from_days_since_epoch(in.series.back().day));
    }
    std::string const footer = "job '" + (job.empty() ? spec.name : job) + "', AOI '" + name +
                               "': " + std::to_string(scenes.size()) + " scenes, " +
                               std::to_string(in.series.size()) + " dates from " + first_date +
                               " to " + last_date + "; change.nc by geosweep " + version +
                               ", report by geosweep " + geosweep_version();

    // Map pages.
    struct map_spec {
      std::string kind, period;
      map_page page;
    };
    std::vector<map_spec> maps;
    std::vector<int> confidence;
    double total_ha = 0;
    int high = 0;
    for (auto const& a : in.alerts) {
      confidence.push_back(a.at("confidence") == "high" ? 2 : 1);
      high += a.at("confidence") == "high" ? 1 : 0;
      total_ha += std::stod(a.at("area_ha"));
    }
    OGRSpatialReference const srs = make_srs(in.grid.crs_wkt);
    double const cx = in.grid.width / 2.0, cy = in.grid.height / 2.0;
    double const pixel_w = geo.ground_distance({cx, cy}, {cx + 1, cy});
    double const pixel_h = geo.ground_distance({cx, cy}, {cx, cy + 1});
    auto const base_page = [&](std::string const& period) {
      map_page p;
      p.width = in.grid.width;
      p.height = in.grid.height;
      p.patch = in.patch;
      p.change = in.change;
      p.patch_confidence = confidence;
      p.footer = footer;
      bool const before = period == "before";
      p.sidebar = {"#Image",
                   "Date: " + (before ? in.date_before : in.date_after),
                   "Latest clear look of the " +
                       std::string(before ? "baseline period " + in.baseline_period
                                          : "monitoring period " + in.monitor_period),
                   "",
                   "#Grid",
                   std::string("CRS: ") + (srs.GetName() ? srs.GetName() : "unnamed"),
                   "Pixel: " + fixed(pixel_w, 1) + " x " + fixed(pixel_h, 1) + " m on the ground",
                   "",
                   "#Alerts",
                   std::to_string(in.alerts.size()) + " alert(s), " + fixed(total_ha, 2) + " ha, " +
                       std::to_string(high) + " high confidence"};
      return p;
    };
    for (auto const& [kind, periods] : in.colours) {
      auto const limits = stretch_limits(in, periods);
      bool const false_colour = kind == "false_colour";
      for (int p = 0; p < 2; ++p) {
        std::string const period = p == 0 ? "before" : "after";
        map_page page = base_page(period);
        page.pixels = stretch(in, *periods[static_cast<std::size_t>(p)], limits);
        page.title = name + ": " + period + ", " + (false_colour ? "false colour" : "true colour");
        page.subtitle = (p == 0 ? in.date_before : in.date_after) +
                        (false_colour ? "  \u00b7  near infrared, red, green as red, green, blue"
                                      : "  \u00b7  red, green, blue surface reflectance") +
                        "  \u00b7  stretched per band between the 2nd and 98th percentiles of "
                        "both dates";
        std::vector<std::string> stretch_text{"Stretch, 2nd to 98th percentile (reflectance):"};
        char const* const band_names[2][3] = {{"red", "green", "blue"}, {"NIR", "red", "green"}};
        for (int b = 0; b < 3; ++b)
          stretch_text.push_back(std::string("  ") + band_names[false_colour ? 1 : 0][b] + " " +
                                 fixed(limits[static_cast<std::size_t>(b)][0], 3) + " \u2013 " +
                                 fixed(limits[static_cast<std::size_t>(b)][1], 3));
        page.sidebar.insert(page.sidebar.begin() + 3, stretch_text.begin(), stretch_text.end());
        maps.push_back({kind, period, std::move(page)});
      }
    }
    if (in.colours.empty()) {
      std::vector<float> pooled;
      for (auto const& image : in.index_images)
        for (std::size_t i = 0; i < image.size(); ++i)
          if (in.change[i] != kernels::change_outside_aoi) pooled.push_back(image[i]);
      auto const limits = percentile_limits(pooled, 2.0, 98.0);
      for (int p = 0; p < 2; ++p) {
        std::string const period = p == 0 ? "before" : "after";
        map_page page = base_page(period);
        page.pixels = index_colours(in, in.index_images[static_cast<std::size_t>(p)], limits);
        page.title = name + ": " + period + ", " + upper(in.index);
        page.subtitle = (p == 0 ? in.date_before : in.date_after) + "  \u00b7  " + upper(in.index) +
                        " from brown (" + fixed(limits[0], 2) + ") to green (" +
                        fixed(limits[1], 2) + "), 2nd to 98th percentile (no colour COGs)";
        maps.push_back({in.index, period, std::move(page)});
      }
    }

    std::size_t const table_pages =
        std::max<std::size_t>(1, (in.alerts.size() + kRowsPerPage - 1) / kRowsPerPage);
    std::vector<std::string> provenance{
        "Job: " + (job.empty() ? spec.name : job) + " (" + spec.file.string() + ")",
        "Change: " + metadata(*root, "NC_GLOBAL#geosweep_change_method") + " on " + in.index +
            ", drop " + fixed(spec.change.drop, 2) + ", confirmed after " +
            std::to_string(spec.change.confirm) + " anomalous clear looks, minimum " +
            fixed(spec.change.min_area_ha, 2) + " ha",
        "Periods: baseline " + in.baseline_period + ", monitoring " + in.monitor_period,
        fmt::format("Scenes ({}): {}", scenes.size(), fmt::join(scenes, ", ")),
        "Software: change.nc written by geosweep " + version + " (backend " + backend +
            "); report drawn by geosweep " + geosweep_version() + " from " + nc.string() + ", " +
            alerts_csv.string() + " and " + (spec.outputs.dir / "cog" / name).string()};

    std::vector<page_painter> pages;
    for (auto const& m : maps) {
      pages.push_back([&m, &geo](cairo_t* cr, page_context const& ctx) {
        draw_map_page(cr, m.page, geo, ctx.number, ctx.pages);
      });
    }
    for (std::size_t t = 0; t < table_pages; ++t) {
      std::size_t const first = t * kRowsPerPage;
      std::size_t const count = std::min<std::size_t>(kRowsPerPage, in.alerts.size() - first);
      pages.push_back([&in, first, count, t, table_pages](cairo_t* cr, page_context const& ctx) {
        draw_table_page(cr, in, first, in.alerts.empty() ? 0 : count, static_cast<int>(t + 1),
                        static_cast<int>(table_pages), ctx);
      });
    }
    pages.push_back([&](cairo_t* cr, page_context const& ctx) {
      draw_series_page(cr, spec, in, provenance, ctx);
    });

    aoi_report report;
    report.name = name;
    report.pdf = dir / (name + ".pdf");
    report.pages = static_cast<int>(pages.size());
    report.alerts = in.alerts.size();
    write_pdf(report.pdf, "geosweep report: " + name, pages, footer);
    // PNGs: every raster pixel at least one PNG pixel where that stays under 4x (288 dpi).
    for (std::size_t i = 0; i < maps.size(); ++i) {
      auto const layout = layout_map_page(in.grid.width, in.grid.height);
      double const scale = std::clamp(1.0 / layout.scale, 2.0, 4.0);
      fs::path const png = dir / map_png_name(name, maps[i].kind, maps[i].period);
      write_png(png, pages[i], {footer, static_cast<int>(i + 1), report.pages}, scale);
      report.pngs.push_back(png);
    }
    fs::path const series_png = dir / (name + "_time_series.png");
    write_png(series_png, pages.back(), {footer, report.pages, report.pages}, 2.0);
    report.pngs.push_back(series_png);
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    result.aois.push_back(std::move(report));
  }
  result.index_html = dir / "index.html";
  write_index(result.index_html, spec, all_alerts,
              "Job '" + (job.empty() ? spec.name : job) + "', " + std::to_string(scenes.size()) +
                  " scenes; outputs of geosweep " + version + ".");
  return result;
}

}  // namespace geosweep::pipeline
