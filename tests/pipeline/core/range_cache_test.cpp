// The range cache (core/range_cache.hpp) against a real nginx serving GeoTIFFs written here:
// pixels read through /vsigeosweep_cache/ are the local file's, read directly; a second pass
// after GDAL's own cache is dropped sends no GET (nginx's access log); a file changed on the
// server drops its entry; bytes flipped in the cache folder are fetched again; write modes
// fail. Expected values come from the local files and nginx's log. Exits 77 (skipped) when
// nginx is not installed.
#include "core/range_cache.hpp"

#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/gdal_utils.hpp"
#include "core/sha256.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "tools/nginx_server.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;

namespace {

/// Writes a tiled, uncompressed UInt16 GeoTIFF of random values (256 x 256 tiles) to `path`,
/// under a temporary name first so nginx never serves half of it.
void write_tiff(fs::path const& path, int width, int height, unsigned seed) {
  gp::ensure_gdal();
  fs::path const temp = path.string() + ".tmp.tif";
  auto* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
  char const* options[] = {"TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", nullptr};
  {
    GDALDatasetUniquePtr ds(
        driver->Create(temp.c_str(), width, height, 1, GDT_UInt16, const_cast<char**>(options)));
    ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
    std::mt19937 random(seed);
    std::vector<std::uint16_t> pixels(static_cast<std::size_t>(width) * height);
    for (auto& p : pixels) p = static_cast<std::uint16_t>(random() & 0xFFFF);
    ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, width, height, pixels.data(), width,
                                             height, GDT_UInt16, 0, 0, nullptr),
              CE_None);
  }
  fs::rename(temp, path);
}

struct raster {
  int width = 0;
  int height = 0;
  std::vector<std::uint16_t> pixels;
};

/// Band 1 of `path`: in one RasterIO (GDAL then uses multi-range reads on remote files) or tile
/// by tile (plain reads).
raster read_raster(std::string const& path, bool tile_by_tile = false) {
  gp::ensure_gdal();
  raster r;
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  EXPECT_TRUE(ds) << path << ": " << CPLGetLastErrorMsg();
  if (!ds) return r;
  auto* band = ds->GetRasterBand(1);
  (void)band->GetOverviewCount();  // what would make GDAL look for .ovr and .aux.xml files
  (void)ds->GetMetadata();
  r.width = ds->GetRasterXSize();
  r.height = ds->GetRasterYSize();
  r.pixels.resize(static_cast<std::size_t>(r.width) * r.height);
  if (!tile_by_tile) {
    EXPECT_EQ(band->RasterIO(GF_Read, 0, 0, r.width, r.height, r.pixels.data(), r.width, r.height,
                             GDT_UInt16, 0, 0, nullptr),
              CE_None)
        << CPLGetLastErrorMsg();
    return r;
  }
  for (int y = 0; y < r.height; y += 256) {
    for (int x = 0; x < r.width; x += 256) {
      int const w = std::min(256, r.width - x);
      int const h = std::min(256, r.height - y);
      EXPECT_EQ(band->RasterIO(GF_Read, x, y, w, h, r.pixels.data() + y * r.width + x, w, h,
                               GDT_UInt16, 0, static_cast<GSpacing>(r.width) * 2, nullptr),
                CE_None)
          << CPLGetLastErrorMsg();
    }
  }
  return r;
}

