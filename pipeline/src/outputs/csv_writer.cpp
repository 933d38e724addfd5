#include "outputs/csv_writer.hpp"

#include <fmt/format.h>

#include <fstream>

#include "core/atomic_file.hpp"
#include "geosweep/kernels/error.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {

std::string fixed(double v, int decimals) {
  return fmt::format("{:.{}f}", v, decimals);
}

std::string csv_field(std::string const& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void write_csv(std::filesystem::path const& path, std::vector<std::string> const& header,
               std::vector<std::vector<std::string>> const& rows) {
  atomic_file file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary);
    if (!out) throw io_error(path.string() + ": cannot create the file");
    auto const write_row = [&](std::vector<std::string> const& row) {
      if (row.size() != header.size())
        throw logic_error(path.string() + ": a row has the wrong column count");
      for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_field(row[i]);
      out << "\r\n";
    };
    write_row(header);
    for (auto const& row : rows) write_row(row);
    out.flush();
    if (!out) throw io_error(path.string() + ": write failed");
  }
  file.commit();
}

}  // namespace geosweep::pipeline
