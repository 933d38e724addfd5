#pragma once
/// \file
/// SHA-256 digests (OpenSSL's EVP API) of bytes and of files, as 64 lower-case hex digits: the
/// hashes of the chain of custody (outputs/manifest.hpp).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace geosweep::pipeline {

/// The SHA-256 of `bytes`, hex.
std::string sha256_hex(std::string_view bytes);

/// A file's size and SHA-256.
struct file_digest {
  std::uint64_t size = 0;
  std::string sha256;  ///< hex
};

/// The size and SHA-256 of the file at `path`, read in 1 MiB blocks (never whole). Throws
/// geosweep::io_error naming `path` and the system's reason when it cannot be read.
file_digest sha256_file(std::filesystem::path const& path);

}  // namespace geosweep::pipeline
