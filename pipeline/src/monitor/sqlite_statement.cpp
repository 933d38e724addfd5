#include "monitor/sqlite_statement.hpp"

#include <fmt/format.h>

#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {

statement::statement(sqlite3* db, std::filesystem::path const& file, std::string const& sql)
    : db_(db), file_(file) {
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) fail("prepare");
}

statement::~statement() {
  sqlite3_finalize(stmt_);
}

statement& statement::bind(int i, std::string const& v) {
  check(sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  return *this;
}

statement& statement::bind(int i, double v) {
  check(sqlite3_bind_double(stmt_, i, v));
  return *this;
}

statement& statement::bind(int i, std::int64_t v) {
  check(sqlite3_bind_int64(stmt_, i, v));
  return *this;
}

statement& statement::bind_null(int i) {
  check(sqlite3_bind_null(stmt_, i));
  return *this;
}

statement& statement::bind(int i, field_cell const& cell) {
  if (std::holds_alternative<std::monostate>(cell.value)) {
    bool const as_text = cell.type == field_type::text || cell.type == field_type::date;
    return as_text ? bind(i, std::string()) : bind_null(i);
  }
  if (auto const* d = std::get_if<double>(&cell.value)) return bind(i, *d);
  if (auto const* n = std::get_if<std::int64_t>(&cell.value)) return bind(i, *n);
  return bind(i, field_text(cell));
}

statement& statement::bind(int first, field_row const& row) {
  for (std::size_t k = 0; k < row.size(); ++k) bind(first + static_cast<int>(k), row[k]);
  return *this;
}

statement& statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return *this;
}

bool statement::step() {
  int const rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail("step");
}

void statement::run() {
  while (step()) {
  }
}

std::string statement::text(int c) const {
  auto const* p = sqlite3_column_text(stmt_, c);
  return p ? std::string(reinterpret_cast<char const*>(p)) : std::string();
}

std::int64_t statement::integer(int c) const {
  return sqlite3_column_int64(stmt_, c);
}

double statement::real(int c) const {
  return sqlite3_column_double(stmt_, c);
}

bool statement::null(int c) const {
  return sqlite3_column_type(stmt_, c) == SQLITE_NULL;
}

std::optional<std::int64_t> statement::optional_integer(int c) const {
  return null(c) ? std::nullopt : std::optional(integer(c));
}

field_value statement::value(int c, field_type type) const {
  switch (type) {
    case field_type::real:
      return null(c) ? field_value() : field_value(real(c));
    case field_type::integer:
      return null(c) ? field_value() : field_value(integer(c));
    case field_type::text:
    case field_type::date:
      break;
  }
  return parse_field("column " + std::to_string(c), type, text(c));
}

alert statement::read_alert_fields(int first, std::span<std::string_view const> names) const {
  field_row row;
  for (std::size_t k = 0; k < names.size(); ++k) {
    auto const* f = find_alert_field(names[k]);
    if (f == nullptr) throw logic_error("no alert field '" + std::string(names[k]) + "'");
    row.push_back({f->name, f->type, f->decimals, value(first + static_cast<int>(k), f->type)});
  }
  alert a;
  set_alert_fields(a, row);
  return a;
}

void statement::check(int rc) {
  if (rc != SQLITE_OK) fail("bind");
}

void statement::fail(char const* what) const {
  throw io_error(file_.string() + ": SQLite " + what + ": " + sqlite3_errmsg(db_));
}

std::string column_list(std::span<std::string_view const> names, std::string_view prefix) {
  std::string out;
  for (auto const name : names) out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix, name);
  return out;
}

}  // namespace geosweep::pipeline
