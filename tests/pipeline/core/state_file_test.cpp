// The state file (outputs/state_file.hpp): every element type state_writer writes comes back
// from state_reader as written (kernels::pixel_state field by field, by name in the file too);
// has_chunk and has (nested names); root attributes; a read with another window or of a missing
// dataset is an io_error naming the file; the file is made under a temporary name and appears
// at its final path only on commit(). Expected values are the literals written by each test.
#include "core/state_file.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "geosweep/kernels/detector.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "pipeline/outputs/output_fixtures.hpp"
#include "tools/temp_dir_test.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace k = geosweep::kernels;

namespace {

using state_file_test = geosweep::test_tools::temp_dir_test;

float const nan_f = std::numeric_limits<float>::quiet_NaN();

/// Chunk 0 is 3 x 2 pixels at (0, 0); chunk 5 is 2 x 2 at (3, 0).
gp::pixel_window const kWindow0{0, 0, 3, 2};
gp::pixel_window const kWindow5{3, 0, 2, 2};

std::map<std::string, std::string> const kAttributes{
    {"geosweep_job", "outputs-test"}, {"fingerprint", "0123abcd"}, {"empty", ""}};

std::vector<k::pixel_state> sample_states() {
  std::vector<k::pixel_state> states(kWindow0.pixel_count());
  states[0].baseline_mean = 0.85f;
  states[0].baseline_m2 = 0.005f;
  states[0].baseline_count = 2;
  states[1].first_anomaly = 19800;
  states[1].confirmed = 19830;
  states[1].magnitude_sum = 1.25f;
  states[1].status = k::status_high;
  states[1].anomaly_count = 2;
  states[1].clear_count = 65535;
  states[5].status = k::status_low;
  states[5].first_anomaly = 19900;
  states[5].anomaly_count = 255;
  return states;
}

/// Writes `path` with a dataset of every type in chunk 0 and one in chunk 5.
void write_sample(fs::path const& path, bool compress = true, bool commit = true) {
  gp::state_writer out(path, kAttributes, compress);
  out.write(0, kWindow0, "f32", std::vector<float>{0.5f, -1.0f, nan_f, 3.25e-8f, 1e30f, 0.0f});
  out.write(0, kWindow0, "f64", std::vector<double>{0.1, -2.5, 1e300, 0.0, 7.0, -0.0});
  out.write(0, kWindow0, "i32",
            std::vector<std::int32_t>{0, -1, k::no_date, std::numeric_limits<int>::min(), 42, 7});
  out.write(0, kWindow0, "u16", std::vector<std::uint16_t>{0, 1, 65535, 300, 2, 3});
  out.write(0, kWindow0, "u8", std::vector<std::uint8_t>{0, 1, 2, 254, 255, 9});
  out.write(0, kWindow0, "detector/state", sample_states());
  out.write(0, kWindow0, "composite/before/ndvi",
            std::vector<float>{0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f});
  out.write(5, kWindow5, "detector/state", std::vector<k::pixel_state>(4));
  if (commit) out.commit();
}

/// The what() of the io_error `f` throws ("" when it throws none).
template <class F>
std::string io_error_of(F&& f) {
  try {
    f();
  } catch (geosweep::io_error const& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_F(state_file_test, every_element_type_round_trips) {
  fs::path const path = dir_ / "state.h5";
  write_sample(path);
  gp::state_reader in(path);

  std::vector<float> f32;
  in.read(0, kWindow0, "f32", f32);
  ASSERT_EQ(f32.size(), 6u);
  EXPECT_EQ(f32[0], 0.5f);
  EXPECT_EQ(f32[1], -1.0f);
  EXPECT_TRUE(std::isnan(f32[2]));
  EXPECT_EQ(f32[3], 3.25e-8f);
  EXPECT_EQ(f32[4], 1e30f);
  EXPECT_EQ(f32[5], 0.0f);

  std::vector<double> f64;
  in.read(0, kWindow0, "f64", f64);
  EXPECT_EQ(f64, (std::vector<double>{0.1, -2.5, 1e300, 0.0, 7.0, -0.0}));
  EXPECT_TRUE(std::signbit(f64[5]));

  std::vector<std::int32_t> i32;
  in.read(0, kWindow0, "i32", i32);
  EXPECT_EQ(i32, (std::vector<std::int32_t>{0, -1, 2147483647, -2147483647 - 1, 42, 7}));

  std::vector<std::uint16_t> u16;
  in.read(0, kWindow0, "u16", u16);
  EXPECT_EQ(u16, (std::vector<std::uint16_t>{0, 1, 65535, 300, 2, 3}));

  std::vector<std::uint8_t> u8{99};  // resized and overwritten
  in.read(0, kWindow0, "u8", u8);
  EXPECT_EQ(u8, (std::vector<std::uint8_t>{0, 1, 2, 254, 255, 9}));

  std::vector<float> composite;
  in.read(0, kWindow0, "composite/before/ndvi", composite);
  EXPECT_EQ(composite, (std::vector<float>{0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f}));
}

TEST_F(state_file_test, pixel_state_fields_round_trip_by_name) {
  fs::path const path = dir_ / "state.h5";
  write_sample(path);
  std::vector<k::pixel_state> states;
  gp::state_reader(path).read(0, kWindow0, "detector/state", states);
  ASSERT_EQ(states.size(), 6u);
  EXPECT_EQ(states[0].baseline_mean, 0.85f);
  EXPECT_EQ(states[0].baseline_m2, 0.005f);
  EXPECT_EQ(states[0].baseline_count, 2);
  EXPECT_EQ(states[0].status, k::status_none);
  EXPECT_EQ(states[0].first_anomaly, 2147483647);  // no_date, the default
  EXPECT_EQ(states[1].first_anomaly, 19800);
  EXPECT_EQ(states[1].confirmed, 19830);
  EXPECT_EQ(states[1].magnitude_sum, 1.25f);
  EXPECT_EQ(states[1].status, k::status_high);
  EXPECT_EQ(states[1].anomaly_count, 2);
  EXPECT_EQ(states[1].clear_count, 65535);
  EXPECT_EQ(states[5].status, k::status_low);
  EXPECT_EQ(states[5].first_anomaly, 19900);
  EXPECT_EQ(states[5].anomaly_count, 255);
  EXPECT_EQ(states[5].confirmed, 2147483647);

  // h5dump shows the state by field name: a compound type with the nine fields.
  hid_t const file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  hid_t const set = H5Dopen2(file, "/chunk_0/detector/state", H5P_DEFAULT);
  ASSERT_GE(set, 0);
  hid_t const type = H5Dget_type(set);
  EXPECT_EQ(H5Tget_class(type), H5T_COMPOUND);
  EXPECT_EQ(H5Tget_nmembers(type), 9);
  for (char const* name :
       {"baseline_mean", "baseline_m2", "first_anomaly", "confirmed", "magnitude_sum",
        "baseline_count", "clear_count", "status", "anomaly_count"})
    EXPECT_GE(H5Tget_member_index(type, name), 0) << name;
  H5Tclose(type);
  H5Dclose(set);
  H5Fclose(file);
}

TEST_F(state_file_test, datasets_are_compressed_unless_asked_not_to) {
  auto const layout_of = [](fs::path const& path) {
    hid_t const file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t const set = H5Dopen2(file, "/chunk_0/f32", H5P_DEFAULT);
    hid_t const create = H5Dget_create_plist(set);
    H5D_layout_t const layout = H5Pget_layout(create);
    int const filters = H5Pget_nfilters(create);
    H5Pclose(create);
    H5Dclose(set);
    H5Fclose(file);
    return std::make_pair(layout, filters);
  };
  write_sample(dir_ / "compressed.h5");
  write_sample(dir_ / "plain.h5", false);
  EXPECT_EQ(layout_of(dir_ / "compressed.h5"), std::make_pair(H5D_CHUNKED, 2));  // shuffle, deflate
  EXPECT_EQ(layout_of(dir_ / "plain.h5"), std::make_pair(H5D_CONTIGUOUS, 0));
  // Both read back the same.
  std::vector<std::uint16_t> u16;
  gp::state_reader(dir_ / "plain.h5").read(0, kWindow0, "u16", u16);
  EXPECT_EQ(u16, (std::vector<std::uint16_t>{0, 1, 65535, 300, 2, 3}));
}

TEST_F(state_file_test, an_empty_array_round_trips) {
  fs::path const path = dir_ / "state.h5";
  {
    gp::state_writer out(path, {});
    out.write(2, gp::pixel_window{0, 0, 0, 1}, "clear_m2", std::vector<double>{});
    out.commit();
  }
  gp::state_reader in(path);
  EXPECT_TRUE(in.has(2, "clear_m2"));
  std::vector<double> values{1.0, 2.0};
  in.read(2, gp::pixel_window{0, 0, 0, 1}, "clear_m2", values);
  EXPECT_TRUE(values.empty());
}

TEST_F(state_file_test, has_chunk_and_has_see_nested_names) {
  fs::path const path = dir_ / "state.h5";
  write_sample(path);
  gp::state_reader in(path);
  EXPECT_TRUE(in.has_chunk(0));
  EXPECT_TRUE(in.has_chunk(5));
  EXPECT_FALSE(in.has_chunk(1));
  EXPECT_FALSE(in.has_chunk(50));  // "chunk_5" is not a prefix match

  EXPECT_TRUE(in.has(0, "f32"));
  EXPECT_TRUE(in.has(0, "detector/state"));
  EXPECT_TRUE(in.has(0, "detector"));  // the group
  EXPECT_TRUE(in.has(0, "composite/before/ndvi"));
  EXPECT_TRUE(in.has(5, "detector/state"));
  EXPECT_FALSE(in.has(5, "f32"));
  EXPECT_FALSE(in.has(0, "detector/before"));
  EXPECT_FALSE(in.has(0, "composite/after/ndvi"));
  EXPECT_FALSE(in.has(0, "missing/state"));
  EXPECT_FALSE(in.has(0, "detector/state/deeper"));  // below a dataset
  EXPECT_FALSE(in.has(1, "detector/state"));
}

TEST_F(state_file_test, root_attributes_are_kept) {
  fs::path const path = dir_ / "state.h5";
  write_sample(path);
  gp::state_reader in(path);
  EXPECT_EQ(in.attribute("geosweep_job"), "outputs-test");
  EXPECT_EQ(in.attribute("fingerprint"), "0123abcd");
  EXPECT_EQ(in.attribute("empty"), "");
  EXPECT_EQ(in.attribute("absent"), "");
}

TEST_F(state_file_test, reading_with_another_window_is_an_io_error_naming_the_file) {
  fs::path const path = dir_ / "state.h5";
  write_sample(path);
  gp::state_reader in(path);
  std::vector<float> values;
  // Same pixel count, other shape; same shape, other offset; another size.
  for (gp::pixel_window const w :
       {gp::pixel_window{0, 0, 2, 3}, gp::pixel_window{1, 0, 3, 2}, gp::pixel_window{0, 0, 3, 3}}) {
    std::string const what = io_error_of([&] { in.read(0, w, "f32", values); });
    EXPECT_NE(what.find(path.string()), std::string::npos) << what;
    EXPECT_NE(what.find("/chunk_0/f32"), std::string::npos) << what;
    EXPECT_NE(what.find("another chunk window"), std::string::npos) << what;
  }
  std::vector<k::pixel_state> states;
  std::string const what = io_error_of([&] { in.read(5, kWindow0, "detector/state", states); });
  EXPECT_NE(what.find(path.string()), std::string::npos) << what;
}

TEST_F(state_file_test, a_missing_dataset_is_an_io_error_naming_the_file) {
  fs::path const path = dir_ / "state.h5";
  write_sample(path);
  gp::state_reader in(path);
  std::vector<float> values;
  for (auto const& [chunk, name] : std::vector<std::pair<std::size_t, std::string>>{
           {0, "missing"}, {1, "f32"}, {5, "f32"}, {0, "composite/after/ndvi"}}) {
    std::string const what = io_error_of([&] { in.read(chunk, kWindow0, name, values); });
    EXPECT_NE(what.find(path.string()), std::string::npos) << chunk << " " << name << ": " << what;
    EXPECT_NE(what.find(name), std::string::npos) << what;
  }
}

TEST_F(state_file_test, opening_a_missing_file_is_an_io_error_naming_it) {
  fs::path const path = dir_ / "none.h5";
  std::string const what = io_error_of([&] { gp::state_reader in(path); });
  EXPECT_NE(what.find(path.string()), std::string::npos) << what;
}

TEST_F(state_file_test, the_file_appears_only_on_commit) {
  fs::path const path = dir_ / "state.h5";
  std::string const temp = "state.h5.tmp-" + std::to_string(::getpid());
  {
    gp::state_writer out(path, kAttributes);
    out.write(0, kWindow0, "u8", std::vector<std::uint8_t>(6, 1));
    EXPECT_FALSE(fs::exists(path));
    EXPECT_EQ(geosweep::test_tools::file_names(dir_), std::vector<std::string>{temp});
    out.commit();
    EXPECT_TRUE(fs::exists(path));
    EXPECT_EQ(geosweep::test_tools::file_names(dir_), std::vector<std::string>{"state.h5"});
  }
  EXPECT_TRUE(fs::exists(path));  // the writer going away leaves it
  std::vector<std::uint8_t> u8;
  gp::state_reader(path).read(0, kWindow0, "u8", u8);
  EXPECT_EQ(u8, std::vector<std::uint8_t>(6, 1));
}

TEST_F(state_file_test, without_commit_nothing_is_left) {
  fs::path const path = dir_ / "state.h5";
  write_sample(path, true, false);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(geosweep::test_tools::file_names(dir_).empty());
}

TEST_F(state_file_test, an_uncommitted_writer_leaves_an_older_file_in_place) {
  fs::path const path = dir_ / "state.h5";
  {
    gp::state_writer out(path, {{"run", "1"}});
    out.commit();
  }
  {
    gp::state_writer out(path, {{"run", "2"}});
    out.write(0, kWindow0, "u8", std::vector<std::uint8_t>(6, 2));
  }  // no commit: run 1's file stays
  gp::state_reader in(path);
  EXPECT_EQ(in.attribute("run"), "1");
  EXPECT_FALSE(in.has_chunk(0));
  EXPECT_EQ(geosweep::test_tools::file_names(dir_), std::vector<std::string>{"state.h5"});
}

TEST_F(state_file_test, PlanesOfValuesComeBackAsAPlanePixelDataset) {
  // Three planes of the 3 x 2 window, plane-major; and a uint32 plane; h5dump's view is
  // (plane, pixel).
  std::vector<float> const ring{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f,  // plane 0
                                1.1f, 1.2f, 1.3f, 1.4f, 1.5f, 1.6f,  // plane 1
                                2.1f, 2.2f, 2.3f, 2.4f, 2.5f, nan_f};
  std::vector<std::uint32_t> const bits{1u, 2u, 4u, 0x80000000u, 0u, 0xFFFFFFFFu};
  fs::path const path = dir_ / "planes.h5";
  for (bool compress : {true, false}) {
    {
      gp::state_writer out(path, kAttributes, compress);
      out.write(0, kWindow0, "detector/bfast/ring", ring);
      out.write(0, kWindow0, "detector/bfast/valid", bits);
      out.commit();
    }
    gp::state_reader in(path);
    std::vector<float> ring_back;
    in.read(0, kWindow0, "detector/bfast/ring", ring_back);
    ASSERT_EQ(ring_back.size(), 18u);
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) EXPECT_EQ(ring_back[i], ring[i]) << i;
    EXPECT_TRUE(std::isnan(ring_back[17]));
    std::vector<std::uint32_t> bits_back;
    in.read(0, kWindow0, "detector/bfast/valid", bits_back);
    EXPECT_EQ(bits_back, bits);
    // The planes are the slow dimension: 3 x 6 in the file.
    hid_t const file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t const set = H5Dopen2(file, "/chunk_0/detector/bfast/ring", H5P_DEFAULT);
    hid_t const space = H5Dget_space(set);
    hsize_t dims[2] = {0, 0};
    EXPECT_EQ(H5Sget_simple_extent_ndims(space), 2);
    H5Sget_simple_extent_dims(space, dims, nullptr);
    EXPECT_EQ(dims[0], 3u);
    EXPECT_EQ(dims[1], 6u);
    H5Sclose(space);
    H5Dclose(set);
    H5Fclose(file);
    // A read with another window (of 4 pixels) names the mismatch.
    EXPECT_THROW(in.read(0, kWindow5, "detector/bfast/ring", ring_back), geosweep::io_error);
  }
}