std::string file_bytes(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

/// Requests nginx logged, by method, with the body bytes it sent.
struct logged_requests {
  std::size_t lines = 0;
  std::size_t gets = 0;
  std::size_t heads = 0;
  std::int64_t get_bytes = 0;
  std::vector<std::string> paths;  ///< of each request, in order
};

/// nginx, its log, and the cache folder, shared by every test after the first.
class RangeCache : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("geosweep_range_cache_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(www());
    server_ = new tt::nginx_server(www(), *dir_ / "nginx");
    gp::enable_range_cache(cache());
  }
  static void TearDownTestSuite() {
    delete server_;
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    VSICurlClearCache();
    gp::reset_range_cache_stats();
  }

  static fs::path www() { return *dir_ / "www"; }
  static fs::path cache() { return *dir_ / "cache"; }
  static std::string remote(std::string const& name) {
    return "/vsicurl/" + server_->url() + "/" + name;
  }

  /// The log's requests from line `from` on, once nginx has stopped writing (it logs a request
  /// after sending its last byte, so a line can come just after the client has the bytes).
  static logged_requests requests_since(std::size_t from) {
    std::size_t lines = server_->requests();
    for (int quiet = 0; quiet < 3;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::size_t const now = server_->requests();
      quiet = now == lines ? quiet + 1 : 0;
      lines = now;
    }
    logged_requests r;
    std::istringstream log(server_->access_log());
    std::regex const fields("\"(\\w+) (\\S+) [^\"]*\" (\\d{3}) (\\d+) ");
    std::size_t n = 0;
    for (std::string line; std::getline(log, line); ++n) {
      if (n < from) continue;
      std::smatch m;
      EXPECT_TRUE(std::regex_search(line, m, fields)) << line;
      ++r.lines;
      r.paths.push_back(m[2].str());
      if (m[1] == "GET") {
        ++r.gets;
        r.get_bytes += std::stoll(m[4].str());
      } else if (m[1] == "HEAD") {
        ++r.heads;
      }
    }
    return r;
  }
  static std::size_t log_mark() { return requests_since(0).lines; }

  /// The files of `underlying`'s entry in the cache folder, by name.
  static std::vector<fs::path> entry_files(std::string const& underlying) {
    std::string const key = gp::sha256_hex(underlying);
    std::vector<fs::path> files;
    for (auto const& f : fs::directory_iterator(cache()))
      if (f.path().filename().string().starts_with(key)) files.push_back(f.path());
    std::sort(files.begin(), files.end());
    return files;
  }

  static fs::path* dir_;
  static tt::nginx_server* server_;
};

fs::path* RangeCache::dir_ = nullptr;
tt::nginx_server* RangeCache::server_ = nullptr;

// First in the file (and so in the process): no cache is enabled yet.
TEST(RangeCacheDisabled, CachedPathLeavesEveryPathAloneUntilACacheIsEnabled) {
  for (std::string const path :
       {"/vsicurl/http://127.0.0.1:8080/a.tif", "/vsis3/bucket/key.tif", "/data/a.tif", "a.tif"})
    EXPECT_EQ(gp::cached_path(path), path);
}

TEST_F(RangeCache, CachedPathWrapsRemotePathsAndLeavesLocalOnesAlone) {
  for (std::string const path :
       {"/vsicurl/http://127.0.0.1:8080/a.tif", "/vsis3/bucket/key.tif", "/vsigs/b/k.tif",
        "/vsiaz/c/k.tif", "/vsiadls/c/k.tif", "/vsioss/b/k.tif", "/vsiswift/c/k.tif",
        "/vsicurl?pc_url_signing=yes&pc_collection=x&url=https://h/a.tif"})
    EXPECT_EQ(gp::cached_path(path), "/vsigeosweep_cache/" + path);
  for (std::string const path :
       {"/data/a.tif", "relative/a.tif", "/vsimem/a.tif", "/vsizip//data/a.zip/a.tif",
        "/vsis3_streaming/bucket/key.tif", "/vsigeosweep_cache//vsicurl/http://h/a.tif"})
    EXPECT_EQ(gp::cached_path(path), path);
}

