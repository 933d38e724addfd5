#include "patches/patch_stitcher.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

#include "core/gdal_utils.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/patches.hpp"
#include "geosweep/kernels/transform.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {

namespace k = geosweep::kernels;

namespace {

/// Orders pixels by first date, then raster order; a date and an index fit one key.
std::int64_t anchor_key(std::int32_t first_date, std::int64_t index) {
  return (static_cast<std::int64_t>(first_date) << 40) | index;
}

}  // namespace

patch_stitcher::patch_stitcher(std::string aoi, raster_grid aoi_grid,
                               std::vector<double> row_areas_m2)
    : aoi_(std::move(aoi)), grid_(std::move(aoi_grid)), row_areas_(std::move(row_areas_m2)) {}

bool patch_stitcher::kept(part const& p, double min_area_ha) {
  return p.status != 0 && p.area_m2 / 10000.0 >= min_area_ha;
}

std::int32_t patch_stitcher::find(std::int32_t id) {
  while (parent_[static_cast<std::size_t>(id)] != id) {
    auto& p = parent_[static_cast<std::size_t>(id)];
    p = parent_[static_cast<std::size_t>(p)];  // path halving
    id = p;
  }
  return id;
}

void patch_stitcher::unite(std::int32_t a, std::int32_t b) {
  a = find(a);
  b = find(b);
  if (a == b) return;
  if (b < a) std::swap(a, b);
  parent_[static_cast<std::size_t>(b)] = a;
}

