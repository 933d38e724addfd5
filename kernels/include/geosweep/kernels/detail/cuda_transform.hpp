#pragma once
/// \file
/// Declarations shared by the dispatcher and the CUDA translation unit. The CUDA side is
/// explicitly instantiated for the (op, output, inputs...) combinations listed below; a
/// new operation is added to GEOSWEEP_TRANSFORM_INSTANTIATIONS (or, for for_each_pixel, to
/// GEOSWEEP_FOR_EACH_INSTANTIATIONS) and nowhere else.

#include <cstddef>
#include <cstdint>

#include "geosweep/kernels/bfast.hpp"
#include "geosweep/kernels/cause.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/detector.hpp"
#include "geosweep/kernels/fill.hpp"
#include "geosweep/kernels/indices.hpp"

namespace geosweep::kernels::detail {

/// `run`: copies host inputs to the device, runs `op` over every pixel, copies the output
/// back and waits. `launch`: queues `op` over device-resident arrays on a cudaStream_t.
template <class Op, class Out, class... In>
struct cuda_transform {
  static void run(std::size_t n, Op op, Out* out, In const*... in);
  static void launch(void* stream, std::size_t n, Op op, Out* out, In const*... in);
};

/// `launch`: queues op(i) for i in [0, n) on a cudaStream_t (for_each_pixel).
template <class Op>
struct cuda_for_each {
  static void launch(void* stream, std::size_t n, Op op);
};

}  // namespace geosweep::kernels::detail

/// Every op the CUDA backend's for_each_pixel is built for.
#define GEOSWEEP_FOR_EACH_INSTANTIATIONS(X) \
  X(::geosweep::kernels::bfast_history_op)  \
  X(::geosweep::kernels::bfast_fit_op)      \
  X(::geosweep::kernels::bfast_monitor_op)  \
  X(::geosweep::kernels::bfast_results_op)  \
  X(::geosweep::kernels::bfast_class_op)

/// Every (op, output, inputs...) the CUDA backend is built for.
#define GEOSWEEP_TRANSFORM_INSTANTIATIONS(X)                                                       \
  X(::geosweep::kernels::reflectance_op, float, std::uint16_t)                                     \
  X(::geosweep::kernels::reflectance_op, float, std::uint16_t, std::uint8_t)                       \
  X(::geosweep::kernels::real_reflectance_op, float, double)                                       \
  X(::geosweep::kernels::real_reflectance_op, float, double, std::uint8_t)                         \
  X(::geosweep::kernels::class_is_clear_op, std::uint8_t, std::uint16_t)                           \
  X(::geosweep::kernels::bits_are_clear_op, std::uint8_t, std::uint16_t)                           \
  X(::geosweep::kernels::normalized_difference_op, float, float, float)                            \
  X(::geosweep::kernels::spectral_index_op, float, float, float)                                   \
  X(::geosweep::kernels::spectral_index_op, float, float, float, float)                            \
  X(::geosweep::kernels::spectral_index_op, float, float, float, float, float)                     \
  X(::geosweep::kernels::latest_clear_op, float, float, float)                                     \
  X(::geosweep::kernels::latest_clear_date_op<float>, float, float, float)                         \
  X(::geosweep::kernels::all_clear_day_op, float, float, float, float, float)                      \
  X(::geosweep::kernels::latest_where_clear_op, float, float, float, float)                        \
  X(::geosweep::kernels::bitemporal_change_op, std::uint8_t, float, float, std::uint8_t)           \
  X(::geosweep::kernels::is_change_op, std::uint8_t, std::uint8_t)                                 \
  X(::geosweep::kernels::cause_evidence_op, std::uint8_t, float, float, float, float, float, float, \
    float, float)                                                                                  \
  X(::geosweep::kernels::state_class_op, std::uint8_t, ::geosweep::kernels::pixel_state, float,    \
    std::uint8_t)                                                                                  \
  X(::geosweep::kernels::seed_status_op, std::uint8_t, std::uint8_t)                               \
  X(::geosweep::kernels::seed_date_op, std::int32_t, std::int32_t, std::uint8_t)                   \
  X(::geosweep::kernels::baseline_update_op, ::geosweep::kernels::pixel_state,                     \
    ::geosweep::kernels::pixel_state, float)                                                       \
  X(::geosweep::kernels::monitor_update_op, ::geosweep::kernels::pixel_state,                      \
    ::geosweep::kernels::pixel_state, float)                                                       \
  X(::geosweep::kernels::state_status_op, std::uint8_t, ::geosweep::kernels::pixel_state)          \
  X(::geosweep::kernels::state_first_anomaly_op, std::int32_t, ::geosweep::kernels::pixel_state)   \
  X(::geosweep::kernels::state_confirmed_op, std::int32_t, ::geosweep::kernels::pixel_state)       \
  X(::geosweep::kernels::state_magnitude_op, float, ::geosweep::kernels::pixel_state)              \
  X(::geosweep::kernels::state_grown_magnitude_op, float, ::geosweep::kernels::pixel_state, float) \
  X(::geosweep::kernels::state_clear_count_op, std::uint16_t, ::geosweep::kernels::pixel_state)    \
  X(::geosweep::kernels::state_baseline_mean_op, float, ::geosweep::kernels::pixel_state)          \
  X(::geosweep::kernels::latest_clear_date_op<std::int32_t>, std::int32_t, std::int32_t, float)    \
  X(::geosweep::kernels::clear_count_op, std::uint16_t, std::uint16_t, float)                      \
  X(::geosweep::kernels::fill_op<float>, float)                                                    \
  X(::geosweep::kernels::fill_op<std::int32_t>, std::int32_t)                                      \
  X(::geosweep::kernels::fill_op<std::uint16_t>, std::uint16_t)                                    \
  X(::geosweep::kernels::fill_op<std::uint8_t>, std::uint8_t)                                      \
  X(::geosweep::kernels::fill_op<std::uint32_t>, std::uint32_t)                                    \
  X(::geosweep::kernels::fill_op<double>, double)                                                  \
  X(::geosweep::kernels::fill_op<::geosweep::kernels::pixel_state>,                                \
    ::geosweep::kernels::pixel_state)