TEST_F(RangeCache, ASecondPassSendsNoGetAndReadsTheSamePixels) {
  write_tiff(www() / "a.tif", 1024, 1024, 1);
  raster const local = read_raster((www() / "a.tif").string());
  std::string const path = gp::cached_path(remote("a.tif"));
  ASSERT_TRUE(path.starts_with("/vsigeosweep_cache/")) << path;

  std::size_t const before_first = log_mark();
  raster const first = read_raster(path);
  auto const first_stats = gp::read_range_cache_stats();
  auto const first_log = requests_since(before_first);
  EXPECT_EQ(first.pixels, local.pixels);
  EXPECT_GT(first_log.get_bytes, 0);
  EXPECT_GT(first_stats.fetched_bytes, 0);
  // Every byte fetched came over HTTP (GDAL's /vsicurl/ may read more than it is asked).
  EXPECT_LE(first_stats.fetched_bytes, first_log.get_bytes);
  EXPECT_LE(first_stats.fetched_bytes, static_cast<std::int64_t>(fs::file_size(www() / "a.tif")));

  VSICurlClearCache();  // GDAL's cache in memory goes: as in a new process
  gp::reset_range_cache_stats();
  std::size_t const before_second = log_mark();
  raster const second = read_raster(path);
  auto const second_stats = gp::read_range_cache_stats();
  auto const second_log = requests_since(before_second);
  EXPECT_EQ(second.pixels, local.pixels);
  EXPECT_EQ(second_log.gets, 0u) << server_->access_log();
  EXPECT_EQ(second_log.get_bytes, 0);
  EXPECT_EQ(second_log.lines, second_log.heads);
  for (auto const& p : second_log.paths) EXPECT_EQ(p, "/a.tif") << "no sidecar looked for";
  EXPECT_EQ(second_stats.fetched_bytes, 0);
  EXPECT_EQ(second_stats.invalidated, 0);
  // GDAL asked for at least the 16 uncompressed tiles, 256 x 256 x 2 bytes each.
  EXPECT_GE(second_stats.served_bytes, 16 * 256 * 256 * 2);
  std::cout << "first pass: " << first_log.gets << " GETs, " << first_log.get_bytes
            << " bytes sent, " << first_stats.fetched_bytes
            << " fetched; second pass: " << second_log.heads << " HEADs, "
            << second_stats.served_bytes << " served\n";

  // The entry: its metadata, data and index files.
  auto const files = entry_files(remote("a.tif"));
  ASSERT_EQ(files.size(), 3u);
  std::string const meta = file_bytes(files.back());
  EXPECT_NE(meta.find("path=" + remote("a.tif")), std::string::npos) << meta;
  EXPECT_NE(meta.find("size=" + std::to_string(fs::file_size(www() / "a.tif"))), std::string::npos)
      << meta;
  // The file's mtime, as nginx's Last-Modified gives it (whole seconds).
  auto const mtime = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::file_clock::to_sys(fs::last_write_time(www() / "a.tif")).time_since_epoch());
  EXPECT_NE(meta.find("mtime=" + std::to_string(mtime.count()) + "\n"), std::string::npos) << meta;
}

TEST_F(RangeCache, ReadsAndMultiRangeReadsGiveTheFileBytesAtEveryOffset) {
  write_tiff(www() / "bytes.tif", 700, 500, 2);  // a short last block
  std::string const expected = file_bytes(www() / "bytes.tif");
  std::int64_t const size = static_cast<std::int64_t>(expected.size());
  ASSERT_GT(size, 5 * gp::range_cache_block_size);
  std::string const path = gp::cached_path(remote("bytes.tif"));
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "fetched" : "from the cache folder");
    VSICurlClearCache();
    VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
    ASSERT_NE(f, nullptr);
    // Scattered ranges first (in the first pass, three runs of blocks to fetch in one
    // multi-range read): one across a block boundary, one ending at the end of the file.
    std::vector<vsi_l_offset> const offsets{
        10, static_cast<vsi_l_offset>(gp::range_cache_block_size - 5),
        static_cast<vsi_l_offset>(3 * gp::range_cache_block_size + 100),
        static_cast<vsi_l_offset>(size - 777)};
    std::vector<std::size_t> const sizes{100, 10, 5000, 777};
    std::vector<std::string> buffers;
    std::vector<void*> data;
    for (auto s : sizes) buffers.emplace_back(s, '\0');
    for (auto& b : buffers) data.push_back(b.data());
    ASSERT_EQ(VSIFReadMultiRangeL(4, data.data(), offsets.data(), sizes.data(), f), 0);
    for (std::size_t i = 0; i < 4; ++i)
      EXPECT_EQ(buffers[i], expected.substr(offsets[i], sizes[i])) << offsets[i];
    std::mt19937 random(3);
    for (int i = 0; i < 40; ++i) {
      std::int64_t const offset = random() % size;
      std::size_t const length = 1 + random() % (3 * gp::range_cache_block_size);
      std::string bytes(length, '\0');
      ASSERT_EQ(VSIFSeekL(f, static_cast<vsi_l_offset>(offset), SEEK_SET), 0);
      std::size_t const got = VSIFReadL(bytes.data(), 1, length, f);
      std::size_t const want = std::min<std::size_t>(length, size - offset);
      ASSERT_EQ(got, want) << offset << " + " << length;
      EXPECT_EQ(bytes.substr(0, got), expected.substr(offset, got)) << offset;
      EXPECT_EQ(VSIFTellL(f), static_cast<vsi_l_offset>(offset + got));
      EXPECT_EQ(VSIFEofL(f) != 0, got < length);
    }
    std::string whole(expected.size(), '\0');
    ASSERT_EQ(VSIFSeekL(f, 0, SEEK_SET), 0);
    EXPECT_EQ(VSIFReadL(whole.data(), 1, whole.size(), f), whole.size());
    EXPECT_EQ(whole, expected);
    VSIFCloseL(f);
  }
  EXPECT_EQ(gp::read_range_cache_stats().fetched_bytes, size) << "each block fetched once";
}

