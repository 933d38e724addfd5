// A whole job gives the same outputs on the CPU and CUDA backends: tables and polygons byte
// for byte, every change.nc dataset and attribute value for value (but the attribute naming the
// backend), every COG pixel for pixel. Several chunks, several slots and readers, and two
// workers sharing one device, for the baseline and the bitemporal methods. Also the CUDA
// device choice (--devices). Exits 77 (skipped) without a CUDA device.
//
// GEOSWEEP_PARITY_BACKEND=cpu runs the "CUDA" side on the CPU as well, which checks the
// comparisons themselves on a machine without a GPU.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;

namespace {

gk::backend second_backend() {
  char const* env = std::getenv("GEOSWEEP_PARITY_BACKEND");
  return env != nullptr && std::strcmp(env, "cpu") == 0 ? gk::backend::cpu : gk::backend::cuda;
}

std::string slurp(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The files under `dir`, relative to it.
std::set<std::string> files_under(fs::path const& dir) {
  std::set<std::string> files;
  for (auto const& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files.insert(fs::relative(e.path(), dir).string());
  return files;
}

// ---- change.nc: every dataset and attribute as bytes, keyed by path (and @attribute).

/// The value bytes of a dataset or attribute of type `type` holding `count` elements read by
/// `read(memory_type, buffer)`: variable-length strings as the strings themselves.
template <class Read>
std::string value_bytes(hid_t type, hsize_t count, hid_t space, Read read) {
  std::string out = std::to_string(H5Tget_class(type)) + ":" + std::to_string(count) + ":";
  // Object references (the dimension scales' DIMENSION_LIST and REFERENCE_LIST) are addresses
  // in their file; which scales are attached is hdf5_writer_test's to check.
  if (H5Tdetect_class(type, H5T_REFERENCE) > 0) return out + "<references>";
  if (H5Tis_variable_str(type) > 0) {
    std::vector<char*> strings(count, nullptr);
    hid_t const memory = H5Tcopy(H5T_C_S1);
    H5Tset_size(memory, H5T_VARIABLE);
    if (read(memory, strings.data()) >= 0) {
      for (char* s : strings) out += (s != nullptr ? std::string(s) : "<null>") + '\0';
      H5Dvlen_reclaim(memory, space, H5P_DEFAULT, strings.data());
    } else {
      out += "<unreadable>";
    }
    H5Tclose(memory);
    return out;
  }
  std::string bytes(count * H5Tget_size(type), '\0');
  if (read(type, bytes.data()) < 0) return out + "<unreadable>";
  return out + bytes;
}

struct h5_walk {
  std::map<std::string, std::string>* values;
  std::string object;
};

herr_t add_attribute(hid_t object, char const* name, H5A_info_t const*, void* data) {
  auto& walk = *static_cast<h5_walk*>(data);
  hid_t const attribute = H5Aopen(object, name, H5P_DEFAULT);
  hid_t const type = H5Aget_type(attribute);
  hid_t const space = H5Aget_space(attribute);
  auto const count = static_cast<hsize_t>(H5Sget_simple_extent_npoints(space));
  (*walk.values)[walk.object + "@" + name] =
      value_bytes(type, count, space,
                  [&](hid_t memory, void* buffer) { return H5Aread(attribute, memory, buffer); });
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(attribute);
  return 0;
}

void add_attributes(hid_t object, std::string const& path, std::map<std::string, std::string>& to) {
  h5_walk walk{&to, path};
  hsize_t index = 0;
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, add_attribute, &walk);
}

herr_t add_object(hid_t file, char const* name, H5L_info_t const*, void* data) {
  auto& to = *static_cast<std::map<std::string, std::string>*>(data);
  std::string const path = std::string("/") + name;
  hid_t const object = H5Oopen(file, name, H5P_DEFAULT);
  if (object < 0) {
    to[path] = "<cannot open>";
    return 0;
  }
  if (H5Iget_type(object) == H5I_DATASET) {
    hid_t const type = H5Dget_type(object);
    hid_t const space = H5Dget_space(object);
    int const rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    std::string shape;
    for (auto d : dims) shape += std::to_string(d) + "x";
    auto const count = static_cast<hsize_t>(H5Sget_simple_extent_npoints(space));
    to[path] = shape + value_bytes(type, count, space, [&](hid_t memory, void* buffer) {
                 return H5Dread(object, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
               });
    H5Sclose(space);
    H5Tclose(type);
  } else {
    to[path] = "<group>";
  }
  add_attributes(object, path, to);
  H5Oclose(object);
  return 0;
}

std::map<std::string, std::string> netcdf_contents(fs::path const& nc) {
  std::map<std::string, std::string> values;
  hid_t const file = H5Fopen(nc.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return {{"<file>", "cannot open " + nc.string()}};
  add_attributes(file, "", values);
  H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, add_object, &values);
  H5Fclose(file);
  values.erase("@geosweep_backend");  // names the backend: the one attribute meant to differ
  return values;
}

// ---- COGs and GeoPackages through GDAL.

/// Size, georeferencing and every band's pixels (overviews included) of a raster.
std::string raster_contents(fs::path const& tif) {
  GDALDatasetUniquePtr ds(GDALDataset::Open(tif.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  if (!ds) return "cannot open";
  std::ostringstream out;
  double transform[6] = {};
  ds->GetGeoTransform(transform);
  out << ds->GetRasterXSize() << "x" << ds->GetRasterYSize() << " " << ds->GetProjectionRef();
  for (double t : transform) out << " " << t;
  auto const add_band = [&out](GDALRasterBand* band) {
    int const w = band->GetXSize(), h = band->GetYSize();
    GDALDataType const type = band->GetRasterDataType();
    std::string bytes(static_cast<std::size_t>(w) * h * GDALGetDataTypeSizeBytes(type), '\0');
    if (band->RasterIO(GF_Read, 0, 0, w, h, bytes.data(), w, h, type, 0, 0) != CE_None)
      bytes = "<unreadable>";
    out << "|" << w << "x" << h << ":" << bytes;
  };
  for (int b = 1; b <= ds->GetRasterCount(); ++b) {
    auto* band = ds->GetRasterBand(b);
    add_band(band);
    for (int o = 0; o < band->GetOverviewCount(); ++o) add_band(band->GetOverview(o));
  }
  return out.str();
}

/// Every feature of every layer: fields and geometry as text (a GeoPackage's bytes carry
/// timestamps).
std::string vector_contents(fs::path const& path) {
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  if (!ds) return "cannot open";
  std::ostringstream out;
  for (auto* layer : ds->GetLayers()) {
    out << "layer " << layer->GetName() << "\n";
    for (auto const& feature : *layer) {
      for (auto const& field : *feature)
        out << field.GetName() << "=" << field.GetAsString() << ";";
      if (auto const* g = feature->GetGeometryRef()) out << g->exportToWkt();
      out << "\n";
    }
  }
  return out.str();
}

/// Expects the outputs under `a` and `b` to be the same (see the file comment).
void expect_same_outputs(fs::path const& a, fs::path const& b) {
  auto const files = files_under(a);
  ASSERT_EQ(files, files_under(b));
  ASSERT_TRUE(files.count("change.nc") && files.count("areas.csv") && files.count("alerts.csv"));
  for (auto const& rel : files) {
    std::string const ext = fs::path(rel).extension().string();
    SCOPED_TRACE(rel);
    if (ext == ".nc") {
      auto const va = netcdf_contents(a / rel);
      auto const vb = netcdf_contents(b / rel);
      EXPECT_GT(va.size(), 20u);
      for (auto const& [key, value] : va) {
        auto const it = vb.find(key);
        if (it == vb.end())
          ADD_FAILURE() << key << ": only in " << a;
        else
          EXPECT_TRUE(value == it->second) << key << ": values differ";
      }
      EXPECT_EQ(va.size(), vb.size());
    } else if (ext == ".tif") {
      EXPECT_TRUE(raster_contents(a / rel) == raster_contents(b / rel)) << "pixels differ";
    } else if (ext == ".gpkg") {
      EXPECT_TRUE(vector_contents(a / rel) == vector_contents(b / rel)) << "features differ";
    } else {
      EXPECT_TRUE(slurp(a / rel) == slurp(b / rel)) << "bytes differ";
    }
  }
}

class BackendParity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GDALAllRegister();
    root_ = fs::temp_directory_path() / ("geosweep_backend_parity_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    geosweep::sim::simulation_options options;
    options.seed = 11;
    options.width = options.height = 420;
    job_file_ = geosweep::sim::simulate_scenes(root_ / "sim", options).job_file;
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  /// The simulated job with 150-px chunks (3 x 3, the last row and column narrow), two
  /// readers, three slots, every output and layer, into outputs/<name>.
  static gp::job_spec job(std::string const& name, gp::change_method method) {
    auto spec = gp::load_job_spec(job_file_);
    spec.processing = {150, 2, 3};
    spec.change.method = method;
    spec.outputs.series = true;
    spec.outputs.dir = root_ / "outputs" / name;
    return spec;
  }

  static void run_both(gp::change_method method, std::string const& name) {
    auto const on_cpu = gp::run_job(job(name + "-cpu", method), {gk::backend::cpu});
    gp::run_options cuda{second_backend()};
    auto const on_cuda = gp::run_job(job(name + "-cuda", method), cuda);
    EXPECT_EQ(on_cpu.chunks, 9u);
    EXPECT_EQ(on_cuda.backend, second_backend());
    std::size_t alerts = 0;
    for (auto const& aoi : on_cpu.aois) alerts += aoi.alerts.size();
    EXPECT_GT(alerts, 0u) << "the comparison needs alerts to compare";
    expect_same_outputs(root_ / "outputs" / (name + "-cpu"), root_ / "outputs" / (name + "-cuda"));
  }

  static inline fs::path root_;
  static inline fs::path job_file_;
};

TEST_F(BackendParity, BaselineJobOnCpuAndCuda) {
  run_both(gp::change_method::baseline, "baseline");
}

TEST_F(BackendParity, BitemporalJobOnCpuAndCuda) {
  run_both(gp::change_method::bitemporal, "bitemporal");
}

TEST_F(BackendParity, TwoWorkersSharingOneDeviceWriteWhatOneWrites) {
  if (second_backend() == gk::backend::cpu) GTEST_SKIP() << "--devices needs the CUDA backend";
  gp::run_job(job("alone", gp::change_method::baseline), {gk::backend::cuda});
  gp::run_options shared{gk::backend::cuda};
  shared.devices = {0, 0};
  gp::run_job(job("shared", gp::change_method::baseline), shared);
  expect_same_outputs(root_ / "outputs" / "alone", root_ / "outputs" / "shared");
}

TEST_F(BackendParity, DevicesNamesTheDeviceTheRunUses) {
  if (second_backend() == gk::backend::cpu) GTEST_SKIP() << "--devices needs the CUDA backend";
  int const count = gk::cuda_device_count();
  gp::run_options options{gk::backend::cuda};
  options.devices = {count};  // one past the last: refused before anything is written
  auto const refused = job("absent-device", gp::change_method::baseline);
  try {
    gp::run_job(refused, options);
    ADD_FAILURE() << "--devices " << count << " ran with " << count << " devices";
  } catch (geosweep::config_error const& e) {
    EXPECT_NE(
        std::string(e.what()).find("CUDA device " + std::to_string(count) + " does not exist"),
        std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(refused.outputs.dir / "change.nc"));
  // The last device, alone: the run's thread computes there.
  options.devices = {count - 1};
  gk::use_cuda_device(0);
  gp::run_job(job("last-device", gp::change_method::baseline), options);
  EXPECT_EQ(gk::current_cuda_device(), count - 1);
  gp::run_job(job("first-device", gp::change_method::baseline), {gk::backend::cuda});
  expect_same_outputs(root_ / "outputs" / "first-device", root_ / "outputs" / "last-device");
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (second_backend() == gk::backend::cuda && gk::cuda_device_count() == 0) {
    std::printf("backend_parity_test: no CUDA device (%s); skipped\n",
                gk::cuda_unavailable_reason().c_str());
    return 77;
  }
  return RUN_ALL_TESTS();
}
