#pragma once
// Internal to pipeline/src: landcover.csv, the changed area of every alert and AOI split by the
// class of a land-cover raster (job spec `landcover`), with the value lost by class.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"
#include "patches/change_patch.hpp"
#include "patches/patch_pixels.hpp"

namespace geosweep::pipeline {

/// The columns of landcover.csv, in order.
std::span<std::string_view const> landcover_table_columns();

/// What landcover.csv needs of an AOI besides its patches; every vector row-major over its
/// window of the analysis grid.
struct landcover_aoi {
  std::string name;
  int width = 0;                         ///< of its window
  std::span<std::int32_t const> codes;   ///< grid/landcover_raster.hpp
  std::span<std::uint8_t const> inside;  ///< 1 inside the AOI
  std::span<double const> row_areas;     ///< ground area of a pixel, by window row
  std::optional<double> value_per_ha;    ///< the AOI's, for classes without their own
  std::string network;                   ///< aois[].network; empty: none
};

/// Ground area in m^2 by class name, in the order of the classes' lowest codes (codes no class
/// names as "class <code>", uncovered pixels as "no data", last).
using class_areas = std::vector<std::pair<std::string, double>>;

/// Adds the ground area of the pixels where `mask` (row-major over `window`, a window of the
/// AOI's) is non-zero to `by_code`, by class code.
void add_class_areas(landcover_aoi const& aoi, pixel_window const& window,
                     std::span<std::uint8_t const> mask, std::map<std::int32_t, double>& by_code);

/// `by_code` folded by class name (codes sharing a name are one class).
class_areas by_class_name(landcover_spec const& spec,
                          std::map<std::int32_t, double> const& by_code);

/// An AOI's part of landcover.csv and what its alerts are worth by class.
struct landcover_split {
  /// Its rows: first the whole AOI (alert_id empty; every class inside it, with its area
  /// there), then each alert in order (the classes it covers).
  std::vector<std::vector<std::string>> rows;
  /// By alert, in order: the sum of its classes' values (each class's own value per hectare,
  /// else the AOI's); none when none of its classes has a value.
  std::vector<std::optional<double>> alert_values;
  /// The AOI's ground area (m^2) by class code: inside it, and changed.
  std::map<std::int32_t, double> inside_by_code, changed_by_code;
  /// The value of the AOI's change by class name, for the classes that have one.
  std::map<std::string, double> value_by_class;
};

/// Splits the change of `patches` (their pixels from `pixels`, the AOI's final patch numbers)
/// and the AOI by class.
landcover_split landcover_rows(landcover_spec const& spec, landcover_aoi const& aoi,
                               std::vector<change_patch> const& patches,
                               patch_pixels const& pixels);

/// The rows of each network of `networks` (in that order): the whole-area rows of its AOIs
/// summed (aoi and alert_id empty), each class's value the sum of its AOIs' (none when none of
/// them values it). `aois`: each AOI's network and split.
std::vector<std::vector<std::string>> network_landcover_rows(
    landcover_spec const& spec, std::vector<std::string> const& networks,
    std::vector<std::pair<std::string, landcover_split const*>> const& aois);

/// Writes `dir`/landcover.csv (`rows`, every AOI's); returns it.
std::filesystem::path write_landcover_table(std::filesystem::path const& dir,
                                            std::vector<std::vector<std::string>> const& rows);

}  // namespace geosweep::pipeline
