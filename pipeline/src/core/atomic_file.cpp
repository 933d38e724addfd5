#include "core/atomic_file.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>

#include <string>
#include <system_error>

#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {

atomic_file::atomic_file(std::filesystem::path final_path, std::string_view extension)
    : final_(std::move(final_path)),
      temp_(final_.string() + ".tmp-" + std::to_string(::getpid()) + std::string(extension)) {
  std::error_code ec;
  std::filesystem::remove(temp_, ec);
}

atomic_file::~atomic_file() {
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

void atomic_file::commit() {
  std::error_code ec;
  std::filesystem::rename(temp_, final_, ec);
  if (ec) {
    throw io_error(final_.string() + ": cannot move " + temp_.filename().string() +
                   " into place: " + ec.message());
  }
  committed_ = true;
}

std::string read_whole_file(std::filesystem::path const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(path.string() + ": cannot open: " + system_reason());
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw io_error(path.string() + ": cannot read: " + system_reason());
  return bytes;
}

std::string system_reason() {
  return std::strerror(errno);
}

void write_whole_file(std::filesystem::path const& path, std::string_view bytes) {
  atomic_file file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary);
    if (!out) throw io_error(path.string() + ": cannot create: " + system_reason());
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) throw io_error(path.string() + ": cannot write: " + system_reason());
    out.close();
    if (!out) throw io_error(path.string() + ": cannot close: " + system_reason());
  }
  file.commit();
}

std::size_t remove_orphaned_temporaries(std::filesystem::path const& dir) {
  namespace fs = std::filesystem;
  std::size_t removed = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    auto const name = it->path().filename().string();
    auto const at = name.rfind(".tmp-");
    if (at == std::string::npos || !it->is_regular_file()) continue;
    int pid = 0;
    auto const digits = name.substr(at + 5);
    auto const [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    // The pid ends the name, or is followed by one extension (atomic_file's `extension`), or
    // by ".aux.xml": GDAL's sidecar of a temporary raster (a COG's category names).
    std::string_view const tail(end, static_cast<std::size_t>(digits.data() + digits.size() - end));
    bool const tail_ok = tail.empty() || tail == ".aux.xml" ||
                         (tail.size() > 1 && tail[0] == '.' && tail.find('.', 1) == tail.npos);
    if (error != std::errc() || !tail_ok || pid <= 0) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // its writer still runs
    std::error_code remove_ec;
    if (fs::remove(it->path(), remove_ec)) ++removed;
  }
  return removed;
}

}  // namespace geosweep::pipeline
