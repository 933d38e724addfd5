// SHA-256 (core/sha256.hpp) against independent values: the FIPS 180-2 examples and the
// sha256sum tool on a file larger than the 1 MiB read block.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

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

}  // namespace
