#pragma once
// Internal to pipeline/src/compute: what both detectors do to bring a result to the host.

#include <vector>

#include "geosweep/kernels/stream.hpp"

namespace geosweep::pipeline {

/// Runs `op` over the resident inputs into a resident scratch array and copies it into `out`.
template <class Op, class T, class... In>
void result_to_host(kernels::stream const& s, std::size_t n, Op const& op, std::vector<T>& out,
                    In const*... in) {
  if (s.where() == kernels::backend::cpu) {  // host memory: straight into `out`
    out.resize(n);
    kernels::transform_pixels(s, n, op, out.data(), in...);
    return;
  }
  kernels::device_array<T> scratch(s, n);
  kernels::transform_pixels(s, n, op, scratch.data(), in...);
  out.resize(n);
  kernels::copy_to_host(s, out.data(), scratch, n);
  s.synchronize();  // `out` is ordinary host memory, and `scratch` is freed on return
}

/// The first `n` values of a resident array, in host memory (waits for the stream).
template <class T>
std::vector<T> to_host(kernels::stream const& s, kernels::device_array<T> const& from,
                       std::size_t n) {
  // On the CPU the array is host memory, up to date (work runs inline): one copy, no zeroing.
  if (s.where() == kernels::backend::cpu) return std::vector<T>(from.data(), from.data() + n);
  std::vector<T> out(n);
  kernels::copy_to_host(s, out.data(), from, n);
  s.synchronize();
  return out;
}

}  // namespace geosweep::pipeline