TEST_F(RangeCache, AFileChangedOnTheServerDropsItsEntry) {
  write_tiff(www() / "changing.tif", 512, 512, 4);
  std::string const path = gp::cached_path(remote("changing.tif"));
  EXPECT_EQ(read_raster(path).pixels, read_raster((www() / "changing.tif").string()).pixels);
  auto const old_files = entry_files(remote("changing.tif"));
  ASSERT_EQ(old_files.size(), 3u);

  auto const old_time = fs::last_write_time(www() / "changing.tif");
  write_tiff(www() / "changing.tif", 768, 640, 5);
  fs::last_write_time(www() / "changing.tif", old_time + std::chrono::seconds(10));
  raster const local = read_raster((www() / "changing.tif").string());
  VSICurlClearCache();
  gp::reset_range_cache_stats();
  raster const changed = read_raster(path);
  EXPECT_EQ(changed.width, 768);
  EXPECT_EQ(changed.height, 640);
  EXPECT_EQ(changed.pixels, local.pixels);
  auto const stats = gp::read_range_cache_stats();
  EXPECT_EQ(stats.invalidated, 1);
  EXPECT_GT(stats.fetched_bytes, 0);
  // The old version's data and index are gone; a new pair and the metadata remain.
  auto const new_files = entry_files(remote("changing.tif"));
  ASSERT_EQ(new_files.size(), 3u);
  EXPECT_NE(new_files, old_files);
  EXPECT_FALSE(fs::exists(old_files[0]));

  VSICurlClearCache();  // and the new version is cached in turn
  gp::reset_range_cache_stats();
  EXPECT_EQ(read_raster(path).pixels, local.pixels);
  EXPECT_EQ(gp::read_range_cache_stats().fetched_bytes, 0);
  EXPECT_EQ(gp::read_range_cache_stats().invalidated, 0);
}

