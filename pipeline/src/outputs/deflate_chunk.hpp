#pragma once
// Internal to pipeline/src/outputs: one HDF5 storage chunk encoded exactly as HDF5's own filter
// pipeline "shuffle, then deflate" stores it (H5Pset_shuffle + H5Pset_deflate), so that the
// pipeline's worker threads can compress chunks in parallel and the single writer thread hands
// them to HDF5 unchanged (H5Dwrite_chunk). Every reader (libnetcdf, GDAL, h5py, xarray) then
// decodes them through the stock filters. DEFLATE is libdeflate's: byte-compatible zlib
// streams, several times faster than zlib at the same level.

#include <cstddef>
#include <span>
#include <vector>

namespace geosweep::pipeline {

/// The DEFLATE level of change.nc's variables: nearly level 6's ratio on these rasters, at a
/// fraction of its time.
inline constexpr int chunk_deflate_level = 1;

/// HDF5's shuffle filter: byte k of every element, then byte k + 1 of every element ...
/// `values` holds whole elements of `element_size` bytes (a trailing partial element is copied
/// as it is, as HDF5 does).
std::vector<std::byte> shuffle_bytes(std::span<std::byte const> values, std::size_t element_size);

/// The inverse of shuffle_bytes().
std::vector<std::byte> unshuffle_bytes(std::span<std::byte const> shuffled,
                                       std::size_t element_size);

/// A chunk of `element_size`-byte elements, shuffled and deflated (zlib format) at `level`.
std::vector<std::byte> encode_chunk(std::span<std::byte const> values, std::size_t element_size,
                                    int level = chunk_deflate_level);

/// A chunk stored by encode_chunk() or HDF5's filters, back to `size` bytes of elements.
/// Throws geosweep::io_error when the stream is corrupt or of another size.
std::vector<std::byte> decode_chunk(std::span<std::byte const> stored, std::size_t element_size,
                                    std::size_t size);

}  // namespace geosweep::pipeline