std::vector<std::int32_t> patch_stitcher::add_tile(pixel_window const& tile, int column, int row,
                                                   std::vector<std::uint8_t> const& change,
                                                   std::vector<std::int32_t> const& first_date,
                                                   std::vector<std::int32_t> const& confirmed_date,
                                                   std::vector<float> const& magnitude,
                                                   k::backend where) {
  std::size_t const n = tile.pixel_count();
  GEOSWEEP_EXPECTS(change.size() == n, "tile-sized rasters");
  std::vector<std::uint8_t> foreground(n);
  k::transform_pixels(where, n, k::is_change_op{}, foreground.data(), change.data());
  std::vector<std::int32_t> labels(n);
  std::int32_t const count =
      k::label_components(where, foreground.data(), tile.width, tile.height, 1, labels.data());
  auto const base = static_cast<std::int32_t>(parts_.size());
  if (count > 0) {
    // A patch's status and dates come from its seeds; grown pixels only add to its extent.
    std::vector<std::uint8_t> seed_status(n);
    std::vector<std::int32_t> seed_first(n), seed_confirmed(n);
    k::transform_pixels(where, n, k::seed_status_op{}, seed_status.data(), change.data());
    k::transform_pixels(where, n, k::seed_date_op{}, seed_first.data(), first_date.data(),
                        change.data());
    k::transform_pixels(where, n, k::seed_date_op{}, seed_confirmed.data(), confirmed_date.data(),
                        change.data());
    auto const summaries = k::summarize_patches(where, labels.data(), tile.width, tile.height,
                                                count, seed_first.data(), seed_confirmed.data(),
                                                seed_status.data(), magnitude.data());
    // A part without a seed that touches no edge of the tile is complete and dropped: it gets
    // no part at all (-1), so that the grown candidates scattered over a large region cost no
    // memory. The others are numbered base + 1.. in label order.
    std::vector<std::int32_t> id_of(static_cast<std::size_t>(count) + 1, 0);
    std::int32_t kept = 0;
    for (auto const& s : summaries) {
      bool const closed = s.column_min > 0 && s.row_min > 0 && s.column_max < tile.width - 1 &&
                          s.row_max < tile.height - 1;
      id_of[static_cast<std::size_t>(s.label)] = closed && s.status_max == 0 ? -1 : ++kept;
    }
    parts_.resize(parts_.size() + static_cast<std::size_t>(kept));
    for (std::int32_t id = 0; id < kept; ++id) parent_.push_back(base + id);
    for (auto const& s : summaries) {
      std::int32_t const id = id_of[static_cast<std::size_t>(s.label)];
      if (id < 0) continue;
      part& p = parts_[static_cast<std::size_t>(base + id - 1)];
      p.pixels = s.pixel_count;
      p.column_sum = s.column_sum + s.pixel_count * tile.x_offset;
      p.row_sum = s.row_sum + s.pixel_count * tile.y_offset;
      p.column_min = s.column_min + tile.x_offset;
      p.column_max = s.column_max + tile.x_offset;
      p.row_min = s.row_min + tile.y_offset;
      p.row_max = s.row_max + tile.y_offset;
      p.first_date = s.first_date_min;
      p.confirmed_date = s.confirmed_date_min;
      p.status = s.status_max;
      p.magnitude_sum_e4 = s.magnitude_sum_e4;
      p.first_index = std::numeric_limits<std::int64_t>::max();
      p.anchor = std::numeric_limits<std::int64_t>::max();
    }
    // Ground area and first pixel (raster order of the AOI window) of each part; in the same
    // pass each label becomes its provisional id: base + id (0 stays 0, -1 stays -1).
    for (int r = 0; r < tile.height; ++r) {
      double const area = row_areas_[static_cast<std::size_t>(r + tile.y_offset)];
      for (int c = 0; c < tile.width; ++c) {
        std::int32_t& provisional = labels[static_cast<std::size_t>(r) * tile.width + c];
        std::int32_t const label = id_of[static_cast<std::size_t>(provisional)];
        provisional = label <= 0 ? label : base + label;
        if (label <= 0) continue;
        part& p = parts_[static_cast<std::size_t>(base + label - 1)];
        p.area_m2 += area;
        std::size_t const i = static_cast<std::size_t>(r) * tile.width + c;
        if (seed_status[i] == 0) {  // grown: dated with its patch in measure()
          ++p.grown.pixels;
          p.grown.column_sum += c + tile.x_offset;
          p.grown.row_sum += r + tile.y_offset;
          p.grown.area_m2 += area;
        }
        for (auto [by_date, day] : {std::pair{&p.first_seen, seed_first[i]},
                                    std::pair{&p.confirmed, seed_confirmed[i]}}) {
          if (day == k::no_date) continue;
          date_extent& e = (*by_date)[day];
          ++e.pixels;
          e.column_sum += c + tile.x_offset;
          e.row_sum += r + tile.y_offset;
          e.area_m2 += area;
        }
        std::int64_t const index =
            static_cast<std::int64_t>(r + tile.y_offset) * grid_.width + (c + tile.x_offset);
        p.first_index = std::min(p.first_index, index);
        if (seed_status[i] != 0) p.anchor = std::min(p.anchor, anchor_key(seed_first[i], index));
      }
    }
  }
  tile_edges edges;
  edges.tile = tile;
  for (int c = 0; c < tile.width; ++c) {
    edges.top.push_back(labels[static_cast<std::size_t>(c)]);
    edges.bottom.push_back(labels[static_cast<std::size_t>(tile.height - 1) * tile.width + c]);
  }
  for (int r = 0; r < tile.height; ++r) {
    edges.left.push_back(labels[static_cast<std::size_t>(r) * tile.width]);
    edges.right.push_back(labels[static_cast<std::size_t>(r) * tile.width + tile.width - 1]);
  }
  tiles_[{column, row}] = std::move(edges);
  return labels;
}

bool patch_stitcher::closed_and_dropped(std::int32_t id, pixel_window const& tile,
                                        double min_area_ha) const {
  if (id < 0) return true;  // complete without a seed: dropped in add_tile()
  if (id == 0) return false;
  part const& p = parts_.at(static_cast<std::size_t>(id - 1));
  bool const inside = p.column_min > tile.x_offset && p.row_min > tile.y_offset &&
                      p.column_max < tile.x_offset + tile.width - 1 &&
                      p.row_max < tile.y_offset + tile.height - 1;
  // The same test as finish()'s, on the same sums: a part never grows once closed.
  return inside && !kept(p, min_area_ha);
}

