// Sentinel-2 L2A product metadata (MTD_MSIL2A.xml): XML text through parse_sentinel2_mtd.
#include <cstddef>
#include <cstdint>

#include "catalog/product_metadata.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string const text = geosweep::fuzz::text_of(data, size);
  geosweep::fuzz::expect_clean(
      [&] { (void)geosweep::pipeline::parse_sentinel2_mtd(text, "MTD_MSIL2A.xml"); });
  return 0;
}
