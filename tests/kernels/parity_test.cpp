// CPU and CUDA give bit-identical results for every kernel, on random and edge inputs
// (NaN, nodata, zero denominators, saturation), at edge sizes (empty, around warp and block
// boundaries, past one launch's grid) through both the one-shot and the stream path, and in a
// multi-slot streamed series ordered by events alone. Exits 77 (skipped) without a CUDA
// device.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cfloat>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/bfast.hpp"
#include "geosweep/kernels/bfast_state.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/detector.hpp"
#include "geosweep/kernels/indices.hpp"
#include "geosweep/kernels/stream.hpp"
#include "geosweep/kernels/transform.hpp"

namespace k = geosweep::kernels;

namespace {

template <class T>
bool bit_identical(std::vector<T> const& a, std::vector<T> const& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

template <class Op, class Out, class... In>
void expect_parity(std::size_t n, Op const& op, std::vector<In> const&... in) {
  std::vector<Out> cpu(n), gpu(n);
  k::transform_pixels(k::backend::cpu, n, op, cpu.data(), in.data()...);
  k::transform_pixels(k::backend::cuda, n, op, gpu.data(), in.data()...);
  EXPECT_TRUE(bit_identical(cpu, gpu));
}

std::vector<std::uint16_t> random_dn(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint16_t> v(n);
  for (auto& x : v) x = static_cast<std::uint16_t>(rng() % 65536);
  // Edge values: nodata, the BOA offset itself (reflectance 0), saturation.
  v[0] = 0;
  v[1] = 1000;
  v[2] = 65535;
  v[3] = 1;
  return v;
}

std::vector<float> random_index(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(static_cast<double>(rng() % 2000001) / 1000000.0 - 1.0);
  v[0] = std::numeric_limits<float>::quiet_NaN();
  v[1] = 0.0f;
  v[2] = -0.0f;
  v[3] = 1.0f;
  return v;
}

std::size_t const kPixels = (1 << 20) + 17;

// ---- Edge sizes and edge values: every element compared bit for bit, on both paths.

/// Empty and tiny arrays, sizes either side of a warp (32) and a block (256), and a few
/// thousand + 1.
std::vector<std::size_t> const kEdgeSizes{0, 1, 2, 3, 31, 32, 33, 255, 256, 257, 4097};

/// More pixels than one launch's grid covers (the CUDA backend caps the grid at 32 blocks of
/// 256 threads per SM, 1081344 threads on an H200), so the grid-stride loop turns; and more
/// than the 25^4 combinations of four values of finite_edge_floats().
std::size_t const kPastOneGrid = (std::size_t{1} << 21) + 1;

/// A value in a failure message: floats as their bits (NaN payloads differ where values
/// print alike), integers as numbers.
template <class T>
std::string describe(T const& v) {
  std::ostringstream out;
  if constexpr (std::is_same_v<T, float>) {
    out << "0x" << std::hex << std::bit_cast<std::uint32_t>(v) << std::dec << " (" << v << ")";
  } else {
    out << +v;
  }
  return out.str();
}

std::string describe(k::pixel_state const& s) {
  std::ostringstream out;
  out << "{mean " << describe(s.baseline_mean) << ", m2 " << describe(s.baseline_m2) << ", first "
      << s.first_anomaly << ", confirmed " << s.confirmed << ", magnitude sum "
      << describe(s.magnitude_sum) << ", counts " << s.baseline_count << "/" << s.clear_count
      << ", status " << int{s.status} << ", anomalies " << int{s.anomaly_count} << ", padding";
  for (auto const b : s.padding) out << " " << int{b};
  out << "}";
  return out.str();
}

/// Expects `actual` to hold the bits of `expected` (the CPU's result, in the parity tests),
/// element by element; names the first few elements that differ, with the inputs that gave
/// them.
template <class T, class DescribeInputs>
void expect_bits(std::string const& what, std::vector<T> const& expected,
                 std::vector<T> const& actual, DescribeInputs const& inputs_at) {
  ASSERT_EQ(expected.size(), actual.size()) << what;
  if (bit_identical(expected, actual)) return;
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (std::memcmp(&expected[i], &actual[i], sizeof(T)) == 0) continue;
    if (++mismatches > 5) continue;
    std::string const inputs = inputs_at(i);
    ADD_FAILURE() << what << ": element " << i << " of " << expected.size() << ": expected "
                  << describe(expected[i]) << ", got " << describe(actual[i])
                  << (inputs.empty() ? "" : ", from inputs") << inputs;
  }
  ADD_FAILURE() << what << ": " << mismatches << " of " << expected.size() << " elements differ";
}

/// `n` elements of T all made of the byte `fill`: a result array no kernel has written yet,
/// so that an element a backend skips cannot match the other backend's by luck.
template <class T>
std::vector<T> unwritten(std::size_t n, unsigned char fill) {
  std::vector<T> v(n);
  if (n > 0) std::memset(static_cast<void*>(v.data()), fill, n * sizeof(T));
  return v;
}

/// An input array staged for the stream path: pinned host memory and its device copy.
template <class T>
struct staged_input {
  k::pinned_array<T> host;
  k::device_array<T> device;
};

/// The stream path on backend `where`: inputs copied from pinned arrays into device_arrays,
/// the transform queued on a stream, the result copied back into a pinned array.
template <class Out, class Op, class... In>
std::vector<Out> transform_on_stream(k::backend where, std::size_t n, Op const& op,
                                     std::vector<In> const&... in) {
  k::stream s(where);
  auto const stage = [&](auto const& values) {
    using T = typename std::remove_cvref_t<decltype(values)>::value_type;
    staged_input<T> staged{k::pinned_array<T>(where, n), k::device_array<T>(s, n)};
    std::copy(values.begin(), values.end(), staged.host.begin());
    k::copy_to_device(s, staged.device, staged.host.data(), n);
    return staged;
  };
  auto inputs = std::make_tuple(stage(in)...);
  k::device_array<Out> device_out(s, n);
  k::pinned_array<Out> host_out(where, n);
  if (n > 0) std::memset(static_cast<void*>(host_out.data()), 0xA5, n * sizeof(Out));
  k::copy_to_device(s, device_out, host_out.data(), n);  // unwritten bytes, as above
  std::apply(
      [&](auto&... staged) {
        k::transform_pixels(s, n, op, device_out.data(), std::as_const(staged.device).data()...);
      },
      inputs);
  k::copy_to_host(s, host_out.data(), device_out, n);
  s.synchronize();
  return {host_out.begin(), host_out.end()};
}

/// The one-shot CPU result against the one-shot CUDA result, the CUDA stream path and the CPU
/// stream path, bit for bit. Returns the CPU result, for a series to go on from.
template <class Out, class Op, class... In>
std::vector<Out> expect_kernel_parity(std::string const& what, std::size_t n, Op const& op,
                                      std::vector<In> const&... in) {
  auto const inputs_at = [&](std::size_t i) {
    std::ostringstream text;
    ((text << " " << describe(in[i])), ...);
    return text.str();
  };
  std::string const where = what + ", n = " + std::to_string(n);
  auto cpu = unwritten<Out>(n, 0x5A);
  auto cuda = unwritten<Out>(n, 0xA5);
  k::transform_pixels(k::backend::cpu, n, op, cpu.data(), in.data()...);
  k::transform_pixels(k::backend::cuda, n, op, cuda.data(), in.data()...);
  expect_bits(where + ", cuda one-shot", cpu, cuda, inputs_at);
  expect_bits(where + ", cuda stream", cpu,
              transform_on_stream<Out>(k::backend::cuda, n, op, in...), inputs_at);
  expect_bits(where + ", cpu stream", cpu, transform_on_stream<Out>(k::backend::cpu, n, op, in...),
              inputs_at);
  return cpu;
}

/// values[i] = pool[(i / pool.size()^lane + 7 lane) % pool.size()]: arrays of lanes
/// 0..k-1 side by side run through every combination of k pool values within their first
/// pool.size()^k elements (all pairs at 4097 elements for a pool of up to 64 values).
template <class T>
std::vector<T> enumerate_pool(std::size_t n, std::vector<T> const& pool, int lane) {
  std::size_t stride = 1;
  for (int l = 0; l < lane; ++l) stride *= pool.size();
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = pool[(i / stride + 7 * static_cast<std::size_t>(lane)) % pool.size()];
  }
  return v;
}