void patch_stitcher::join_tile_edges() {
  auto const tile_at = [&](int column, int row) -> tile_edges const* {
    auto it = tiles_.find({column, row});
    return it == tiles_.end() ? nullptr : &it->second;
  };
  auto const join = [&](std::int32_t a, std::int32_t b) {
    if (a != 0 && b != 0) unite(a - 1, b - 1);
  };
  // Along an edge each pixel touches three across it (8-connectivity).
  auto const join_edge = [&](std::vector<std::int32_t> const& mine,
                             std::vector<std::int32_t> const& theirs) {
    for (std::size_t i = 0; i < mine.size(); ++i) {
      for (int d = -1; d <= 1; ++d) {
        auto const j = static_cast<std::ptrdiff_t>(i) + d;
        if (j >= 0 && j < static_cast<std::ptrdiff_t>(theirs.size()))
          join(mine[i], theirs[static_cast<std::size_t>(j)]);
      }
    }
  };
  for (auto const& [where, t] : tiles_) {
    auto const [column, row] = where;
    if (auto const* right = tile_at(column + 1, row)) join_edge(t.right, right->left);
    if (auto const* below = tile_at(column, row + 1)) join_edge(t.bottom, below->top);
    // Tiles meeting only at a corner touch through their corner pixels.
    if (auto const* diagonal = tile_at(column + 1, row + 1))
      join(t.bottom.back(), diagonal->top.front());
    if (auto const* anti = tile_at(column - 1, row + 1)) join(t.bottom.front(), anti->top.back());
  }
}

std::vector<patch_stitcher::part> patch_stitcher::merge_parts(std::vector<bool>& is_root) {
  std::vector<part> merged(parts_.size());
  is_root.assign(parts_.size(), false);
  for (std::size_t id = 0; id < parts_.size(); ++id) {
    auto const root = static_cast<std::size_t>(find(static_cast<std::int32_t>(id)));
    part const& p = parts_[id];
    part& m = merged[root];
    if (!is_root[root]) {
      m = p;
      is_root[root] = true;
      continue;
    }
    m.pixels += p.pixels;
    m.column_sum += p.column_sum;
    m.row_sum += p.row_sum;
    m.magnitude_sum_e4 += p.magnitude_sum_e4;
    m.area_m2 += p.area_m2;
    m.first_index = std::min(m.first_index, p.first_index);
    m.anchor = std::min(m.anchor, p.anchor);
    m.column_min = std::min(m.column_min, p.column_min);
    m.column_max = std::max(m.column_max, p.column_max);
    m.row_min = std::min(m.row_min, p.row_min);
    m.row_max = std::max(m.row_max, p.row_max);
    m.first_date = std::min(m.first_date, p.first_date);
    m.confirmed_date = std::min(m.confirmed_date, p.confirmed_date);
    m.status = std::max(m.status, p.status);
    accumulate_dates(m.first_seen, p.first_seen);
    accumulate_dates(m.confirmed, p.confirmed);
    add_extent(m.grown, p.grown);
  }
  return merged;
}

