#include "core/range_cache.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/sha256.hpp"
#include "core/unique_fd.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

constexpr char const* cache_prefix = "/vsigeosweep_cache/";
constexpr std::uint64_t block_size = range_cache_block_size;
/// Seeds the checksum of an index record, so that zero bytes never read as a record.
constexpr std::uint32_t record_seed = 0x67737263;

std::atomic<std::int64_t> served_counter{0};
std::atomic<std::int64_t> fetched_counter{0};
std::atomic<std::int64_t> invalidated_counter{0};
std::atomic<bool> warned{false};

/// The cache folder is optional for a read: the first failure to use it is logged, and the
/// bytes are served anyway.
void warn_once(std::string const& message) {
  if (!warned.exchange(true)) spdlog::warn("range cache: {}; reads go on uncached", message);
}

std::uint32_t crc32_of(void const* bytes, std::size_t size) {
  return libdeflate_crc32(0, bytes, size);
}

/// One line of KEY-VERSION.index: a block that is in KEY-VERSION.data.
struct index_record {
  std::uint64_t block = 0;
  std::uint32_t data_crc = 0;  ///< CRC-32 of the block's bytes
  std::uint32_t check = 0;     ///< CRC-32 of the two fields above, seeded with record_seed
};
static_assert(sizeof(index_record) == 16);

std::uint32_t record_check(index_record const& r) {
  return libdeflate_crc32(record_seed, &r, offsetof(index_record, check));
}

/// The cached blocks of one version of one underlying file, shared by the handles open on it.
struct entry {
  std::uint64_t size = 0;
  unique_fd data;   ///< KEY-VERSION.data; none when the folder cannot be written
  unique_fd index;  ///< KEY-VERSION.index, O_APPEND
  std::mutex mutex;
  std::vector<std::uint8_t> present;  ///< by block, guarded by `mutex`
  std::vector<std::uint32_t> crc;     ///< by block, guarded by `mutex`

  [[nodiscard]] std::uint64_t block_count() const { return (size + block_size - 1) / block_size; }
  [[nodiscard]] std::size_t block_length(std::uint64_t block) const {
    return static_cast<std::size_t>(std::min(block_size, size - block * block_size));
  }
};

/// One open of a file through the cache.
struct handle {
  std::shared_ptr<entry> cache;
  std::string underlying;
  VSILFILE* source = nullptr;  ///< opened at the first block the cache lacks
  bool source_failed = false;
  std::uint64_t position = 0;
  bool eof = false;
};

std::mutex config_mutex;                              // guards cache_dir and entries
fs::path cache_dir;                                   // empty until enable_range_cache
std::map<std::string, std::weak_ptr<entry>> entries;  // by KEY-VERSION.data's path

