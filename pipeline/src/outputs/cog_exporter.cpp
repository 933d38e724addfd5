#include "outputs/cog_exporter.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "compute/chunk_processor.hpp"
#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "core/parallel.hpp"
#include "core/text.hpp"
#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/error.hpp"
#include "geosweep/kernels/hd.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/product_layout.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

/// The staging GeoTIFF of a colour composite (3 bands), the packed index or a date layer.
GDALDatasetUniquePtr create_staging(fs::path const& path, raster_grid const& grid, int bands,
                                    GDALDataType type, bool days) {
  GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
  char const* options[] = {"TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "BIGTIFF=IF_SAFER",
                           nullptr};
  GDALDatasetUniquePtr ds(gtiff->Create(path.c_str(), grid.width, grid.height, bands, type,
                                        const_cast<char**>(options)));
  if (!ds) throw io_error(path.string() + ": cannot create: " + last_gdal_message());
  ds->SetGeoTransform(const_cast<double*>(grid.transform.data()));
  ds->SetProjection(grid.crs_wkt.c_str());
  for (int b = 1; b <= bands; ++b) {
    auto* band = ds->GetRasterBand(b);
    if (type == GDT_Int16) {  // the packed index
      band->SetNoDataValue(product::packed_fill);
      band->SetScale(product::packed_scale);
      band->SetOffset(0.0);
    } else if (type == GDT_Byte) {  // the change classes
      band->SetNoDataValue(kernels::change_outside_aoi);
    } else if (days) {  // the days of the looks (0, 1970-01-01, is no look)
      band->SetNoDataValue(0.0);
      band->SetUnitType("days since 1970-01-01");
    } else {  // reflectance x 10000
      band->SetNoDataValue(0.0);
      band->SetScale(0.0001);
      band->SetOffset(0.0);
    }
    if (bands == 3)
      ds->GetRasterBand(b)->SetColorInterpretation(
          static_cast<GDALColorInterp>(GCI_RedBand + b - 1));
  }
  return ds;
}

/// What a band of a colour composite shows.
std::string band_description(std::string const& band) {
  return band == "nir" ? "near infrared" : band;
}

/// The classes' colours (red, green, blue, alpha) and names, by class code; codes no class uses
/// are transparent and unnamed. GeoTIFF palettes hold no alpha: read back, every entry is
/// opaque but 254's (the nodata), which GDAL makes transparent.
void set_classes(GDALRasterBand& band) {
  GDALColorTable colours;
  std::vector<std::string> names(256);
  for (int code = 0; code < 256; ++code) {
    GDALColorEntry const clear{0, 0, 0, 0};
    colours.SetColorEntry(code, &clear);
  }
  struct entry {
    std::uint8_t code;
    GDALColorEntry colour;
    char const* name;
  };
  namespace k = kernels;
  for (auto const& [code, colour, name] : {
           entry{k::change_none, {230, 230, 230, 255}, "no change"},
           entry{k::change_low, {255, 140, 0, 255}, "loss (low confidence)"},
           entry{k::change_high, {220, 0, 0, 255}, "loss (high confidence)"},
           entry{k::change_grown, {255, 200, 120, 255}, "weaker fall (grown, not a seed)"},
           entry{k::change_no_model, {150, 120, 180, 255}, "no model (too few clear looks)"},
           entry{k::change_outside_aoi, {0, 0, 0, 0}, "outside the AOI"},
           entry{k::change_no_data, {128, 128, 128, 255}, "no clear observation"},
       }) {
    colours.SetColorEntry(code, &colour);
    names[code] = name;
  }
  band.SetColorInterpretation(GCI_PaletteIndex);
  band.SetColorTable(&colours);
  std::vector<char const*> list;
  for (auto const& n : names) list.push_back(n.c_str());
  list.push_back(nullptr);
  band.SetCategoryNames(const_cast<char**>(list.data()));
}

/// "first/last" of ascending ISO dates; "" for none.
std::string date_range(std::vector<std::string> const& dates) {
  return dates.empty() ? std::string() : dates.front() + "/" + dates.back();
}

std::string joined(std::vector<std::string> const& items) {
  std::string out;
  for (auto const& i : items) out += (out.empty() ? "" : " ") + i;
  return out;
}

