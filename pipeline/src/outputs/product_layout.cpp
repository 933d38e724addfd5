#include "outputs/product_layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "compute/spectral_index.hpp"
#include "geosweep/kernels/cause.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/error.hpp"
#include "outputs/manifest.hpp"

namespace geosweep::pipeline::product {
namespace {

namespace k = geosweep::kernels;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

}  // namespace

std::size_t element_size(raster_type type) {
  return with_type(type, [](auto element) { return sizeof(element); });
}

float unpack(std::int16_t stored) {
  return stored == packed_fill ? std::numeric_limits<float>::quiet_NaN()
                               : static_cast<float>(stored * packed_scale);
}

std::string period_layer(std::string const& layer, int period) {
  return layer + (period == 0 ? "_before" : "_after");
}

std::string polygon_file(polygon_format format) {
  switch (format) {
    case polygon_format::gpkg:
      return "alerts.gpkg";
    case polygon_format::geojson:
      return "alerts.geojson";
    case polygon_format::kmz:
      break;
  }
  return "alerts.kmz";
}

bool is_run_product(std::string const& name) {
  for (std::string_view const product :
       {netcdf_file, area_table_file, alert_table_file, series_table_file, landcover_table_file,
        network_table_file, cog_dir, report_dir, stac_dir})
    if (name == product) return true;
  return name == polygon_file(polygon_format::gpkg) || name == manifest_file ||
         name == polygon_file(polygon_format::geojson) ||
         name == polygon_file(polygon_format::kmz) ||
         name.find(".tmp-") != std::string::npos;  // what an atomic_file of a killed run left
}

std::string state_file(std::int64_t run) {
  return fmt::format("{}{:04d}.h5", state_file_prefix, run);
}

std::filesystem::path cog_folder(std::filesystem::path const& dir, std::string const& aoi) {
  return dir / cog_dir / aoi;
}

std::filesystem::path cog_file(std::filesystem::path const& dir, std::string const& aoi,
                               std::string const& layer, int period) {
  return cog_folder(dir, aoi) / (period_layer(layer, period) + ".tif");
}

std::filesystem::path cog_date_file(std::filesystem::path const& dir, std::string const& aoi,
                                    std::string const& layer, int period) {
  return cog_folder(dir, aoi) / (period_layer(layer, period) + "_date.tif");
}

std::filesystem::path cog_change_file(std::filesystem::path const& dir, std::string const& aoi) {
  return cog_folder(dir, aoi) / "change.tif";
}

std::filesystem::path part_file(std::filesystem::path const& dir, int worker) {
  return dir / parts_dir / fmt::format("part-{:04d}.h5", worker);
}

std::filesystem::path events_file(std::filesystem::path const& dir, std::int64_t run,
                                  std::string_view extension) {
  return dir / events_dir / fmt::format("run-{:04d}.{}", run, extension);
}

std::string aoi_group(std::string const& aoi) {
  return "aoi/" + aoi;
}

std::string gdal_variable(std::filesystem::path const& netcdf, std::string const& aoi,
                          std::string const& variable) {
  return fmt::format("NETCDF:\"{}\":/{}/{}", netcdf.string(), aoi_group(aoi), variable);
}

std::string gdal_group_attribute(std::string const& aoi, std::string_view attribute) {
  return fmt::format("/{}/NC_GLOBAL#{}", aoi_group(aoi), attribute);
}

namespace variable {
std::string before(std::string const& index) {
  return period_layer(index, 0);
}
std::string after(std::string const& index) {
  return period_layer(index, 1);
}
std::string look_date(std::string const& index, int period) {
  return period_layer(index, period) + "_date";
}
std::string baseline(std::string const& index) {
  return index + "_baseline";
}
std::string series(std::string const& index) {
  return index;
}
}  // namespace variable

namespace {

/// The attributes of a dimensionless variable. (Built whole: GCC 12 warns wrongly, -Wrestrict,
/// when a literal is assigned to the units of a default-made one.)
variable_attributes dimensionless(std::string long_name, std::optional<double> fill) {
  return {std::move(long_name), std::string("1"), {}, fill, {}, {}, {}, {}, true};
}

/// A dimensionless float layer stored as packed int16 (see product::pack).
variable_attributes packed(std::string long_name) {
  auto a = dimensionless(std::move(long_name), double{packed_fill});
  a.scale_factor = packed_scale;
  a.add_offset = 0.0;
  return a;
}

/// A variable held by one raster of a finished tile; `dropped`: see pixel_variable.
pixel_variable tile_raster(std::string_view name, raster_type type, variable_attributes attributes,
                           tile_values (*raster)(aoi_tile_output&),
                           std::optional<double> dropped = std::nullopt) {
  pixel_variable v;
  v.name = name;
  v.type = type;
  v.attributes = std::move(attributes);
  v.raster = raster;
  v.dropped = dropped;
  return v;
}

/// The latest clear look of `index` in `period`.
pixel_variable index_look(std::string const& index, int period, std::string const& long_name) {
  pixel_variable v;
  v.name = period_layer(index, period);
  v.type = raster_type::int16;
  v.attributes = packed(long_name);
  v.look_period = period;
  v.look_index = index;
  return v;
}

/// The day of each pixel's look in index_look(`index`, `period`), held by the tile as a float
/// (look_date_name) and stored as int32 days.
pixel_variable index_look_date(std::string const& index, int period) {
  pixel_variable v;
  v.name = variable::look_date(index, period);
  v.type = raster_type::int32;
  v.attributes.long_name =
      fmt::format("date of the observation in {}", period_layer(index, period));
  v.attributes.units = "days since 1970-01-01";
  v.attributes.fill_value = k::no_date;
  v.look_period = period;
  v.look_index = look_date_name(index);
  return v;
}

}  // namespace

namespace {
std::vector<pixel_variable> every_pixel_variable(job_spec const& spec,
                                                 std::vector<std::string> const& indices);
}  // namespace

std::vector<pixel_variable> pixel_variables(job_spec const& spec,
                                            std::vector<std::string> const& indices) {
  auto all = every_pixel_variable(spec, indices);
  std::vector<pixel_variable> out;
  auto const& outputs = spec.outputs;
  for (auto& v : all) {
    bool const look = v.look_period >= 0;
    bool const date = v.name == variable::first_date || v.name == variable::confirmed_date;
    if ((look && !outputs.has_layer(optional_layer::indices)) ||
        (date && !outputs.has_layer(optional_layer::dates)) ||
        (v.name == variable::magnitude && !outputs.has_layer(optional_layer::magnitude)) ||
        (v.name == variable::baseline(spec.change.index) &&
         !outputs.has_layer(optional_layer::baseline)) ||
        (v.name == variable::clear_count && !outputs.has_layer(optional_layer::clear_count)))
      continue;
    out.push_back(std::move(v));
  }
  return out;
}

namespace {

/// Every variable pixel_variables() may hold.
std::vector<pixel_variable> every_pixel_variable(job_spec const& spec,
                                                 std::vector<std::string> const& indices) {
  std::vector<pixel_variable> out;
  for (auto const& name : indices) {
    auto const& index = find_spectral_index(name);
    out.push_back(index_look(
        name, 0,
        fmt::format("{}, latest clear observation of the baseline period", index.long_name)));
    out.push_back(index_look(
        name, 1,
        fmt::format("{}, latest clear observation of the monitoring period", index.long_name)));
    out.push_back(index_look_date(name, 0));
    out.push_back(index_look_date(name, 1));
  }
  variable_attributes change;
  change.long_name = "forest loss between the baseline and monitoring periods, by confidence";
  // Unwritten chunks read as outside the AOI; no _FillValue attribute, so that xarray keeps the
  // classes as integers (the flags name every value).
  change.fill_value = k::change_outside_aoi;
  change.fill_attribute = false;
  change.flag_values = {k::change_none,  k::change_low,         k::change_high,
                        k::change_grown, k::change_outside_aoi, k::change_no_data};
  change.flag_meanings =
      "no_change low_confidence_loss high_confidence_loss weaker_fall outside_aoi "
      "no_clear_observation";
  if (spec.change.method == change_method::bfast) {  // the classes of every method, and one
    change.flag_values.insert(change.flag_values.end() - 2, k::change_no_model);
    change.flag_meanings =
        "no_change low_confidence_loss high_confidence_loss weaker_fall no_model outside_aoi "
        "no_clear_observation";
  }
  out.push_back(tile_raster(
      variable::change, raster_type::uint8, change,
      [](aoi_tile_output& t) -> tile_values { return &t.change; }, double{k::change_none}));
  if (spec.change.causes) {
    variable_attributes cause;
    cause.long_name =
        "what each changed pixel turned into, from its looks before and after (the alert's "
        "cause follows from its pixels' shares)";
    cause.fill_value = k::evidence_outside_aoi;
    cause.fill_attribute = false;  // as `change`: the classes stay integers in xarray
    cause.flag_values = {k::evidence_no_change,
                         k::evidence_bare,
                         k::evidence_slash,
                         k::evidence_burn_moderate_low,
                         k::evidence_burn_moderate_high,
                         k::evidence_burn_high,
                         k::evidence_water,
                         k::evidence_other,
                         k::evidence_unknown,
                         k::evidence_outside_aoi};
    cause.flag_meanings =
        "no_change clearing_bare_soil clearing_slash burn_moderate_low burn_moderate_high "
        "burn_high new_water other unknown outside_aoi";
    out.push_back(tile_raster(
        variable::cause, raster_type::uint8, cause,
        [](aoi_tile_output& t) -> tile_values { return &t.cause; }, double{k::evidence_no_change}));
  }
  variable_attributes date;
  date.units = "days since 1970-01-01";
  date.fill_value = k::no_date;
  date.long_name = "date of the first anomaly of the change";
  out.push_back(tile_raster(
      variable::first_date, raster_type::int32, date,
      [](aoi_tile_output& t) -> tile_values { return &t.first_date; }, double{k::no_date}));
  // bitemporal has one look after: the date it changed is the date it is confirmed, so the
  // layer would be first_date again (268 MB of int32 to compress for an 8192² AOI, 0.27 s of
  // the peer pair's wall time), and it is not written twice.
  if (spec.change.method != change_method::bitemporal) {
    date.long_name = "date the change was confirmed (high confidence)";
    out.push_back(tile_raster(
        variable::confirmed_date, raster_type::int32, date,
        [](aoi_tile_output& t) -> tile_values { return &t.confirmed_date; }, double{k::no_date}));
  }
  bool const bfast = spec.change.method == change_method::bfast;
  out.push_back(tile_raster(
      variable::magnitude, raster_type::int16,
      packed(bfast ? fmt::format("mean fall of {} below the season-trend model over the falls",
                                 spec.change.index)
                   : fmt::format("mean drop of {} below the baseline over the anomalies",
                                 spec.change.index)),
      [](aoi_tile_output& t) -> tile_values { return &t.magnitude; }, nan));
  if (spec.change.method != change_method::bitemporal) {
    out.push_back(tile_raster(
        variable::baseline(spec.change.index), raster_type::int16,
        packed(fmt::format("mean of the clear baseline observations of {}", spec.change.index)),
        [](aoi_tile_output& t) -> tile_values { return &t.baseline; }));
  }
  variable_attributes count;
  count.units = "1";
  count.long_name = "clear observations in the monitoring period";
  out.push_back(tile_raster(variable::clear_count, raster_type::uint16, count,
                            [](aoi_tile_output& t) -> tile_values { return &t.clear_count; }));
  pixel_variable patch;
  patch.name = variable::patch;
  patch.type = raster_type::int32;
  patch.attributes = dimensionless(
      "patch number of the change (row of alerts.csv within the AOI), 0 for none", std::nullopt);
  out.push_back(std::move(patch));
  return out;
}

}  // namespace

bool in_tile(pixel_variable const& v) {
  return v.raster != nullptr || v.look_period >= 0;
}

tile_values values_of(pixel_variable const& v, aoi_tile_output& tile) {
  GEOSWEEP_EXPECTS(in_tile(v), "a variable of the tile");
  if (v.look_period >= 0)
    return &tile.latest[static_cast<std::size_t>(v.look_period)][v.look_index];
  return v.raster(tile);
}

const_tile_values values_in(pixel_variable const& v, aoi_tile_output const& tile) {
  GEOSWEEP_EXPECTS(in_tile(v), "a variable of the tile");
  if (v.look_period >= 0) {
    static std::vector<float> const none;
    auto const& looks = tile.latest[static_cast<std::size_t>(v.look_period)];
    auto const it = looks.find(v.look_index);
    return it != looks.end() ? &it->second : &none;
  }
  // The raster accessors serve readers that fill a tile too; here they are only read through.
  return std::visit([](auto* values) { return const_tile_values(values); },
                    v.raster(const_cast<aoi_tile_output&>(tile)));
}

variable_attributes series_attributes(job_spec const& spec) {
  return packed(fmt::format("{} of each acquisition date (mosaic of its scenes)",
                            find_spectral_index(spec.change.index).long_name));
}

std::string baseline_variable(change_method method, std::string const& index) {
  return method != change_method::bitemporal ? variable::baseline(index) : variable::before(index);
}

}  // namespace geosweep::pipeline::product