bool pread_full(int fd, char* bytes, std::size_t size, std::uint64_t offset) {
  while (size > 0) {
    ssize_t const n = ::pread(fd, bytes, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

bool pwrite_full(int fd, char const* bytes, std::size_t size, std::uint64_t offset) {
  while (size > 0) {
    ssize_t const n = ::pwrite(fd, bytes, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

std::optional<std::string> read_if_present(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// The blocks KEY-VERSION.index lists. Records are found again after a torn one (a crash
/// mid-append shifts every later record), by their own checksum.
void load_index(entry& e) {
  e.present.assign(e.block_count(), 0);
  e.crc.assign(e.block_count(), 0);
  struct stat st {};
  if (!e.index || ::fstat(e.index.get(), &st) != 0) return;
  std::vector<char> bytes(static_cast<std::size_t>(st.st_size));
  if (!pread_full(e.index.get(), bytes.data(), bytes.size(), 0)) return;
  for (std::size_t at = 0; at + sizeof(index_record) <= bytes.size();) {
    index_record r;
    std::memcpy(&r, bytes.data() + at, sizeof r);
    if (r.check != record_check(r)) {
      ++at;
      continue;
    }
    if (r.block < e.block_count()) {
      e.present[r.block] = 1;
      e.crc[r.block] = r.data_crc;
    }
    at += sizeof r;
  }
}

/// Writes a fetched block to the folder: its bytes, then its record.
void store_block(entry& e, std::uint64_t block, char const* bytes) {
  if (!e.data) return;
  std::size_t const length = e.block_length(block);
  if (!pwrite_full(e.data.get(), bytes, length, block * block_size)) {
    warn_once(std::string("cannot write a block: ") + std::strerror(errno));
    return;
  }
  index_record r;
  r.block = block;
  r.data_crc = crc32_of(bytes, length);
  r.check = record_check(r);
  if (::write(e.index.get(), &r, sizeof r) != static_cast<ssize_t>(sizeof r)) {
    warn_once(std::string("cannot append to an index: ") + std::strerror(errno));
    return;
  }
  std::lock_guard lock(e.mutex);
  e.present[block] = 1;
  e.crc[block] = r.data_crc;
}

struct block_bytes {
  std::vector<char> bytes;
  bool from_cache = false;  ///< read from the folder, not fetched
};
using block_map = std::map<std::uint64_t, block_bytes>;

/// Fetches `missing` (ascending) from the underlying file, runs of consecutive blocks in one
/// read each (all in one VSIFReadMultiRangeL when `multi_range`), and stores them.
void fetch_blocks(handle& h, std::vector<std::uint64_t> const& missing, bool multi_range,
                  block_map& out) {
  entry& e = *h.cache;
  if (h.source == nullptr && !h.source_failed) {
    h.source = VSIFOpenL(h.underlying.c_str(), "rb");
    h.source_failed = h.source == nullptr;
  }
  if (h.source == nullptr) return;

  struct run {
    std::uint64_t first = 0;
    std::size_t blocks = 0;
    std::vector<char> bytes;
    std::size_t got = 0;
  };
  std::vector<run> runs;
  for (std::uint64_t const b : missing) {
    if (runs.empty() || runs.back().first + runs.back().blocks != b) runs.push_back({b, 0, {}, 0});
    ++runs.back().blocks;
  }
  for (auto& r : runs) {
    std::uint64_t const last = r.first + r.blocks - 1;
    r.bytes.resize(static_cast<std::size_t>((last - r.first) * block_size) + e.block_length(last));
  }
  if (multi_range && runs.size() > 1) {
    std::vector<void*> data;
    std::vector<vsi_l_offset> offsets;
    std::vector<std::size_t> sizes;
    for (auto& r : runs) {
      data.push_back(r.bytes.data());
      offsets.push_back(r.first * block_size);
      sizes.push_back(r.bytes.size());
    }
    if (VSIFReadMultiRangeL(static_cast<int>(runs.size()), data.data(), offsets.data(),
                            sizes.data(), h.source) == 0) {
      for (auto& r : runs) r.got = r.bytes.size();
    }
  } else {
    for (auto& r : runs) {
      if (VSIFSeekL(h.source, r.first * block_size, SEEK_SET) != 0) break;
      r.got = VSIFReadL(r.bytes.data(), 1, r.bytes.size(), h.source);
      if (r.got < r.bytes.size()) break;
    }
  }

  for (auto& r : runs) {
    fetched_counter += static_cast<std::int64_t>(r.got);
    for (std::size_t i = 0; i < r.blocks; ++i) {
      std::uint64_t const b = r.first + i;
      std::size_t const begin = i * block_size;
      std::size_t const length = e.block_length(b);
      if (begin + length > r.got) break;
      char const* bytes = r.bytes.data() + begin;
      store_block(e, b, bytes);
      out[b] = block_bytes{std::vector<char>(bytes, bytes + length), false};
    }
  }
}

/// The blocks `wanted` (ascending, distinct): from the folder where present and intact, else
/// fetched. Blocks that could not be read at all are left out.
block_map load_blocks(handle& h, std::vector<std::uint64_t> const& wanted, bool multi_range) {
  entry& e = *h.cache;
  std::vector<std::optional<std::uint32_t>> stored_crc(wanted.size());
  if (e.data) {
    std::lock_guard lock(e.mutex);
    for (std::size_t i = 0; i < wanted.size(); ++i)
      if (e.present[wanted[i]]) stored_crc[i] = e.crc[wanted[i]];
  }
  block_map out;
  std::vector<std::uint64_t> missing;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    std::uint64_t const b = wanted[i];
    if (stored_crc[i]) {
      std::vector<char> bytes(e.block_length(b));
      if (pread_full(e.data.get(), bytes.data(), bytes.size(), b * block_size) &&
          crc32_of(bytes.data(), bytes.size()) == *stored_crc[i]) {
        out[b] = block_bytes{std::move(bytes), true};
        continue;
      }
    }
    missing.push_back(b);  // never stored, or torn: fetched again
  }
  if (!missing.empty()) fetch_blocks(h, missing, multi_range, out);
  return out;
}

/// Copies [offset, offset + size) out of `blocks`; the bytes copied, up to the first block
/// that is missing.
std::size_t copy_range(block_map const& blocks, std::uint64_t offset, std::size_t size,
                       char* destination) {
  std::size_t copied = 0;
  while (copied < size) {
    std::uint64_t const at = offset + copied;
    auto const it = blocks.find(at / block_size);
    if (it == blocks.end()) break;
    std::size_t const within = static_cast<std::size_t>(at % block_size);
    if (within >= it->second.bytes.size()) break;
    std::size_t const n = std::min(size - copied, it->second.bytes.size() - within);
    std::memcpy(destination + copied, it->second.bytes.data() + within, n);
    if (it->second.from_cache) served_counter += static_cast<std::int64_t>(n);
    copied += n;
  }
  return copied;
}

std::vector<std::uint64_t> blocks_of(std::uint64_t offset, std::size_t size) {
  std::vector<std::uint64_t> blocks;
  if (size == 0) return blocks;
  for (std::uint64_t b = offset / block_size; b <= (offset + size - 1) / block_size; ++b)
    blocks.push_back(b);
  return blocks;
}

/// The entry of `underlying` in the cache folder as it is now remotely; nullptr when the
/// underlying file cannot be stat'ed.
std::shared_ptr<entry> open_entry(std::string const& underlying) {
  VSIStatBufL st;
  if (VSIStatExL(underlying.c_str(), &st, 0) != 0 || VSI_ISDIR(st.st_mode)) return nullptr;
  std::string const meta = "geosweep range cache 1\nblock_size=" + std::to_string(block_size) +
                           "\nsize=" + std::to_string(st.st_size) +
                           "\nmtime=" + std::to_string(static_cast<std::int64_t>(st.st_mtime)) +
                           "\npath=" + underlying + "\n";
  std::string const key = sha256_hex(underlying);
  auto const version_of = [](std::string const& m) { return sha256_hex(m).substr(0, 16); };

  std::lock_guard lock(config_mutex);
  fs::path const data_path = cache_dir / (key + "-" + version_of(meta) + ".data");
  if (auto e = entries[data_path.string()].lock()) return e;

  fs::path const meta_path = cache_dir / (key + ".meta");
  auto const old_meta = read_if_present(meta_path);
  if (old_meta && *old_meta != meta) {  // the remote file changed: its old blocks go
    ++invalidated_counter;
    std::error_code ec;
    fs::remove(cache_dir / (key + "-" + version_of(*old_meta) + ".data"), ec);
    fs::remove(cache_dir / (key + "-" + version_of(*old_meta) + ".index"), ec);
  }
  auto e = std::make_shared<entry>();
  e->size = static_cast<std::uint64_t>(st.st_size);
  try {
    if (old_meta != meta) write_whole_file(meta_path, meta);
    e->data = unique_fd(::open(data_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!e->data) throw io_error(data_path.string() + ": " + system_reason());
    fs::path index_path = data_path;
    index_path.replace_extension(".index");
    e->index = unique_fd(::open(index_path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!e->index) throw io_error(index_path.string() + ": " + system_reason());
  } catch (io_error const& error) {
    warn_once(error.what());
    e->data.reset();
    e->index.reset();
  }
  load_index(*e);
  std::erase_if(entries, [](auto const& item) { return item.second.expired(); });
  entries[data_path.string()] = e;
  return e;
}

// ---- the file system's callbacks (C code calls them: nothing may be thrown through)

void* open_file(void* /*user*/, char const* name, char const* access) {
  if (access == nullptr || (std::strcmp(access, "r") != 0 && std::strcmp(access, "rb") != 0)) {
    errno = EACCES;  // read-only
    return nullptr;
  }
  try {
    auto e = open_entry(name);
    if (!e) {
      errno = ENOENT;
      return nullptr;
    }
    return new handle{std::move(e), name};
  } catch (std::exception const& error) {
    CPLError(CE_Failure, CPLE_FileIO, "%s%s: %s", cache_prefix, name, error.what());
    errno = EIO;
    return nullptr;
  }
}

int stat_file(void* /*user*/, char const* name, VSIStatBufL* buffer, int flags) {
  return VSIStatExL(name, buffer, flags);
}

char** sibling_files(void* /*user*/, char const* /*name*/) {
  return static_cast<char**>(CPLCalloc(1, sizeof(char*)));  // none: no sidecar probes
}

int seek_file(void* file, vsi_l_offset offset, int whence) {
  auto& h = *static_cast<handle*>(file);
  if (whence == SEEK_SET)
    h.position = offset;
  else if (whence == SEEK_CUR)
    h.position += offset;
  else if (whence == SEEK_END)
    h.position = h.cache->size + offset;
  else
    return -1;
  h.eof = false;
  return 0;
}

vsi_l_offset tell_file(void* file) {
  return static_cast<handle*>(file)->position;
}

int eof_file(void* file) {
  return static_cast<handle*>(file)->eof ? 1 : 0;
}

std::size_t read_file(void* file, void* buffer, std::size_t size, std::size_t count) {
  auto& h = *static_cast<handle*>(file);
  if (size == 0 || count == 0) return 0;
  std::size_t const wanted = size * count;
  std::size_t got = 0;
  if (h.position < h.cache->size) {
    std::size_t const length =
        static_cast<std::size_t>(std::min<std::uint64_t>(wanted, h.cache->size - h.position));
    try {
      got = copy_range(load_blocks(h, blocks_of(h.position, length), false), h.position, length,
                       static_cast<char*>(buffer));
    } catch (std::exception const& error) {
      CPLError(CE_Failure, CPLE_FileIO, "%s%s: %s", cache_prefix, h.underlying.c_str(),
               error.what());
    }
  }
  h.position += got;
  if (got < wanted) h.eof = true;
  return got / size;
}

int read_multi_range(void* file, int ranges, void** data, vsi_l_offset const* offsets,
                     std::size_t const* sizes) {
  auto& h = *static_cast<handle*>(file);
  std::vector<std::uint64_t> wanted;
  for (int i = 0; i < ranges; ++i) {
    if (offsets[i] + sizes[i] > h.cache->size) return -1;
    auto const blocks = blocks_of(offsets[i], sizes[i]);
    wanted.insert(wanted.end(), blocks.begin(), blocks.end());
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  try {
    auto const blocks = load_blocks(h, wanted, true);
    for (int i = 0; i < ranges; ++i) {
      if (copy_range(blocks, offsets[i], sizes[i], static_cast<char*>(data[i])) != sizes[i])
        return -1;
    }
  } catch (std::exception const& error) {
    CPLError(CE_Failure, CPLE_FileIO, "%s%s: %s", cache_prefix, h.underlying.c_str(), error.what());
    return -1;
  }
  return 0;
}

int close_file(void* file) {
  auto* h = static_cast<handle*>(file);
  int const result = h->source != nullptr ? VSIFCloseL(h->source) : 0;
  delete h;
  return result;
}

void install_handler() {
  // GDAL copies the struct when it installs the handler, so it is freed after.
  VSIFilesystemPluginCallbacksStruct* callbacks = VSIAllocFilesystemPluginCallbacksStruct();
  callbacks->open = open_file;
  callbacks->stat = stat_file;
  callbacks->sibling_files = sibling_files;
  callbacks->seek = seek_file;
  callbacks->tell = tell_file;
  callbacks->eof = eof_file;
  callbacks->read = read_file;
  callbacks->read_multi_range = read_multi_range;
  callbacks->close = close_file;
  VSIInstallPluginHandler(cache_prefix, callbacks);
  VSIFreeFilesystemPluginCallbacksStruct(callbacks);
}

}  // namespace

void enable_range_cache(fs::path const& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw io_error(dir.string() + ": cannot create the range cache folder: " + ec.message());
  fs::path const probe = dir / (".probe-" + std::to_string(::getpid()));
  unique_fd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd)
    throw io_error(dir.string() + ": cannot write in the range cache folder: " + system_reason());
  fd.reset();
  fs::remove(probe, ec);

  {
    std::lock_guard lock(config_mutex);
    cache_dir = fs::absolute(dir);
  }
  static std::once_flag installed;
  std::call_once(installed, install_handler);
}

void disable_range_cache() {
  std::lock_guard lock(config_mutex);
  cache_dir.clear();
}

std::string cached_path(std::string const& gdal_path) {
  {
    std::lock_guard lock(config_mutex);
    if (cache_dir.empty()) return gdal_path;
  }
  static constexpr std::array<std::string_view, 7> remote{
      "/vsicurl", "/vsis3", "/vsigs", "/vsiaz", "/vsiadls", "/vsioss", "/vsiswift"};
  for (auto const prefix : remote) {
    // "/vsis3/..." but not "/vsis3_streaming/...", which cannot seek cheaply
    if (gdal_path.size() > prefix.size() && gdal_path.starts_with(prefix) &&
        (gdal_path[prefix.size()] == '/' || gdal_path[prefix.size()] == '?'))
      return cache_prefix + gdal_path;
  }
  return gdal_path;
}

void reset_range_cache_stats() {
  served_counter = 0;
  fetched_counter = 0;
  invalidated_counter = 0;
}

range_cache_stats read_range_cache_stats() {
  return {served_counter.load(), fetched_counter.load(), invalidated_counter.load()};
}

}  // namespace geosweep::pipeline
