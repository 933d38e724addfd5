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
  std::string text;
  auto const add_row = [&](std::vector<std::string> const& row) {
    if (row.size() != header.size())
      throw logic_error(path.string() + ": a row has the wrong column count");
    text += csv_line(row);
    text += "\r\n";
  };
  add_row(header);
  for (auto const& row : rows) add_row(row);
  write_whole_file(path, text);
}

}  // namespace geosweep::pipeline
