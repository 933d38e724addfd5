#include "patches/patch_pixels.hpp"

#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {

patch_pixels::patch_pixels(int chunk_width, int chunk_height)
    : chunk_width_(chunk_width), chunk_height_(chunk_height) {
  GEOSWEEP_EXPECTS(chunk_width > 0 && chunk_height > 0, "a storage chunk of some size");
}

void patch_pixels::add(int column, int row,
                       std::vector<std::pair<std::uint32_t, std::int32_t>> pixels) {
  if (pixels.empty()) return;
  auto& into = chunks_[{row, column}];
  if (into.empty()) {
    into = std::move(pixels);
  } else {
    into.insert(into.end(), pixels.begin(), pixels.end());
  }
}

template <class Visit>
void patch_pixels::visit(pixel_window const& window, Visit&& visit) const {
  if (window.empty()) return;
  int const last_row = (window.y_offset + window.height - 1) / chunk_height_;
  int const last_column = (window.x_offset + window.width - 1) / chunk_width_;
  for (int row = window.y_offset / chunk_height_; row <= last_row; ++row) {
    for (int column = window.x_offset / chunk_width_; column <= last_column; ++column) {
      auto const it = chunks_.find({row, column});
      if (it == chunks_.end()) continue;
      for (auto const& [index, value] : it->second) {
        int const x =
            column * chunk_width_ + static_cast<int>(index % chunk_width_) - window.x_offset;
        int const y =
            row * chunk_height_ + static_cast<int>(index / chunk_width_) - window.y_offset;
        if (x < 0 || y < 0 || x >= window.width || y >= window.height) continue;
        visit(static_cast<std::size_t>(y) * window.width + x, value);
      }
    }
  }
}

std::vector<std::uint8_t> patch_pixels::mask(pixel_window const& window, std::int32_t label) const {
  std::vector<std::uint8_t> out(window.pixel_count(), 0);
  visit(window, [&](std::size_t i, std::int32_t value) {
    if (value == label) out[i] = 1;
  });
  return out;
}

std::vector<std::int32_t> patch_pixels::labels(pixel_window const& window) const {
  std::vector<std::int32_t> out(window.pixel_count(), 0);
  visit(window, [&](std::size_t i, std::int32_t value) { out[i] = value; });
  return out;
}

}  // namespace geosweep::pipeline
