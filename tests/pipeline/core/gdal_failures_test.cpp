// What geosweep says when GDAL fails (core/gdal_utils.hpp): GDAL's messages raised here with
// CPLError, the way its drivers raise them, and the texts a user should read, written out by
// hand. The GeoPackage case is the one a full disk gives: SQLite's COMMIT fails with the
// cause and GDAL's clean-up then fails with a message that hides it.
#include <cpl_error.h>
#include <gtest/gtest.h>

#include <string>

#include "core/gdal_utils.hpp"

namespace gp = geosweep::pipeline;

namespace {

void fail(char const* message) {
  CPLError(CE_Failure, CPLE_AppDefined, "%s", message);
}

}  // namespace

TEST(GdalFailures, TheFirstFailureIsTheCauseNotTheCleanUpAfterIt) {
  gp::ensure_gdal();
  CPLErrorReset();
  gp::gdal_failures const failures;
  fail("sqlite3_exec(COMMIT) failed: database or disk is full");
  fail("sqlite3_exec(ROLLBACK) failed: cannot rollback - no transaction is active");
  EXPECT_EQ(failures.first(), "SQLite: database or disk is full");
  EXPECT_EQ(gp::last_gdal_message(), "SQLite: cannot rollback - no transaction is active");
  EXPECT_EQ(failures.text(),
            "SQLite: database or disk is full; SQLite: cannot rollback - no transaction is active");
  EXPECT_FALSE(failures.said_nothing());
}

TEST(GdalFailures, EachFailureIsKeptOnceAndWarningsAreNotFailures) {
  gp::ensure_gdal();
  CPLErrorReset();
  gp::gdal_failures const failures;
  CPLError(CE_Warning, CPLE_AppDefined, "%s", "a warning first");
  fail("TIFFAppendToStrip: Write error at scanline 7");
  fail("TIFFAppendToStrip: Write error at scanline 7");
  fail("a second failure");
  EXPECT_EQ(failures.first().rfind("TIFFAppendToStrip: Write error at scanline 7", 0), 0u);
  EXPECT_EQ(failures.text().find("a warning"), std::string::npos);
  EXPECT_NE(failures.text().find("; a second failure"), std::string::npos);
  EXPECT_EQ(failures.text().find("scanline 7; TIFF"), std::string::npos);  // not twice
}

TEST(GdalFailures, WithoutFailuresTheLastMessageOrAPlainWordIsGiven) {
  gp::ensure_gdal();
  CPLErrorReset();
  {
    gp::gdal_failures const failures;
    EXPECT_TRUE(failures.said_nothing());
    EXPECT_EQ(failures.first(), "unknown GDAL error");
    CPLError(CE_Warning, CPLE_AppDefined, "%s", "only a warning");
    EXPECT_EQ(failures.first(), "only a warning");  // the last message, as before
  }
  // The collector is popped: failures after it are not caught by one that is gone.
  CPLErrorReset();
  gp::gdal_failures const later;
  fail("after");
  EXPECT_EQ(later.first(), "after");
}
