#pragma once
/// \file
/// RFC 4180 CSV tables read back: the reader beside csv_writer.hpp, for the tables geosweep
/// wrote (alerts.csv, areas.csv, events.csv) and for tables edited in a spreadsheet. Fields may
/// be quoted, quotes inside quoted fields are doubled, and quoted fields may hold commas and
/// line breaks; lines end in CRLF (as the writer writes them), LF or CR.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace geosweep::pipeline {

/// A CSV table: its header and its rows, each row as long as the header.
struct csv_table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> row_lines;  ///< the line (from 1) each row starts on, for messages
};

/// Parses `text` as CSV. Empty lines are no records (so a final line end starts no row, and a
/// blank line a spreadsheet left is skipped); the first record is the header. Throws
/// geosweep::io_error naming `source` and the line for an empty table, a row whose field count
/// differs from the header's, a quote inside an unquoted field, text after a closing quote or
/// a quoted field left open.
csv_table parse_csv(std::string_view text, std::string const& source);

/// Reads the CSV file at `path` (parse_csv, errors naming the path).
csv_table read_csv(std::filesystem::path const& path);

}  // namespace geosweep::pipeline