/// Floats that reach no overflow and no invalid operation in any kernel: NaNs with other
/// payloads than nodata_f32() (the kernels must test for NaN before any arithmetic, since
/// x86 passes a payload on and the GPU does not), signed zeros, subnormals, the smallest
/// normal, and ordinary values at the kernels' thresholds (forest_min 0.6 and just below,
/// drop 0.25) and at their zero denominators (a = -b; SAVI's a + b = -0.5; EVI's nir = -1
/// with red = blue = 0; MSAVI's negative radicand at a = 0, b = -1).
std::vector<float> finite_edge_floats() {
  return {std::numeric_limits<float>::quiet_NaN(),
          std::bit_cast<float>(std::uint32_t{0x7fc12345}),  // quiet NaN, another payload
          std::bit_cast<float>(std::uint32_t{0xffc00001}),  // negative quiet NaN
          std::bit_cast<float>(std::uint32_t{0x7f800001}),  // signalling NaN
          0.0f,
          -0.0f,
          std::numeric_limits<float>::denorm_min(),
          -std::numeric_limits<float>::denorm_min(),
          1e-40f,
          -1e-40f,
          -1e-39f,
          FLT_MIN,
          -FLT_MIN,
          1e-4f,
          0.25f,
          -0.25f,
          0.3f,
          0.5f,
          -0.5f,
          0.59999996f,
          0.6f,
          0.8f,
          1.0f,
          -1.0f,
          2.0f};
}

/// The finite edges and values that overflow or are infinite: +-inf, +-FLT_MAX, +-1e30.
std::vector<float> non_finite_edge_floats() {
  auto pool = finite_edge_floats();
  for (float v : {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                  FLT_MAX, -FLT_MAX, 1e30f, -1e30f}) {
    pool.push_back(v);
  }
  return pool;
}

/// The pool without its NaNs.
std::vector<float> without_nan(std::vector<float> pool) {
  std::erase_if(pool, [](float v) { return v != v; });
  return pool;
}

/// Every kernel with float inputs, at size n, on inputs from `pool`.
void expect_float_kernel_parity(std::size_t n, std::vector<float> const& pool) {
  auto const a = enumerate_pool(n, pool, 0);
  auto const b = enumerate_pool(n, pool, 1);
  auto const c = enumerate_pool(n, pool, 2);
  auto const d = enumerate_pool(n, pool, 3);
  expect_kernel_parity<float>("normalized difference", n, k::normalized_difference_op{}, a, b);
  using k::index_kind;
  for (auto kind : {index_kind::ndvi, index_kind::nbr, index_kind::nbr2, index_kind::ndmi,
                    index_kind::ndwi, index_kind::mndwi, index_kind::savi, index_kind::msavi}) {
    expect_kernel_parity<float>("index " + std::to_string(static_cast<int>(kind)), n,
                                k::spectral_index_op{kind}, a, b);
  }
  expect_kernel_parity<float>("evi", n, k::spectral_index_op{index_kind::evi}, a, b, c);
  expect_kernel_parity<float>("bsi", n, k::spectral_index_op{index_kind::bsi}, a, b, c, d);
  expect_kernel_parity<float>("latest clear", n, k::latest_clear_op{}, a, b);
  auto const days = enumerate_pool<std::int32_t>(
      n, {k::no_date, 0, -1, std::numeric_limits<std::int32_t>::min(), 19000}, 2);
  expect_kernel_parity<std::int32_t>("latest clear date", n,
                                     k::latest_clear_date_op<std::int32_t>{19010}, days, b);
  auto const counts = enumerate_pool<std::uint16_t>(n, {0, 1, 65534, 65535}, 2);
  expect_kernel_parity<std::uint16_t>("clear count", n, k::clear_count_op{}, counts, b);
  auto const inside = enumerate_pool<std::uint8_t>(n, {1, 0, 2, 255}, 2);
  expect_kernel_parity<std::uint8_t>("bitemporal", n, k::bitemporal_change_op{0.25f, 0.6f}, a, b,
                                     inside);
  expect_kernel_parity<std::uint8_t>("bitemporal, any drop", n,
                                     k::bitemporal_change_op{0.0f, -1.0f}, a, b, inside);
  expect_kernel_parity<std::uint8_t>("bitemporal, grown", n,
                                     k::bitemporal_change_op{0.25f, 0.6f, 0.1f}, a, b, inside);
  auto const classes = enumerate_pool<std::uint8_t>(n, {0, 1, 2, 3, 4, 254, 255}, 2);
  expect_kernel_parity<std::uint8_t>("seed status", n, k::seed_status_op{}, classes);
  expect_kernel_parity<std::int32_t>("seed date", n, k::seed_date_op{}, days, classes);
}

