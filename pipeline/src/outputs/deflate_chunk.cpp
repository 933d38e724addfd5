#include "outputs/deflate_chunk.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
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

/// shuffle_bytes() into `out` (values.size() bytes). Element sizes 2 and 4, change.nc's
/// multi-byte types, have their own loops so that the compiler unrolls them.
void shuffle_into(std::span<std::byte const> values, std::size_t element_size, std::byte* out) {
  std::size_t const n = element_size > 0 ? values.size() / element_size : 0;
  if (element_size <= 1 || n <= 1) {
    std::copy(values.begin(), values.end(), out);
    return;
  }
  std::byte const* from = values.data();
  if (element_size == 2) {
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = from[2 * i];
      out[n + i] = from[2 * i + 1];
    }
  } else if (element_size == 4) {
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = from[4 * i];
      out[n + i] = from[4 * i + 1];
      out[2 * n + i] = from[4 * i + 2];
      out[3 * n + i] = from[4 * i + 3];
    }
  } else {
    for (std::size_t k = 0; k < element_size; ++k) {
      std::byte* to = out + k * n;
      for (std::size_t i = 0; i < n; ++i) to[i] = from[i * element_size + k];
    }
  }
  std::copy(values.begin() + static_cast<std::ptrdiff_t>(n * element_size), values.end(),
            out + n * element_size);
}

/// Whether every element of `values` is the same (each equals the one before it).
bool uniform(std::span<std::byte const> values, std::size_t element_size) {
  if (element_size == 0 || values.size() <= element_size || values.size() % element_size != 0)
    return values.size() == element_size;
  return std::memcmp(values.data(), values.data() + element_size, values.size() - element_size) ==
         0;
}

/// A thread's scratch buffer of at least `size` bytes; it only grows, so it is not cleared again.
std::byte* scratch(std::vector<std::byte>& buffer, std::size_t size) {
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

/// Shuffles and deflates into a new vector of the stream's size.
std::vector<std::byte> deflate_chunk(std::span<std::byte const> values, std::size_t element_size,
                                     int level) {
  thread_local std::vector<std::byte> shuffled_buffer, out_buffer;
  std::byte* shuffled = scratch(shuffled_buffer, values.size());
  shuffle_into(values, element_size, shuffled);
  auto& c = compressor(level);
  std::size_t const bound = libdeflate_zlib_compress_bound(&c, values.size());
  std::byte* out = scratch(out_buffer, bound);
  std::size_t const size = libdeflate_zlib_compress(&c, shuffled, values.size(), out, bound);
  if (size == 0) throw io_error("DEFLATE of a storage chunk failed");
  return {out, out + size};
}

}  // namespace

std::vector<std::byte> shuffle_bytes(std::span<std::byte const> values, std::size_t element_size) {
  std::vector<std::byte> out(values.size());
  shuffle_into(values, element_size, out.data());
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
  if (values.empty() || !uniform(values, element_size) || element_size > 8)
    return deflate_chunk(values, element_size, level);
  // A chunk of one value (a run's AOI-wide layers away from any change) encodes the same every
  // time: each thread keeps the streams it made, a few at most.
  struct made {
    std::size_t element_size, size;
    int level;
    std::uint64_t value;
    std::vector<std::byte> bytes;
  };
  thread_local std::vector<made> cache;
  std::uint64_t value = 0;
  std::memcpy(&value, values.data(), element_size);
  for (auto const& m : cache)
    if (m.element_size == element_size && m.size == values.size() && m.level == level &&
        m.value == value)
      return m.bytes;
  auto bytes = deflate_chunk(values, element_size, level);
  if (cache.size() == 16) cache.erase(cache.begin());
  cache.push_back({element_size, values.size(), level, value, bytes});
  return bytes;
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
