// SHA-256 (core/sha256.hpp) against independent values: the FIPS 180-2 examples and the
// sha256sum tool on a file larger than the 1 MiB read block.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/file_hasher.hpp"
#include "core/sha256.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;

namespace {

std::string command_output(std::string const& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
  pclose(pipe);
  return out;
}

TEST(Sha256, KnownDigestsOfShortMessages) {
  EXPECT_EQ(gp::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(gp::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(gp::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, AFileOverSeveralReadBlocksMatchesSha256sum) {
  if (command_output("command -v sha256sum").empty()) GTEST_SKIP() << "sha256sum not installed";
  fs::path const file =
      fs::temp_directory_path() / ("geosweep_sha256_" + std::to_string(::getpid()) + ".bin");
  std::mt19937 random(42);
  std::string bytes((std::size_t{5} << 20) / 2 + 12345, '\0');  // 2.5 MiB and a ragged tail
  for (auto& b : bytes) b = static_cast<char>(random() & 0xFF);
  std::ofstream(file, std::ios::binary) << bytes;
  auto const digest = gp::sha256_file(file);
  std::string const expected = command_output("sha256sum " + file.string()).substr(0, 64);
  EXPECT_EQ(digest.sha256, expected);
  EXPECT_EQ(digest.size, bytes.size());
  EXPECT_EQ(gp::sha256_hex(bytes), expected);
  fs::remove(file);
}

TEST(Sha256, AMissingFileIsAnIoErrorNamingIt) {
  fs::path const file = fs::temp_directory_path() / "geosweep_sha256_no_such_file";
  try {
    (void)gp::sha256_file(file);
    FAIL() << "no error";
  } catch (geosweep::io_error const& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
}

/// Files of different sizes with random bytes, and their digests from sha256sum.
struct hashed_files {
  explicit hashed_files(int count) {
    std::mt19937 random(7);
    for (int f = 0; f < count; ++f) {
      fs::path const file =
          fs::temp_directory_path() /
          ("geosweep_hasher_" + std::to_string(::getpid()) + "_" + std::to_string(f) + ".bin");
      std::string bytes(static_cast<std::size_t>(f) * 300001 + 17, '\0');
      for (auto& b : bytes) b = static_cast<char>(random() & 0xFF);
      std::ofstream(file, std::ios::binary) << bytes;
      paths.push_back(file.string());
      sizes.push_back(bytes.size());
      expected.push_back(command_output("sha256sum " + file.string()).substr(0, 64));
    }
  }
  ~hashed_files() {
    for (auto const& p : paths) fs::remove(p);
  }
  std::vector<std::string> paths;
  std::vector<std::size_t> sizes;
  std::vector<std::string> expected;
};

TEST(FileHasher, EveryDigestInOrderWhetherHashedInTheBackgroundOrAtTheEnd) {
  if (command_output("command -v sha256sum").empty()) GTEST_SKIP() << "sha256sum not installed";
  hashed_files const files(6);
  auto paths = files.paths;
  paths.insert(paths.begin() + 2, "");  // not hashed
  for (bool const wait : {false, true}) {
    SCOPED_TRACE(wait ? "after the background thread is done" : "at once");
    gp::file_hasher hasher(paths);
    if (wait) {
      // The background thread runs when a core is idle: this one sleeps until it is done.
      for (int i = 0; i < 6000 && hasher.hashed_in_background() < paths.size(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      EXPECT_EQ(hasher.hashed_in_background(), paths.size());
    }
    auto const digests = hasher.finish(2);
    ASSERT_EQ(digests.size(), paths.size());
    EXPECT_TRUE(digests[2].sha256.empty());
    for (std::size_t f = 0; f < files.paths.size(); ++f) {
      std::size_t const i = f < 2 ? f : f + 1;
      EXPECT_EQ(digests[i].sha256, files.expected[f]) << files.paths[f];
      EXPECT_EQ(digests[i].size, files.sizes[f]);
    }
  }
}

TEST(FileHasher, TheFirstUnreadableFileIsTheErrorEvenWhenALaterOneFailsToo) {
  hashed_files const files(2);
  fs::path const missing = fs::temp_directory_path() / "geosweep_hasher_no_such_file_1";
  fs::path const also_missing = fs::temp_directory_path() / "geosweep_hasher_no_such_file_2";
  gp::file_hasher hasher({files.paths[0], missing.string(), files.paths[1], also_missing.string()});
  try {
    (void)hasher.finish(2);
    FAIL() << "no error";
  } catch (geosweep::io_error const& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
}

}  // namespace
