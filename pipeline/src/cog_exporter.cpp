#include "geosweep/pipeline/cog_exporter.hpp"

#include <algorithm>
#include <cmath>

#include "geosweep/kernels/hd.hpp"
#include "geosweep/pipeline/atomic_file.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/gdal_utils.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

GDALDatasetUniquePtr create_staging(fs::path const& path, raster_grid const& grid, int bands,
                                    GDALDataType type) {
  GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
  char const* options[] = {"TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "BIGTIFF=IF_SAFER",
                           nullptr};
  GDALDatasetUniquePtr ds(gtiff->Create(path.c_str(), grid.width, grid.height, bands, type,
                                        const_cast<char**>(options)));
  if (!ds) throw io_error(path.string() + ": cannot create: " + last_gdal_message());
  ds->SetGeoTransform(const_cast<double*>(grid.transform.data()));
  ds->SetProjection(grid.crs_wkt.c_str());
  for (int b = 1; b <= bands; ++b) {
    ds->GetRasterBand(b)->SetNoDataValue(type == GDT_Float32 ? std::nan("") : 0.0);
    if (bands == 3)
      ds->GetRasterBand(b)->SetColorInterpretation(
          static_cast<GDALColorInterp>(GCI_RedBand + b - 1));
  }
  return ds;
}

}  // namespace

cog_exporter::cog_exporter(fs::path dir,
                           std::vector<std::pair<std::string, raster_grid>> const& aois,
                           std::string index, bool true_colour)
    : true_colour_(true_colour) {
  ensure_gdal();
  for (auto const& [name, grid] : aois) {
    fs::path const folder = dir / "cog" / name;
    fs::create_directories(folder);
    std::array<staged, 4> files;
    char const* const names[4] = {"true_colour_before", "true_colour_after", nullptr, nullptr};
    for (int k = true_colour ? 0 : 2; k < 4; ++k) {
      std::string const stem = k < 2 ? names[k] : index + (k == 2 ? "_before" : "_after");
      files[static_cast<std::size_t>(k)].final_path = folder / (stem + ".tif");
      files[static_cast<std::size_t>(k)].staging = folder / ("." + stem + ".staging.tif");
      files[static_cast<std::size_t>(k)].dataset =
          create_staging(files[static_cast<std::size_t>(k)].staging, grid, k < 2 ? 3 : 1,
                         k < 2 ? GDT_UInt16 : GDT_Float32);
    }
    files_.push_back(std::move(files));
  }
}

cog_exporter::~cog_exporter() {
  for (auto& files : files_) {
    for (auto& f : files) {
      f.dataset.reset();
      std::error_code ec;
      fs::remove(f.staging, ec);
    }
  }
}

void cog_exporter::write(std::size_t aoi, pixel_window const& tile,
                         std::vector<std::uint8_t> const& inside,
                         std::array<std::array<std::vector<float> const*, 3>, 2> const& rgb,
                         std::array<std::vector<float> const*, 2> const& index) {
  std::size_t const n = tile.pixel_count();
  auto& files = files_.at(aoi);
  auto const fail = [&](staged const& f) {
    throw io_error(f.staging.string() + ": cannot write a window: " + last_gdal_message());
  };
  for (int period = 0; period < 2; ++period) {
    if (true_colour_) {
      // True colour: reflectance x 10000 as UInt16, 0 (nodata) outside the AOI or without a look.
      std::vector<std::uint16_t> colour(3 * n);
      for (int b = 0; b < 3; ++b) {
        auto const& band = *rgb[static_cast<std::size_t>(period)][static_cast<std::size_t>(b)];
        for (std::size_t i = 0; i < n; ++i) {
          float const v = band[i];
          bool const ok = inside[i] != 0 && !kernels::is_nodata(v);
          double const dn =
              ok ? std::clamp(std::round(static_cast<double>(v) * 10000.0), 1.0, 65535.0) : 0.0;
          colour[static_cast<std::size_t>(b) * n + i] = static_cast<std::uint16_t>(dn);
        }
      }
      staged& c = files[static_cast<std::size_t>(period)];
      if (c.dataset->RasterIO(GF_Write, tile.x_offset, tile.y_offset, tile.width, tile.height,
                              colour.data(), tile.width, tile.height, GDT_UInt16, 3, nullptr, 0, 0,
                              0, nullptr) != CE_None) {
        fail(c);
      }
    }
    std::vector<float> values(n);
    auto const& source = *index[static_cast<std::size_t>(period)];
    for (std::size_t i = 0; i < n; ++i)
      values[i] = inside[i] != 0 ? source[i] : kernels::nodata_f32();
    staged& x = files[static_cast<std::size_t>(2 + period)];
    if (x.dataset->GetRasterBand(1)->RasterIO(GF_Write, tile.x_offset, tile.y_offset, tile.width,
                                              tile.height, values.data(), tile.width, tile.height,
                                              GDT_Float32, 0, 0) != CE_None) {
      fail(x);
    }
  }
}

std::vector<fs::path> cog_exporter::finish() {
  std::vector<fs::path> written;
  GDALDriver* cog = GetGDALDriverManager()->GetDriverByName("COG");
  if (cog == nullptr) throw io_error("GDAL has no COG driver (GDAL 3.1 or newer is needed)");
  char const* options[] = {"COMPRESS=DEFLATE", "PREDICTOR=YES", "OVERVIEWS=AUTO", "BLOCKSIZE=512",
                           nullptr};
  for (auto& files : files_) {
    for (auto& f : files) {
      if (!f.dataset) continue;  // true colour not exported
      f.dataset->FlushCache();
      atomic_file file(f.final_path);
      CPLErrorReset();
      GDALDatasetUniquePtr out(cog->CreateCopy(file.temp_path().c_str(), f.dataset.get(), FALSE,
                                               const_cast<char**>(options), nullptr, nullptr));
      if (!out)
        throw io_error(f.final_path.string() + ": cannot write the COG: " + last_gdal_message());
      out.reset();
      file.commit();
      written.push_back(f.final_path);
      f.dataset.reset();
      std::error_code ec;
      fs::remove(f.staging, ec);
    }
  }
  return written;
}

}  // namespace geosweep::pipeline
