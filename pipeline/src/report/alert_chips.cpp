// The before and after chips of the KMZ's balloons (alert_chips.hpp): the alert page's window,
// read from the true-colour COGs, stretched, enlarged, outlined and encoded as PNG by cairo.
#include "report/alert_chips.hpp"

#include <cairo.h>
#include <gdal_priv.h>

#include <algorithm>
#include <cmath>
#include <system_error>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/product_layout.hpp"
#include "report/report_alert_pages.hpp"
#include "report/report_drawing.hpp"
#include "report/report_map.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

/// Bands 1-3 of `ds` (`path`) in `w` (pixels of the AOI grid), NaN where nodata.
std::array<std::vector<float>, 3> read_window(GDALDataset& ds, fs::path const& path,
                                              chip_window const& w) {
  std::array<std::vector<float>, 3> bands;
  for (int b = 0; b < 3; ++b) {
    auto& values = bands[static_cast<std::size_t>(b)];
    values.resize(static_cast<std::size_t>(w.width) * w.height);
    GDALRasterBand* band = ds.GetRasterBand(b + 1);
    if (band->RasterIO(GF_Read, w.col0, w.row0, w.width, w.height, values.data(), w.width, w.height,
                       GDT_Float32, 0, 0, nullptr) != CE_None)
      throw io_error(path.string() + ": cannot read a chip: " + last_gdal_message());
    int has_nodata = 0;
    double const nodata = band->GetNoDataValue(&has_nodata);
    for (auto& v : values)
      if (has_nodata != 0 && v == nodata) v = NAN;
  }
  return bands;
}

/// Each pixel of both periods as 0xRRGGBB, stretched 2-98 % per band over both; grey where a
/// band has no value.
std::array<std::vector<std::uint32_t>, 2> stretch(
    std::array<std::array<std::vector<float>, 3>, 2> const& periods) {
  std::array<std::array<float, 2>, 3> limits{};
  for (std::size_t b = 0; b < 3; ++b) {
    std::vector<float> pooled(periods[0][b]);
    pooled.insert(pooled.end(), periods[1][b].begin(), periods[1][b].end());
    limits[b] = percentile_limits(pooled, 2.0, 98.0);
  }
  std::array<std::vector<std::uint32_t>, 2> out;
  for (std::size_t p = 0; p < 2; ++p) {
    auto const& bands = periods[p];
    out[p].resize(bands[0].size());
    for (std::size_t i = 0; i < bands[0].size(); ++i)
      out[p][i] = stretched_colour({bands[0][i], bands[1][i], bands[2][i]}, limits);
  }
  return out;
}

/// `pixels` (`w`.width x `w`.height) enlarged `zoom` times with the patch outlines of `around`
/// (a window one pixel wider on each side within the grid, at `around_x`, `around_y` of the
/// chip) styled by `style`, as PNG bytes.
std::string encode_chip(std::vector<std::uint32_t> const& pixels, chip_window const& w, int zoom,
                        std::vector<std::int32_t> const& around, chip_window const& a,
                        std::vector<int> const& style, std::string const& what) {
  cairo_surface_t* surface =
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, w.width * zoom, w.height * zoom);
  cairo_t* cr = cairo_create(surface);
  std::string png;
  if (cairo_status(cr) == CAIRO_STATUS_SUCCESS) {
    drawing::draw_pixels(cr, pixels.data(), static_cast<std::size_t>(w.width), w.width, w.height, 0,
                         0, zoom);
    draw_patch_outlines(cr, a.width, a.height, around, style, (a.col0 - w.col0) * zoom,
                        (a.row0 - w.row0) * zoom, zoom);
    cairo_surface_flush(surface);
    auto const append = [](void* into, unsigned char const* data, unsigned int length) {
      static_cast<std::string*>(into)->append(reinterpret_cast<char const*>(data), length);
      return CAIRO_STATUS_SUCCESS;
    };
    if (cairo_surface_write_to_png_stream(surface, append, &png) != CAIRO_STATUS_SUCCESS)
      png.clear();
  }
  cairo_status_t const status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  if (png.empty())
    throw io_error(what + ": cannot draw its chip: " + cairo_status_to_string(status));
  return png;
}

}  // namespace

