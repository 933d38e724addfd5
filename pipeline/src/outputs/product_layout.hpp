#pragma once
// Internal to pipeline/src: the layout of a run's outputs in one place. The files of the outputs
// folder, the netCDF group of each AOI and its attributes, and the table of per-pixel variables
// (name, type, CF attributes, which field of a finished tile holds its values, what a pixel of a
// dropped patch becomes). The netCDF writer, the part files of shared runs, the relabelling of
// patches, the polygon tracer, the report and the monitor all take names from here: adding a
// variable touches pixel_variables() and the code that produces its values, nothing else.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "compute/chunk_processor.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "outputs/hdf5_writer.hpp"

namespace geosweep::pipeline::product {

/// "<layer>_before" (period 0, the baseline) or "<layer>_after" (1, monitoring): how the
/// latest clear look of each period is named, in change.nc and among the COGs.
std::string period_layer(std::string const& layer, int period);

// ---- files of the outputs folder

inline constexpr std::string_view netcdf_file = "change.nc";  ///< netCDF-4/CF, read by GDAL
inline constexpr std::string_view area_table_file = "areas.csv";
inline constexpr std::string_view alert_table_file = "alerts.csv";
/// Changed area by land-cover class, per alert and AOI (job spec `landcover`).
inline constexpr std::string_view landcover_table_file = "landcover.csv";
/// Totals by network (job spec `aois[].network`).
inline constexpr std::string_view network_table_file = "networks.csv";
inline constexpr std::string_view cog_dir = "cog";        ///< cog/<aoi>/<stem>.tif
inline constexpr std::string_view report_dir = "report";  ///< report/<aoi>.pdf ...
/// stac/collection.json, stac/<aoi>/<aoi>.json (outputs/stac_output.hpp)
inline constexpr std::string_view stac_dir = "stac";
inline constexpr std::string_view state_dir = "state";    ///< monitoring ledger and state
inline constexpr std::string_view events_dir = "events";  ///< events/run-<n>.csv, .geojson
inline constexpr std::string_view parts_dir = ".parts";   ///< shared runs: each worker's part

/// Whether a top-level entry of the outputs folder is one a run writes, replaced as one set
/// when the run ends (core/output_set.hpp): the tables, change.nc, the polygons, cog/, and
/// report/ (made from the run's outputs, so stale once they are replaced). Everything else,
/// a monitor's state/ and events/ and any file of the user's, is kept.
bool is_run_product(std::string const& name);

/// In state/: the monitoring ledger, the lock of a monitoring run, each run's detector state.
inline constexpr std::string_view ledger_file = "monitor.sqlite";
inline constexpr std::string_view run_lock_file = "monitor.lock";
inline constexpr std::string_view state_file_prefix = "state-";
std::string state_file(std::int64_t run);  ///< state-<run>.h5

/// alerts.gpkg or alerts.geojson.
std::string polygon_file(polygon_format format);

/// `dir`/cog/<aoi>/.
std::filesystem::path cog_folder(std::filesystem::path const& dir, std::string const& aoi);

/// The COG of `layer` (a colour composite such as "true_colour", or the change index) of
/// period 0 (before: the latest clear baseline look) or 1 (after): cog/<aoi>/<layer>_before.tif.
std::filesystem::path cog_file(std::filesystem::path const& dir, std::string const& aoi,
                               std::string const& layer, int period);

/// The date layer of the COG of `layer` (an index, or colour_look for every colour
/// composite): cog/<aoi>/<layer>_before_date.tif, the day of each pixel's look (days since
/// 1970-01-01, UInt16 to 2149-06-06, nodata 0: no look).
std::filesystem::path cog_date_file(std::filesystem::path const& dir, std::string const& aoi,
                                    std::string const& layer, int period);

/// The change classes of an AOI as a COG: cog/<aoi>/change.tif (beside it change.tif.aux.xml,
/// the category names).
std::filesystem::path cog_change_file(std::filesystem::path const& dir, std::string const& aoi);

/// `dir`/.parts/part-<worker>.h5.
std::filesystem::path part_file(std::filesystem::path const& dir, int worker);

/// events/run-<n>.<extension> ("csv" or "geojson"), under the outputs folder `dir`.
std::filesystem::path events_file(std::filesystem::path const& dir, std::int64_t run,
                                  std::string_view extension);

// ---- change.nc

/// The group of an AOI: "aoi/<name>".
std::string aoi_group(std::string const& aoi);

/// How GDAL opens one variable of an AOI: NETCDF:"<file>":/aoi/<aoi>/<variable>.
std::string gdal_variable(std::filesystem::path const& netcdf, std::string const& aoi,
                          std::string const& variable);

/// How GDAL names a group attribute of an AOI in the file's metadata.
std::string gdal_group_attribute(std::string const& aoi, std::string_view attribute);

/// Root attributes (provenance).
namespace root {
inline constexpr std::string_view job = "geosweep_job";
inline constexpr std::string_view job_spec = "geosweep_job_spec";
inline constexpr std::string_view version = "geosweep_version";
inline constexpr std::string_view backend = "geosweep_backend";
inline constexpr std::string_view scenes = "geosweep_scenes";  ///< scene ids, one a line
inline constexpr std::string_view change_method = "geosweep_change_method";
}  // namespace root

/// Attributes of an AOI group.
namespace group {
inline constexpr std::string_view aoi = "aoi";
inline constexpr std::string_view date_before = "date_before";          ///< latest baseline date
inline constexpr std::string_view date_after = "date_after";            ///< latest monitoring date
inline constexpr std::string_view baseline_period = "baseline_period";  ///< "first/last"
inline constexpr std::string_view monitor_period = "monitor_period";
inline constexpr std::string_view change_method = "change_method";
inline constexpr std::string_view change_index = "change_index";
}  // namespace group

/// Names of the per-pixel variables of an AOI group.
namespace variable {
inline constexpr std::string_view change = "change";  ///< kernels::change_class
inline constexpr std::string_view cause = "cause";    ///< kernels::cause_evidence (change.causes)
inline constexpr std::string_view first_date = "first_date";
inline constexpr std::string_view confirmed_date = "confirmed_date";
inline constexpr std::string_view magnitude = "magnitude";
inline constexpr std::string_view clear_count = "clear_count";
inline constexpr std::string_view patch = "patch";  ///< patch number: alert k is patch k + 1
/// The latest clear look of `index` in the baseline (before) or monitoring (after) period.
std::string before(std::string const& index);
std::string after(std::string const& index);
/// The day of each pixel's look in before(index) or after(index): "<index>_before_date".
std::string look_date(std::string const& index, int period);
/// The baseline of the change index (mean, or the latest clear baseline look).
std::string baseline(std::string const& index);
/// The (time, y, x) series of the change index: its name alone.
std::string series(std::string const& index);
}  // namespace variable

/// Where a finished tile holds a variable's values.
using tile_values = std::variant<std::vector<std::uint8_t>*, std::vector<std::uint16_t>*,
                                 std::vector<std::int32_t>*, std::vector<float>*>;

/// The element type of a variable as stored.
enum class raster_type { uint8, uint16, int16, int32, float32 };

/// Bytes of one element of `type`.
std::size_t element_size(raster_type type);

/// Index layers (and the magnitude) are stored as CF packed int16, as the archives do (ESPA,
/// HLS): value = stored × 0.0001, NaN as -32768, within 0.5 × 10⁻⁴ of the float result.
/// Values beyond ±3.2767 are clamped.
inline constexpr double packed_scale = 1e-4;
inline constexpr std::int16_t packed_fill = -32768;
/// Inline: it runs once a pixel per packed layer. Rounds to nearest, ties to even (as
/// std::nearbyint does in the default rounding mode), by adding and taking away 1.5 × 2⁵²,
/// exact for every value the clamp keeps.
inline std::int16_t pack(float value) {
  if (value != value) return packed_fill;
  constexpr double round_shift = 6755399441055744.0;
  double const stored = (static_cast<double>(value) / packed_scale + round_shift) - round_shift;
  return static_cast<std::int16_t>(stored < -32767.0 ? -32767.0
                                                     : (stored > 32767.0 ? 32767.0 : stored));
}
float unpack(std::int16_t stored);

/// Calls `f` with a value of the C++ type of `type` (to pick a template instance).
template <class F>
decltype(auto) with_type(raster_type type, F&& f) {
  switch (type) {
    case raster_type::uint8:
      return f(std::uint8_t{});
    case raster_type::uint16:
      return f(std::uint16_t{});
    case raster_type::int16:
      return f(std::int16_t{});
    case raster_type::int32:
      return f(std::int32_t{});
    case raster_type::float32:
      break;
  }
  return f(float{});
}

/// One (y, x) variable of an AOI group.
struct pixel_variable {
  std::string name;
  raster_type type = raster_type::float32;  ///< as stored; int16: packed from float values
  variable_attributes attributes;
  /// Where a finished tile holds its values: one of the tile's rasters, or (look_period 0 or
  /// 1) the latest look of `look_index`; neither for the patch numbers (the stitcher's).
  tile_values (*raster)(aoi_tile_output& tile) = nullptr;
  int look_period = -1;
  std::string look_index;
  /// What its pixels become where a patch under the minimum mapping unit is dropped; none
  /// when the variable does not describe the change.
  std::optional<double> dropped;
};

/// Whether a finished tile holds the variable's values (all but the patch numbers).
bool in_tile(pixel_variable const& v);

/// The variable's values in `tile`, to fill (a look's entry is made when missing).
tile_values values_of(pixel_variable const& v, aoi_tile_output& tile);

/// The variable's values in `tile`, to read (a missing look reads as empty).
using const_tile_values =
    std::variant<std::vector<std::uint8_t> const*, std::vector<std::uint16_t> const*,
                 std::vector<std::int32_t> const*, std::vector<float> const*>;
const_tile_values values_in(pixel_variable const& v, aoi_tile_output const& tile);

/// The (y, x) variables of every AOI group of `spec`'s change.nc, in the order they are
/// created and written: each index's looks before and after and their days (`indices`: the
/// job's indices and the change index), the change classes, its dates and magnitude, the baseline
/// (the `baseline` method's mean; for `bitemporal` it is the index's look before, not stored
/// twice), the clear count and the patch numbers; those of outputs.layers only (the change
/// classes and patch numbers always).
std::vector<pixel_variable> pixel_variables(job_spec const& spec,
                                            std::vector<std::string> const& indices);

/// The CF attributes of the series of the change index (packed int16, outputs.series).
variable_attributes series_attributes(job_spec const& spec);

/// The variable that holds the baseline of the change index: `<index>_baseline` for the
/// `baseline` method, the latest look before (`<index>_before`) for `bitemporal`.
std::string baseline_variable(change_method method, std::string const& index);

/// Per alert and date, the change index over the alert's clear pixels (series.csv), and the
/// whole AOI's as alert_id "aoi"; the report's time-series page reads it.
inline constexpr std::string_view series_table_file = "series.csv";

}  // namespace geosweep::pipeline::product
