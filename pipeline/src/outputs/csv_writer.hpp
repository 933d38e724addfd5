#pragma once
/// \file
/// RFC 4180 CSV tables, written to a temporary name and renamed into place when complete.

#include <filesystem>
#include <string>
#include <vector>

namespace geosweep::pipeline {

/// Quotes a field when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_field(std::string const& text);

/// The fields joined by commas, each quoted as needed; no line end.
std::string csv_line(std::vector<std::string> const& fields);

/// `v` with `decimals` digits after the point, as the tables write numbers.
std::string fixed(double v, int decimals);

/// Writes `header` and `rows` (each the same length as the header) with CRLF line ends.
/// Throws geosweep::io_error naming the path on failure; nothing is left half-written.
void write_csv(std::filesystem::path const& path, std::vector<std::string> const& header,
               std::vector<std::vector<std::string>> const& rows);

}  // namespace geosweep::pipeline