/// The sentence of GEOSWEEP_PROVENANCE for a period's composite.
std::string period_provenance(cog_provenance::period const& p, int period) {
  char const* const name = period == 0 ? "baseline" : "monitoring";
  if (p.dates.empty())
    return fmt::format(
        "each pixel's latest clear look of the {} period, from earlier runs' monitoring state "
        "(this run read no scene of the period)",
        name);
  return fmt::format(
      "each pixel's latest clear look among the {} scene(s) of {} date(s) from {} to {} of the {} "
      "period read by this run",
      p.scenes.size(), p.dates.size(), p.dates.front(), p.dates.back(), name);
}

/// The metadata items every COG has (job, version, software, with SOURCE_DATE_EPOCH the
/// date), then those of its period (-1: change.tif, both).
void set_metadata(GDALDataset& ds, cog_provenance const& about, int period) {
  std::string const version = geosweep_version();
  ds.SetMetadataItem("GEOSWEEP_JOB", about.job.c_str());
  ds.SetMetadataItem("GEOSWEEP_VERSION", version.c_str());
  ds.SetMetadataItem("TIFFTAG_SOFTWARE", ("geosweep " + version).c_str());
  // The time only when SOURCE_DATE_EPOCH (reproducible-builds.org) fixes it, as for the report:
  // the clock would make the COGs of two runs of one job differ, byte for byte.
  if (auto const date = source_date("%Y:%m:%d %H:%M:%S"))
    ds.SetMetadataItem("TIFFTAG_DATETIME", date->c_str());
  if (period >= 0) {
    auto const& p = about.periods[static_cast<std::size_t>(period)];
    ds.SetMetadataItem("GEOSWEEP_PERIOD", period == 0 ? "before" : "after");
    ds.SetMetadataItem("GEOSWEEP_DATES", date_range(p.dates).c_str());
    ds.SetMetadataItem("GEOSWEEP_SCENES", joined(p.scenes).c_str());
    ds.SetMetadataItem("GEOSWEEP_PROVENANCE", period_provenance(p, period).c_str());
    return;
  }
  auto const& [before, after] = about.periods;
  ds.SetMetadataItem("GEOSWEEP_DATES_BEFORE", date_range(before.dates).c_str());
  ds.SetMetadataItem("GEOSWEEP_DATES_AFTER", date_range(after.dates).c_str());
  std::vector<std::string> scenes = before.scenes;
  scenes.insert(scenes.end(), after.scenes.begin(), after.scenes.end());
  ds.SetMetadataItem("GEOSWEEP_SCENES", joined(scenes).c_str());
  ds.SetMetadataItem(
      "GEOSWEEP_PROVENANCE",
      fmt::format("the change classes of change.nc's change layer, from the {} baseline and {} "
                  "monitoring scene(s) read by this run",
                  before.scenes.size(), after.scenes.size())
          .c_str());
}

/// Removes a staging file and the .aux.xml GDAL keeps beside it (change.tif's categories).
void remove_staging(fs::path const& staging) {
  std::error_code ec;
  fs::remove(staging, ec);
  fs::remove(fs::path(staging.string() + ".aux.xml"), ec);
}

