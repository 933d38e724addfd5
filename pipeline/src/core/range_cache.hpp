#pragma once
/// \file
/// A persistent cache on disk of the byte ranges GDAL reads from remote files, so that a rerun
/// (a new process) over the same remote COGs fetches nothing it already fetched (GDAL's own
/// /vsicurl/ cache lives in memory, per process). It is a GDAL virtual file system under the
/// prefix /vsigeosweep_cache/: `/vsigeosweep_cache/` + UNDERLYING reads the GDAL path
/// UNDERLYING (`/vsicurl/https://...`, `/vsis3/bucket/key.tif`, ...) through the cache,
/// read-only.
///
/// The file is cached in aligned blocks of range_cache_block_size bytes. Each underlying file
/// has an entry in the cache folder, named by the SHA-256 of the UNDERLYING text:
///   KEY.meta                  the underlying path, size and mtime (renamed into place)
///   KEY-VERSION.data          the blocks at their own offsets (a sparse file)
///   KEY-VERSION.index         one 16-byte record per stored block: number, CRC-32 of its bytes
/// VERSION is a digest of the metadata, so a changed remote file never meets its old blocks.
/// When the remote file's size or mtime (its Last-Modified) differ from KEY.meta, the old version's files
/// are removed and counted in range_cache_stats::invalidated. A block whose bytes do not match
/// its CRC (a torn write) is fetched again. Processes may share a folder: records are
/// appended with one write() each and blocks rewritten with identical bytes.

#include <cstdint>
#include <filesystem>
#include <string>

namespace geosweep::pipeline {

/// The size of a cached block, in bytes.
inline constexpr std::int64_t range_cache_block_size = 64 * 1024;

/// What the cache did since the last reset_range_cache_stats(), for the whole process.
struct range_cache_stats {
  std::int64_t served_bytes = 0;   ///< bytes GDAL read that came from the cache folder
  std::int64_t fetched_bytes = 0;  ///< bytes read from the underlying file (and then stored)
  std::int64_t invalidated = 0;    ///< entries dropped because the remote file changed
};

/// Installs (once per process) the /vsigeosweep_cache/ file system, storing in `dir` (created
/// if missing). Calling it again with another folder switches folders for files opened later.
/// Throws geosweep::io_error naming `dir` and the system's reason when it cannot be created
/// or written.
void enable_range_cache(std::filesystem::path const& dir);

/// Files opened from now on are read without the cache (it stays installed; handles open
/// through it keep reading through it).
void disable_range_cache();

/// `gdal_path` read through the cache when one is enabled and the path is remote (starts with
/// /vsicurl, /vsis3, /vsigs, /vsiaz, /vsiadls, /vsioss, /vsiswift); otherwise `gdal_path`
/// unchanged.
std::string cached_path(std::string const& gdal_path);

/// Sets every counter of range_cache_stats to zero.
void reset_range_cache_stats();

/// The counters now.
range_cache_stats read_range_cache_stats();

}  // namespace geosweep::pipeline
