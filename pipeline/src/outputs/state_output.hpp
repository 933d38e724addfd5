#pragma once
// Internal to pipeline/src: the monitoring state a run hands to the next (state_file.hpp), as a
// chunk writer: each finished chunk's detector state and composites, then the file renamed
// into place.

#include <filesystem>
#include <map>
#include <string>

#include "core/state_file.hpp"
#include "outputs/chunk_writer.hpp"

namespace geosweep::pipeline {

class state_output final : public chunk_writer {
 public:
  state_output(std::filesystem::path path, std::map<std::string, std::string> const& attributes)
      : path_(path), file_(std::move(path), attributes) {}

  void write(finished_chunk const& chunk) override {
    auto const& out = chunk.output;
    if (out.state) write_chunk_state(file_, out.chunk, chunk.window, *out.state, out.kept);
  }

  std::vector<std::filesystem::path> commit() override {
    file_.commit();
    return {path_};
  }

 private:
  std::filesystem::path path_;
  state_writer file_;
};

}  // namespace geosweep::pipeline