/// Detector states with every field at an edge: float fields from `float_fields`, counts at
/// 0, 1 and saturation, every status, anomaly counts at 0, 1 and 255, dates inside and outside
/// a 90-day window of 19050, and padding bytes that the kernels must carry through.
std::vector<k::pixel_state> edge_states(std::size_t n, std::vector<float> const& float_fields,
                                        std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto const pick = [&](auto const& choices) { return choices[rng() % choices.size()]; };
  std::array<std::int32_t, 4> const first_anomalies{k::no_date, 19000, 19040, 18900};
  std::array<std::int32_t, 2> const confirmations{k::no_date, 19010};
  std::array<std::uint16_t, 7> const baseline_counts{0, 1, 2, 3, 17, 65534, 65535};
  std::array<std::uint16_t, 4> const clear_counts{0, 1, 65534, 65535};
  std::array<std::uint8_t, 3> const statuses{k::status_none, k::status_low, k::status_high};
  std::array<std::uint8_t, 5> const anomaly_counts{0, 1, 2, 254, 255};
  std::vector<k::pixel_state> states(n);
  for (auto& s : states) {
    s.baseline_mean = pick(float_fields);
    s.baseline_m2 = pick(float_fields);
    s.first_anomaly = pick(first_anomalies);
    s.confirmed = pick(confirmations);
    s.magnitude_sum = pick(float_fields);
    s.baseline_count = pick(baseline_counts);
    s.clear_count = pick(clear_counts);
    s.status = pick(statuses);
    s.anomaly_count = pick(anomaly_counts);
    for (auto& byte : s.padding) byte = static_cast<std::uint8_t>(rng());
  }
  return states;
}

/// Every reader of the detector state.
void expect_state_reader_parity(std::string const& what, std::vector<k::pixel_state> const& s) {
  std::size_t const n = s.size();
  auto const inside = enumerate_pool<std::uint8_t>(n, {1, 0, 2, 255}, 0);
  auto const latest = enumerate_pool<float>(
      n, {k::nodata_f32(), 0.8f, 0.5f, 0.3f, -1.0f, 1.0f, std::numeric_limits<float>::infinity()},
      1);
  k::state_class_op grow;
  grow.grow_drop = 0.1f;
  grow.grow_k_sigma = 1.2f;
  expect_kernel_parity<std::uint8_t>(what + ", class", n, k::state_class_op{}, s, latest, inside);
  expect_kernel_parity<std::uint8_t>(what + ", class, grown", n, grow, s, latest, inside);
  expect_kernel_parity<float>(what + ", grown magnitude", n, k::state_grown_magnitude_op{grow}, s,
                              latest);
  expect_kernel_parity<std::uint8_t>(what + ", status", n, k::state_status_op{}, s);
  expect_kernel_parity<std::int32_t>(what + ", first anomaly", n, k::state_first_anomaly_op{}, s);
  expect_kernel_parity<std::int32_t>(what + ", confirmed", n, k::state_confirmed_op{}, s);
  expect_kernel_parity<float>(what + ", magnitude", n, k::state_magnitude_op{}, s);
  expect_kernel_parity<std::uint16_t>(what + ", clear count", n, k::state_clear_count_op{}, s);
  expect_kernel_parity<float>(what + ", baseline mean", n, k::state_baseline_mean_op{}, s);
}

/// The detector updates at size n: one step of each from edge states, and a series from fresh
/// states (each step compared, then continued from the CPU's result).
void expect_detector_parity(std::size_t n, std::vector<float> const& observations,
                            std::vector<float> const& state_fields, std::uint64_t seed) {
  auto const states = edge_states(n, state_fields, seed);
  auto const look = enumerate_pool(n, observations, 0);
  expect_kernel_parity<k::pixel_state>("baseline update of edge states", n, k::baseline_update_op{},
                                       states, look);
  k::monitor_update_op usual;
  usual.date = 19050;
  k::monitor_update_op eager;  // every clear look that falls at all is an anomaly
  eager.date = 19000;
  eager.drop = 0.0f;
  eager.k_sigma = 0.0f;
  eager.forest_min = -1.0f;
  eager.confirm = 1;
  eager.window_days = 0;
  k::monitor_update_op patient;  // never confirms, so anomaly counts climb to 255
  patient.date = 19090;
  patient.confirm = 255;
  patient.window_days = 1000;
  for (auto const& [name, op] :
       {std::pair{"usual", usual}, std::pair{"eager", eager}, std::pair{"patient", patient}}) {
    expect_kernel_parity<k::pixel_state>(
        std::string("monitor update (") + name + ") of edge states", n, op, states, look);
  }
  expect_state_reader_parity("edge states", states);

  std::vector<k::pixel_state> series(n);
  for (int step = 0; step < 3; ++step) {
    series = expect_kernel_parity<k::pixel_state>("baseline series, step " + std::to_string(step),
                                                  n, k::baseline_update_op{}, series,
                                                  enumerate_pool(n, observations, step));
  }
  for (int step = 0; step < 4; ++step) {
    k::monitor_update_op op;
    op.date = 19000 + 30 * step;
    series = expect_kernel_parity<k::pixel_state>("monitor series, step " + std::to_string(step), n,
                                                  op, series,
                                                  enumerate_pool(n, observations, (step + 1) % 4));
  }
  expect_state_reader_parity("series", series);
}

/// kernels::fill writes exactly the first n elements of a device array (the element after
/// them keeps the bits uploaded there), on both backends.
template <class T>
void expect_fill(std::size_t n, T value, T after) {
  std::vector<T> expected(n + 1, value);
  expected[n] = after;
  for (k::backend where : {k::backend::cpu, k::backend::cuda}) {
    k::stream s(where);
    k::device_array<T> array(s, n + 1);
    k::pinned_array<T> host(where, n + 1);
    std::fill(host.begin(), host.end(), after);
    k::copy_to_device(s, array, host.data(), n + 1);
    k::fill(s, array, n, value);
    k::copy_to_host(s, host.data(), array, n + 1);
    s.synchronize();
    expect_bits(
        std::string("fill on ") + std::string(k::to_string(where)) + ", n = " + std::to_string(n),
        expected, std::vector<T>(host.begin(), host.end()),
        [](std::size_t) { return std::string(); });
  }
}

}  // namespace

