// Job files: YAML text through parse_job_spec, the job spec reader with its located errors, as
// `geosweep validate` reads them (paths are not checked, so nothing depends on the disk).
#include <cstddef>
#include <cstdint>

#include "fuzz_target.hpp"
#include "geosweep/pipeline/job_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string const text = geosweep::fuzz::text_of(data, size);
  geosweep::fuzz::expect_clean(
      [&] { (void)geosweep::pipeline::parse_job_spec(text, "/fuzz/job.yaml", false); });
  return 0;
}
