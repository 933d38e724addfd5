#pragma once
/// \file
/// Test mains for files that mix synthetic tests with real-data tests (suites named
/// RealData*), which read $GEOSWEEP_SHARED_DATA (a folder like ../shared/data).
///
/// Without GEOSWEEP_SHARED_DATA the synthetic tests run and the RealData* tests are left out;
/// asked for the RealData* tests alone (--gtest_filter=RealData*, as the *_real_data CTest
/// entries do), the program exits 77 so CTest reports them skipped.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

namespace geosweep::test_tools {

/// $GEOSWEEP_SHARED_DATA (only called by RealData* tests, which run when it is set).
inline std::filesystem::path shared_data() {
  char const* dir = std::getenv("GEOSWEEP_SHARED_DATA");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::path();
}

/// main() of such a test program.
inline int run_tests_with_shared_data(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  char const* dir = std::getenv("GEOSWEEP_SHARED_DATA");
  if (dir == nullptr || *dir == '\0') {
    std::string const filter = GTEST_FLAG_GET(filter);
    if (filter.rfind("RealData", 0) == 0) {
      std::cout << "GEOSWEEP_SHARED_DATA is not set: real-data tests skipped\n";
      return 77;
    }
    // gtest filters read POSITIVE[-NEGATIVE], patterns separated by ':'.
    std::string const without = filter.find('-') != std::string::npos ? filter + ":RealData*"
                                : filter == "*"                       ? "-RealData*"
                                                                      : filter + "-RealData*";
    GTEST_FLAG_SET(filter, without);
    std::cout << "GEOSWEEP_SHARED_DATA is not set: RealData* tests left out\n";
  }
  return RUN_ALL_TESTS();
}

}  // namespace geosweep::test_tools