int chip_zoom(int longest) {
  return std::clamp(256 / std::max(longest, 1), 1, 8);
}

alert_chip_renderer::alert_chip_renderer(fs::path dir, std::vector<aoi_result> const& aois,
                                         std::vector<alert_patches> const& patches)
    : dir_(std::move(dir)), aois_(aois), patches_(patches), available_(aois.size(), false) {
  GEOSWEEP_EXPECTS(aois.size() == patches.size(), "the patches of every AOI");
  ensure_gdal();
  for (std::size_t a = 0; a < aois.size(); ++a) {
    bool ok = patches[a].pixels != nullptr;
    for (int period = 0; period < 2 && ok; ++period) {
      fs::path const cog = product::cog_file(dir_, aois[a].name, "true_colour", period);
      std::error_code ec;
      if (!fs::exists(cog, ec)) {
        ok = false;
        break;
      }
      auto ds = open_raster(cog);
      ok = ds->GetRasterCount() >= 3 && ds->GetRasterXSize() == patches[a].grid.width &&
           ds->GetRasterYSize() == patches[a].grid.height;
    }
    available_[a] = ok;
  }
}

bool alert_chip_renderer::has_chips(std::size_t aoi) const {
  return available_.at(aoi);
}

std::array<std::string, 2> alert_chip_renderer::chips(std::size_t aoi, std::size_t k) const {
  GEOSWEEP_EXPECTS(has_chips(aoi), "chips only of an AOI with true-colour COGs");
  auto const& in = patches_[aoi];
  auto const& alerts = aois_[aoi].alerts;
  pixel_window const& box = in.windows.at(k);
  chip_window const w = alert_window(
      {box.x_offset, box.y_offset, box.x_offset + box.width - 1, box.y_offset + box.height - 1},
      in.grid.width, in.grid.height);
  // The AOI's images stay open from one alert to the next, so that GDAL's block cache serves
  // the tiles that neighbouring alerts share.
  if (open_aoi_ != aoi) {
    for (int p = 0; p < 2; ++p)
      open_[static_cast<std::size_t>(p)] =
          open_raster(product::cog_file(dir_, aois_[aoi].name, "true_colour", p));
    open_aoi_ = aoi;
  }
  std::array<std::array<std::vector<float>, 3>, 2> periods;
  for (int p = 0; p < 2; ++p)
    periods[static_cast<std::size_t>(p)] =
        read_window(*open_[static_cast<std::size_t>(p)],
                    product::cog_file(dir_, aois_[aoi].name, "true_colour", p), w);
  auto const colours = stretch(periods);
  // Outlines traced over the window and a pixel beyond it (within the grid), so that a patch
  // the window cuts shows no edge along the cut (as on the alert pages).
  chip_window a;
  a.col0 = std::max(0, w.col0 - 1);
  a.row0 = std::max(0, w.row0 - 1);
  a.width = std::min(in.grid.width, w.col0 + w.width + 1) - a.col0;
  a.height = std::min(in.grid.height, w.row0 + w.height + 1) - a.row0;
  auto const around = in.pixels->labels({a.col0, a.row0, a.width, a.height});
  std::vector<int> style(alerts.size(), 3);
  style[k] = alerts[k].confidence == alert_confidence::high ? 2 : 1;
  int const zoom = chip_zoom(std::max(w.width, w.height));
  std::string const what = "alert " + alerts[k].id;
  return {encode_chip(colours[0], w, zoom, around, a, style, what),
          encode_chip(colours[1], w, zoom, around, a, style, what)};
}

}  // namespace geosweep::pipeline
