// Connected-component labelling and per-patch statistics: the CPU backend and the dispatch
// to the CUDA backend (src/cuda/patches_cuda.cu).
//
// Labelling is union-find in which a set's root is always its smallest pixel index (the
// larger root is linked under the smaller). The final parent of every pixel is therefore the
// smallest index of its component, a property of the component alone, and numbering roots in
// raster order gives the canonical labels whatever order the unions ran in. The CUDA backend
// keeps the same invariant with atomicMin, which is why the two backends agree.

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "geosweep/kernels/error.hpp"
#include "geosweep/kernels/patches.hpp"

namespace geosweep::kernels {

#if GEOSWEEP_HAVE_CUDA
namespace detail {
// Defined in src/cuda/patches_cuda.cu.
std::int32_t label_components_cuda(std::uint8_t const* mask, int width, int height,
                                   std::uint8_t foreground, std::int32_t* labels);
std::vector<patch_summary> summarize_patches_cuda(std::int32_t const* labels, int width, int height,
                                                  std::int32_t count,
                                                  std::int32_t const* first_date,
                                                  std::int32_t const* confirmed_date,
                                                  std::uint8_t const* status,
                                                  float const* magnitude);
}  // namespace detail
#endif

namespace {

void check_raster(int width, int height) {
  GEOSWEEP_EXPECTS(width >= 0 && height >= 0, "raster dimensions must not be negative");
  GEOSWEEP_EXPECTS(static_cast<std::int64_t>(width) * height <= max_patch_raster_pixels,
                   "width * height must be below 2^31 (int32 pixel indices)");
}

/// Root of `i` with path halving; only called on paths the calling thread alone writes.
std::int32_t find_root(std::int32_t* parent, std::int32_t i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

/// Unites the sets of a and b, linking the larger root under the smaller.
void unite(std::int32_t* parent, std::int32_t a, std::int32_t b) {
  std::int32_t const ra = find_root(parent, a);
  std::int32_t const rb = find_root(parent, b);
  if (ra < rb) {
    parent[rb] = ra;
  } else if (rb < ra) {
    parent[ra] = rb;
  }
}

/// Rows [row_begin, row_end) of the raster, handled by one thread.
struct strip {
  int row_begin = 0;
  int row_end = 0;
};

std::vector<strip> make_strips(int height) {
  // One strip per thread: the results do not depend on it, only the speed does.
  int const count = std::max(1, std::min(height, omp_get_max_threads()));
  std::vector<strip> strips(static_cast<std::size_t>(count));
  for (int s = 0; s < count; ++s) {
    strips[static_cast<std::size_t>(s)].row_begin =
        static_cast<int>(static_cast<std::int64_t>(height) * s / count);
    strips[static_cast<std::size_t>(s)].row_end =
        static_cast<int>(static_cast<std::int64_t>(height) * (s + 1) / count);
  }
  return strips;
}

/// Marks background in `labels` while they hold the forest; below every encoded number.
constexpr std::int32_t background_mark = std::numeric_limits<std::int32_t>::min();

std::int32_t label_components_cpu(std::uint8_t const* mask, int width, int height,
                                  std::uint8_t foreground, std::int32_t* labels) {
  std::int64_t const n = static_cast<std::int64_t>(width) * height;
  if (n == 0) return 0;
  // Until step 4, labels[i] is the union-find parent of pixel i (background_mark for
  // background). parent <= i always, so every root is the smallest index of its set.
  std::int32_t* const parent = labels;
  auto const strips = make_strips(height);
  auto const strip_count = static_cast<int>(strips.size());
  auto const fg = [&](std::int64_t i) { return mask[i] == foreground; };
  auto const begin_of = [&](int s) {
    return static_cast<std::int64_t>(strips[static_cast<std::size_t>(s)].row_begin) * width;
  };
  auto const end_of = [&](int s) {
    return static_cast<std::int64_t>(strips[static_cast<std::size_t>(s)].row_end) * width;
  };

  // 1. Each strip on its own: unions with the scanned neighbours inside the strip (the
  //    first row of a strip sees no row above), then every pixel points at its strip-local
  //    root. Each thread reads and writes only its own strip.
#pragma omp parallel for schedule(static, 1)
  for (int s = 0; s < strip_count; ++s) {
    strip const st = strips[static_cast<std::size_t>(s)];
    for (int r = st.row_begin; r < st.row_end; ++r) {
      bool const has_north = r > st.row_begin;
      std::int64_t const row = static_cast<std::int64_t>(r) * width;
      for (int c = 0; c < width; ++c) {
        std::int64_t const i = row + c;
        if (!fg(i)) {
          parent[i] = background_mark;
          continue;
        }
        bool const west = c > 0 && fg(i - 1);
        bool const north_west = has_north && c > 0 && fg(i - width - 1);
        bool const north = has_north && fg(i - width);
        bool const north_east = has_north && c + 1 < width && fg(i - width + 1);
        unsigned chosen = detail::scanned_neighbours(west, north_west, north, north_east);
        auto const self = static_cast<std::int32_t>(i);
        // The first chosen neighbour's root becomes the parent (a root precedes its set);
        // a second one, north-east, is united with it.
        std::int32_t first = self;
        if (chosen & detail::neighbour_north) {
          first = static_cast<std::int32_t>(i - width);
        } else if (chosen & detail::neighbour_west) {
          first = static_cast<std::int32_t>(i - 1);
        } else if (chosen & detail::neighbour_north_west) {
          first = static_cast<std::int32_t>(i - width - 1);
        } else if (chosen & detail::neighbour_north_east) {
          first = static_cast<std::int32_t>(i - width + 1);
          chosen &= ~detail::neighbour_north_east;
        }
        parent[i] = first == self ? self : find_root(parent, first);
        if (chosen & detail::neighbour_north_east) {
          unite(parent, self, static_cast<std::int32_t>(i - width + 1));
        }
      }
    }
    // A parent precedes its child, so one pass in raster order flattens the strip.
    for (std::int64_t i = begin_of(s); i < end_of(s); ++i) {
      std::int32_t const q = parent[i];
      if (q >= 0) parent[i] = parent[q];
    }
  }

  // 2. Seams, in order on one thread: the first row of each strip joins the row above
  //    (every foreground neighbour there; extra edges within a component are harmless).
  for (int s = 1; s < strip_count; ++s) {
    std::int64_t const row = begin_of(s);
    for (int c = 0; c < width; ++c) {
      std::int64_t const i = row + c;
      if (!fg(i)) continue;
      auto const self = static_cast<std::int32_t>(i);
      if (c > 0 && fg(i - width - 1)) {
        unite(parent, self, static_cast<std::int32_t>(i - width - 1));
      }
      if (fg(i - width)) unite(parent, self, static_cast<std::int32_t>(i - width));
      if (c + 1 < width && fg(i - width + 1)) {
        unite(parent, self, static_cast<std::int32_t>(i - width + 1));
      }
    }
  }

  // 3. Every pixel points at its root. Walks cross into other strips while their threads
  //    flatten them: relaxed atomic accesses, and every value ever stored at a pixel is one
  //    of its ancestors, so any value read leads to the same root.
  std::vector<std::int64_t> roots_in_strip(static_cast<std::size_t>(strip_count), 0);
#pragma omp parallel for schedule(static, 1)
  for (int s = 0; s < strip_count; ++s) {
    std::int64_t const begin = begin_of(s);
    std::int64_t const end = end_of(s);
    auto const load = [&](std::int64_t i) {
      return std::atomic_ref<std::int32_t>(parent[i]).load(std::memory_order_relaxed);
    };
    std::int64_t roots = 0;
    for (std::int64_t i = begin; i < end; ++i) {
      std::int32_t q = load(i);
      if (q >= 0 && q < begin) {
        for (std::int32_t next = load(q); next != q; next = load(q)) q = next;
      } else {
        // Background (kept as is), a root (q == i) or an earlier pixel of this strip, whose
        // root is already in place. Written without branches: the mask is often random.
        roots += q == i;
        q = load(q >= 0 ? q : i);
      }
      std::atomic_ref<std::int32_t>(parent[i]).store(q, std::memory_order_relaxed);
    }
    roots_in_strip[static_cast<std::size_t>(s)] = roots;
  }

  // 4. Dense numbers in raster order. Strip s numbers its roots from the count of roots in
  //    the strips before it and stores them negated at the roots; then every other pixel
  //    takes its root's number; then the roots' numbers are made positive.
  std::vector<std::int64_t> first_number(static_cast<std::size_t>(strip_count), 1);
  for (int s = 1; s < strip_count; ++s) {
    first_number[static_cast<std::size_t>(s)] = first_number[static_cast<std::size_t>(s - 1)] +
                                                roots_in_strip[static_cast<std::size_t>(s - 1)];
  }
  //    Background becomes 0 in the same pass (no pixel's root is background), and the roots,
  //    listed as they are numbered, are made positive last.
  std::vector<std::vector<std::int32_t>> roots_of(static_cast<std::size_t>(strip_count));
#pragma omp parallel for schedule(static, 1)
  for (int s = 0; s < strip_count; ++s) {
    std::int64_t next = first_number[static_cast<std::size_t>(s)];
    auto& roots = roots_of[static_cast<std::size_t>(s)];
    roots.reserve(static_cast<std::size_t>(roots_in_strip[static_cast<std::size_t>(s)]));
    for (std::int64_t i = begin_of(s); i < end_of(s); ++i) {
      if (parent[i] == i) {
        labels[i] = static_cast<std::int32_t>(-next++);
        roots.push_back(static_cast<std::int32_t>(i));
      }
    }
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    std::int32_t const root = parent[i];
    std::int32_t const number = -parent[root >= 0 ? root : i];
    labels[i] = root >= 0 ? number : (root == background_mark ? 0 : root);
  }
  for (auto const& roots : roots_of)
    for (std::int32_t const r : roots) labels[r] = -labels[r];
  std::int64_t total = 0;
  for (auto const roots : roots_in_strip) total += roots;
  return static_cast<std::int32_t>(total);
}

/// The optional per-pixel inputs of summarize_patches.
struct pixel_inputs {
  std::int32_t const* first_date;
  std::int32_t const* confirmed_date;
  std::uint8_t const* status;
  float const* magnitude;
};

/// Pixels [column_begin, column_end) of one row, all with one label, and their reductions.
struct label_run {
  int row = 0;
  int column_begin = 0;
  int column_end = 0;
  std::int32_t first_date_min = patch_no_date;
  std::int32_t confirmed_date_min = patch_no_date;
  std::uint8_t status_max = 0;
  std::int64_t magnitude_sum_e4 = 0;

  label_run(pixel_inputs const& in, std::int64_t row_offset, int r, int begin, int end)
      : row(r), column_begin(begin), column_end(end) {
    for (std::int64_t i = row_offset + begin; i < row_offset + end; ++i) {
      if (in.first_date != nullptr) first_date_min = std::min(first_date_min, in.first_date[i]);
      if (in.confirmed_date != nullptr) {
        confirmed_date_min = std::min(confirmed_date_min, in.confirmed_date[i]);
      }
      if (in.status != nullptr) status_max = std::max(status_max, in.status[i]);
      if (in.magnitude != nullptr) magnitude_sum_e4 += magnitude_e4(in.magnitude[i]);
    }
  }

  [[nodiscard]] std::int64_t length() const { return column_end - column_begin; }
  /// Sum of the column indices of the run (an arithmetic series).
  [[nodiscard]] std::int64_t column_sum() const {
    return detail::run_column_sum(column_begin, column_end);
  }
};

/// Calls on_run(label, column_begin, column_end) for each run of one label in 1..count
/// along a row.
template <class OnRun>
void for_each_run(std::int32_t const* row_labels, int width, std::int32_t count, OnRun on_run) {
  int c = 0;
  while (c < width) {
    std::int32_t const label = row_labels[c];
    int const begin = c++;
    while (c < width && row_labels[c] == label) ++c;
    if (label >= 1 && label <= count) on_run(label, begin, c);
  }
}

void add_run(patch_summary& s, label_run const& run) {
  s.pixel_count += run.length();
  s.column_sum += run.column_sum();
  s.row_sum += run.length() * run.row;
  s.magnitude_sum_e4 += run.magnitude_sum_e4;
  s.column_min = std::min(s.column_min, run.column_begin);
  s.column_max = std::max(s.column_max, run.column_end - 1);
  s.row_min = std::min(s.row_min, run.row);
  s.row_max = std::max(s.row_max, run.row);
  s.first_date_min = std::min(s.first_date_min, run.first_date_min);
  s.confirmed_date_min = std::min(s.confirmed_date_min, run.confirmed_date_min);
  s.status_max = std::max(s.status_max, run.status_max);
}

template <class T>
void atomic_min(T& target, T value) {
  std::atomic_ref<T> ref(target);
  T current = ref.load(std::memory_order_relaxed);
  while (value < current && !ref.compare_exchange_weak(current, value, std::memory_order_relaxed)) {
  }
}

template <class T>
void atomic_max(T& target, T value) {
  std::atomic_ref<T> ref(target);
  T current = ref.load(std::memory_order_relaxed);
  while (value > current && !ref.compare_exchange_weak(current, value, std::memory_order_relaxed)) {
  }
}

template <class T>
void atomic_add(T& target, T value) {
  std::atomic_ref<T>(target).fetch_add(value, std::memory_order_relaxed);
}

/// add_run for a patch other threads update at the same time.
void add_run_atomic(patch_summary& s, label_run const& run) {
  atomic_add(s.pixel_count, run.length());
  atomic_add(s.column_sum, run.column_sum());
  atomic_add(s.row_sum, run.length() * run.row);
  atomic_add(s.magnitude_sum_e4, run.magnitude_sum_e4);
  atomic_min(s.column_min, run.column_begin);
  atomic_max(s.column_max, run.column_end - 1);
  atomic_min(s.row_min, run.row);
  atomic_max(s.row_max, run.row);
  atomic_min(s.first_date_min, run.first_date_min);
  atomic_min(s.confirmed_date_min, run.confirmed_date_min);
  atomic_max(s.status_max, run.status_max);
}

std::vector<patch_summary> summarize_patches_cpu(std::int32_t const* labels, int width, int height,
                                                 std::int32_t count, pixel_inputs const& in) {
  // The bounding box starts empty (min above max) and is zeroed for patches with no pixels.
  std::vector<patch_summary> out(static_cast<std::size_t>(count));
  for (std::int32_t k = 0; k < count; ++k) {
    auto& s = out[static_cast<std::size_t>(k)];
    s.label = k + 1;
    s.column_min = width;
    s.row_min = height;
    s.column_max = -1;
    s.row_max = -1;
  }
  auto const zero_empty_boxes = [&out] {
    for (auto& s : out) {
      if (s.pixel_count == 0) s.column_min = s.column_max = s.row_min = s.row_max = 0;
    }
  };
  if (static_cast<std::int64_t>(width) * height == 0 || count == 0) {
    zero_empty_boxes();
    return out;
  }

  // A strip owns the labels that first appear in it: those above every label of the strips
  // before it (true of any labelling, and for label_components' nearly all of them). Owned
  // patches are summed without atomics; the others, which cross into the strip from above,
  // in a second pass with integer atomics. Both are exact, so the result does not depend on
  // the thread count.
  auto const strips = make_strips(height);
  auto const strip_count = static_cast<int>(strips.size());
  std::vector<std::int32_t> largest_label(static_cast<std::size_t>(strip_count), 0);
#pragma omp parallel for schedule(static, 1)
  for (int s = 0; s < strip_count; ++s) {
    strip const st = strips[static_cast<std::size_t>(s)];
    std::int32_t largest = 0;
    for (std::int64_t i = static_cast<std::int64_t>(st.row_begin) * width;
         i < static_cast<std::int64_t>(st.row_end) * width; ++i) {
      std::int32_t const label = labels[i];
      largest = label <= count && label > largest ? label : largest;
    }
    largest_label[static_cast<std::size_t>(s)] = largest;
  }
  std::vector<std::int32_t> first_owned(static_cast<std::size_t>(strip_count), 1);
  for (int s = 1; s < strip_count; ++s) {
    first_owned[static_cast<std::size_t>(s)] =
        std::max(first_owned[static_cast<std::size_t>(s - 1)],
                 largest_label[static_cast<std::size_t>(s - 1)] + 1);
  }
  // Rows of each strip from the first to the last that holds a run of a foreign patch.
  std::vector<strip> foreign_rows(static_cast<std::size_t>(strip_count));
#pragma omp parallel for schedule(static, 1)
  for (int s = 0; s < strip_count; ++s) {
    strip const st = strips[static_cast<std::size_t>(s)];
    std::int32_t const owned_from = first_owned[static_cast<std::size_t>(s)];
    int last_foreign_row = st.row_begin - 1;
    for (int r = st.row_begin; r < st.row_end; ++r) {
      std::int64_t const row = static_cast<std::int64_t>(r) * width;
      for_each_run(labels + row, width, count, [&](std::int32_t label, int begin, int end) {
        if (label < owned_from) {
          last_foreign_row = r;
          return;
        }
        add_run(out[static_cast<std::size_t>(label - 1)], label_run(in, row, r, begin, end));
      });
    }
    foreign_rows[static_cast<std::size_t>(s)] = strip{st.row_begin, last_foreign_row + 1};
  }
#pragma omp parallel for schedule(static, 1)
  for (int s = 0; s < strip_count; ++s) {
    strip const st = foreign_rows[static_cast<std::size_t>(s)];
    std::int32_t const owned_from = first_owned[static_cast<std::size_t>(s)];
    for (int r = st.row_begin; r < st.row_end; ++r) {
      std::int64_t const row = static_cast<std::int64_t>(r) * width;
      for_each_run(labels + row, width, count, [&](std::int32_t label, int begin, int end) {
        if (label >= owned_from) return;
        add_run_atomic(out[static_cast<std::size_t>(label - 1)], label_run(in, row, r, begin, end));
      });
    }
  }
  zero_empty_boxes();
  return out;
}

}  // namespace

std::int32_t label_components(backend where, std::uint8_t const* mask, int width, int height,
                              std::uint8_t foreground, std::int32_t* labels) {
  check_raster(width, height);
  GEOSWEEP_EXPECTS(width * height == 0 || (mask != nullptr && labels != nullptr),
                   "label_components needs a mask and a label array");
  where = resolve_backend(where);
  if (where == backend::cpu) return label_components_cpu(mask, width, height, foreground, labels);
#if GEOSWEEP_HAVE_CUDA
  return detail::label_components_cuda(mask, width, height, foreground, labels);
#else
  throw cuda_error("this geosweep was built without the CUDA backend");
#endif
}

std::vector<patch_summary> summarize_patches(backend where, std::int32_t const* labels, int width,
                                             int height, std::int32_t count,
                                             std::int32_t const* first_date,
                                             std::int32_t const* confirmed_date,
                                             std::uint8_t const* status, float const* magnitude) {
  check_raster(width, height);
  GEOSWEEP_EXPECTS(count >= 0, "the patch count must not be negative");
  GEOSWEEP_EXPECTS(width * height == 0 || labels != nullptr, "summarize_patches needs labels");
  where = resolve_backend(where);
  if (where == backend::cpu) {
    return summarize_patches_cpu(labels, width, height, count,
                                 pixel_inputs{first_date, confirmed_date, status, magnitude});
  }
#if GEOSWEEP_HAVE_CUDA
  return detail::summarize_patches_cuda(labels, width, height, count, first_date, confirmed_date,
                                        status, magnitude);
#else
  throw cuda_error("this geosweep was built without the CUDA backend");
#endif
}

}  // namespace geosweep::kernels
