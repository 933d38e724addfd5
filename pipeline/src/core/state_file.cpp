#include "core/state_file.hpp"

#include <hdf5.h>

#include <array>
#include <cstddef>
#include <optional>

#include "core/atomic_file.hpp"
#include "core/hdf5_handle.hpp"
#include "geosweep/kernels/detector.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

namespace k = geosweep::kernels;

/// The HDF5 memory type of T (the caller closes a compound type).
template <class T>
h5_handle memory_type() {
  if constexpr (std::is_same_v<T, float>) {
    return {H5Tcopy(H5T_NATIVE_FLOAT), H5Tclose};
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    return {H5Tcopy(H5T_NATIVE_INT32), H5Tclose};
  } else if constexpr (std::is_same_v<T, std::uint16_t>) {
    return {H5Tcopy(H5T_NATIVE_UINT16), H5Tclose};
  } else if constexpr (std::is_same_v<T, std::uint32_t>) {
    return {H5Tcopy(H5T_NATIVE_UINT32), H5Tclose};
  } else if constexpr (std::is_same_v<T, std::uint8_t>) {
    return {H5Tcopy(H5T_NATIVE_UINT8), H5Tclose};
  } else if constexpr (std::is_same_v<T, double>) {
    return {H5Tcopy(H5T_NATIVE_DOUBLE), H5Tclose};
  } else {
    static_assert(std::is_same_v<T, k::pixel_state>);
    h5_handle type(H5Tcreate(H5T_COMPOUND, sizeof(k::pixel_state)), H5Tclose);
    auto const field = [&](char const* name, std::size_t offset, hid_t t) {
      H5Tinsert(type.get(), name, offset, t);
    };
    field("baseline_mean", offsetof(k::pixel_state, baseline_mean), H5T_NATIVE_FLOAT);
    field("baseline_m2", offsetof(k::pixel_state, baseline_m2), H5T_NATIVE_FLOAT);
    field("first_anomaly", offsetof(k::pixel_state, first_anomaly), H5T_NATIVE_INT32);
    field("confirmed", offsetof(k::pixel_state, confirmed), H5T_NATIVE_INT32);
    field("magnitude_sum", offsetof(k::pixel_state, magnitude_sum), H5T_NATIVE_FLOAT);
    field("baseline_count", offsetof(k::pixel_state, baseline_count), H5T_NATIVE_UINT16);
    field("clear_count", offsetof(k::pixel_state, clear_count), H5T_NATIVE_UINT16);
    field("status", offsetof(k::pixel_state, status), H5T_NATIVE_UINT8);
    field("anomaly_count", offsetof(k::pixel_state, anomaly_count), H5T_NATIVE_UINT8);
    return type;
  }
}

std::string dataset_path(std::size_t chunk, std::string const& name) {
  return "/chunk_" + std::to_string(chunk) + "/" + name;
}

std::array<std::int64_t, 4> window_values(pixel_window const& w) {
  return {w.x_offset, w.y_offset, w.width, w.height};
}

}  // namespace

struct state_writer::impl {
  atomic_file file;
  h5_handle h5;
  bool compress = true;
  explicit impl(std::filesystem::path path) : file(std::move(path)) {}
  [[noreturn]] void fail(std::string const& what) {
    throw io_error(file.final_path().string() + ": " + what + ": " + take_hdf5_error());
  }
};

state_writer::state_writer(std::filesystem::path path,
                           std::map<std::string, std::string> const& attributes, bool compress)
    : impl_(std::make_unique<impl>(std::move(path))) {
  impl_->compress = compress;
  quiet_hdf5_errors quiet;
  impl_->h5 =
      h5_handle(H5Fcreate(impl_->file.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                H5Fclose);
  if (impl_->h5.get() < 0) impl_->fail("cannot create the file");
  for (auto const& [name, value] : attributes) {
    h5_handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), value.empty() ? 1 : value.size());
    h5_handle space(H5Screate(H5S_SCALAR), H5Sclose);
    h5_handle attr(H5Acreate2(impl_->h5.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                              H5P_DEFAULT),
                   H5Aclose);
    if (attr.get() < 0 || H5Awrite(attr.get(), type.get(), value.c_str()) < 0)
      impl_->fail("cannot write attribute " + name);
  }
}