TEST(Parity, Reflectance) {
  auto const dn = random_dn(kPixels, 1);
  expect_parity<k::reflectance_op, float>(kPixels, k::reflectance_op{-1000.0f, 10000.0f}, dn);
  k::reflectance_op landsat;
  landsat.scale = 0.0000275f;
  landsat.offset = -0.2f;
  expect_parity<k::reflectance_op, float>(kPixels, landsat, dn);
}

TEST(Parity, RealReflectance) {
  // DNs of every other type, as doubles: negative, fractional, huge, the nodata value, the
  // saturated codes, NaN and infinities.
  std::vector<double> dn(kPixels);
  std::vector<std::uint8_t> clear(kPixels);
  double const specials[] = {-9999.0,
                             20000.0,
                             0.1f,
                             -0.0,
                             0.0,
                             4294967295.0,
                             -2147483648.0,
                             __builtin_nan(""),
                             __builtin_inf(),
                             -__builtin_inf()};
  for (std::size_t i = 0; i < kPixels; ++i) {
    auto const h = static_cast<std::uint32_t>(i * 2654435761u);
    dn[i] = i % 7 == 0 ? specials[(h >> 8) % 10] : (static_cast<double>(h) - 2147483648.0) / 3e5;
    clear[i] = static_cast<std::uint8_t>(i % 5 != 0);
  }
  k::real_reflectance_op espa;
  espa.scale = 0.0001f;
  espa.nodata = -9999.0;
  espa.has_nodata = true;
  espa.saturated_count = 2;
  espa.saturated[0] = 20000.0;
  espa.saturated[1] = static_cast<double>(0.1f);
  expect_parity<k::real_reflectance_op, float>(kPixels, espa, dn);
  k::real_reflectance_op sentinel2{-1000.0f, 10000.0f};
  expect_parity<k::real_reflectance_op, float>(kPixels, sentinel2, dn, clear);
}

TEST(Parity, MaskedReflectanceAndQuality) {
  auto const dn = random_dn(kPixels, 2);
  std::vector<std::uint16_t> qa(kPixels);
  std::vector<std::uint8_t> clear(kPixels);
  for (std::size_t i = 0; i < kPixels; ++i) {
    qa[i] = static_cast<std::uint16_t>((i * 2654435761u) >> 16);
    clear[i] = static_cast<std::uint8_t>(i % 5 != 0);
  }
  expect_parity<k::reflectance_op, float>(kPixels, k::reflectance_op{-1000.0f, 10000.0f}, dn,
                                          clear);
  expect_parity<k::class_is_clear_op, std::uint8_t>(kPixels, k::class_is_clear_op{0xF0}, qa);
  expect_parity<k::bits_are_clear_op, std::uint8_t>(kPixels, k::bits_are_clear_op{0x3F, 0x40}, qa);
}

TEST(Parity, EverySpectralIndex) {
  auto const a = random_index(kPixels, 3);
  auto const b = random_index(kPixels, 4);
  auto const c = random_index(kPixels, 5);
  auto const d = random_index(kPixels, 6);
  using k::index_kind;
  for (auto kind : {index_kind::ndvi, index_kind::nbr, index_kind::nbr2, index_kind::ndmi,
                    index_kind::ndwi, index_kind::mndwi, index_kind::savi, index_kind::msavi}) {
    SCOPED_TRACE(static_cast<int>(kind));
    expect_parity<k::spectral_index_op, float>(kPixels, k::spectral_index_op{kind}, a, b);
  }
  expect_parity<k::spectral_index_op, float>(kPixels, k::spectral_index_op{index_kind::evi}, a, b,
                                             c);
  expect_parity<k::spectral_index_op, float>(kPixels, k::spectral_index_op{index_kind::bsi}, a, b,
                                             c, d);
}

TEST(Parity, BaselineDetectorOverASeries) {
  std::size_t const n = kPixels / 4;
  std::vector<k::pixel_state> cpu(n), gpu(n);
  std::mt19937_64 rng(7);
  auto const observation = [&](float centre) {
    std::vector<float> v(n);
    for (auto& x : v) {
      std::uint64_t const r = rng();
      x = (r % 10 == 0)
              ? std::numeric_limits<float>::quiet_NaN()
              : centre + static_cast<float>(static_cast<double>(r % 100001) / 100000.0 - 0.5);
    }
    return v;
  };
  for (int date = 0; date < 3; ++date) {
    auto const obs = observation(0.8f);
    k::transform_pixels(k::backend::cpu, n, k::baseline_update_op{}, cpu.data(),
                        static_cast<k::pixel_state const*>(cpu.data()), obs.data());
    k::transform_pixels(k::backend::cuda, n, k::baseline_update_op{}, gpu.data(),
                        static_cast<k::pixel_state const*>(gpu.data()), obs.data());
  }
  for (int date = 0; date < 5; ++date) {
    auto const obs = observation(0.5f);
    k::monitor_update_op op;
    op.date = 19000 + 10 * date;
    k::transform_pixels(k::backend::cpu, n, op, cpu.data(),
                        static_cast<k::pixel_state const*>(cpu.data()), obs.data());
    k::transform_pixels(k::backend::cuda, n, op, gpu.data(),
                        static_cast<k::pixel_state const*>(gpu.data()), obs.data());
  }
  EXPECT_TRUE(bit_identical(cpu, gpu));
  std::vector<std::uint8_t> inside(n);
  for (std::size_t i = 0; i < n; ++i) inside[i] = static_cast<std::uint8_t>(i % 9 % 3);
  auto const latest = observation(0.6f);
  k::state_class_op grow;
  grow.grow_drop = 0.1f;
  grow.grow_k_sigma = 1.2f;
  expect_parity<k::state_class_op, std::uint8_t>(n, k::state_class_op{}, cpu, latest, inside);
  expect_parity<k::state_class_op, std::uint8_t>(n, grow, cpu, latest, inside);
  expect_parity<k::state_first_anomaly_op, std::int32_t>(n, k::state_first_anomaly_op{}, cpu);
  expect_parity<k::state_confirmed_op, std::int32_t>(n, k::state_confirmed_op{}, cpu);
  expect_parity<k::state_magnitude_op, float>(n, k::state_magnitude_op{}, cpu);
  expect_parity<k::state_clear_count_op, std::uint16_t>(n, k::state_clear_count_op{}, cpu);
}