TEST_F(RangeCache, BytesFlippedInTheCacheFolderAreFetchedAgain) {
  write_tiff(www() / "torn.tif", 512, 512, 6);
  raster const local = read_raster((www() / "torn.tif").string());
  std::string const path = gp::cached_path(remote("torn.tif"));
  EXPECT_EQ(read_raster(path, true).pixels, local.pixels);
  auto const fetched = gp::read_range_cache_stats().fetched_bytes;

  fs::path data;
  for (auto const& f : entry_files(remote("torn.tif")))
    if (f.extension() == ".data") data = f;
  ASSERT_FALSE(data.empty());
  {
    std::fstream out(data, std::ios::in | std::ios::out | std::ios::binary);
    auto const size = static_cast<std::int64_t>(fs::file_size(data));
    std::vector<std::int64_t> flips{size - 1};  // every block, the short last one too
    for (std::int64_t at = 1000; at < size; at += 4001) flips.push_back(at);
    for (std::int64_t const at : flips) {
      out.seekg(at);
      char const byte = static_cast<char>(out.get());
      out.seekp(at);
      out.put(static_cast<char>(~byte));
    }
  }
  VSICurlClearCache();
  gp::reset_range_cache_stats();
  std::size_t const before = log_mark();
  EXPECT_EQ(read_raster(path, true).pixels, local.pixels);
  EXPECT_EQ(gp::read_range_cache_stats().fetched_bytes, fetched) << "every block again";
  EXPECT_GT(requests_since(before).get_bytes, 0);

  VSICurlClearCache();  // the blocks fetched again are stored again
  gp::reset_range_cache_stats();
  EXPECT_EQ(read_raster(path, true).pixels, local.pixels);
  EXPECT_EQ(gp::read_range_cache_stats().fetched_bytes, 0);
}

TEST_F(RangeCache, ThreadsReadingTheSameAndOtherFilesAllGetTheirPixels) {
  write_tiff(www() / "shared.tif", 1024, 512, 7);
  write_tiff(www() / "other.tif", 512, 1024, 8);
  raster const shared = read_raster((www() / "shared.tif").string());
  raster const other = read_raster((www() / "other.tif").string());
  for (int pass = 0; pass < 2; ++pass) {
    VSICurlClearCache();
    gp::reset_range_cache_stats();
    std::size_t const before = log_mark();
    std::vector<raster> results(6);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < results.size(); ++t) {
      threads.emplace_back([&, t] {
        results[t] = read_raster(gp::cached_path(remote(t % 3 == 2 ? "other.tif" : "shared.tif")),
                                 t % 2 == 1);
      });
    }
    for (auto& t : threads) t.join();
    for (std::size_t t = 0; t < results.size(); ++t)
      EXPECT_EQ(results[t].pixels, (t % 3 == 2 ? other : shared).pixels) << "thread " << t;
    if (pass == 1) {
      EXPECT_EQ(requests_since(before).gets, 0u);
      EXPECT_EQ(gp::read_range_cache_stats().fetched_bytes, 0);
    }
  }
}

TEST_F(RangeCache, OpeningForWritingFails) {
  write_tiff(www() / "w.tif", 256, 256, 9);
  std::string const path = gp::cached_path(remote("w.tif"));
  for (char const* mode : {"wb", "w", "r+b", "r+", "ab", "a", "w+b"}) {
    VSILFILE* f = VSIFOpenL(path.c_str(), mode);
    EXPECT_EQ(f, nullptr) << mode;
    if (f != nullptr) VSIFCloseL(f);
  }
  VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
  EXPECT_NE(f, nullptr);
  if (f != nullptr) VSIFCloseL(f);
  CPLPushErrorHandler(CPLQuietErrorHandler);
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_UPDATE));
  CPLPopErrorHandler();
  EXPECT_FALSE(ds);
}

TEST_F(RangeCache, AFolderThatCannotBeMadeIsAnIoErrorNamingIt) {
  fs::path const file = *dir_ / "not_a_folder";
  std::ofstream(file) << "x";
  fs::path const bad = file / "cache";
  try {
    gp::enable_range_cache(bad);
    FAIL() << "no error";
  } catch (geosweep::io_error const& e) {
    EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Not a directory"), std::string::npos) << e.what();
  }
  // The folder in use stays: a file read before is still served from it.
  write_tiff(www() / "still.tif", 256, 256, 10);
  std::string const path = gp::cached_path(remote("still.tif"));
  (void)read_raster(path);
  VSICurlClearCache();
  gp::reset_range_cache_stats();
  (void)read_raster(path);
  EXPECT_EQ(gp::read_range_cache_stats().fetched_bytes, 0);
}

