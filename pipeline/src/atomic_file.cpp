#include "geosweep/pipeline/atomic_file.hpp"

#include <unistd.h>

#include <string>
#include <system_error>

#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {

atomic_file::atomic_file(std::filesystem::path final_path)
    : final_(std::move(final_path)), temp_(final_.string() + ".tmp-" + std::to_string(::getpid())) {
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

}  // namespace geosweep::pipeline