TEST(Parity, NormalizedDifferenceFoldAndChange) {
  auto const x = random_index(kPixels, 4);
  auto const y = random_index(kPixels, 5);
  expect_parity<k::normalized_difference_op, float>(kPixels, k::normalized_difference_op{}, x, y);
  expect_parity<k::latest_clear_op, float>(kPixels, k::latest_clear_op{}, x, y);
  std::vector<std::uint8_t> inside(kPixels), classes(kPixels);
  for (std::size_t i = 0; i < kPixels; ++i) {
    inside[i] = (i % 7) != 0;
    classes[i] = static_cast<std::uint8_t>(i % 256);
  }
  expect_parity<k::bitemporal_change_op, std::uint8_t>(
      kPixels, k::bitemporal_change_op{0.25f, 0.6f}, x, y, inside);
  expect_parity<k::is_change_op, std::uint8_t>(kPixels, k::is_change_op{}, classes);
  // The cause evidence over eight independent looks (NaN among them).
  std::vector<std::vector<float>> looks;
  for (std::uint64_t seed = 6; seed < 14; ++seed) looks.push_back(random_index(kPixels, seed));
  expect_parity<k::cause_evidence_op, std::uint8_t>(kPixels, k::cause_evidence_op{}, looks[0],
                                                    looks[1], looks[2], looks[3], looks[4],
                                                    looks[5], looks[6], looks[7]);
}

// The pipeline's resident path: slot uploads on one stream, the chunk's work on another that
// waits for the upload's event, state resident over several dates, results copied back into
// pinned memory. Same bits as the CPU running the same calls inline.
std::vector<k::pixel_state> resident_series(k::backend where,
                                            std::vector<std::vector<float>> const& looks,
                                            std::vector<std::int32_t>& days) {
  std::size_t const n = looks.front().size();
  k::stream compute(where), copies(where);
  k::event uploaded(where);
  k::device_array<k::pixel_state> state(compute, n);
  k::device_array<std::int32_t> day(compute, n);
  k::fill(compute, state, n, k::pixel_state{});
  k::fill(compute, day, n, std::int32_t{k::no_date});
  k::pinned_array<float> host(where, n);
  k::device_array<float> look(copies, n);
  for (std::size_t d = 0; d < looks.size(); ++d) {
    std::copy(looks[d].begin(), looks[d].end(), host.begin());
    k::copy_to_device(copies, look, host.data(), n);
    uploaded.record(copies);
    compute.wait(uploaded);
    auto const* in = static_cast<float const*>(look.data());
    if (d < 3) {
      k::transform_pixels(compute, n, k::baseline_update_op{}, state.data(),
                          static_cast<k::pixel_state const*>(state.data()), in);
    } else {
      k::monitor_update_op op;
      op.date = 18000 + static_cast<std::int32_t>(d) * 5;
      k::transform_pixels(compute, n, op, state.data(),
                          static_cast<k::pixel_state const*>(state.data()), in);
    }
    k::transform_pixels(compute, n,
                        k::latest_clear_date_op<std::int32_t>{static_cast<std::int32_t>(d)},
                        day.data(), static_cast<std::int32_t const*>(day.data()), in);
    compute.synchronize();  // as the pipeline does before it releases a slot
  }
  k::pinned_array<k::pixel_state> out(where, n);
  k::copy_to_host(compute, out.data(), state, n);
  days.resize(n);
  k::copy_to_host(compute, days.data(), day, n);
  compute.synchronize();
  return {out.begin(), out.end()};
}

TEST(Parity, ResidentStreamsOverASeries) {
  std::size_t const n = (1 << 18) + 3;
  std::vector<std::vector<float>> looks;
  for (int d = 0; d < 8; ++d) {
    auto look = random_index(n, 100 + static_cast<std::uint64_t>(d));
    for (std::size_t i = 0; i < n; i += 5 + static_cast<std::size_t>(d)) look[i] = k::nodata_f32();
    looks.push_back(std::move(look));
  }
  std::vector<std::int32_t> cpu_days, gpu_days;
  auto const cpu = resident_series(k::backend::cpu, looks, cpu_days);
  auto const gpu = resident_series(k::backend::cuda, looks, gpu_days);
  EXPECT_TRUE(bit_identical(cpu, gpu));
  EXPECT_EQ(cpu_days, gpu_days);
}

TEST(Parity, EdgeSizesOfIntegerInputKernels) {
  // DNs at nodata, at the BOA offset and either side of it, at the quantification, at the
  // int16 boundary and at and below saturation.
  std::vector<std::uint16_t> const dn_pool{0,     1,     2,     999,   1000,  1001,  9999,
                                           10000, 10001, 32767, 32768, 65533, 65534, 65535};
  k::reflectance_op const sentinel2{-1000.0f, 10000.0f};
  k::reflectance_op landsat;
  landsat.scale = 0.0000275f;
  landsat.offset = -0.2f;
  k::reflectance_op no_nodata = sentinel2;  // DN 0 goes through the arithmetic
  no_nodata.has_nodata = false;
  k::reflectance_op low_saturation = sentinel2;
  low_saturation.saturation = 10000;
  for (std::size_t const n : kEdgeSizes) {
    auto const dn = enumerate_pool(n, dn_pool, 0);
    auto const clear = enumerate_pool<std::uint8_t>(n, {1, 0, 2, 255}, 1);
    for (auto const& [name, op] :
         {std::pair{"sentinel-2", sentinel2}, std::pair{"landsat", landsat},
          std::pair{"no nodata", no_nodata}, std::pair{"saturation 10000", low_saturation}}) {
      expect_kernel_parity<float>(std::string("reflectance, ") + name, n, op, dn);
      expect_kernel_parity<float>(std::string("masked reflectance, ") + name, n, op, dn, clear);
    }
    auto const classes =
        enumerate_pool<std::uint16_t>(n, {0, 1, 4, 7, 8, 31, 32, 33, 255, 256, 65534, 65535}, 0);
    for (std::uint32_t const clear_classes : {0xF0u, 0u, 0xFFFFFFFFu, 0x80000001u}) {
      expect_kernel_parity<std::uint8_t>("class is clear", n, k::class_is_clear_op{clear_classes},
                                         classes);
    }
    auto const qa =
        enumerate_pool<std::uint16_t>(n, {0, 1, 0x3F, 0x40, 0x7F, 0xC0, 0x8000, 0xFFFE, 0xFFFF}, 0);
    for (auto const op : {k::bits_are_clear_op{0x3F, 0x40}, k::bits_are_clear_op{0xFFFF, 0},
                          k::bits_are_clear_op{0, 0xFFFF}, k::bits_are_clear_op{0, 0}}) {
      expect_kernel_parity<std::uint8_t>("bits are clear", n, op, qa);
    }
    auto const change_classes =
        enumerate_pool<std::uint8_t>(n, {0, 1, 2, 3, 128, 253, 254, 255}, 0);
    expect_kernel_parity<std::uint8_t>("is change", n, k::is_change_op{}, change_classes);
  }
}

