#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/unique_fd.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "monitor/notify/delivery.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

void write_all(int fd, std::string const& text, fs::path const& file) {
  std::size_t done = 0;
  while (done < text.size()) {
    auto const n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw io_error(file.string() + ": cannot write: " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

delivery_outcome drop_file(notification_spec const& channel, notification const& n) {
  delivery_outcome outcome;
  fs::path const final_path = channel.file.dir / notification_file_name(n);
  try {
    std::error_code ec;
    fs::create_directories(channel.file.dir, ec);
    if (ec) {
      throw io_error(channel.file.dir.string() +
                     ": cannot create the drop folder: " + ec.message());
    }
    if (fs::exists(final_path, ec)) {
      // Written by an earlier try whose success was not recorded: the same delivery, unless
      // another id maps to the same file name.
      std::ifstream in(final_path);
      auto const existing = ordered_json::parse(in, nullptr, false);
      if (existing.is_object() && existing.value("delivery_id", "") == n.delivery_id) {
        outcome.delivered = true;
        outcome.already = true;
        return outcome;
      }
      throw io_error(final_path.string() + " exists and holds another delivery than '" +
                     n.delivery_id + "'");
    }
    outcome.attempts = 1;
    atomic_file file(final_path);
    {
      unique_fd const fd(
          ::open(file.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (!fd)
        throw io_error(file.temp_path().string() + ": cannot create: " + std::strerror(errno));
      write_all(fd.get(), notification_json(n), file.temp_path());
      if (::fsync(fd.get()) != 0)
        throw io_error(file.temp_path().string() + ": cannot sync: " + std::strerror(errno));
    }
    file.commit();
    // The rename is durable only once the folder is synced.
    if (unique_fd const dir(::open(channel.file.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        dir)
      ::fsync(dir.get());
    outcome.delivered = true;
  } catch (io_error const& e) {
    outcome.attempts = std::max(outcome.attempts, 1);
    outcome.error = e.what();
  }
  return outcome;
}

}  // namespace geosweep::pipeline
