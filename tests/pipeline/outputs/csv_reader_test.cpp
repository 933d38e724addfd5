// The CSV reader (outputs/csv_reader.hpp): RFC 4180 quoting, line ends as the writer and as
// other programs write them, and errors that name the file and the line. Expected fields are
// written out by hand.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "geosweep/pipeline/errors.hpp"
#include "outputs/csv_reader.hpp"
#include "outputs/csv_writer.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;

namespace {

using rows = std::vector<std::vector<std::string>>;
using fields = std::vector<std::string>;

/// The message of the io_error that parse_csv throws for `text`, or "" when it throws none.
std::string parse_error(std::string const& text) {
  try {
    gp::parse_csv(text, "t.csv");
  } catch (geosweep::io_error const& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(CsvReader, ReadsHeaderAndRowsWithCrlfLineEnds) {
  auto const t = gp::parse_csv("id,area\r\na,1.5\r\nb,2\r\n", "t.csv");
  EXPECT_EQ(t.header, (fields{"id", "area"}));
  EXPECT_EQ(t.rows, (rows{{"a", "1.5"}, {"b", "2"}}));
  EXPECT_EQ(t.row_lines, (std::vector<std::size_t>{2, 3}));
}

TEST(CsvReader, ReadsLfLineEndsAndALastLineWithoutOne) {
  auto const t = gp::parse_csv("id,area\na,1.5\nb,2", "t.csv");
  EXPECT_EQ(t.header, (fields{"id", "area"}));
  EXPECT_EQ(t.rows, (rows{{"a", "1.5"}, {"b", "2"}}));
}

TEST(CsvReader, UnquotesFieldsWithCommasQuotesAndLineBreaks) {
  auto const t = gp::parse_csv(
      "name,note,n\r\n"
      "\"reserve, north\",\"said \"\"no\"\"\",1\r\n"
      "\"two\r\nlines\",\"three\nlines\nhere\",2\r\n"
      "plain,\"\",3\r\n",
      "t.csv");
  EXPECT_EQ(t.rows, (rows{{"reserve, north", "said \"no\"", "1"},
                          {"two\r\nlines", "three\nlines\nhere", "2"},
                          {"plain", "", "3"}}));
  // Rows start on the lines an editor shows: the second spans lines 3 to 6 (three breaks).
  EXPECT_EQ(t.row_lines, (std::vector<std::size_t>{2, 3, 7}));
}

TEST(CsvReader, KeepsAnEmptyTrailingField) {
  auto const t = gp::parse_csv("a,b,c\r\n1,2,\r\n,,\r\n", "t.csv");
  EXPECT_EQ(t.rows, (rows{{"1", "2", ""}, {"", "", ""}}));
  auto const lf = gp::parse_csv("a,b\n1,", "t.csv");
  EXPECT_EQ(lf.rows, (rows{{"1", ""}}));
}

TEST(CsvReader, SkipsEmptyLinesAndReadsAHeaderWithoutRows) {
  auto const t = gp::parse_csv("a,b\r\n\r\n1,2\r\n\r\n", "t.csv");
  EXPECT_EQ(t.rows, (rows{{"1", "2"}}));
  EXPECT_EQ(t.row_lines, (std::vector<std::size_t>{3}));
  auto const empty = gp::parse_csv("a,b\r\n", "t.csv");
  EXPECT_EQ(empty.header, (fields{"a", "b"}));
  EXPECT_TRUE(empty.rows.empty());
}

TEST(CsvReader, AShortOrLongRowIsAnErrorNamingTheLine) {
  EXPECT_EQ(parse_error("a,b,c\r\n1,2,3\r\n4,5\r\n"), "t.csv: line 3: 2 fields, the header has 3");
  EXPECT_EQ(parse_error("a,b\n\"x\ny\",2\n1,2,3\n"), "t.csv: line 4: 3 fields, the header has 2");
}

TEST(CsvReader, MalformedQuotingIsAnErrorNamingTheLine) {
  EXPECT_EQ(parse_error("a,b\r\n1,\"open\r\n2,3\r\n"),
            "t.csv: line 2: a quoted field is not closed");
  EXPECT_EQ(parse_error("a,b\r\n1,x\"y\r\n"), "t.csv: line 2: a quote inside an unquoted field");
  EXPECT_EQ(parse_error("a,b\r\n1,\"x\"y\r\n"),
            "t.csv: line 2: text after the closing quote of a field");
  EXPECT_EQ(parse_error(""), "t.csv: empty table (no header)");
  EXPECT_EQ(parse_error("\r\n\r\n"), "t.csv: empty table (no header)");
}

TEST(CsvReader, ReadsBackWhatTheWriterWrote) {
  fs::path const dir =
      fs::temp_directory_path() / ("csv_reader_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path const path = dir / "t.csv";
  gp::write_csv(path, {"id", "note"}, {{"gs-1", "a, \"b\"\nc"}, {"gs-2", ""}});
  auto const t = gp::read_csv(path);
  EXPECT_EQ(t.header, (fields{"id", "note"}));
  EXPECT_EQ(t.rows, (rows{{"gs-1", "a, \"b\"\nc"}, {"gs-2", ""}}));
  fs::remove_all(dir);
}

TEST(CsvReader, AMissingFileIsAnErrorNamingIt) {
  try {
    gp::read_csv("/nonexistent/alerts.csv");
    FAIL() << "no error";
  } catch (geosweep::io_error const& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/alerts.csv: cannot read the file");
  }
}