/// The levels of `factors` in `ds`, each level averaged from the one above it with
/// halve_by_average() (UInt16 or Int16 bands), strip by strip. GDAL's own AVERAGE, a general
/// resampler, took 0.093 CPU-s for the two levels of a 3-band 1764 x 1857 px composite, 60 % of
/// what DEFLATE then spends on the whole file; this takes a few milliseconds.
void build_average_overviews(GDALDataset& ds, std::vector<int> const& factors,
                             fs::path const& staging) {
  auto const fail = [&](char const* what) {
    throw io_error(staging.string() + ": cannot " + what + " overviews: " + last_gdal_message());
  };
  // Made empty ("NONE"), then filled here.
  if (GDALBuildOverviews(GDALDataset::ToHandle(&ds), "NONE", static_cast<int>(factors.size()),
                         const_cast<int*>(factors.data()), 0, nullptr, nullptr, nullptr) != CE_None)
    fail("make");
  auto const halve_band = [&]<class T>(GDALRasterBand& base, GDALDataType type) {
    auto const nodata = static_cast<T>(base.GetNoDataValue());
    GDALRasterBand* from = &base;
    constexpr int strip = 256;  // rows of the level made, per pass
    for (std::size_t level = 0; level < factors.size(); ++level) {
      GDALRasterBand* to = base.GetOverview(static_cast<int>(level));
      int const width = from->GetXSize(), height = from->GetYSize();
      if (to == nullptr || to->GetXSize() != (width + 1) / 2 || to->GetYSize() != (height + 1) / 2)
        fail("size");
      std::vector<T> above(static_cast<std::size_t>(2 * strip) * static_cast<std::size_t>(width));
      std::vector<T> below(static_cast<std::size_t>(strip) *
                           static_cast<std::size_t>(to->GetXSize()));
      for (int y = 0; y < to->GetYSize(); y += strip) {
        int const rows = std::min(2 * strip, height - 2 * y);
        int const out_rows = (rows + 1) / 2;
        if (from->RasterIO(GF_Read, 0, 2 * y, width, rows, above.data(), width, rows, type, 0, 0,
                           nullptr) != CE_None)
          fail("read");
        halve_by_average<T>(above.data(), width, rows, nodata, below.data());
        if (to->RasterIO(GF_Write, 0, y, to->GetXSize(), out_rows, below.data(), to->GetXSize(),
                         out_rows, type, 0, 0, nullptr) != CE_None)
          fail("write");
      }
      from = to;
    }
  };
  for (int b = 1; b <= ds.GetRasterCount(); ++b) {
    GDALRasterBand& band = *ds.GetRasterBand(b);
    GDALDataType const type = band.GetRasterDataType();
    if (type == GDT_UInt16)
      halve_band.template operator()<std::uint16_t>(band, type);
    else if (type == GDT_Int16)
      halve_band.template operator()<std::int16_t>(band, type);
    else
      GEOSWEEP_EXPECTS(false, "averaged overviews of UInt16 or Int16 bands");
  }
}

}  // namespace

std::vector<int> overview_factors(int width, int height, int block) {
  // As the COG driver's OVERVIEWS=AUTO (GDAL 3.6 cogdriver.cpp): factors 2, 4, ... while the
  // size halved (rounding down) is still larger than one block.
  std::vector<int> factors;
  for (int factor = 2; width > block || height > block; factor *= 2) {
    factors.push_back(factor);
    width /= 2;
    height /= 2;
  }
  return factors;
}

std::vector<std::string> const& colour_bands() {
  static std::vector<std::string> const bands{"red", "green", "blue", "nir"};
  return bands;
}

std::vector<colour_composite> colour_composites(std::vector<std::string> const& bands) {
  auto const have = [&](std::string const& b) {
    return std::find(bands.begin(), bands.end(), b) != bands.end();
  };
  std::vector<colour_composite> out;
  for (colour_composite c : {colour_composite{"true_colour", {"red", "green", "blue"}},
                             colour_composite{"false_colour", {"nir", "red", "green"}}}) {
    if (have(c.bands[0]) && have(c.bands[1]) && have(c.bands[2])) out.push_back(c);
  }
  return out;
}