change_patch patch_stitcher::measure(part const& m, std::int32_t label,
                                     OGRCoordinateTransformation& to_wgs84) const {
  auto const to_lon_lat = [&](double col, double row) {
    auto const& gt = grid_.transform;
    double x = gt[0] + col * gt[1] + row * gt[2];
    double y = gt[3] + col * gt[4] + row * gt[5];
    if (!to_wgs84.Transform(1, &x, &y))
      throw io_error("cannot transform a patch position to WGS84");
    return std::array<double, 2>{x, y};
  };
  change_patch p;
  p.label = label;
  alert& a = p.alert;
  a.aoi = aoi_;
  a.pixels = m.pixels;
  a.area_ha = m.area_m2 / 10000.0;
  double const pixels = static_cast<double>(m.pixels);
  auto const centre = to_lon_lat(static_cast<double>(m.column_sum) / pixels + 0.5,
                                 static_cast<double>(m.row_sum) / pixels + 0.5);
  a.centroid_lon = centre[0];
  a.centroid_lat = centre[1];
  double west = 1e9, south = 1e9, east = -1e9, north = -1e9;
  for (double col : {static_cast<double>(m.column_min), static_cast<double>(m.column_max) + 1.0}) {
    for (double row : {static_cast<double>(m.row_min), static_cast<double>(m.row_max) + 1.0}) {
      auto const corner = to_lon_lat(col, row);
      west = std::min(west, corner[0]);
      east = std::max(east, corner[0]);
      south = std::min(south, corner[1]);
      north = std::max(north, corner[1]);
    }
  }
  a.bbox = {west, south, east, north};
  a.first_seen = from_days_since_epoch(m.first_date);
  if (m.confirmed_date != k::no_date) a.confirmed_on = from_days_since_epoch(m.confirmed_date);
  a.confidence = m.status == k::change_high ? alert_confidence::high : alert_confidence::low;
  a.mean_magnitude = static_cast<double>(m.magnitude_sum_e4) / 1e4 / pixels;
  p.centroid_column = static_cast<double>(m.column_sum) / pixels + 0.5;
  p.centroid_row = static_cast<double>(m.row_sum) / pixels + 0.5;
  p.window = {m.column_min, m.row_min, m.column_max - m.column_min + 1, m.row_max - m.row_min + 1};
  // The id follows the patch's earliest pixel, which stays put while the patch grows.
  std::int64_t const anchor_index = m.anchor & ((std::int64_t{1} << 40) - 1);
  auto const anchor = to_lon_lat(static_cast<double>(anchor_index % grid_.width) + 0.5,
                                 static_cast<double>(anchor_index / grid_.width) + 0.5);
  a.id = stable_alert_id(aoi_, anchor[1], anchor[0], static_cast<std::int32_t>(m.anchor >> 40));
  p.first_seen = m.first_seen;
  p.confirmed = m.confirmed;
  // Grown pixels are first seen, and confirmed, with their patch.
  if (m.grown.pixels > 0) {
    add_extent(p.first_seen[m.first_date], m.grown);
    if (m.confirmed_date != k::no_date) add_extent(p.confirmed[m.confirmed_date], m.grown);
  }
  return p;
}

std::vector<change_patch> patch_stitcher::finish(double min_area_ha) {
  join_tile_edges();
  std::vector<bool> is_root;
  auto const merged = merge_parts(is_root);
  // Kept roots in raster order of their first pixel.
  std::vector<std::size_t> roots;
  for (std::size_t id = 0; id < parts_.size(); ++id) {
    if (is_root[id] && kept(merged[id], min_area_ha)) roots.push_back(id);
  }
  std::sort(roots.begin(), roots.end(), [&](std::size_t a, std::size_t b) {
    return merged[a].first_index < merged[b].first_index;
  });
  auto const to_wgs84 = make_transform(make_srs(grid_.crs_wkt), wgs84());
  std::vector<std::int32_t> label_of_root(parts_.size(), 0);
  std::vector<change_patch> patches;
  for (std::size_t root : roots) {
    label_of_root[root] = static_cast<std::int32_t>(patches.size() + 1);
    patches.push_back(measure(merged[root], label_of_root[root], *to_wgs84));
  }
  final_.assign(parts_.size(), 0);
  seeded_.assign(parts_.size(), false);
  for (std::size_t id = 0; id < parts_.size(); ++id) {
    auto const root = static_cast<std::size_t>(find(static_cast<std::int32_t>(id)));
    final_[id] = label_of_root[root];
    seeded_[id] = merged[root].status != 0;
  }
  return patches;
}

bool patch_stitcher::had_seed(std::int32_t provisional) const {
  return provisional > 0 && seeded_[static_cast<std::size_t>(provisional - 1)];
}

std::int32_t patch_stitcher::final_label(std::int32_t provisional) const {
  if (provisional <= 0) return 0;
  return final_[static_cast<std::size_t>(provisional - 1)];
}

}  // namespace geosweep::pipeline