TEST_F(RangeCache, AFolderThatGoesAwayLeavesReadsUncachedButRight) {
  fs::path const gone = *dir_ / "gone";
  gp::enable_range_cache(gone);
  fs::remove_all(gone);
  write_tiff(www() / "uncached.tif", 512, 256, 12);
  raster const local = read_raster((www() / "uncached.tif").string());
  std::string const path = gp::cached_path(remote("uncached.tif"));
  for (int pass = 0; pass < 2; ++pass) {
    VSICurlClearCache();
    gp::reset_range_cache_stats();
    EXPECT_EQ(read_raster(path).pixels, local.pixels);
    EXPECT_GT(gp::read_range_cache_stats().fetched_bytes, 0) << "nothing could be stored";
  }
  EXPECT_FALSE(fs::exists(gone));
  gp::enable_range_cache(cache());
}

/// This test program run again as a child, on the cache folder and file the parent names.
FILE* start_child(fs::path const& cache_dir, std::string const& remote, fs::path const& local) {
  std::string const command = "GEOSWEEP_RANGE_CACHE_CHILD_DIR='" + cache_dir.string() +
                              "' GEOSWEEP_RANGE_CACHE_CHILD_REMOTE='" + remote +
                              "' GEOSWEEP_RANGE_CACHE_CHILD_LOCAL='" + local.string() + "' " +
                              fs::read_symlink("/proc/self/exe").string() +
                              " --gtest_filter=RangeCacheChild.* 2>&1";
  return ::popen(command.c_str(), "r");
}

/// The child's output; `status` its exit status.
std::string finish_child(FILE* child, int& status) {
  std::string out;
  if (child == nullptr) return out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, child)) out.append(buffer, n);
  status = ::pclose(child);
  return out;
}

TEST_F(RangeCache, ProcessesSharingTheFolderAndThenARerunFetchNothingTwice) {
  write_tiff(www() / "rerun.tif", 1024, 1024, 11);
  fs::path const local = www() / "rerun.tif";
  int status_a = -1, status_b = -1, status_c = -1;
  FILE* a = start_child(cache(), remote("rerun.tif"), local);  // two cold processes at once
  FILE* b = start_child(cache(), remote("rerun.tif"), local);
  std::string const out_a = finish_child(a, status_a);
  std::string const out_b = finish_child(b, status_b);
  EXPECT_EQ(status_a, 0) << out_a;
  EXPECT_EQ(status_b, 0) << out_b;
  EXPECT_NE(out_a.find("[  PASSED  ] 1 test"), std::string::npos) << out_a;
  EXPECT_NE(out_b.find("[  PASSED  ] 1 test"), std::string::npos) << out_b;

  std::size_t const before = log_mark();
  std::string const out_c =
      finish_child(start_child(cache(), remote("rerun.tif"), local), status_c);
  EXPECT_EQ(status_c, 0) << out_c;
  EXPECT_NE(out_c.find("fetched_bytes=0\n"), std::string::npos) << out_c;
  auto const rerun = requests_since(before);
  EXPECT_EQ(rerun.gets, 0u) << server_->access_log();
  EXPECT_GT(rerun.heads, 0u) << "the rerun asked whether the file changed";
}

// Runs only as the child of the test above (skipped otherwise): reads the file it is given
// through the cache folder it is given, and says what it fetched.
TEST(RangeCacheChild, ReadsTheFileItIsGivenThroughTheFolderItIsGiven) {
  char const* dir = std::getenv("GEOSWEEP_RANGE_CACHE_CHILD_DIR");
  char const* remote = std::getenv("GEOSWEEP_RANGE_CACHE_CHILD_REMOTE");
  char const* local = std::getenv("GEOSWEEP_RANGE_CACHE_CHILD_LOCAL");
  if (dir == nullptr || remote == nullptr || local == nullptr)
    GTEST_SKIP() << "the child of ProcessesSharingTheFolderAndThenARerunFetchNothingTwice";
  gp::enable_range_cache(dir);
  EXPECT_EQ(read_raster(gp::cached_path(remote)).pixels, read_raster(local).pixels);
  std::cout << "fetched_bytes=" << gp::read_range_cache_stats().fetched_bytes << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  return tt::run_tests_with_nginx(argc, argv);
}
