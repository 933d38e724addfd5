#include "outputs/hdf5_writer.hpp"

#include "outputs/cf_crs.hpp"
#include "outputs/hdf5_types.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <ogr_spatialref.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <utility>

#include "core/atomic_file.hpp"
#include "core/hdf5_handle.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {

namespace {

std::vector<std::string> split_path(std::string const& group) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream stream(group);
  while (std::getline(stream, part, '/')) parts.push_back(part);
  if (!group.empty() && group.back() == '/') parts.emplace_back();
  return parts;
}

void check_name(std::string const& name, std::string_view what) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    throw logic_error(std::string(what) + " name '" + name + "' is empty or not a plain name");
  }
}

std::size_t word_count(std::string const& text) {
  std::istringstream stream(text);
  std::size_t count = 0;
  std::string word;
  while (stream >> word) ++count;
  return count;
}

}  // namespace

struct hdf5_writer::impl {
  /// One HDF5 group, and its grid once add_grid() gave it one.
  struct group_state {
    h5_handle group;
    std::optional<raster_grid> grid;
    int chunk_side = 256;  // storage chunks of its variables
    h5_handle x;
    h5_handle y;
    h5_handle time;  // after add_time: the time dimension of (time, y, x) series
    std::size_t time_count = 0;
  };

  // Declared first so that it is destroyed last, after every HDF5 handle is closed.
  atomic_file file_name_;
  std::string path_;  // the final path, as users know it, for error messages
  h5_handle file_;
  std::map<std::string, group_state> groups_;
  std::map<std::string, h5_handle> datasets_;   // open variables, by "group/name"
  std::map<std::string, std::int64_t> writes_;  // windows transferred, by "group/name"
  bool committed_ = false;