TEST(Parity, EdgeSizesOfFloatKernels) {
  auto const pool = finite_edge_floats();
  for (std::size_t const n : kEdgeSizes) expect_float_kernel_parity(n, pool);
}

TEST(Parity, EdgeSizesOfDetectorUpdates) {
  auto const pool = finite_edge_floats();
  std::uint64_t seed = 200;
  for (std::size_t const n : kEdgeSizes) expect_detector_parity(n, pool, without_nan(pool), seed++);
  // More edge states than 4097: their fields are drawn at random, not enumerated.
  expect_detector_parity(65537, pool, without_nan(pool), seed);
}

// One kernel of each shape past one grid (every kernel runs the same grid-stride loop), with
// the four-band index over every combination of four edge values.
TEST(Parity, PastOneGrid) {
  std::size_t const n = kPastOneGrid;
  auto const pool = finite_edge_floats();
  auto const a = enumerate_pool(n, pool, 0);
  auto const b = enumerate_pool(n, pool, 1);
  auto const c = enumerate_pool(n, pool, 2);
  auto const d = enumerate_pool(n, pool, 3);
  auto const dn = enumerate_pool<std::uint16_t>(n, {0, 1, 1000, 1001, 65534, 65535}, 0);
  auto const clear = enumerate_pool<std::uint8_t>(n, {1, 0, 255}, 1);
  expect_kernel_parity<float>("masked reflectance", n, k::reflectance_op{-1000.0f, 10000.0f}, dn,
                              clear);
  expect_kernel_parity<float>("ndvi", n, k::spectral_index_op{k::index_kind::ndvi}, a, b);
  expect_kernel_parity<float>("evi", n, k::spectral_index_op{k::index_kind::evi}, a, b, c);
  expect_kernel_parity<float>("bsi", n, k::spectral_index_op{k::index_kind::bsi}, a, b, c, d);
  auto const inside = enumerate_pool<std::uint8_t>(n, {1, 0, 255}, 2);
  expect_kernel_parity<std::uint8_t>("bitemporal", n, k::bitemporal_change_op{0.25f, 0.6f}, a, b,
                                     inside);
  auto const states = edge_states(n, without_nan(pool), 400);
  k::monitor_update_op op;
  op.date = 19050;
  auto const updated =
      expect_kernel_parity<k::pixel_state>("monitor update of edge states", n, op, states, a);
  k::state_class_op grow;
  grow.grow_drop = 0.1f;
  grow.grow_k_sigma = 1.2f;
  expect_kernel_parity<std::uint8_t>("class", n, grow, updated, b, inside);
  k::pixel_state marked;
  for (auto& byte : marked.padding) byte = 0xEE;
  expect_fill<float>(n, std::bit_cast<float>(std::uint32_t{0x7fc12345}), -0.0f);
  expect_fill<k::pixel_state>(n, marked, k::pixel_state{});
}

// Infinite and overflowing inputs, kept apart from the tests above: here the kernels compute
// NaN themselves (inf / inf, inf - inf, and NaN state fields in arithmetic), and x86 gives
// such a NaN the bits 0xffc00000 (or passes an input's payload on) where a GPU always gives
// 0x7fffffff. Identical bits therefore need the kernels to return nodata_f32() for a NaN
// result instead of the NaN the arithmetic made.
TEST(Parity, EdgeSizesWithInfiniteAndOverflowingInputs) {
  auto const pool = non_finite_edge_floats();
  std::uint64_t seed = 300;
  for (std::size_t const n : kEdgeSizes) {
    expect_float_kernel_parity(n, pool);
    expect_detector_parity(n, pool, pool, seed++);
  }
}

TEST(Parity, FillWritesExactlyTheElementsAsked) {
  k::pixel_state marked;
  marked.baseline_mean = 0.75f;
  marked.first_anomaly = 19000;
  for (auto& byte : marked.padding) byte = 0xEE;
  for (std::size_t const n : kEdgeSizes) {
    expect_fill<float>(n, std::bit_cast<float>(std::uint32_t{0x7fc12345}), -0.0f);
    expect_fill<std::int32_t>(n, k::no_date, -1);
    expect_fill<std::uint16_t>(n, 65535, 7);
    expect_fill<k::pixel_state>(n, marked, k::pixel_state{});
  }
}

namespace {

/// One date of the multi-slot series: red and NIR digital numbers of a Sentinel-2 scene.
struct scene_bands {
  std::vector<std::uint16_t> red, nir;
};

std::int32_t const kSeriesFirstDay = 19000;
int const kSeriesBaselineDates = 4;

std::int32_t series_day(int date) {
  return kSeriesFirstDay + 8 * date;
}

/// Forest at NDVI about 0.8 with noise, clouds (DN 0, nodata) and saturated pixels placed
/// anew on each date, so that every date's input differs from every other's everywhere;
/// a fifth of the pixels cleared from date 7 on (confirmed at date 8), a fifth with one dip
/// at date 9 (a candidate, then cleared), a fifth with a dip on the last date (a candidate
/// at the end), and a tenth bare soil (never forest).
std::vector<scene_bands> forest_series(std::size_t n, int dates) {
  std::vector<scene_bands> series(static_cast<std::size_t>(dates));
  for (int d = 0; d < dates; ++d) {
    std::mt19937_64 rng(1000 + static_cast<std::uint64_t>(d));
    auto& bands = series[static_cast<std::size_t>(d)];
    bands.red.resize(n);
    bands.nir.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t const r = rng();
      int const group = static_cast<int>(i % 10);
      bool const cleared = (group < 2 && d >= 7) || ((group == 2 || group == 3) && d == 9) ||
                           ((group == 4 || group == 5) && d == dates - 1);
      int red = 1300 + static_cast<int>(r % 200);
      int nir = 4000 + static_cast<int>((r >> 8) % 1000);
      if (cleared || group == 9) {
        red = 1900 + static_cast<int>(r % 300);
        nir = 2200 + static_cast<int>((r >> 8) % 400);
      }
      if ((r >> 20) % 100 < 12) red = nir = 0;  // cloud: nodata in both bands
      if ((r >> 20) % 100 == 12) nir = 65535;   // saturated
      bands.red[i] = static_cast<std::uint16_t>(red);
      bands.nir[i] = static_cast<std::uint16_t>(nir);
    }
  }
  return series;
}

