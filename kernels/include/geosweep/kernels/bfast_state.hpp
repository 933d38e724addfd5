#pragma once
/// \file
/// The arrays of the `bfast` detector's state (bfast.hpp), owned: resident where a stream
/// computes (kernels::device_array) or in host vectors, with their names for state files.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "geosweep/kernels/bfast.hpp"
#include "geosweep/kernels/stream.hpp"

namespace geosweep::kernels {

/// Every array of the state (plane-major, bfast_arrays), host or resident.
template <template <class> class Array>
struct bfast_buffers {
  Array<std::uint32_t> valid;
  Array<double> xty, yty, beta, sigma, window_sum;
  Array<std::uint16_t> history, ring_look, window, next, clear;
  Array<float> ring, fall_sum, ratio, recent;
  Array<std::uint8_t> model, status, falls;
  Array<std::int32_t> first, confirmed;
};

/// f(name, b.array...) for every array a saved state keeps (not the history-only ones), over
/// one or several bfast_buffers in step.
template <class F, class... B>
void each_saved(F&& f, B&... b) {
  f("xty", b.xty...);
  f("beta", b.beta...);
  f("sigma", b.sigma...);
  f("window_sum", b.window_sum...);
  f("history", b.history...);
  f("window", b.window...);
  f("next", b.next...);
  f("clear", b.clear...);
  f("ring", b.ring...);
  f("fall_sum", b.fall_sum...);
  f("ratio", b.ratio...);
  f("recent", b.recent...);
  f("model", b.model...);
  f("status", b.status...);
  f("falls", b.falls...);
  f("first", b.first...);
  f("confirmed", b.confirmed...);
}

/// The state of `pixels` pixels for a model of `params` regressors, `looks` history looks and a
/// ring of `capacity` planes, resident where `s` computes and initialised (nothing observed).
inline bfast_buffers<device_array> make_bfast_buffers(stream const& s, std::size_t pixels,
                                                      int params, int looks, int capacity) {
  bfast_buffers<device_array> b;
  auto const make = [&](auto& array, std::size_t planes, auto value) {
    using T = decltype(value);
    array = device_array<T>(s, planes * pixels);
    if (planes * pixels > 0) fill(s, array, planes * pixels, value);
  };
  auto const planes = [](int count) { return static_cast<std::size_t>(count > 0 ? count : 0); };
  make(b.valid, planes((looks + 31) / 32), std::uint32_t{0});
  make(b.xty, planes(params), 0.0);
  make(b.yty, 1, 0.0);
  make(b.beta, planes(params), 0.0);
  make(b.sigma, 1, 0.0);
  make(b.window_sum, 1, 0.0);
  make(b.history, 1, std::uint16_t{0});
  make(b.ring_look, planes(capacity), std::uint16_t{0});
  make(b.window, 1, std::uint16_t{0});
  make(b.next, 1, std::uint16_t{0});
  make(b.clear, 1, std::uint16_t{0});
  make(b.ring, planes(capacity), 0.0f);
  make(b.fall_sum, 1, 0.0f);
  make(b.ratio, 1, nodata_f32());
  make(b.recent, 1, nodata_f32());
  make(b.model, 1, std::uint8_t{bfast_pending});
  make(b.status, 1, std::uint8_t{status_none});
  make(b.falls, 1, std::uint8_t{0});
  make(b.first, 1, std::int32_t{no_date});
  make(b.confirmed, 1, std::int32_t{no_date});
  return b;
}

/// The pointers the ops take, over `pixels` pixels.
template <template <class> class Array>
bfast_arrays view(bfast_buffers<Array>& b, std::size_t pixels) {
  bfast_arrays a;
  a.n = pixels;
  a.valid = b.valid.data();
  a.xty = b.xty.data();
  a.yty = b.yty.data();
  a.history = b.history.data();
  a.ring = b.ring.data();
  a.ring_look = b.ring_look.data();
  a.beta = b.beta.data();
  a.sigma = b.sigma.data();
  a.window_sum = b.window_sum.data();
  a.window = b.window.data();
  a.next = b.next.data();
  a.model = b.model.data();
  a.clear = b.clear.data();
  a.status = b.status.data();
  a.falls = b.falls.data();
  a.first = b.first.data();
  a.confirmed = b.confirmed.data();
  a.fall_sum = b.fall_sum.data();
  a.ratio = b.ratio.data();
  a.recent = b.recent.data();
  return a;
}

}  // namespace geosweep::kernels
