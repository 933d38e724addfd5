// SHA-256 through OpenSSL's EVP digest API, files streamed in 1 MiB blocks.
#include "core/sha256.hpp"

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/unique_fd.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

struct digest_context_deleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using digest_context = std::unique_ptr<EVP_MD_CTX, digest_context_deleter>;

digest_context new_sha256() {
  digest_context ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw error("cannot start a SHA-256 digest (OpenSSL)");
  return ctx;
}

void update(EVP_MD_CTX* ctx, void const* data, std::size_t size) {
  if (EVP_DigestUpdate(ctx, data, size) != 1) throw error("SHA-256 digest update failed (OpenSSL)");
}

std::string finish_hex(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &length) != 1) throw error("SHA-256 digest failed (OpenSSL)");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  auto ctx = new_sha256();
  update(ctx.get(), bytes.data(), bytes.size());
  return finish_hex(ctx.get());
}

file_digest sha256_file(std::filesystem::path const& path) {
  unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw io_error(path.string() + ": cannot read: " + system_reason());
  auto ctx = new_sha256();
  std::vector<char> block(std::size_t{1} << 20);
  file_digest d;
  for (;;) {
    ssize_t const n = ::read(fd.get(), block.data(), block.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw io_error(path.string() + ": cannot read: " + system_reason());
    }
    if (n == 0) break;
    update(ctx.get(), block.data(), static_cast<std::size_t>(n));
    d.size += static_cast<std::uint64_t>(n);
  }
  d.sha256 = finish_hex(ctx.get());
  return d;
}

}  // namespace geosweep::pipeline
