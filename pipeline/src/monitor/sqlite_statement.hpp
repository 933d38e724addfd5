#pragma once
// Internal to pipeline/src/monitor: a prepared SQLite statement, and alert rows
// (geosweep/pipeline/alert.hpp) bound to it and read back from it by the field table's types.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "geosweep/pipeline/alert.hpp"

namespace geosweep::pipeline {

/// A prepared statement; binds by position from 1, steps, reads columns from 0. Errors are
/// io_errors naming the database file.
class statement {
 public:
  statement(sqlite3* db, std::filesystem::path const& file, std::string const& sql);
  statement(statement const&) = delete;
  statement& operator=(statement const&) = delete;
  ~statement();

  statement& bind(int i, std::string const& v);
  statement& bind(int i, std::string_view v) { return bind(i, std::string(v)); }
  statement& bind(int i, char const* v) { return bind(i, std::string(v)); }
  statement& bind(int i, double v);
  statement& bind(int i, std::int64_t v);
  statement& bind_null(int i);
  /// NULL when not `present` (plain values: GCC 12 warns wrongly about optionals here).
  statement& bind_or_null(int i, bool present, std::int64_t v) {
    return present ? bind(i, v) : bind_null(i);
  }
  /// A cell: text and dates as text (a date that is not there as '': the ledger's date columns
  /// are NOT NULL, like the tables' empty cells), numbers as numbers, NULL for no number.
  statement& bind(int i, field_cell const& cell);
  /// The cells of `row` to parameters first, first + 1, ...
  statement& bind(int first, field_row const& row);

  /// Ready to run again, with no bindings.
  statement& reset();

  /// True while there is a row.
  bool step();
  void run();

  [[nodiscard]] std::string text(int c) const;
  [[nodiscard]] std::int64_t integer(int c) const;
  [[nodiscard]] double real(int c) const;
  [[nodiscard]] bool null(int c) const;
  [[nodiscard]] std::optional<std::int64_t> optional_integer(int c) const;
  /// Column `c` as a value of `type` (bind's inverse).
  [[nodiscard]] field_value value(int c, field_type type) const;
  /// Columns first, first + 1, ... as the alert fields `names`.
  [[nodiscard]] alert read_alert_fields(int first, std::span<std::string_view const> names) const;

 private:
  void check(int rc);
  [[noreturn]] void fail(char const* what) const;
  sqlite3* db_;
  std::filesystem::path const& file_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// "a, b, c" of `names`, each after `prefix` (e.g. "excluded.").
std::string column_list(std::span<std::string_view const> names, std::string_view prefix = {});

}  // namespace geosweep::pipeline