state_writer::~state_writer() = default;

template <class T>
void state_writer::write(std::size_t chunk, pixel_window const& window, std::string const& name,
                         std::vector<T> const& values) {
  std::size_t const pixels = window.pixel_count();
  GEOSWEEP_EXPECTS(pixels > 0 ? values.size() % pixels == 0 : values.empty(),
                   "whole planes of one value per chunk pixel");
  quiet_hdf5_errors quiet;
  auto const path = dataset_path(chunk, name);
  // One plane: a 1-D dataset (as every state before planes); more: (plane, pixel).
  hsize_t const planes = pixels > 0 ? values.size() / pixels : 1;
  int const rank = planes > 1 ? 2 : 1;
  std::array<hsize_t, 2> const dims =
      rank == 2 ? std::array<hsize_t, 2>{planes, pixels} : std::array<hsize_t, 2>{pixels, 1};
  hsize_t const n = values.size();
  h5_handle space(H5Screate_simple(rank, dims.data(), nullptr), H5Sclose);
  h5_handle links(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(links.get(), 1);
  h5_handle create(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (n > 0 && impl_->compress) {
    hsize_t const along = std::min<hsize_t>(pixels, hsize_t{1} << 16);
    std::array<hsize_t, 2> const storage =
        rank == 2 ? std::array<hsize_t, 2>{1, along} : std::array<hsize_t, 2>{along, 1};
    H5Pset_chunk(create.get(), rank, storage.data());
    H5Pset_shuffle(create.get());
    H5Pset_deflate(create.get(), 1);
  }
  auto const type = memory_type<T>();
  h5_handle set(H5Dcreate2(impl_->h5.get(), path.c_str(), type.get(), space.get(), links.get(),
                           create.get(), H5P_DEFAULT),
                H5Dclose);
  if (set.get() < 0) impl_->fail("cannot create " + path);
  if (n > 0 && H5Dwrite(set.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    impl_->fail("cannot write " + path);
  auto const w = window_values(window);
  hsize_t const four = 4;
  h5_handle attr_space(H5Screate_simple(1, &four, nullptr), H5Sclose);
  h5_handle attr(
      H5Acreate2(set.get(), "window", H5T_STD_I64LE, attr_space.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose);
  if (attr.get() < 0 || H5Awrite(attr.get(), H5T_NATIVE_INT64, w.data()) < 0)
    impl_->fail("cannot write the window of " + path);
}

void state_writer::commit() {
  quiet_hdf5_errors quiet;
  if (impl_->h5.reset() < 0) impl_->fail("cannot close the state file");
  impl_->file.commit();
}

struct state_reader::impl {
  std::filesystem::path path;
  h5_handle h5;
  [[noreturn]] void fail(std::string const& what) const {
    throw io_error(path.string() + ": " + what + ": " + take_hdf5_error());
  }
};

state_reader::state_reader(std::filesystem::path path) : impl_(std::make_unique<impl>()) {
  impl_->path = std::move(path);
  quiet_hdf5_errors quiet;
  impl_->h5 = h5_handle(H5Fopen(impl_->path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (impl_->h5.get() < 0) impl_->fail("cannot open the monitoring state");
}

state_reader::~state_reader() = default;

bool state_reader::has_chunk(std::size_t chunk) const {
  quiet_hdf5_errors quiet;
  std::string const name = "chunk_" + std::to_string(chunk);
  bool const found = H5Lexists(impl_->h5.get(), name.c_str(), H5P_DEFAULT) > 0;
  H5Eclear2(H5E_DEFAULT);
  return found;
}

bool state_reader::has(std::size_t chunk, std::string const& name) const {
  quiet_hdf5_errors quiet;
  // H5Lexists checks one link at a time: the chunk's group first, then each level below it.
  std::string path = "/chunk_" + std::to_string(chunk);
  bool found = H5Lexists(impl_->h5.get(), path.c_str(), H5P_DEFAULT) > 0;
  for (std::size_t start = 0; found && start <= name.size();) {
    auto const slash = name.find('/', start);
    path += '/';
    path += name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    found = H5Lexists(impl_->h5.get(), path.c_str(), H5P_DEFAULT) > 0;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  H5Eclear2(H5E_DEFAULT);
  return found;
}

std::string state_reader::attribute(std::string const& name) const {
  quiet_hdf5_errors quiet;
  if (H5Aexists(impl_->h5.get(), name.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  h5_handle attr(H5Aopen(impl_->h5.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  h5_handle type(H5Aget_type(attr.get()), H5Tclose);
  std::string value(H5Tget_size(type.get()), '\0');
  h5_handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(memory.get(), value.size());
  if (H5Aread(attr.get(), memory.get(), value.data()) < 0) impl_->fail("cannot read " + name);
  while (!value.empty() && value.back() == '\0') value.pop_back();
  return value;
}

template <class T>
void state_reader::read(std::size_t chunk, pixel_window const& window, std::string const& name,
                        std::vector<T>& values) const {
  quiet_hdf5_errors quiet;
  auto const path = dataset_path(chunk, name);
  h5_handle set(H5Dopen2(impl_->h5.get(), path.c_str(), H5P_DEFAULT), H5Dclose);
  if (set.get() < 0) impl_->fail("no " + path + " (the state is from another job or grid)");
  std::array<std::int64_t, 4> stored{};
  h5_handle attr(H5Aopen(set.get(), "window", H5P_DEFAULT), H5Aclose);
  if (attr.get() < 0 || H5Aread(attr.get(), H5T_NATIVE_INT64, stored.data()) < 0)
    impl_->fail("cannot read the window of " + path);
  if (stored != window_values(window)) {
    throw io_error(impl_->path.string() + ": " + path +
                   " was written for another chunk window (the job's grid or chunk size "
                   "changed since the first monitoring run)");
  }
  h5_handle space(H5Dget_space(set.get()), H5Sclose);
  int const rank = H5Sget_simple_extent_ndims(space.get());
  std::array<hsize_t, 2> dims{0, 0};
  if (rank < 1 || rank > 2 || H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
    impl_->fail("cannot read the shape of " + path);
  std::size_t const pixels = window.pixel_count();
  std::size_t const planes = rank == 2 ? dims[0] : 1;
  if ((rank == 2 ? dims[1] : dims[0]) != pixels)
    throw io_error(impl_->path.string() + ": " + path + " holds " +
                   std::to_string(rank == 2 ? dims[1] : dims[0]) + " pixels, not the window's " +
                   std::to_string(pixels));
  values.assign(planes * pixels, T{});
  auto const type = memory_type<T>();
  if (!values.empty() &&
      H5Dread(set.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    impl_->fail("cannot read " + path);
}

#define GEOSWEEP_STATE_TYPES(X) \
  X(float)                      \
  X(double)                     \
  X(std::int32_t)               \
  X(std::uint16_t)              \
  X(std::uint8_t)               \
  X(std::uint32_t)              \
  X(k::pixel_state)
#define GEOSWEEP_INSTANTIATE(T)                                                              \
  template void state_writer::write<T>(std::size_t, pixel_window const&, std::string const&, \
                                       std::vector<T> const&);                               \
  template void state_reader::read<T>(std::size_t, pixel_window const&, std::string const&,  \
                                      std::vector<T>&) const;
GEOSWEEP_STATE_TYPES(GEOSWEEP_INSTANTIATE)
#undef GEOSWEEP_INSTANTIATE
#undef GEOSWEEP_STATE_TYPES

}  // namespace geosweep::pipeline
