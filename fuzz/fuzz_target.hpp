#pragma once
// What every fuzz target shares: the input as text, and the rule for what counts as a
// finding. A reader that rejects its input with one of geosweep's documented errors
// (config_error, io_error: a located message, exit code 3 or 4) has done its job. Anything
// else surfaces: another exception (std::out_of_range, std::bad_alloc, a yaml-cpp or JSON
// library exception that escaped) reaches libFuzzer as an uncaught exception, and so does a
// geosweep::logic_error, a broken precondition, which the command line reports as an internal
// error; crashes and sanitizer reports surface by themselves.

#include <cstddef>
#include <cstdint>
#include <string>

#include "geosweep/kernels/error.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::fuzz {

/// The fuzzer's bytes as a string (NUL bytes included).
inline std::string text_of(std::uint8_t const* data, std::size_t size) {
  return std::string(reinterpret_cast<char const*>(data), size);
}

/// Runs `read`; a config_error or io_error is a clean rejection, anything else escapes.
template <typename Read>
void expect_clean(Read&& read) {
  try {
    read();
  } catch (config_error const&) {
  } catch (io_error const&) {
  }
}

}  // namespace geosweep::fuzz
