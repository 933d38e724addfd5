// Landsat MTL files: every input through all three readers, ODL text (NUL padding and all),
// XML and JSON, as parse_landsat_mtl reads them. Input meant for another format is rejected
// at its first bytes, so one target and one corpus serve the three.
#include <cstddef>
#include <cstdint>

#include "catalog/product_metadata.hpp"
#include "fuzz_target.hpp"

namespace gp = geosweep::pipeline;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string const text = geosweep::fuzz::text_of(data, size);
  for (auto const format : {gp::mtl_format::odl, gp::mtl_format::xml, gp::mtl_format::json}) {
    geosweep::fuzz::expect_clean([&] { (void)gp::parse_landsat_mtl(text, format, "MTL"); });
  }
  return 0;
}
