#pragma once
/// \file
/// HDF5 output laid out as netCDF-4 / CF-1.8 so that GDAL (netCDF driver), QGIS and xarray
/// open it with correct georeferencing: per group, dimension scales `y` and `x` holding
/// pixel-centre coordinates, a `crs` grid-mapping variable (crs_wkt, spatial_ref,
/// GeoTransform) and 2-D variables that point at it. Written to a temporary name and
/// renamed into place by commit().

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// CF attributes of one 2-D variable.
struct variable_attributes {
  std::string long_name;
  std::string units;                 ///< "1" for dimensionless, "" to omit
  std::string standard_name;         ///< "" to omit
  std::optional<double> fill_value;  ///< _FillValue, in the variable's type
  std::vector<int> flag_values;      ///< CF flag_values (uint8 class rasters)
  std::string flag_meanings;         ///< space-separated, same order as flag_values
  /// CF packing (float32 attributes, so readers unpack to float32): value = stored ×
  /// scale_factor + add_offset.
  std::optional<double> scale_factor;
  std::optional<double> add_offset;
  /// Whether the fill value is also written as the `_FillValue` attribute. Class rasters keep
  /// it as the dataset's fill only: xarray would otherwise mask it and turn classes into floats.
  bool fill_attribute = true;
};

/// Writes one HDF5 (netCDF-4 compatible) file.
class hdf5_writer {
 public:
  /// Creates `<path>.tmp-<pid>`; throws geosweep::io_error naming the path on failure.
  explicit hdf5_writer(std::filesystem::path path);
  hdf5_writer(hdf5_writer const&) = delete;
  hdf5_writer& operator=(hdf5_writer const&) = delete;
  /// Closes and removes the temporary file unless commit() succeeded.
  ~hdf5_writer();

  /// A global (root group) text attribute, e.g. title, history, geosweep_job.
  void set_root_attribute(std::string_view name, std::string_view value);

  /// Creates group `group` (nested with '/' allowed, e.g. "aoi/reserve-north") holding the
  /// `x`, `y` coordinate variables and the `crs` grid-mapping variable for `grid`, plus
  /// text attributes of the group. Must precede write_* calls for that group.
  /// Variables of the group are stored in `chunk_side` squares: a writer that writes whole
  /// aligned squares never rewrites a compressed chunk.
  void add_grid(std::string const& group, raster_grid const& grid, int chunk_side = 256);

  /// A group text attribute (e.g. aoi name, dates).
  void set_group_attribute(std::string const& group, std::string_view name, std::string_view value);

  /// A (y, x) float32 variable in `group`, chunked, shuffled and deflated.
  void write_float32(std::string const& group, std::string const& name,
                     std::span<float const> values, variable_attributes const& attributes);

  /// A (y, x) uint8 variable in `group`, chunked, shuffled and deflated.
  void write_uint8(std::string const& group, std::string const& name,
                   std::span<std::uint8_t const> values, variable_attributes const& attributes);

  /// A (y, x) uint16 variable in `group`, chunked, shuffled and deflated.
  void write_uint16(std::string const& group, std::string const& name,
                    std::span<std::uint16_t const> values, variable_attributes const& attributes);

  /// A (y, x) int32 variable in `group` (e.g. day numbers), chunked, shuffled and deflated.
  void write_int32(std::string const& group, std::string const& name,
                   std::span<std::int32_t const> values, variable_attributes const& attributes);

  /// The side of the square storage chunks of `group`'s variables (add_grid's `chunk_side`,
  /// at most the grid's width and height).
  [[nodiscard]] std::array<int, 2> chunk_shape(std::string const& group) const;

  /// Stores chunk (`chunk_x`, `chunk_y`) (chunk indices) of a created variable as bytes its
  /// filters already encoded (shuffle, then deflate: outputs/deflate_chunk.hpp), bypassing
  /// HDF5's filter pipeline (H5Dwrite_chunk); `time_index` for a series.
  void write_chunk(std::string const& group, std::string const& name, int chunk_x, int chunk_y,
                   std::span<std::byte const> encoded, int time_index = -1);

  /// The stored (encoded) bytes of a chunk; empty when the chunk was never written (it reads
  /// as the fill value).
  std::vector<std::byte> read_chunk(std::string const& group, std::string const& name, int chunk_x,
                                    int chunk_y, int time_index = -1);

  /// Creates a (y, x) variable of T (float, uint8, uint16, int16 or int32) in `group`, filled with
  /// its fill value, to be written window by window (bounded memory for large grids).
  template <class T>
  void create_variable(std::string const& group, std::string const& name,
                       variable_attributes const& attributes);

  /// Writes `values` (row-major, window-sized) into a window of a created variable.
  template <class T>
  void write_window(std::string const& group, std::string const& name, pixel_window const& window,
                    std::span<T const> values);

  /// Adds the `time` coordinate (acquisition dates as days since 1970-01-01, CF calendar
  /// standard) to a group that has a grid, for (time, y, x) series.
  void add_time(std::string const& group, std::vector<std::int32_t> const& days);

  /// Creates a (time, y, x) variable of T (float or int16) in `group`, stored in (1, side, side)
  /// chunks.
  template <class T>
  void create_series(std::string const& group, std::string const& name,
                     variable_attributes const& attributes);

  /// Writes one date (`time_index`) of a window of a series.
  template <class T>
  void write_series_window(std::string const& group, std::string const& name, int time_index,
                           pixel_window const& window, std::span<T const> values);

  /// Reads a window of a variable back (e.g. to relabel it once patches are final).
  template <class T>
  void read_window(std::string const& group, std::string const& name, pixel_window const& window,
                   std::span<T> values);

  /// Flushes, closes and renames the file into place; throws geosweep::io_error on failure.
  void commit();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace geosweep::pipeline
