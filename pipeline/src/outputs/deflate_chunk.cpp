#include "outputs/deflate_chunk.hpp"

#include <libdeflate.h>

#include <memory>
#include <string>

#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

struct compressor_deleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
struct decompressor_deleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

/// One compressor per thread and level: libdeflate's are not shared between threads.
libdeflate_compressor& compressor(int level) {
  thread_local int made_for = -1;
  thread_local std::unique_ptr<libdeflate_compressor, compressor_deleter> c;
  if (!c || made_for != level) {
    c.reset(libdeflate_alloc_compressor(level));
    if (!c)
      throw io_error("cannot allocate a DEFLATE compressor (level " + std::to_string(level) + ")");
    made_for = level;
  }
  return *c;
}

libdeflate_decompressor& decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, decompressor_deleter> d(
      libdeflate_alloc_decompressor());
  if (!d) throw io_error("cannot allocate a DEFLATE decompressor");
  return *d;
}

}  // namespace

std::vector<std::byte> shuffle_bytes(std::span<std::byte const> values, std::size_t element_size) {
  std::vector<std::byte> out(values.size());
  std::size_t const n = element_size > 0 ? values.size() / element_size : 0;
  if (element_size <= 1 || n <= 1) return {values.begin(), values.end()};
  for (std::size_t k = 0; k < element_size; ++k) {
    std::byte* to = out.data() + k * n;
    for (std::size_t i = 0; i < n; ++i) to[i] = values[i * element_size + k];
  }
  std::copy(values.begin() + static_cast<std::ptrdiff_t>(n * element_size), values.end(),
            out.begin() + static_cast<std::ptrdiff_t>(n * element_size));
  return out;
}

std::vector<std::byte> unshuffle_bytes(std::span<std::byte const> shuffled,
                                       std::size_t element_size) {
  std::vector<std::byte> out(shuffled.size());
  std::size_t const n = element_size > 0 ? shuffled.size() / element_size : 0;
  if (element_size <= 1 || n <= 1) return {shuffled.begin(), shuffled.end()};
  for (std::size_t k = 0; k < element_size; ++k) {
    std::byte const* from = shuffled.data() + k * n;
    for (std::size_t i = 0; i < n; ++i) out[i * element_size + k] = from[i];
  }
  std::copy(shuffled.begin() + static_cast<std::ptrdiff_t>(n * element_size), shuffled.end(),
            out.begin() + static_cast<std::ptrdiff_t>(n * element_size));
  return out;
}

std::vector<std::byte> encode_chunk(std::span<std::byte const> values, std::size_t element_size,
                                    int level) {
  auto const shuffled = shuffle_bytes(values, element_size);
  auto& c = compressor(level);
  std::vector<std::byte> out(libdeflate_zlib_compress_bound(&c, shuffled.size()));
  std::size_t const size =
      libdeflate_zlib_compress(&c, shuffled.data(), shuffled.size(), out.data(), out.size());
  if (size == 0) throw io_error("DEFLATE of a storage chunk failed");
  out.resize(size);
  return out;
}

std::vector<std::byte> decode_chunk(std::span<std::byte const> stored, std::size_t element_size,
                                    std::size_t size) {
  std::vector<std::byte> shuffled(size);
  std::size_t actual = 0;
  auto const result = libdeflate_zlib_decompress(&decompressor(), stored.data(), stored.size(),
                                                 shuffled.data(), shuffled.size(), &actual);
  if (result != LIBDEFLATE_SUCCESS || actual != size)
    throw io_error("a storage chunk does not inflate to " + std::to_string(size) + " bytes");
  return unshuffle_bytes(shuffled, element_size);
}

}  // namespace geosweep::pipeline
