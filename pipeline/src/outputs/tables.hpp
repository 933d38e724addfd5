#pragma once
// Internal to pipeline/src: the run's two tables. alerts.csv has a row per alert, its fields
// from the alert field table (geosweep/pipeline/alert.hpp); areas.csv a row per AOI and date:
// the clear area and cloud fraction, the change first seen and confirmed that date and so far
// (from the kept patches' pixel dates), and the centroid of the change so far. series.csv has a
// row per AOI, date and alert (and one for the whole AOI): the mean change index over its clear
// pixels, for the report's time-series page and anyone plotting without change.nc's series.
// networks.csv has a row per network (aois[].network) with the totals of its AOIs' alerts.

#include <ogr_spatialref.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "patches/change_patch.hpp"

namespace geosweep::pipeline {

/// The columns of areas.csv, in order.
std::span<std::string_view const> area_table_columns();

/// What areas.csv needs of an AOI besides its patches.
struct area_table_aoi {
  std::string name;
  raster_grid grid;  ///< its window of the analysis grid
  double inside_m2;  ///< ground area inside it
  std::optional<double> value_per_ha;
  std::string warnings;  ///< its sanity warnings' codes (sanity_warnings.hpp), on each of its rows
  /// With a land-cover raster the alerts' estimated values are by class: each date's
  /// changed_value is then the sum of those values, each alert's spread over its pixels' first
  /// days in proportion to their area (value_per_ha is not used).
  bool value_by_class = false;
};

/// The AOI's rows of areas.csv, one per date of `dates` (every date read so far).
std::vector<std::vector<std::string>> area_rows(area_table_aoi const& aoi,
                                                std::vector<change_patch> const& patches,
                                                std::vector<date_summary> const& dates,
                                                OGRCoordinateTransformation& to_wgs84);

/// By date of a run: the change index summed over clear pixels, and their count.
struct series_sums {
  std::vector<double> sum;
  std::vector<std::int64_t> clear;
  /// Adds `count` clear pixels whose values sum to `value`.
  void add(std::size_t date, double value, std::int64_t count = 1) {
    if (sum.size() <= date) {
      sum.resize(date + 1, 0.0);
      clear.resize(date + 1, 0);
    }
    sum[date] += value;
    clear[date] += count;
  }
  void add(series_sums const& other) {
    if (sum.size() < other.sum.size()) {
      sum.resize(other.sum.size(), 0.0);
      clear.resize(other.sum.size(), 0);
    }
    for (std::size_t d = 0; d < other.sum.size(); ++d) {
      sum[d] += other.sum[d];
      clear[d] += other.clear[d];
    }
  }
};

/// The columns of series.csv, in order.
std::span<std::string_view const> series_table_columns();

/// The AOI's rows of series.csv, by date of this run (`dates`): the whole AOI (`whole`, an
/// empty alert_id), then each alert (`by_alert`, in the order of `patches`). `index`: the change
/// index's name. Dates without a clear pixel have no row.
std::vector<std::vector<std::string>> series_rows(std::string const& aoi, std::string const& index,
                                                  std::vector<change_patch> const& patches,
                                                  series_sums const& whole,
                                                  std::vector<series_sums> const& by_alert,
                                                  std::vector<date_summary> const& dates);

/// Writes `dir`/series.csv; returns it.
std::filesystem::path write_series_table(std::filesystem::path const& dir,
                                         std::vector<std::vector<std::string>> const& rows);

/// The totals of a set of alerts, as networks.csv and the report's network page give them.
struct alert_totals {
  std::size_t alerts = 0, high = 0;                   ///< alerts, and those of high confidence
  double area_ha = 0.0, high_ha = 0.0, low_ha = 0.0;  ///< each summed in alert order
  std::optional<double> value;                        ///< the sum of the estimated values there are
  std::optional<civil_date> first, last;              ///< earliest and latest first_seen
  void add(alert const& a);
};

/// The columns of networks.csv, in order.
std::span<std::string_view const> network_table_columns();

/// networks.csv's rows: for each network named by `aois` (in order of first naming), the totals
/// of its AOIs' `alerts` (every AOI's, any order) under cause "all": its AOIs, those with an
/// alert, alerts, high-confidence alerts, changed and confirmed hectares, the estimated value
/// (the sum of the alerts that have one; empty when none has), and the earliest and latest
/// first_seen. A network without an alert has a row of zeros and no dates. Then, for each
/// cause its alerts have (alert_cause order), the same totals of those alerts (aois_with_change:
/// the AOIs with one). `with_causes` (change.causes): `cross_over` is "true" on every row of a
/// network whose alerts show two or more of clearing, burn, mining and flooding, else "false";
/// without, it is empty.
std::vector<std::vector<std::string>> network_rows(std::span<aoi_spec const> aois,
                                                   std::span<alert const> alerts, bool with_causes);

/// Writes `dir`/networks.csv; returns it.
std::filesystem::path write_network_table(std::filesystem::path const& dir,
                                          std::vector<std::vector<std::string>> const& rows);

/// Writes `dir`/areas.csv (`rows`) and `dir`/alerts.csv (`alerts`, every AOI's); returns them.
std::pair<std::filesystem::path, std::filesystem::path> write_tables(
    std::filesystem::path const& dir, std::vector<std::vector<std::string>> const& area_rows,
    std::vector<alert> const& alerts);

}  // namespace geosweep::pipeline
