#pragma once
/// \file
/// Random per-pixel attributes of a change raster for the patch tests (patches_test,
/// patches_parity_test): dates (some missing), status, magnitude with NaN, negative values and
/// exact 1e-4 ties.

#include <cstdint>
#include <random>
#include <vector>

#include "geosweep/kernels/hd.hpp"
#include "geosweep/kernels/patches.hpp"

namespace geosweep::test_tools {

namespace k = geosweep::kernels;

struct pixel_attributes {
  std::vector<std::int32_t> first_date, confirmed_date;
  std::vector<std::uint8_t> status;
  std::vector<float> magnitude;
  pixel_attributes(std::size_t n, std::uint64_t seed)
      : first_date(n), confirmed_date(n), status(n), magnitude(n) {
    std::mt19937_64 rng(seed);
    for (std::size_t i = 0; i < n; ++i) {
      first_date[i] = rng() % 5 == 0 ? k::patch_no_date : 19000 + static_cast<int>(rng() % 2000);
      confirmed_date[i] =
          rng() % 3 == 0 ? k::patch_no_date : 19000 + static_cast<int>(rng() % 2000);
      status[i] = static_cast<std::uint8_t>(rng() % 4);
      switch (rng() % 6) {
        case 0:
          magnitude[i] = k::nodata_f32();
          break;
        case 1:  // exact 1e-4 ties, both signs
          magnitude[i] = (rng() % 2 ? 1.0f : -1.0f) * static_cast<float>(rng() % 64 + 1) / 32.0f;
          break;
        default:
          magnitude[i] = static_cast<float>(static_cast<double>(rng() % 4000001) / 1000000.0 - 2.0);
      }
    }
  }
};

}  // namespace geosweep::test_tools
