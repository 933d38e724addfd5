#pragma once
/// \file
/// What a report is drawn from, read once per run and once per AOI. Per run: where change.nc
/// and alerts.csv are, who wrote change.nc (job, version, backend, scenes) and every alert of
/// alerts.csv, read with the CSV reader and the alert field table. Per AOI: the attributes and
/// variables of its change.nc group (grid, patch and change rasters, dates and periods), the
/// colour composites of its COGs (or the index when there are none), the index time series
/// over the AOI and over its alerts, and its alerts.

#include <gdal_priv.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// An RGB composite of one period (reflectance, NaN where none).
struct colour_composite {
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

/// A date among the looks of a map's pixels and its share of the AOI's pixels.
struct look_date_share {
  std::optional<civil_date> date;  ///< none: the pixels without a clear look in the period
  std::int64_t pixels = 0;
  double share = 0;  ///< of the AOI's pixels
};

/// The dates of `days` (days since 1970-01-01, kernels::no_date for none) over the pixels
/// inside the AOI (`change` not outside_aoi), most pixels first (ties: the later date first);
/// the pixels without a look last, when there are any.
std::vector<look_date_share> look_date_shares(std::vector<std::int32_t> const& days,
                                              std::vector<std::uint8_t> const& change);

/// The first and last day of the looks of a set of pixels.
struct day_range {
  int first = 0, last = 0;
};

/// Per alert k (patch number k + 1 in `patch`), the range of `days` over its pixels with a
/// look; none where they have none (or `days` is empty).
std::vector<std::optional<day_range>> alert_day_ranges(std::vector<std::int32_t> const& patch,
                                                       std::vector<std::int32_t> const& days,
                                                       std::size_t alerts);

/// The change in one land-cover class: a row of landcover.csv.
struct class_change {
  std::string name;
  double changed_ha = 0.0;
  std::optional<double> value;  ///< none where the class has no value per hectare
};

/// landcover.csv's rows with change, most hectares first: of each whole AOI (by AOI name) and
/// of each alert (by alert id).
struct landcover_change {
  std::map<std::string, std::vector<class_change>> by_aoi, by_alert;
};

/// What every AOI's report shares: the run's outputs and who wrote them.
struct run_inputs {
  std::filesystem::path nc;          ///< change.nc
  std::filesystem::path alerts_csv;  ///< alerts.csv
  GDALDatasetUniquePtr root;         ///< change.nc, open
  std::string job;      ///< the job change.nc was written by (the spec's name when it does not say)
  std::string version;  ///< of the geosweep that wrote change.nc
  std::string backend;  ///< cpu or cuda
  std::string change_method;        ///< how change was detected
  std::vector<std::string> scenes;  ///< the scenes the run read
  std::vector<alert> alerts;        ///< every row of alerts.csv, in its order
  /// By AOI: the sanity warnings' codes of areas.csv (none without areas.csv or its
  /// `warnings` column, as older runs wrote it).
  std::map<std::string, std::vector<std::string>> warnings;
  landcover_change landcover;  ///< empty without landcover.csv (a job without `landcover`)
};

/// Everything the report of one AOI is drawn from.
struct aoi_inputs {
  std::string name;
  raster_grid grid;
  std::vector<std::int32_t> patch;
  std::vector<std::uint8_t> change;
  std::string index;          ///< the change index, e.g. ndvi
  std::string change_method;  ///< how change.nc's group says change was detected
  std::string date_before, date_after, baseline_period, monitor_period;  ///< periods "a to b"
  std::optional<civil_date> monitor_start;  ///< first day of the monitoring period
  std::map<std::string, std::array<std::optional<colour_composite>, 2>> colours;  ///< by kind
  std::array<std::vector<float>, 2> index_images;  ///< when no colour COG exists
  /// The day of each pixel's look, by period (days since 1970-01-01, kernels::no_date for
  /// none): of the colour maps (cog/<aoi>/colour_*_date.tif) and of the index looks
  /// (change.nc's <index>_*_date). Empty where the run did not write them.
  std::array<std::vector<std::int32_t>, 2> colour_days, index_days;
  /// Per alert, in the order of `alerts`, by period: the range of its pixels' look days, of
  /// the index and of the colour maps.
  std::vector<std::array<std::optional<day_range>, 2>> alert_days, alert_colour_days;
  std::vector<series_point> series;  ///< every date of the AOI (areas.csv), in date order
  /// The index over each alert's clear pixels on each date of `series`: by alert, in the order
  /// of `alerts`; NaN where the alert had no clear pixel that date.
  std::vector<std::vector<double>> alert_series;
  double baseline_aoi_mean = NAN, baseline_alert_mean = NAN;
  std::vector<alert> alerts;          ///< its rows of alerts.csv, in their order
  std::vector<std::string> warnings;  ///< its sanity warnings' codes (areas.csv)
};

/// Throws geosweep::io_error naming change.nc or alerts.csv when a run has not written them.
void require_run_outputs(job_spec const& spec);

/// The rows of alerts.csv as alerts, through the alert field table. Columns that are no alert
/// field are left aside. Throws geosweep::io_error naming the file (and the line) when it
/// cannot be read, lacks a field's column or holds a value that does not parse.
std::vector<alert> read_alerts(std::filesystem::path const& path);

/// Each AOI's sanity warnings in areas.csv's `warnings` column (none when the file or the
/// column is absent). Throws geosweep::io_error naming the file when it cannot be read.
std::map<std::string, std::vector<std::string>> read_area_warnings(
    std::filesystem::path const& path);

/// landcover.csv's rows with change (none when the file is absent). Throws geosweep::io_error
/// naming the file and line when a column is missing or a number does not parse.
landcover_change read_landcover_change(std::filesystem::path const& path);

/// Opens change.nc, reads its provenance attributes, every alert and the AOIs' sanity warnings
/// (require_run_outputs first); warns when change.nc was written by another job.
run_inputs read_run_inputs(job_spec const& spec);

/// Everything the report of AOI `name` needs. Throws geosweep::io_error when change.nc has no
/// group for it or its outputs do not belong together (patch count, grid sizes).
aoi_inputs read_aoi_inputs(job_spec const& spec, run_inputs const& run, std::string const& name);

}  // namespace geosweep::pipeline
