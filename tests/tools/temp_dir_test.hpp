#pragma once
/// \file
/// A GoogleTest fixture with a fresh scratch folder per test, and a small job spec around it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::test_tools {

/// `dir_` is an empty folder named after the test suite, removed after each test.
class temp_dir_test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto const* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("geosweep_" + std::string(info->test_suite_name()) + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  /// A job of one bbox AOI over `scenes_yaml` (a `scenes:` line), baseline 2019, monitor
  /// 2020-2022, parsed as if it were `dir_`/job.yaml.
  pipeline::job_spec job(std::string const& sensor, std::string const& scenes_yaml,
                         std::string const& aoi_bbox = "[-51.1, -9.2, -50.9, -8.9]") {
    std::string const text = "job: t\nsensor: " + sensor + "\n" + scenes_yaml +
                             "aois: [{name: a, bbox: " + aoi_bbox +
                             "}]\n"
                             "period: {baseline: [2019-01-01, 2019-12-31], monitor: [2020-01-01, "
                             "2022-12-31]}\n";
    return pipeline::parse_job_spec(text, dir_ / "job.yaml");
  }

  std::filesystem::path dir_;
};

}  // namespace geosweep::test_tools