/// What a multi-slot run leaves: each date's NDVI as it came back through its slot's pinned
/// output, and the resident per-pixel arrays at the end.
struct series_outputs {
  std::vector<std::vector<float>> ndvi;
  std::vector<k::pixel_state> state;
  std::vector<std::int32_t> last_clear_day;
  std::vector<std::uint16_t> clear_count;
};

/// A slot of the streaming loop: pinned inputs the host fills, device buffers, a pinned
/// output, its own stream and its events. Not movable: its device arrays point at its stream.
struct stream_slot {
  k::stream stream;
  k::event ready;     ///< on `stream`: the slot's NDVI is computed and copied to `ndvi_out`
  k::event consumed;  ///< on the state stream: it has read the slot's `ndvi`
  k::pinned_array<std::uint16_t> red_dn, nir_dn;
  k::pinned_array<float> ndvi_out;
  k::device_array<std::uint16_t> red_dn_device, nir_dn_device;
  k::device_array<float> red, nir, ndvi;
  int date = -1;  ///< the date the slot holds, -1 before its first use

  stream_slot(k::backend where, std::size_t n)
      : stream(where),
        ready(where),
        consumed(where),
        red_dn(where, n),
        nir_dn(where, n),
        ndvi_out(where, n),
        red_dn_device(stream, n),
        nir_dn_device(stream, n),
        red(stream, n),
        nir(stream, n),
        ndvi(stream, n) {}
  stream_slot(stream_slot const&) = delete;
  stream_slot& operator=(stream_slot const&) = delete;
};

/// The pipeline's loop with `slot_count` slots: date d uses slot d % slot_count; the host
/// refills a slot only after waiting on its `ready` event (so its last upload has left the
/// pinned inputs and its NDVI has reached the pinned output, which the host then keeps); the
/// slot's stream waits for the state stream to have consumed its previous NDVI before it
/// overwrites it; the state stream waits for each slot's `ready` before it reads that slot.
/// Nothing else waits until one synchronisation at the end. A missing wait or an early reuse
/// reads one date's buffer in place of another's, and since every date's input differs, the
/// NDVI outputs and the state (Welford's mean and spread depend on the order of the looks)
/// differ from the CPU's.
series_outputs multi_slot_series(k::backend where, std::vector<scene_bands> const& scenes,
                                 int slot_count) {
  std::size_t const n = scenes.front().red.size();
  int const dates = static_cast<int>(scenes.size());
  k::reflectance_op const reflectance{-1000.0f, 10000.0f};
  k::stream state_stream(where);
  k::device_array<k::pixel_state> state(state_stream, n);
  k::device_array<std::int32_t> last_clear_day(state_stream, n);
  k::device_array<std::uint16_t> clear_count(state_stream, n);
  k::fill(state_stream, state, n, k::pixel_state{});
  k::fill(state_stream, last_clear_day, n, std::int32_t{k::no_date});
  k::fill(state_stream, clear_count, n, std::uint16_t{0});
  std::vector<std::unique_ptr<stream_slot>> slots;
  for (int s = 0; s < slot_count; ++s) slots.push_back(std::make_unique<stream_slot>(where, n));

  series_outputs out;
  out.ndvi.resize(static_cast<std::size_t>(dates));
  auto const keep_output = [&](stream_slot const& slot) {
    out.ndvi[static_cast<std::size_t>(slot.date)].assign(slot.ndvi_out.begin(),
                                                         slot.ndvi_out.end());
  };
  for (int d = 0; d < dates; ++d) {
    stream_slot& slot = *slots[static_cast<std::size_t>(d % slot_count)];
    bool const reused = slot.date >= 0;
    if (reused) {
      slot.ready.synchronize();
      keep_output(slot);
    }
    auto const& scene = scenes[static_cast<std::size_t>(d)];
    std::copy(scene.red.begin(), scene.red.end(), slot.red_dn.begin());
    std::copy(scene.nir.begin(), scene.nir.end(), slot.nir_dn.begin());
    slot.date = d;
    if (reused) slot.stream.wait(slot.consumed);
    k::copy_to_device(slot.stream, slot.red_dn_device, slot.red_dn.data(), n);
    k::copy_to_device(slot.stream, slot.nir_dn_device, slot.nir_dn.data(), n);
    k::transform_pixels(slot.stream, n, reflectance, slot.red.data(),
                        std::as_const(slot.red_dn_device).data());
    k::transform_pixels(slot.stream, n, reflectance, slot.nir.data(),
                        std::as_const(slot.nir_dn_device).data());
    k::transform_pixels(slot.stream, n, k::spectral_index_op{k::index_kind::ndvi}, slot.ndvi.data(),
                        std::as_const(slot.nir).data(), std::as_const(slot.red).data());
    k::copy_to_host(slot.stream, slot.ndvi_out.data(), slot.ndvi, n);
    slot.ready.record(slot.stream);

    state_stream.wait(slot.ready);
    auto const* look = std::as_const(slot.ndvi).data();
    auto const* previous = std::as_const(state).data();
    if (d < kSeriesBaselineDates) {
      k::transform_pixels(state_stream, n, k::baseline_update_op{}, state.data(), previous, look);
    } else {
      k::monitor_update_op op;
      op.date = series_day(d);
      k::transform_pixels(state_stream, n, op, state.data(), previous, look);
    }
    k::transform_pixels(state_stream, n, k::latest_clear_date_op<std::int32_t>{series_day(d)},
                        last_clear_day.data(), std::as_const(last_clear_day).data(), look);
    k::transform_pixels(state_stream, n, k::clear_count_op{}, clear_count.data(),
                        std::as_const(clear_count).data(), look);
    slot.consumed.record(state_stream);
  }

  k::pinned_array<k::pixel_state> state_out(where, n);
  k::pinned_array<std::int32_t> day_out(where, n);
  k::pinned_array<std::uint16_t> count_out(where, n);
  k::copy_to_host(state_stream, state_out.data(), state, n);
  k::copy_to_host(state_stream, day_out.data(), last_clear_day, n);
  k::copy_to_host(state_stream, count_out.data(), clear_count, n);
  // The one synchronisation: the state stream waited for every slot's last `ready`, so once
  // it is done, so is every slot.
  state_stream.synchronize();
  for (auto const& slot : slots) {
    if (slot->date >= 0) keep_output(*slot);
  }
  out.state.assign(state_out.begin(), state_out.end());
  out.last_clear_day.assign(day_out.begin(), day_out.end());
  out.clear_count.assign(count_out.begin(), count_out.end());
  return out;
}

}  // namespace