cog_exporter::cog_exporter(fs::path dir,
                           std::vector<std::pair<std::string, raster_grid>> const& aois,
                           std::string index, std::vector<colour_composite> composites,
                           std::vector<bool> const& wanted, cog_provenance const& about)
    : index_(std::move(index)), composites_(std::move(composites)) {
  ensure_gdal();
  for (std::size_t a = 0; a < aois.size(); ++a) {
    // Not a structured binding: clang before 16 cannot capture one in the lambda below.
    auto const& name = aois[a].first;
    auto const& grid = aois[a].second;
    std::vector<staged> files;
    if (!wanted.empty() && !wanted[a]) {
      files_.push_back(std::move(files));
      continue;
    }
    fs::create_directories(product::cog_folder(dir, name));
    auto const staging_of = [](fs::path const& final_path) {
      return final_path.parent_path() / fmt::format(".{}.staging.tif", final_path.stem().string());
    };
    auto const add = [&](std::string const& layer, std::vector<std::string> const& bands,
                         GDALDataType type, bool days) {
      for (int period = 0; period < 2; ++period) {
        staged f;
        f.days = days;
        f.final_path = days ? product::cog_date_file(dir, name, layer, period)
                            : product::cog_file(dir, name, layer, period);
        f.staging = staging_of(f.final_path);
        f.dataset = create_staging(f.staging, grid, static_cast<int>(bands.size()), type, days);
        for (std::size_t b = 0; b < bands.size(); ++b)
          f.dataset->GetRasterBand(static_cast<int>(b) + 1)->SetDescription(bands[b].c_str());
        set_metadata(*f.dataset, about, period);
        files.push_back(std::move(f));
      }
    };
    for (auto const& c : composites_) {
      std::vector<std::string> bands;
      for (auto const& b : c.bands) bands.push_back(band_description(b));
      add(c.name, bands, GDT_UInt16, false);
    }
    add(index_, {index_}, GDT_Int16, false);
    // The days as UInt16 (to 2149-06-06): half the bytes of Int32 to compress.
    std::vector<std::string> const days{"days since 1970-01-01 of each pixel's look"};
    add(index_, days, GDT_UInt16, true);
    if (!composites_.empty()) add(std::string(colour_look), days, GDT_UInt16, true);
    staged classes;
    classes.classes = true;
    classes.final_path = product::cog_change_file(dir, name);
    classes.staging = staging_of(classes.final_path);
    classes.dataset = create_staging(classes.staging, grid, 1, GDT_Byte, false);
    GDALRasterBand& band = *classes.dataset->GetRasterBand(1);
    band.SetDescription("change class");
    set_classes(band);
    set_metadata(*classes.dataset, about, -1);
    files.push_back(std::move(classes));
    files_.push_back(std::move(files));
  }
}

cog_exporter::~cog_exporter() {
  for (auto& files : files_) {
    for (auto& f : files) {
      f.dataset.reset();
      remove_staging(f.staging);
    }
  }
}

void cog_exporter::write(finished_chunk const& chunk) {
  open_seeds_.resize(files_.size());
  for (std::size_t k = 0; k < chunk.output.aois.size(); ++k) {
    auto const& t = chunk.output.aois[k];
    if (files_.at(t.aoi).empty()) continue;  // an AOI without COGs
    write_tile(t.aoi, t.tile, t.inside, t.change, t.latest);
    if (k >= chunk.patches.size()) continue;
    // The seeds of patches that may yet be dropped (those of closed small patches are already
    // cleared: chunk_applier::clear_closed_small).
    auto const& patches = chunk.patches[k];
    for (std::size_t i = 0; i < patches.size() && i < t.change.size(); ++i) {
      if (patches[i] <= 0 ||
          (t.change[i] != kernels::change_low && t.change[i] != kernels::change_high))
        continue;
      auto const c = static_cast<std::int32_t>(i % static_cast<std::size_t>(t.tile.width));
      auto const r = static_cast<std::int32_t>(i / static_cast<std::size_t>(t.tile.width));
      open_seeds_[t.aoi].push_back({t.tile.x_offset + c, t.tile.y_offset + r, patches[i]});
    }
  }
}

bool cog_exporter::has_open_patches(std::size_t aoi) const {
  return aoi < open_seeds_.size() && !open_seeds_[aoi].empty();
}

