#pragma once
/// \file
/// A CSV file's rows, header first, split at every comma: for tests reading tables whose fields
/// hold no quotes or commas (geosweep's own tables, R's and Python's reference output). A line
/// ending in a comma has an empty last field; a CR before the line end is dropped. Independent
/// of pipeline/src/outputs/csv_reader, so the tables under test are not read by code under test.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace geosweep::test_tools {

inline std::vector<std::vector<std::string>> csv_rows(std::filesystem::path const& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> row;
    std::string field;
    std::istringstream fields(line);
    while (std::getline(fields, field, ',')) row.push_back(field);
    if (!line.empty() && line.back() == ',') row.emplace_back();
    rows.push_back(row);
  }
  return rows;
}

/// The position of column `name` in a table's header (rows[0]); a test failure and 0 when
/// there is none.
inline std::size_t column(std::vector<std::vector<std::string>> const& rows,
                          std::string const& name) {
  for (std::size_t c = 0; c < rows.at(0).size(); ++c)
    if (rows[0][c] == name) return c;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

}  // namespace geosweep::test_tools
