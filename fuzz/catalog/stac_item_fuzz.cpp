// STAC items: JSON text through parse_stac_item, then the item as a scene for each kind of
// sensor (stac_scene), which looks its assets up by band code, common name and file name.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "catalog/stac_catalog.hpp"
#include "fuzz_target.hpp"

namespace gp = geosweep::pipeline;

namespace {

std::vector<gp::sensor_spec> const& sensors() {
  static std::vector<gp::sensor_spec> const all = [] {
    gp::sensor_spec sentinel2, landsat, by_suffix, by_number;
    sentinel2.type = gp::sensor_type::sentinel2_l2a;
    landsat.type = gp::sensor_type::landsat_c2_l2;
    by_suffix.type = gp::sensor_type::generic;
    by_suffix.bands = {{"red", {0, "_B4.TIF"}}, {"nir", {0, "_B5.TIF"}}};
    by_suffix.mask = gp::mask_spec{{0, "_QA.TIF"}, {1}, {}};
    by_number.type = gp::sensor_type::generic;
    by_number.bands = {{"red", {3, ""}}, {"nir", {4, ""}}};
    by_number.mask = gp::mask_spec{{5, ""}, {}, {3, 4}};
    return std::vector<gp::sensor_spec>{sentinel2, landsat, by_suffix, by_number};
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string const text = geosweep::fuzz::text_of(data, size);
  geosweep::fuzz::expect_clean([&] {
    auto const item = gp::parse_stac_item(text, "/fuzz/catalog/items/item.json");
    for (auto const& sensor : sensors()) {
      geosweep::fuzz::expect_clean([&] { (void)gp::stac_scene(item, sensor, {"red", "nir"}); });
    }
  });
  return 0;
}