void cog_exporter::write_tile(
    std::size_t aoi, pixel_window const& tile, std::vector<std::uint8_t> const& inside,
    std::vector<std::uint8_t> const& change,
    std::array<std::map<std::string, std::vector<float>>, 2> const& bands) {
  std::size_t const n = tile.pixel_count();
  auto& files = files_.at(aoi);
  auto const fail = [&](staged const& f) {
    throw io_error(f.staging.string() + ": cannot write a window: " + last_gdal_message());
  };
  // The classes as they are (254 outside the AOI already): change.tif is the last file.
  GEOSWEEP_EXPECTS(change.size() == n, "a change tile of the tile's size");
  staged& classes = files.back();
  if (classes.dataset->GetRasterBand(1)->RasterIO(
          GF_Write, tile.x_offset, tile.y_offset, tile.width, tile.height,
          const_cast<std::uint8_t*>(change.data()), tile.width, tile.height, GDT_Byte, 0,
          0) != CE_None) {
    fail(classes);
  }
  for (int period = 0; period < 2; ++period) {
    for (std::size_t c = 0; c < composites_.size(); ++c) {
      // Reflectance x 10000 as UInt16, 0 (nodata) outside the AOI or without a look.
      std::vector<std::uint16_t> colour(3 * n);
      for (std::size_t b = 0; b < 3; ++b) {
        auto const& band = bands[static_cast<std::size_t>(period)].at(composites_[c].bands[b]);
        for (std::size_t i = 0; i < n; ++i) {
          float const v = band[i];
          bool const ok = inside[i] != 0 && !kernels::is_nodata(v);
          // clamp(round(v × 10000), 1, 65535), with round half away from zero as truncation
          // of x + 0.5 (x ≥ 0 after the clamp, and x + 0.5 exact: v × 10000 has at most 38
          // significant bits), without a call to std::round per pixel.
          double const x = std::clamp(static_cast<double>(v) * 10000.0, 0.0, 65535.0);
          auto const dn = std::max<std::uint16_t>(static_cast<std::uint16_t>(x + 0.5), 1);
          colour[b * n + i] = ok ? dn : std::uint16_t{0};
        }
      }
      staged& f = files[2 * c + static_cast<std::size_t>(period)];
      if (f.dataset->RasterIO(GF_Write, tile.x_offset, tile.y_offset, tile.width, tile.height,
                              colour.data(), tile.width, tile.height, GDT_UInt16, 3, nullptr, 0, 0,
                              0, nullptr) != CE_None) {
        fail(f);
      }
    }
    auto const& looks = bands[static_cast<std::size_t>(period)];
    std::vector<std::int16_t> values(n);
    auto const& source = looks.at(index_);
    for (std::size_t i = 0; i < n; ++i)
      values[i] = inside[i] != 0 ? product::pack(source[i]) : product::packed_fill;
    std::size_t next = 2 * composites_.size() + static_cast<std::size_t>(period);
    staged& x = files[next];
    if (x.dataset->GetRasterBand(1)->RasterIO(GF_Write, tile.x_offset, tile.y_offset, tile.width,
                                              tile.height, values.data(), tile.width, tile.height,
                                              GDT_Int16, 0, 0) != CE_None) {
      fail(x);
    }
    // The days of the index's looks, then of the colour composites' (one layer for all).
    std::vector<std::string> dated{look_date_name(index_)};
    if (!composites_.empty()) dated.push_back(look_date_name(std::string(colour_look)));
    std::vector<std::uint16_t> days(n);
    for (auto const& name : dated) {
      next += 2;
      auto const& day = looks.at(name);
      for (std::size_t i = 0; i < n; ++i) {
        // NaN (no look) fails the range test too.
        bool const ok = inside[i] != 0 && day[i] >= 1.0F && day[i] <= 65535.0F;
        days[i] = ok ? static_cast<std::uint16_t>(day[i]) : std::uint16_t{0};
      }
      staged& d = files[next];
      if (d.dataset->GetRasterBand(1)->RasterIO(GF_Write, tile.x_offset, tile.y_offset, tile.width,
                                                tile.height, days.data(), tile.width, tile.height,
                                                GDT_UInt16, 0, 0) != CE_None) {
        fail(d);
      }
    }
  }
}

