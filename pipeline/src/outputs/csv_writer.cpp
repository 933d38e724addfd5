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

std::string csv_line(std::vector<std::string> const& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  return out;
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
      out << csv_line(row) << "\r\n";
    };
    write_row(header);
    for (auto const& row : rows) write_row(row);
    out.flush();
    if (!out) throw io_error(path.string() + ": write failed");
  }
  file.commit();
}

}  // namespace geosweep::pipeline
