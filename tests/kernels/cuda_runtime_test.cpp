// How the CUDA backend holds device resources: pinned arrays really page-locked, pool memory
// kept for reuse, the cudaMalloc fallback where pools are missing, a failed release reported
// as itself (not blamed on the next kernel), device choice per thread. Built with the CUDA
// backend only; exits 77 (skipped) without a device.
//
//   cuda_runtime_test                     device memory from the stream-ordered pools
//   cuda_runtime_test --plain-allocation  device memory from cudaMalloc, as where a device
//                                         has no pools (the fallback, run as its own CTest)
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/detail/cuda_stream.hpp"
#include "geosweep/kernels/error.hpp"
#include "geosweep/kernels/indices.hpp"
#include "geosweep/kernels/stream.hpp"

namespace k = geosweep::kernels;

namespace {

bool plain_allocation = false;  // --plain-allocation

TEST(CudaRuntime, PinnedArraysOfAutomaticArePageLocked) {
  // `automatic` resolves to cuda here: the memory must be page-locked, as its destructor frees
  // it with cudaFreeHost.
  k::pinned_array<float> values(k::backend::automatic, 4096);
  EXPECT_EQ(values.where(), k::backend::cuda);
  cudaPointerAttributes attributes{};
  ASSERT_EQ(cudaPointerGetAttributes(&attributes, values.data()), cudaSuccess);
  EXPECT_EQ(attributes.type, cudaMemoryTypeHost);
  k::pinned_array<float> on_cpu(k::backend::cpu, 16);
  ASSERT_EQ(cudaPointerGetAttributes(&attributes, on_cpu.data()), cudaSuccess);
  EXPECT_EQ(attributes.type, cudaMemoryTypeUnregistered);
}

TEST(CudaRuntime, AllocationAsAskedAndResultsEqualTheCpus) {
  EXPECT_EQ(k::detail::cuda_pooled_allocation(), !plain_allocation);
  // NDVI of 100 000 pixels through device arrays, in and out through pinned arrays.
  std::size_t const n = 100000;
  std::vector<float> red(n), nir(n);
  for (std::size_t i = 0; i < n; ++i) {
    red[i] = static_cast<float>(i % 977) / 977.0f;
    nir[i] = static_cast<float>(i % 613) / 613.0f;
  }
  std::vector<float> expected(n);
  k::transform_pixels(k::backend::cpu, n, k::normalized_difference_op{}, expected.data(),
                      nir.data(), red.data());
  k::stream s(k::backend::cuda);
  k::device_array<float> d_red(s, n), d_nir(s, n), d_out(s, n);
  k::copy_to_device(s, d_red, red.data(), n);
  k::copy_to_device(s, d_nir, nir.data(), n);
  k::transform_pixels(s, n, k::normalized_difference_op{}, d_out.data(),
                      static_cast<float const*>(d_nir.data()),
                      static_cast<float const*>(d_red.data()));
  k::pinned_array<float> out(k::backend::cuda, n);
  k::copy_to_host(s, out.data(), d_out, n);
  s.synchronize();
  EXPECT_EQ(std::memcmp(out.data(), expected.data(), n * sizeof(float)), 0);
}

TEST(CudaRuntime, PoolMemoryIsKeptForReuse) {
  if (plain_allocation) GTEST_SKIP() << "cudaMalloc: no pool";
  k::stream s(k::backend::cuda);
  { k::device_array<float> scratch(s, std::size_t{1} << 22); }  // 16 MiB, freed at once
  s.synchronize();
  int device = 0;
  ASSERT_EQ(cudaGetDevice(&device), cudaSuccess);
  cudaMemPool_t pool = nullptr;
  ASSERT_EQ(cudaDeviceGetDefaultMemPool(&pool, device), cudaSuccess);
  std::uint64_t threshold = 0, reserved = 0;
  ASSERT_EQ(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &threshold),
            cudaSuccess);
  EXPECT_EQ(threshold, std::numeric_limits<std::uint64_t>::max());
  // With the default threshold of 0 the synchronisation would have handed the 16 MiB back.
  ASSERT_EQ(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrReservedMemCurrent, &reserved),
            cudaSuccess);
  EXPECT_GE(reserved, std::uint64_t{1} << 24);
}

TEST(CudaRuntime, AFailedReleaseIsReportedAsItselfNotBlamedOnTheNextKernel) {
  k::stream s(k::backend::cuda);
  k::device_array<float> values(s, 256);
  int not_device_memory = 0;
  k::detail::device_release(s, &not_device_memory);  // fails: a host address
  // The next launch checks cudaGetLastError: the release's error must not be there.
  EXPECT_NO_THROW(k::fill(s, values, 256, 1.0f));
  try {
    s.synchronize();
    ADD_FAILURE() << "the failed release was not reported";
  } catch (geosweep::cuda_error const& e) {
    EXPECT_NE(std::string(e.what()).find("an earlier CUDA release failed: cudaFree"),
              std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW(s.synchronize());  // reported once
  std::vector<float> back(256);
  k::copy_to_host(s, back.data(), values, 256);
  s.synchronize();
  EXPECT_EQ(back[0], 1.0f);
  EXPECT_EQ(back[255], 1.0f);
}

TEST(CudaRuntime, EachThreadComputesOnTheDeviceItChose) {
  int const count = k::cuda_device_count();
  EXPECT_THROW(k::use_cuda_device(count), geosweep::cuda_error);
  EXPECT_THROW(k::use_cuda_device(-1), geosweep::cuda_error);
  std::thread worker([&] {
    EXPECT_EQ(k::current_cuda_device(), 0);  // a new thread starts on device 0
    k::use_cuda_device(count - 1);
    int device = -1;
    EXPECT_EQ(cudaGetDevice(&device), cudaSuccess);
    EXPECT_EQ(device, count - 1);
    EXPECT_EQ(k::current_cuda_device(), count - 1);
  });
  worker.join();
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--plain-allocation") == 0) plain_allocation = true;
  }
  if (k::cuda_device_count() == 0) {
    std::printf("cuda_runtime_test: no CUDA device (%s); skipped\n",
                k::cuda_unavailable_reason().c_str());
    return 77;
  }
  if (plain_allocation && !k::detail::cuda_use_plain_allocation(true)) {
    std::printf("cuda_runtime_test: device memory was allocated before --plain-allocation\n");
    return 1;
  }
  return RUN_ALL_TESTS();
}