TEST(Parity, MultiSlotStreamsOrderedByEventsAlone) {
  std::size_t const n = (1 << 20) + 5;
  int const dates = 12;
  int const slot_count = 3;
  auto const scenes = forest_series(n, dates);
  auto const cpu = multi_slot_series(k::backend::cpu, scenes, slot_count);

  // The series must exercise the detector, or a wrong order could go unseen.
  std::size_t confirmed = 0, candidates = 0;
  for (auto const& s : cpu.state) {
    confirmed += s.status == k::status_high;
    candidates += s.status == k::status_low;
  }
  EXPECT_GT(confirmed, n / 10);
  EXPECT_GT(candidates, n / 20);
  for (int d = 1; d < dates; ++d) {
    EXPECT_FALSE(bit_identical(cpu.ndvi[static_cast<std::size_t>(d - 1)],
                               cpu.ndvi[static_cast<std::size_t>(d)]));
  }

  // A race shows only now and then: a few runs.
  auto const none = [](std::size_t) { return std::string(); };
  for (int run = 0; run < 3; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    auto const gpu = multi_slot_series(k::backend::cuda, scenes, slot_count);
    ASSERT_EQ(gpu.ndvi.size(), cpu.ndvi.size());
    for (std::size_t d = 0; d < cpu.ndvi.size(); ++d) {
      expect_bits("ndvi of date " + std::to_string(d), cpu.ndvi[d], gpu.ndvi[d], none);
    }
    expect_bits("final state", cpu.state, gpu.state, none);
    expect_bits("last clear day", cpu.last_clear_day, gpu.last_clear_day, none);
    expect_bits("clear count", cpu.clear_count, gpu.clear_count, none);
  }
}

namespace {

/// Every saved array of a bfast state after a seasonal series with cloudy looks and falls, run
/// through history, fit and monitoring on `where` (plus the results and classes), as bytes.
std::vector<std::vector<std::uint8_t>> bfast_series(k::backend where) {
  constexpr std::size_t n = 70001;  // past a warp, a block and several grid strides
  constexpr int params = 5, looks = 48, monitor = 30;
  int const capacity = looks / 4;
  std::mt19937_64 rng(77);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  k::stream s(where);
  auto b = k::make_bfast_buffers(s, n, params, looks, capacity);
  auto const a = k::view(b, n);
  k::pinned_array<float> host(where, n);
  k::device_array<float> index(s, n);
  auto const x_of = [](int day, double* x) {
    double const t = (day - 10957) / 365.25;
    x[0] = 1.0;
    for (int j = 1; j <= 2; ++j) {
      x[2 * j - 1] = std::cos(6.283185307179586 * j * t);
      x[2 * j] = std::sin(6.283185307179586 * j * t);
    }
  };
  auto const upload = [&](int look) {
    for (std::size_t i = 0; i < n; ++i) {
      float v = 0.7f + 0.1f * std::sin(0.3f * static_cast<float>(look) + 0.001f * i) +
                0.03f * (u(rng) - 0.5f);
      if (look >= looks + static_cast<int>(i % monitor)) v -= 0.3f * static_cast<float>(i % 3);
      host[i] = u(rng) < 0.25f ? k::nodata_f32() : v;
    }
    k::copy_to_device(s, index, host.data(), n);
  };
  std::vector<double> table;
  for (int l = 0; l < looks; ++l) {
    upload(l);
    k::bfast_history_op op;
    op.a = a;
    op.index = index.data();
    x_of(18000 + 7 * l, op.x);
    op.params = params;
    op.look = l;
    op.capacity = capacity;
    k::for_each_pixel(s, n, op);
    table.insert(table.end(), op.x, op.x + params);
    s.synchronize();  // `host` is rewritten next
  }
  k::device_array<double> resident_table(s, table.size());
  k::copy_to_device(s, resident_table, table.data(), table.size());
  k::bfast_fit_op fit{a, resident_table.data(), looks, params, capacity, 0.25, 10};
  k::for_each_pixel(s, n, fit);
  for (int l = looks; l < looks + monitor; ++l) {
    upload(l);
    k::bfast_monitor_op op;
    op.a = a;
    op.index = index.data();
    x_of(18000 + 7 * l, op.x);
    op.params = params;
    op.date = 18000 + 7 * l;
    op.lambda = k::bfast_critical_value(0.25, 10, 0.05);
    op.min_fall = 0.05f;
    k::for_each_pixel(s, n, op);
    s.synchronize();
  }
  k::device_array<std::int32_t> first(s, n), confirmed(s, n);
  k::device_array<float> magnitude(s, n), mean(s, n);
  k::device_array<std::uint16_t> clear(s, n);
  k::device_array<std::uint8_t> zone(s, n), change(s, n);
  k::fill(s, zone, n, std::uint8_t{k::zone_core});
  k::bfast_results_op results{
      a, first.data(), confirmed.data(), magnitude.data(), clear.data(), mean.data(), 0.5f, 0.6f};
  k::for_each_pixel(s, n, results);
  k::for_each_pixel(s, n, k::bfast_class_op{results, zone.data(), change.data()});
  std::vector<std::vector<std::uint8_t>> out;
  auto const take = [&](auto const& array) {
    using T = typename std::remove_cvref_t<decltype(array)>::value_type;
    std::vector<T> values(array.size());
    if (!values.empty()) k::copy_to_host(s, values.data(), array, values.size());
    s.synchronize();
    auto const* bytes = reinterpret_cast<std::uint8_t const*>(values.data());
    out.emplace_back(bytes, bytes + values.size() * sizeof(T));
  };
  k::each_saved([&](char const*, auto const& array) { take(array); }, b);
  for (auto const* v : {&first, &confirmed}) take(*v);
  for (auto const* v : {&magnitude, &mean}) take(*v);
  take(clear);
  take(change);
  return out;
}

}  // namespace

TEST(Parity, BfastHistoryFitAndMonitoring) {
  auto const cpu = bfast_series(k::backend::cpu);
  auto const gpu = bfast_series(k::backend::cuda);
  ASSERT_EQ(cpu.size(), gpu.size());
  for (std::size_t j = 0; j < cpu.size(); ++j) EXPECT_TRUE(cpu[j] == gpu[j]) << "array " << j;
}

int main(int argc, char** argv) {
  if (k::cuda_device_count() == 0) {
    std::printf("parity_test: no CUDA device (or no CUDA backend in this build): skipped\n");
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
