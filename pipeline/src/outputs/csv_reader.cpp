// The RFC 4180 reader of csv_reader.hpp: one pass over the text, a record at a time, counting
// lines so that every error names the line a reader sees in an editor.
#include "outputs/csv_reader.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

/// Reads one record after another from the text, keeping the line number.
class csv_scanner {
 public:
  csv_scanner(std::string_view text, std::string const& source) : text_(text), source_(source) {}

  [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
  [[nodiscard]] std::size_t line() const { return line_; }

  /// The next record (fields of one or more lines); empty for an empty line.
  std::vector<std::string> next_record() {
    std::vector<std::string> fields;
    if (at_line_end()) {  // an empty line: no record
      skip_line_end();
      return fields;
    }
    while (true) {
      fields.push_back(next_field());
      if (at_end()) break;
      if (at_line_end()) {
        skip_line_end();
        break;
      }
      ++pos_;  // the comma
    }
    return fields;
  }

 private:
  [[nodiscard]] bool at_line_end() const {
    return pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r');
  }

  /// Past "\r\n", "\n" or "\r".
  void skip_line_end() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  [[noreturn]] void fail(std::size_t line, std::string const& what) const {
    throw io_error(fmt::format("{}: line {}: {}", source_, line, what));
  }

  /// One field, up to (not past) the comma or line end that ends it.
  std::string next_field() {
    std::string field;
    if (pos_ < text_.size() && text_[pos_] == '"') return quoted_field();
    while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
      if (text_[pos_] == '"') fail(line_, "a quote inside an unquoted field");
      field += text_[pos_++];
    }
    return field;
  }

  /// A quoted field: doubled quotes are one quote; commas and line breaks are text.
  std::string quoted_field() {
    std::size_t const opened = line_;
    std::string field;
    ++pos_;  // the opening quote
    while (true) {
      if (at_end()) fail(opened, "a quoted field is not closed");
      char const c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field += '"';
          pos_ += 2;
          continue;
        }
        ++pos_;  // the closing quote
        break;
      }
      if (c == '\n' || (c == '\r' && !(pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')))
        ++line_;  // a line break inside the field: the next line of the file
      field += c;
      ++pos_;
    }
    if (!at_end() && text_[pos_] != ',' && !at_line_end())
      fail(line_, "text after the closing quote of a field");
    return field;
  }

  std::string_view text_;
  std::string const& source_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

csv_table parse_csv(std::string_view text, std::string const& source) {
  csv_scanner scanner(text, source);
  csv_table table;
  bool have_header = false;
  while (!scanner.at_end()) {
    std::size_t const line = scanner.line();
    auto record = scanner.next_record();
    if (record.empty()) continue;
    if (!have_header) {
      table.header = std::move(record);
      have_header = true;
      continue;
    }
    if (record.size() != table.header.size())
      throw io_error(fmt::format("{}: line {}: {} fields, the header has {}", source, line,
                                 record.size(), table.header.size()));
    table.rows.push_back(std::move(record));
    table.row_lines.push_back(line);
  }
  if (!have_header) throw io_error(source + ": empty table (no header)");
  return table;
}

csv_table read_csv(std::filesystem::path const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(path.string() + ": cannot read the file");
  std::string const text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw io_error(path.string() + ": read failed");
  return parse_csv(text, path.string());
}

}  // namespace geosweep::pipeline
