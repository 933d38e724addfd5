#pragma once
/// \file
/// Per-AOI exports at native resolution: Cloud-Optimized GeoTIFFs of true colour (surface
/// reflectance x 10000 of red, green, blue), false colour (NIR, red, green: vegetation red,
/// cleared ground grey-green) and of the monitored index, before and after, each the latest
/// clear look of its period, clipped to the AOI (nodata outside). The index is packed as
/// change.nc packs it (Int16, scale 0.0001, nodata -32768). Beside them, the day of each
/// pixel's look (UInt16 days since 1970-01-01, 0 for none): <index>_before_date.tif for the index,
/// colour_before_date.tif for both colour composites (their bands come from one look). And
/// change.tif, the change classes (Byte, kernels/change.hpp's codes, nodata 254 outside the
/// AOI) with a colour table and category names (in change.tif.aux.xml: GeoTIFF has no tag for
/// them). Every file carries band descriptions and GDAL metadata items naming the job, the
/// version, the period and the dates and scenes it was made from (cog_provenance). Written
/// chunk by chunk into staging GeoTIFFs, then converted to COGs (DEFLATE on every core) under
/// temporary names and renamed.

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gdal_priv.h>

#include "geosweep/pipeline/raster_grid.hpp"
#include "grid/aoi.hpp"
#include "outputs/chunk_writer.hpp"

namespace geosweep::pipeline {

/// A three-band picture made of reflectance bands.
struct colour_composite {
  std::string name;                  ///< file stem: "true_colour", "false_colour"
  std::array<std::string, 3> bands;  ///< shown as red, green, blue
};

/// The composites that can be made from `bands` (names of reflectance bands read).
std::vector<colour_composite> colour_composites(std::vector<std::string> const& bands);

/// The bands any composite may need: red, green, blue, nir.
std::vector<std::string> const& colour_bands();

/// Where the COGs come from, for their metadata: the job and, by period (0 before, 1 after),
/// the dates ("YYYY-MM-DD", ascending) and the scenes this run read.
struct cog_provenance {
  std::string job;
  struct period {
    std::vector<std::string> dates;
    std::vector<std::string> scenes;
  };
  std::array<period, 2> periods;
};

/// The overview factors a COG of `width` x `height` px gets with tiles of `block` px: those of
/// GDAL's COG driver with OVERVIEWS=AUTO (2, 4, ... until the size fits one block).
std::vector<int> overview_factors(int width, int height, int block = 512);

/// The next overview level of `rows` rows of `width` values (row-major; `rows` starts on an
/// even row of the level): value (x, y) of `to` ((width + 1) / 2 a row, (rows + 1) / 2 rows)
/// is the mean of the values of the level's 2 x 2 block (2x..2x+1, 2y..2y+1) that are not
/// `nodata` (the last column or row of an odd size has 2 or 1), rounded to the nearest integer,
/// halves away from zero; `nodata` where the block has none. GDAL's AVERAGE gives the same for
/// an even size; for an odd one it spreads each overview pixel over size / ((size + 1) / 2)
/// source pixels, so that its blocks drift by up to a pixel across the level.
template <class T>
void halve_by_average(T const* from, int width, int rows, T nodata, T* to) {
  int const to_width = (width + 1) / 2;
  for (int y = 0; 2 * y < rows; ++y) {
    T const* top = from + static_cast<std::size_t>(2 * y) * static_cast<std::size_t>(width);
    T const* bottom = 2 * y + 1 < rows ? top + width : nullptr;
    T* out = to + static_cast<std::size_t>(y) * static_cast<std::size_t>(to_width);
    for (int x = 0; x < to_width; ++x) {
      std::int64_t sum = 0;
      std::int64_t count = 0;
      auto const add = [&](T v) {
        bool const ok = v != nodata;
        sum += ok ? static_cast<std::int64_t>(v) : 0;
        count += ok ? 1 : 0;
      };
      int const c = 2 * x;
      bool const pair = c + 1 < width;
      add(top[c]);
      if (pair) add(top[c + 1]);
      if (bottom != nullptr) {
        add(bottom[c]);
        if (pair) add(bottom[c + 1]);
      }
      if (count == 0) {
        out[x] = nodata;
        continue;
      }
      // round(|sum| / count) = (2 |sum| + count) / (2 count) in integers, then the sign.
      std::int64_t const magnitude = (2 * (sum < 0 ? -sum : sum) + count) / (2 * count);
      out[x] = static_cast<T>(sum < 0 ? -magnitude : magnitude);
    }
  }
}

/// The COGs of every AOI of a run.
class cog_exporter final : public chunk_writer {
 public:
  /// `aois`: name and grid (the AOI window) of each AOI; files go to `dir`/cog/<aoi>/.
  /// `wanted`, by AOI: whether it gets COGs (empty: all do); `about`: for the metadata.
  cog_exporter(std::filesystem::path dir,
               std::vector<std::pair<std::string, raster_grid>> const& aois, std::string index,
               std::vector<colour_composite> composites, std::vector<bool> const& wanted = {},
               cog_provenance const& about = {});
  cog_exporter(cog_exporter const&) = delete;
  cog_exporter& operator=(cog_exporter const&) = delete;
  /// Removes the staging files (and any unfinished COG).
  ~cog_exporter() override;

  /// Each AOI tile of a finished chunk: its colour bands and change index of both periods, and
  /// its change classes.
  void write(finished_chunk const& chunk) override;

  /// One tile of AOI `aoi` (AOI-window pixels): `inside` the AOI mask; `change` the classes
  /// (aoi_tile_output::change); looks[period] (0 before, 1 after) as aoi_tile_output::latest
  /// holds them: the reflectance of each band the composites use, the monitored index, and the
  /// days of the index's and the colour bands' looks (look_date_name).
  void write_tile(std::size_t aoi, pixel_window const& tile,
                  std::vector<std::uint8_t> const& inside, std::vector<std::uint8_t> const& change,
                  std::array<std::map<std::string, std::vector<float>>, 2> const& looks);

  /// Whether change.tif of AOI `aoi` has seeds (low, high) in patches no tile closed: those
  /// finish() may still drop, whose pixels change.nc then clears.
  [[nodiscard]] bool has_open_patches(std::size_t aoi) const;

  /// How commit() learns the final patches (patch_numbering: 0 or -1 for a dropped patch; the
  /// run's, once every chunk is in and the stitchers are finished), asked for the open seeds
  /// only: change.tif's seeds of dropped patches become no change, as change.nc's do in
  /// netcdf_product::finish(). Unset: they stay as written.
  void set_patch_numbering(patch_numbering numbering) { numbering_ = std::move(numbering); }

  /// Turns the staging files into COGs; returns the files written.
  std::vector<std::filesystem::path> commit() override;

 private:
  struct staged {
    std::filesystem::path staging;
    std::filesystem::path final_path;
    GDALDatasetUniquePtr dataset;
    bool days = false;     ///< a date layer
    bool classes = false;  ///< change.tif
  };
  std::string index_;
  std::vector<colour_composite> composites_;
  /// Per AOI: each composite before and after, then the index before and after, the date
  /// layers before and after, and change.tif last (none for an AOI without COGs).
  std::vector<std::vector<staged>> files_;
  /// A seed pixel of change.tif in a patch still open when its tile was written.
  struct open_seed {
    std::int32_t column = 0, row = 0;  ///< in the AOI window
    std::int32_t patch = 0;            ///< provisional id
  };
  std::vector<std::vector<open_seed>> open_seeds_;  ///< per AOI
  patch_numbering numbering_;
};

}  // namespace geosweep::pipeline
