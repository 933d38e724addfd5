#pragma once
/// \file
/// The before and after chips of each alert for Google Earth's balloons (alerts.kmz): the
/// window of the alert page (alert_window) cut from the AOI's true-colour COGs of both
/// periods, stretched 2-98 % per band over both chips together (so that before and after
/// compare), enlarged by whole pixels to about 256 pixels, the alert outlined in its
/// confidence colour and its neighbours in white, as PNG.

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <gdal_priv.h>

#include "geosweep/pipeline/job_runner.hpp"
#include "outputs/alert_polygons.hpp"

namespace geosweep::pipeline {

/// Chips of the alerts of `aois` (their patches in `patches`, one per AOI) from the COGs
/// under `dir`. An AOI has chips when both of its true-colour COGs exist on its grid. One
/// thread at a time: the images of the last AOI drawn stay open.
class alert_chip_renderer final : public chip_source {
 public:
  alert_chip_renderer(std::filesystem::path dir, std::vector<aoi_result> const& aois,
                      std::vector<alert_patches> const& patches);

  [[nodiscard]] bool has_chips(std::size_t aoi) const override;
  [[nodiscard]] std::array<std::string, 2> chips(std::size_t aoi, std::size_t k) const override;

 private:
  std::filesystem::path dir_;
  std::vector<aoi_result> const& aois_;
  std::vector<alert_patches> const& patches_;
  std::vector<bool> available_;
  mutable std::size_t open_aoi_ = static_cast<std::size_t>(-1);
  mutable std::array<GDALDatasetUniquePtr, 2> open_;
};

/// How many times a chip whose longer side is `longest` raster pixels is enlarged: the largest
/// whole factor from 1 to 8 that keeps it within 256 pixels (at least 1).
int chip_zoom(int longest);

}  // namespace geosweep::pipeline