  explicit impl(std::filesystem::path path)
      : file_name_(std::move(path)), path_(file_name_.final_path().string()) {
    h5_handle fcpl = make(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "file creation properties");
    track_creation_order(fcpl.get(), true, "file creation properties");
    h5_handle fapl = make(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access properties");
    // netCDF-4 readers must be able to parse every object header: keep to the 1.8 format.
    check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18),
          "file access properties");
    // Closing the file then closes anything still open, so the rename never races a handle.
    check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "file access properties");
    // A small metadata cache: the chunk indexes of large grids would otherwise fill the
    // default (up to 32 MiB) and memory would grow with the region.
    H5AC_cache_config_t mdc{};
    mdc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    check(H5Pget_mdc_config(fapl.get(), &mdc), "file access properties");
    mdc.set_initial_size = true;
    mdc.initial_size = 1 << 20;
    mdc.min_size = 1 << 20;
    mdc.max_size = 4 << 20;
    check(H5Pset_mdc_config(fapl.get(), &mdc), "file access properties");
    file_ = make(H5Fcreate(file_name_.temp_path().c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                 H5Fclose, "file (temporary " + file_name_.temp_path().filename().string() + ")");
    write_text_attribute(file_.get(), "Conventions", "CF-1.8", "root attribute Conventions");
  }

  impl(impl const&) = delete;
  impl& operator=(impl const&) = delete;

  ~impl() {
    // Children before their file, as in commit(): closing the file strongly first and its
    // datasets after (the member order) made HDF5 write through freed dataset structures
    // after a failed write (a full disk), a crash instead of an io_error.
    datasets_.clear();
    groups_.clear();
    file_.reset();
  }

  [[noreturn]] void fail(std::string_view what) const {
    std::string message = path_ + ": cannot write " + std::string(what);
    std::string const cause = take_hdf5_error();
    if (!cause.empty()) message += ": " + cause;
    throw io_error(message);
  }

  template <typename Id>
  Id check(Id status, std::string_view what) const {
    if (status < 0) fail(what);
    return status;
  }

  h5_handle make(hid_t id, h5_handle::closer close, std::string_view what) const {
    check(id, what);
    return h5_handle(id, close);
  }

  void ensure_open() const {
    if (committed_) throw logic_error(path_ + ": hdf5_writer used after commit()");
  }

  /// `has_links`: a file or group creation list (datasets have attributes only).
  void track_creation_order(hid_t plist, bool has_links, std::string_view what) const {
    unsigned const flags = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    // netCDF-4 iterates links and attributes by creation order and fails on files that
    // track it without an index.
    if (has_links) check(H5Pset_link_creation_order(plist, flags), what);
    check(H5Pset_attr_creation_order(plist, flags), what);
  }

  void remove_attribute_if_present(hid_t object, char const* name, std::string_view what) const {
    if (check(H5Aexists(object, name), what) > 0) check(H5Adelete(object, name), what);
  }

  /// netCDF reads a fixed-length ASCII string attribute as NC_CHAR text.
  void write_text_attribute(hid_t object, std::string_view name, std::string_view value,
                            std::string const& what) const {
    std::string const name_z(name);
    remove_attribute_if_present(object, name_z.c_str(), what);
    h5_handle type = make(H5Tcopy(H5T_C_S1), H5Tclose, what);
    check(H5Tset_size(type.get(), value.empty() ? 1 : value.size()), what);
    check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), what);
    // EPSG's WKT2 carries UTF-8 ("°" in AREA); h5py-based readers (h5netcdf, xarray) decode
    // by the declared character set, libnetcdf ignores it.
    bool const ascii = std::all_of(value.begin(), value.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    check(H5Tset_cset(type.get(), ascii ? H5T_CSET_ASCII : H5T_CSET_UTF8), what);
    // netCDF's own encoding of an empty text attribute: a null dataspace.
    h5_handle space = make(H5Screate(value.empty() ? H5S_NULL : H5S_SCALAR), H5Sclose, what);
    h5_handle attribute =
        make(H5Acreate2(object, name_z.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
             H5Aclose, what);
    if (!value.empty()) check(H5Awrite(attribute.get(), type.get(), value.data()), what);
  }

  void write_numeric_attribute(hid_t object, char const* name, hid_t file_type, hid_t memory_type,
                               void const* values, hsize_t count, bool scalar,
                               std::string const& what) const {
    remove_attribute_if_present(object, name, what);
    h5_handle space = scalar ? make(H5Screate(H5S_SCALAR), H5Sclose, what)
                             : make(H5Screate_simple(1, &count, nullptr), H5Sclose, what);
    h5_handle attribute = make(
        H5Acreate2(object, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
    check(H5Awrite(attribute.get(), memory_type, values), what);
  }

  /// Opens `group`, creating it and any missing parents with creation order tracked.
  group_state& open_group(std::string const& group) {
    if (auto found = groups_.find(group); found != groups_.end()) return found->second;
    std::vector<std::string> const parts = split_path(group);
    if (parts.empty()) throw logic_error("group name is empty");
    for (auto const& part : parts) check_name(part, "group '" + group + "':");

    hid_t parent = file_.get();
    std::string parent_path;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      if (i > 0) parent_path += '/';
      parent_path += parts[i];
      parent = open_group(parent_path).group.get();
    }
    std::string const what = "group " + group;
    std::string const& leaf = parts.back();
    h5_handle handle;
    if (check(H5Lexists(parent, leaf.c_str(), H5P_DEFAULT), what) > 0) {
      handle = make(H5Gopen2(parent, leaf.c_str(), H5P_DEFAULT), H5Gclose, what);
    } else {
      h5_handle gcpl = make(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, what);
      track_creation_order(gcpl.get(), true, what);
      handle = make(H5Gcreate2(parent, leaf.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT),
                    H5Gclose, what);
    }
    group_state& state = groups_[group];
    state.group = std::move(handle);
    return state;
  }

  group_state const& gridded_group(std::string const& group) const {
    return const_cast<impl*>(this)->gridded_group(group);
  }

  group_state& gridded_group(std::string const& group) {
    auto found = groups_.find(group);
    if (found == groups_.end() || !found->second.grid) {
      throw logic_error(path_ + ": group '" + group + "' has no grid; call add_grid first");
    }
    return found->second;
  }

  h5_handle dataset_creation_properties(std::string const& what) const {
    h5_handle dcpl = make(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what);
    track_creation_order(dcpl.get(), false, what);
    return dcpl;
  }

  h5_handle write_coordinate(hid_t group, char const* name, std::vector<double> const& values,
                             axis_description const& axes, bool is_x,
                             std::string const& group_name) const {
    std::string const what = "coordinate variable " + group_name + "/" + name;
    h5_handle dcpl = dataset_creation_properties(what);
    hsize_t const size = values.size();
    h5_handle space = make(H5Screate_simple(1, &size, nullptr), H5Sclose, what);
    h5_handle dataset = make(
        H5Dcreate2(group, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
        H5Dclose, what);
    check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          what);
    // The scale name is what netCDF takes as the dimension name.
    check(H5DSset_scale(dataset.get(), name), what);
    write_text_attribute(dataset.get(), "standard_name",
                         is_x ? axes.x_standard_name : axes.y_standard_name, what);
    write_text_attribute(dataset.get(), "long_name", is_x ? axes.x_long_name : axes.y_long_name,
                         what);
    std::string const& units = is_x ? axes.x_units : axes.y_units;
    if (!units.empty()) write_text_attribute(dataset.get(), "units", units, what);
    write_text_attribute(dataset.get(), "axis", is_x ? "X" : "Y", what);
    return dataset;
  }

  void add_time(std::string const& group, std::vector<std::int32_t> const& days) {
    ensure_open();
    group_state& state = gridded_group(group);
    std::string const what = "coordinate variable " + group + "/time";
    if (state.time.get() >= 0)
      throw logic_error(path_ + ": add_time called twice for group '" + group + "'");
    if (days.empty()) throw logic_error(path_ + ": " + what + ": no dates");
    h5_handle dcpl = dataset_creation_properties(what);
    hsize_t const size = days.size();
    h5_handle space = make(H5Screate_simple(1, &size, nullptr), H5Sclose, what);
    h5_handle dataset = make(H5Dcreate2(state.group.get(), "time", H5T_STD_I32LE, space.get(),
                                        H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                             H5Dclose, what);
    check(H5Dwrite(dataset.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, days.data()),
          what);
    check(H5DSset_scale(dataset.get(), "time"), what);
    write_text_attribute(dataset.get(), "standard_name", "time", what);
    write_text_attribute(dataset.get(), "long_name", "acquisition date", what);
    write_text_attribute(dataset.get(), "units", "days since 1970-01-01", what);
    write_text_attribute(dataset.get(), "calendar", "standard", what);
    write_text_attribute(dataset.get(), "axis", "T", what);
    state.time = std::move(dataset);
    state.time_count = days.size();
  }

  void add_grid(std::string const& group, raster_grid const& grid, int chunk_side) {
    if (chunk_side < 1) throw logic_error("add_grid('" + group + "'): chunk side must be positive");
    ensure_open();
    if (grid.width <= 0 || grid.height <= 0) {
      throw logic_error("add_grid('" + group + "'): grid size must be positive");
    }
    auto const& gt = grid.transform;
    if (gt[2] != 0.0 || gt[4] != 0.0) {
      throw logic_error("add_grid('" + group +
                        "'): rotated geotransforms cannot be written as CF 1-D coordinates");
    }
    if (gt[1] == 0.0 || gt[5] == 0.0) {
      throw logic_error("add_grid('" + group + "'): geotransform pixel size is zero");
    }
    if (grid.crs_wkt.empty()) throw logic_error("add_grid('" + group + "'): crs_wkt is empty");
    if (auto found = groups_.find(group); found != groups_.end() && found->second.grid) {
      throw logic_error(path_ + ": add_grid called twice for group '" + group + "'");
    }
    crs_description const crs = describe_crs(grid.crs_wkt);

    group_state& state = open_group(group);
    hid_t const g = state.group.get();

    std::vector<double> xs(static_cast<std::size_t>(grid.width));
    for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = grid.pixel_center(double(i), 0)[0];
    std::vector<double> ys(static_cast<std::size_t>(grid.height));
    for (std::size_t j = 0; j < ys.size(); ++j) ys[j] = grid.pixel_center(0, double(j))[1];
    // y before x: netCDF numbers dimensions in the order it meets them, and (y, x) is the
    // order of every 2-D variable.
    h5_handle y = write_coordinate(g, "y", ys, crs.axes, false, group);
    h5_handle x = write_coordinate(g, "x", xs, crs.axes, true, group);

    std::string const what = "grid-mapping variable " + group + "/crs";
    h5_handle dcpl = dataset_creation_properties(what);
    h5_handle space = make(H5Screate(H5S_SCALAR), H5Sclose, what);
    h5_handle crs_var =
        make(H5Dcreate2(g, "crs", H5T_STD_I32LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
             H5Dclose, what);
    int const zero = 0;
    check(H5Dwrite(crs_var.get(), H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, &zero), what);
    if (!crs.grid_mapping_name.empty()) {
      write_text_attribute(crs_var.get(), "grid_mapping_name", crs.grid_mapping_name, what);
    }
    for (auto const& parameter : crs.parameters) {
      // One value is a scalar attribute; the two standard parallels of a cone a 1-D one.
      write_numeric_attribute(crs_var.get(), parameter.name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                              parameter.values.data(), parameter.values.size(),
                              parameter.values.size() == 1, what);
    }
    write_text_attribute(crs_var.get(), "crs_wkt", grid.crs_wkt, what);
    write_text_attribute(crs_var.get(), "spatial_ref", grid.crs_wkt, what);
    std::string transform_text;
    for (std::size_t i = 0; i < gt.size(); ++i) {
      if (i > 0) transform_text += ' ';
      transform_text += format_double(gt[i]);
    }
    write_text_attribute(crs_var.get(), "GeoTransform", transform_text, what);

    state.grid = grid;
    state.chunk_side = chunk_side;
    state.x = std::move(x);
    state.y = std::move(y);
  }

  template <typename T>
  void write_variable(std::string const& group, std::string const& name, std::span<T const> values,
                      variable_attributes const& attributes) {
    ensure_open();
    raster_grid const& grid = *gridded_group(group).grid;
    std::string const what = "variable " + group + "/" + name;
    if (values.size() != grid.pixel_count()) {
      throw logic_error(path_ + ": " + what + " has " + std::to_string(values.size()) +
                        " values for a " + std::to_string(grid.width) + "x" +
                        std::to_string(grid.height) + " grid");
    }
    create_variable<T>(group, name, attributes);
    write_window<T>(group, name, 0, 0, grid.width, grid.height, values.data());
  }

  /// Creates a (y, x) variable of the group's grid filled with its fill value.
  template <typename T>
  void create_variable(std::string const& group, std::string const& name,
                       variable_attributes const& attributes, bool series = false) {
    ensure_open();
    check_name(name, "variable");
    group_state& state = gridded_group(group);
    raster_grid const& grid = *state.grid;
    std::string const what = "variable " + group + "/" + name;
    if (check(H5Lexists(state.group.get(), name.c_str(), H5P_DEFAULT), what) > 0) {
      throw logic_error(path_ + ": " + what + " already exists");
    }
    if (!attributes.flag_values.empty() || !attributes.flag_meanings.empty()) {
      if (word_count(attributes.flag_meanings) != attributes.flag_values.size()) {
        throw logic_error(what + ": flag_meanings must have one word per flag value");
      }
    }
    using traits = element_type<T>;
    std::optional<T> fill;
    if (attributes.fill_value)
      fill = traits::from_double(*attributes.fill_value, what + " _FillValue");
    std::vector<T> flags;
    for (int flag : attributes.flag_values) {
      flags.push_back(traits::from_double(flag, what + " flag value"));
    }

    if (series && state.time.get() < 0) throw logic_error(path_ + ": " + what + ": add_time first");
    int const rank = series ? 3 : 2;
    hsize_t const times = series ? static_cast<hsize_t>(state.time_count) : 1;
    std::array<hsize_t, 3> const dims{times, static_cast<hsize_t>(grid.height),
                                      static_cast<hsize_t>(grid.width)};
    auto const side = static_cast<hsize_t>(state.chunk_side);
    std::array<hsize_t, 3> const chunk{1, std::min<hsize_t>(side, dims[1]),
                                       std::min<hsize_t>(side, dims[2])};
    hsize_t const* dims_used = series ? dims.data() : dims.data() + 1;
    hsize_t const* chunk_used = series ? chunk.data() : chunk.data() + 1;
    h5_handle dcpl = dataset_creation_properties(what);
    check(H5Pset_chunk(dcpl.get(), rank, chunk_used), what);
    check(H5Pset_shuffle(dcpl.get()), what);
    // Level 1: nearly the ratio of level 4 on these rasters at a fraction of the time.
    check(H5Pset_deflate(dcpl.get(), 1), what);
    // netCDF takes the dataset fill value as the variable's; the attribute alone is not enough.
    if (fill) check(H5Pset_fill_value(dcpl.get(), traits::memory_type(), &*fill), what);
    h5_handle space = make(H5Screate_simple(rank, dims_used, nullptr), H5Sclose, what);
    // Kept open until commit, with a cache of one chunk: a window that covers whole chunks is
    // written straight through, and a closed dataset would recompress a chunk per window.
    h5_handle dapl = make(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose, what);
    std::size_t const cache_bytes = chunk[1] * chunk[2] * sizeof(T);
    check(H5Pset_chunk_cache(dapl.get(), 521, cache_bytes, 1.0), what);
    h5_handle dataset = make(H5Dcreate2(state.group.get(), name.c_str(), traits::file_type(),
                                        space.get(), H5P_DEFAULT, dcpl.get(), dapl.get()),
                             H5Dclose, what);
    if (series) check(H5DSattach_scale(dataset.get(), state.time.get(), 0), what);
    check(H5DSattach_scale(dataset.get(), state.y.get(), series ? 1 : 0), what);
    check(H5DSattach_scale(dataset.get(), state.x.get(), series ? 2 : 1), what);

    hid_t const d = dataset.get();
    if (fill && attributes.fill_attribute) {
      write_numeric_attribute(d, "_FillValue", traits::file_type(), traits::memory_type(), &*fill,
                              1, true, what);
    }
    if (!attributes.long_name.empty()) {
      write_text_attribute(d, "long_name", attributes.long_name, what);
    }
    if (!attributes.standard_name.empty()) {
      write_text_attribute(d, "standard_name", attributes.standard_name, what);
    }
    if (!attributes.units.empty()) write_text_attribute(d, "units", attributes.units, what);
    for (auto const& [key, value] : {std::pair{"scale_factor", attributes.scale_factor},
                                     std::pair{"add_offset", attributes.add_offset}}) {
      if (!value) continue;
      float const packed = static_cast<float>(*value);
      write_numeric_attribute(d, key, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, &packed, 1, true, what);
    }
    if (!flags.empty()) {
      write_numeric_attribute(d, "flag_values", traits::file_type(), traits::memory_type(),
                              flags.data(), flags.size(), false, what);
      write_text_attribute(d, "flag_meanings", attributes.flag_meanings, what);
    }
    write_text_attribute(d, "grid_mapping", "crs", what);
    datasets_[group + "/" + name] = std::move(dataset);
  }

  /// Writes (or, with `read`, reads) a window of a variable made by create_variable.
  template <typename T>
  void transfer_window(std::string const& group, std::string const& name, int x0, int y0, int w,
                       int h, T* values, bool read, int time_index = -1) {
    ensure_open();
    group_state& state = gridded_group(group);
    raster_grid const& grid = *state.grid;
    std::string const what = "variable " + group + "/" + name;
    if (x0 < 0 || y0 < 0 || w < 0 || h < 0 || x0 + w > grid.width || y0 + h > grid.height) {
      throw logic_error(path_ + ": " + what + ": window outside the grid");
    }
    if (w == 0 || h == 0) return;
    auto const open = open_dataset(state, group, name, sizeof(T), what);
    do_transfer<T>(open->second, what, x0, y0, w, h, values, read, time_index);
    // HDF5 keeps bookkeeping per written chunk while a dataset stays open; closing it now and
    // then keeps memory flat however many chunks a large region has.
    if (++writes_[open->first] % 16 == 0) check(open->second.reset(), what);
  }

  /// A created variable, open (reopened when closed to release HDF5's per-dataset memory).
  std::map<std::string, h5_handle>::iterator open_dataset(group_state& state,
                                                          std::string const& group,
                                                          std::string const& name,
                                                          std::size_t element_size,
                                                          std::string const& what) {
    auto const open = datasets_.find(group + "/" + name);
    if (open == datasets_.end()) throw logic_error(path_ + ": " + what + " was not created");
    if (open->second.get() >= 0) return open;
    h5_handle dapl = make(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose, what);
    std::array<hsize_t, 3> chunk_dims{1, 1, 1};
    h5_handle probe = make(H5Dopen2(state.group.get(), name.c_str(), H5P_DEFAULT), H5Dclose, what);
    h5_handle dcpl = make(H5Dget_create_plist(probe.get()), H5Pclose, what);
    check(H5Pget_chunk(dcpl.get(), 3, chunk_dims.data()), what);
    check(H5Pset_chunk_cache(dapl.get(), 521,
                             chunk_dims[0] * chunk_dims[1] * chunk_dims[2] * element_size, 1.0),
          what);
    check(probe.reset(), what);
    open->second = make(H5Dopen2(state.group.get(), name.c_str(), dapl.get()), H5Dclose, what);
    return open;
  }

  /// The element offset of a storage chunk, (y, x) or (time, y, x).
  std::vector<hsize_t> chunk_offset(group_state const& state, std::string const& what, int cx,
                                    int cy, int time_index) const {
    raster_grid const& grid = *state.grid;
    auto const side = static_cast<hsize_t>(state.chunk_side);
    hsize_t const x = static_cast<hsize_t>(cx) * side, y = static_cast<hsize_t>(cy) * side;
    if (cx < 0 || cy < 0 || x >= static_cast<hsize_t>(grid.width) ||
        y >= static_cast<hsize_t>(grid.height) ||
        (time_index >= 0 && static_cast<std::size_t>(time_index) >= state.time_count)) {
      throw logic_error(path_ + ": " + what + ": chunk outside the grid");
    }
    if (time_index >= 0) return {static_cast<hsize_t>(time_index), y, x};
    return {y, x};
  }

  void write_chunk(std::string const& group, std::string const& name, int cx, int cy,
                   std::span<std::byte const> encoded, int time_index) {
    ensure_open();
    group_state& state = gridded_group(group);
    std::string const what = "variable " + group + "/" + name;
    auto const offset = chunk_offset(state, what, cx, cy, time_index);
    auto const open = open_dataset(state, group, name, 1, what);
    // Filter mask 0: every filter of the variable (shuffle, deflate) was applied.
    check(H5Dwrite_chunk(open->second.get(), H5P_DEFAULT, 0, offset.data(), encoded.size(),
                         encoded.data()),
          what);
    if (++writes_[open->first] % 64 == 0) check(open->second.reset(), what);
  }

  std::vector<std::byte> read_chunk(std::string const& group, std::string const& name, int cx,
                                    int cy, int time_index) {
    ensure_open();
    group_state& state = gridded_group(group);
    std::string const what = "variable " + group + "/" + name;
    auto const offset = chunk_offset(state, what, cx, cy, time_index);
    auto const open = open_dataset(state, group, name, 1, what);
    hid_t const d = open->second.get();
    unsigned mask = 0;
    haddr_t address = HADDR_UNDEF;
    hsize_t size = 0;
    check(H5Dget_chunk_info_by_coord(d, offset.data(), &mask, &address, &size), what);
    if (address == HADDR_UNDEF || size == 0) return {};
    if (mask != 0) throw io_error(path_ + ": " + what + ": a chunk stored without its filters");
    std::vector<std::byte> bytes(size);
    std::uint32_t filters = 0;
    check(H5Dread_chunk(d, H5P_DEFAULT, offset.data(), &filters, bytes.data()), what);
    return bytes;
  }

  template <typename T>
  void do_transfer(h5_handle const& dataset, std::string const& what, int x0, int y0, int w, int h,
                   T* values, bool read, int time_index) {
    h5_handle file_space = make(H5Dget_space(dataset.get()), H5Sclose, what);
    bool const series = time_index >= 0;
    std::array<hsize_t, 3> const start{static_cast<hsize_t>(series ? time_index : 0),
                                       static_cast<hsize_t>(y0), static_cast<hsize_t>(x0)};
    std::array<hsize_t, 3> const count{1, static_cast<hsize_t>(h), static_cast<hsize_t>(w)};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET,
                              series ? start.data() : start.data() + 1, nullptr,
                              series ? count.data() : count.data() + 1, nullptr),
          what);
    h5_handle memory_space = make(H5Screate_simple(2, count.data() + 1, nullptr), H5Sclose, what);
    using traits = element_type<T>;
    if (read) {
      check(H5Dread(dataset.get(), traits::memory_type(), memory_space.get(), file_space.get(),
                    H5P_DEFAULT, values),
            what);
    } else {
      check(H5Dwrite(dataset.get(), traits::memory_type(), memory_space.get(), file_space.get(),
                     H5P_DEFAULT, values),
            what);
    }
  }

  template <typename T>
  void write_window(std::string const& group, std::string const& name, int x0, int y0, int w, int h,
                    T const* values) {
    transfer_window(group, name, x0, y0, w, h, const_cast<T*>(values), false);
  }

  void commit() {
    ensure_open();
    // Child handles first so that a failure to close one is reported, not swallowed by
    // the strong close of the file.
    for (auto& [name, dataset] : datasets_) check(dataset.reset(), "variable " + name);
    datasets_.clear();
    for (auto& [name, state] : groups_) {
      std::string const what = "group " + name;
      check(state.time.reset(), what);
      check(state.x.reset(), what);
      check(state.y.reset(), what);
      check(state.group.reset(), what);
    }
    groups_.clear();
    check(file_.reset(), "file (closing)");
    committed_ = true;
    file_name_.commit();
  }
};

hdf5_writer::hdf5_writer(std::filesystem::path path) {
  quiet_hdf5_errors const quiet;
  impl_ = std::make_unique<impl>(std::move(path));
}

hdf5_writer::~hdf5_writer() {
  quiet_hdf5_errors const quiet;
  impl_.reset();
}

void hdf5_writer::set_root_attribute(std::string_view name, std::string_view value) {
  quiet_hdf5_errors const quiet;
  impl_->ensure_open();
  check_name(std::string(name), "root attribute");
  impl_->write_text_attribute(impl_->file_.get(), name, value,
                              "root attribute " + std::string(name));
}

void hdf5_writer::add_grid(std::string const& group, raster_grid const& grid, int chunk_side) {
  quiet_hdf5_errors const quiet;
  impl_->add_grid(group, grid, chunk_side);
}

void hdf5_writer::set_group_attribute(std::string const& group, std::string_view name,
                                      std::string_view value) {
  quiet_hdf5_errors const quiet;
  impl_->ensure_open();
  check_name(std::string(name), "group attribute");
  auto& state = impl_->open_group(group);
  impl_->write_text_attribute(state.group.get(), name, value,
                              "attribute " + std::string(name) + " of group " + group);
}

void hdf5_writer::write_float32(std::string const& group, std::string const& name,
                                std::span<float const> values,
                                variable_attributes const& attributes) {
  quiet_hdf5_errors const quiet;
  impl_->write_variable(group, name, values, attributes);
}

void hdf5_writer::write_uint8(std::string const& group, std::string const& name,
                              std::span<std::uint8_t const> values,
                              variable_attributes const& attributes) {
  quiet_hdf5_errors const quiet;
  impl_->write_variable(group, name, values, attributes);
}

void hdf5_writer::write_uint16(std::string const& group, std::string const& name,
                               std::span<std::uint16_t const> values,
                               variable_attributes const& attributes) {
  quiet_hdf5_errors const quiet;
  impl_->write_variable(group, name, values, attributes);
}

void hdf5_writer::write_int32(std::string const& group, std::string const& name,
                              std::span<std::int32_t const> values,
                              variable_attributes const& attributes) {
  quiet_hdf5_errors const quiet;
  impl_->write_variable(group, name, values, attributes);
}

#define GEOSWEEP_HDF5_WINDOWED(T)                                                             \
  template <>                                                                                 \
  void hdf5_writer::create_variable<T>(std::string const& group, std::string const& name,     \
                                       variable_attributes const& attributes) {               \
    quiet_hdf5_errors const quiet;                                                            \
    impl_->create_variable<T>(group, name, attributes);                                       \
  }                                                                                           \
  template <>                                                                                 \
  void hdf5_writer::write_window<T>(std::string const& group, std::string const& name,        \
                                    pixel_window const& window, std::span<T const> values) {  \
    quiet_hdf5_errors const quiet;                                                            \
    GEOSWEEP_EXPECTS(values.size() == static_cast<std::size_t>(window.width) * window.height, \
                     "one value per pixel of the window");                                    \
    impl_->write_window<T>(group, name, window.x_offset, window.y_offset, window.width,       \
                           window.height, values.data());                                     \
  }                                                                                           \
  template <>                                                                                 \
  void hdf5_writer::read_window<T>(std::string const& group, std::string const& name,         \
                                   pixel_window const& window, std::span<T> values) {         \
    quiet_hdf5_errors const quiet;                                                            \
    GEOSWEEP_EXPECTS(values.size() == static_cast<std::size_t>(window.width) * window.height, \
                     "one value per pixel of the window");                                    \
    impl_->transfer_window<T>(group, name, window.x_offset, window.y_offset, window.width,    \
                              window.height, values.data(), true);                            \
  }
GEOSWEEP_HDF5_WINDOWED(float)

void hdf5_writer::add_time(std::string const& group, std::vector<std::int32_t> const& days) {
  quiet_hdf5_errors const quiet;
  impl_->add_time(group, days);
}

template <>
void hdf5_writer::create_series<float>(std::string const& group, std::string const& name,
                                       variable_attributes const& attributes) {
  quiet_hdf5_errors const quiet;
  impl_->create_variable<float>(group, name, attributes, true);
}

template <>
void hdf5_writer::create_series<std::int16_t>(std::string const& group, std::string const& name,
                                              variable_attributes const& attributes) {
  quiet_hdf5_errors const quiet;
  impl_->create_variable<std::int16_t>(group, name, attributes, true);
}

template <>
void hdf5_writer::write_series_window<float>(std::string const& group, std::string const& name,
                                             int time_index, pixel_window const& window,
                                             std::span<float const> values) {
  quiet_hdf5_errors const quiet;
  GEOSWEEP_EXPECTS(values.size() == static_cast<std::size_t>(window.width) * window.height,
                   "one value per pixel of the window");
  GEOSWEEP_EXPECTS(time_index >= 0, "a time index");
  impl_->transfer_window<float>(group, name, window.x_offset, window.y_offset, window.width,
                                window.height, const_cast<float*>(values.data()), false,
                                time_index);
}
GEOSWEEP_HDF5_WINDOWED(std::uint8_t)
GEOSWEEP_HDF5_WINDOWED(std::uint16_t)
GEOSWEEP_HDF5_WINDOWED(std::int16_t)
GEOSWEEP_HDF5_WINDOWED(std::int32_t)
#undef GEOSWEEP_HDF5_WINDOWED

std::array<int, 2> hdf5_writer::chunk_shape(std::string const& group) const {
  auto const& state = impl_->gridded_group(group);
  return {std::min(state.chunk_side, state.grid->width),
          std::min(state.chunk_side, state.grid->height)};
}

void hdf5_writer::write_chunk(std::string const& group, std::string const& name, int chunk_x,
                              int chunk_y, std::span<std::byte const> encoded, int time_index) {
  quiet_hdf5_errors const quiet;
  impl_->write_chunk(group, name, chunk_x, chunk_y, encoded, time_index);
}

std::vector<std::byte> hdf5_writer::read_chunk(std::string const& group, std::string const& name,
                                               int chunk_x, int chunk_y, int time_index) {
  quiet_hdf5_errors const quiet;
  return impl_->read_chunk(group, name, chunk_x, chunk_y, time_index);
}

void hdf5_writer::commit() {
  quiet_hdf5_errors const quiet;
  impl_->commit();
}

}  // namespace geosweep::pipeline
