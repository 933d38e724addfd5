// CSV tables (alerts.csv, areas.csv, events.csv as geosweep writes them or a spreadsheet
// left them): text through parse_csv. A parsed table keeps its promises: every row as long
// as the header, a line number for each row.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz_target.hpp"
#include "outputs/csv_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string const text = geosweep::fuzz::text_of(data, size);
  geosweep::fuzz::expect_clean([&] {
    auto const table = geosweep::pipeline::parse_csv(text, "alerts.csv");
    if (table.rows.size() != table.row_lines.size()) std::abort();
    for (auto const& row : table.rows)
      if (row.size() != table.header.size()) std::abort();
  });
  return 0;
}