std::vector<fs::path> cog_exporter::commit() {
  GDALDriver* cog = GetGDALDriverManager()->GetDriverByName("COG");
  if (cog == nullptr) throw io_error("GDAL has no COG driver (GDAL 3.1 or newer is needed)");
  // The COG driver builds its creation option list on first use, and CreateCopy validates the
  // options against it: built from several threads at once, one frees the text another is
  // parsing (GDAL 3.6; AddressSanitizer saw it in fault_test). Built here, before the threads.
  (void)cog->GetMetadataItem(GDAL_DMD_CREATIONOPTIONLIST);
  // One COG per thread, each compressed on its thread: the COG driver's own NUM_THREADS leaves
  // cores idle while it reads and builds overviews (two at once took 0.53 s where one after
  // the other on two threads each took 0.73 s, for two 3-band 1800² composites).
  // Overviews by averaging: right for reflectance and indices (no ringing, nodata left out),
  // and cheaper than the driver's default cubic. They are built in the uncompressed staging
  // file and copied: the driver's own (OVERVIEWS=AUTO) go through a compressed temporary file
  // and took 0.32 s against 0.03 + 0.14 s for one 3-band 1240² composite.
  char const* options[] = {"COMPRESS=DEFLATE",
                           "LEVEL=1",
                           "PREDICTOR=YES",
                           "BLOCKSIZE=512",
                           "NUM_THREADS=1",
                           "OVERVIEWS=FORCE_USE_EXISTING",
                           nullptr};
  auto const started = std::chrono::steady_clock::now();
  // change.nc's final classes: the seeds of patches dropped once every chunk was in (under the
  // minimum mapping unit, across tile edges) become no change.
  std::size_t cleared = 0;
  for (std::size_t a = 0; a < open_seeds_.size() && numbering_; ++a) {
    if (open_seeds_[a].empty()) continue;
    GDALRasterBand& band = *files_[a].back().dataset->GetRasterBand(1);
    std::uint8_t none = kernels::change_none;
    for (auto const& s : open_seeds_[a]) {
      if (numbering_(a, s.patch) > 0) continue;
      if (band.RasterIO(GF_Write, s.column, s.row, 1, 1, &none, 1, 1, GDT_Byte, 0, 0) != CE_None)
        throw io_error(files_[a].back().staging.string() +
                       ": cannot write a pixel: " + last_gdal_message());
      ++cleared;
    }
    open_seeds_[a].clear();
    open_seeds_[a].shrink_to_fit();
  }
  if (cleared > 0) spdlog::debug("change.tif: {} pixels of dropped patches cleared", cleared);
  std::vector<staged*> all;
  for (auto& files : files_)
    for (auto& f : files) all.push_back(&f);
  for (auto* f : all) f->dataset->FlushCache();
  std::vector<std::unique_ptr<atomic_file>> outputs(all.size());
  // The largest first (3-band composites before the date layers), so that no thread is left
  // with a composite to compress while the others have finished.
  std::vector<std::size_t> order(all.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto const cost = [&](std::size_t i) {
    GDALDataset& d = *all[i]->dataset;
    return static_cast<double>(d.GetRasterXSize()) * d.GetRasterYSize() * d.GetRasterCount() *
           GDALGetDataTypeSizeBytes(d.GetRasterBand(1)->GetRasterDataType());
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return cost(a) > cost(b); });
  parallel_for(all.size(), kernels::cpu_threads(), [&](std::size_t k) {
    std::size_t const i = order[k];
    staged& f = *all[i];
    outputs[i] = std::make_unique<atomic_file>(f.final_path);
    CPLErrorReset();
    auto const factors = overview_factors(f.dataset->GetRasterXSize(), f.dataset->GetRasterYSize());
    // Days and classes are not averaged: an overview pixel takes the value of one of its pixels
    // (GDAL's NEAREST). Reflectance and the index: averaged here (halve_by_average).
    if (!factors.empty() && (f.days || f.classes)) {
      if (GDALBuildOverviews(GDALDataset::ToHandle(f.dataset.get()), "NEAREST",
                             static_cast<int>(factors.size()), factors.data(), 0, nullptr, nullptr,
                             nullptr) != CE_None)
        throw io_error(f.staging.string() + ": cannot build overviews: " + last_gdal_message());
    } else if (!factors.empty()) {
      build_average_overviews(*f.dataset, factors, f.staging);
    }
    GDALDatasetUniquePtr out(cog->CreateCopy(outputs[i]->temp_path().c_str(), f.dataset.get(),
                                             FALSE, const_cast<char**>(options), nullptr, nullptr));
    if (!out)
      throw io_error(f.final_path.string() + ": cannot write the COG: " + last_gdal_message());
  });
  spdlog::debug("{} COGs made from their staging files in {:.2f} s", all.size(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  // Renamed into place only once every COG is complete.
  std::vector<fs::path> written;
  for (std::size_t i = 0; i < all.size(); ++i) {
    outputs[i]->commit();
    // change.tif's category names, which GDAL keeps beside the file (not in the list).
    fs::path const aux = outputs[i]->temp_path().string() + ".aux.xml";
    if (fs::exists(aux)) fs::rename(aux, all[i]->final_path.string() + ".aux.xml");
    written.push_back(all[i]->final_path);
    all[i]->dataset.reset();
    remove_staging(all[i]->staging);
  }
  return written;
}

}  // namespace geosweep::pipeline
