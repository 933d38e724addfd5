#pragma once
/// \file
/// transform_pixels: the one entry point for per-pixel work. The same functor runs as an
/// OpenMP loop on the CPU or as a grid-stride kernel on the GPU, chosen at run time.

#include <cstddef>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/detail/cuda_transform.hpp"
#include "geosweep/kernels/error.hpp"

namespace geosweep::kernels {

/// out[i] = op(in[i]...) for i in [0, n) on the CPU backend.
template <class Op, class Out, class... In>
void transform_pixels_cpu(std::size_t n, Op const& op, Out* out, In const*... in) {
  auto const count = static_cast<std::ptrdiff_t>(n);
  // A copy of the functor: stores through a byte output (uint8_t aliases everything) would
  // otherwise make the compiler reload its fields for every pixel and not vectorize.
  Op const f = op;
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < count; ++i) out[i] = f(in[i]...);
}

/// op(i) for i in [0, n) on the CPU backend: for work that reads or writes several arrays of
/// a pixel at once (its planes at [plane * n + i]), which one output per pixel cannot express.
template <class Op>
void for_each_pixel_cpu(std::size_t n, Op const& op) {
  auto const count = static_cast<std::ptrdiff_t>(n);
  Op const f = op;  // as in transform_pixels_cpu
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < count; ++i) f(static_cast<std::size_t>(i));
}

/// out[i] = op(in[i]...) for i in [0, n) on backend `where` (host pointers in and out; the
/// CUDA backend stages them through device memory). `automatic` is resolved first.
template <class Op, class Out, class... In>
void transform_pixels(backend where, std::size_t n, Op const& op, Out* out, In const*... in) {
  if (where == backend::automatic) where = resolve_backend(where);
  if (where == backend::cpu) {
    transform_pixels_cpu(n, op, out, in...);
    return;
  }
#if GEOSWEEP_HAVE_CUDA
  detail::cuda_transform<Op, Out, In...>::run(n, op, out, in...);
#else
  throw cuda_error("this geosweep was built without the CUDA backend");
#endif
}

}  // namespace geosweep::kernels
