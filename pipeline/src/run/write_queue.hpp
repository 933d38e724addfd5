#pragma once
// Internal to pipeline/src/run: the one thread that writes the outputs. HDF5 is not
// thread-safe, and compressing a chunk's rasters should overlap reading and computing the next
// chunks: the run queues each write as a job, in chunk order, and this thread runs them.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace geosweep::pipeline {

/// The one thread that writes HDF5 (the library is not thread-safe): chunks' windows are
/// compressed and written while the next chunks are read and computed. At most `capacity`
/// writes wait, so memory stays bounded.
class write_queue {
 public:
  explicit write_queue(std::size_t capacity) : capacity_(capacity), thread_([this] { work(); }) {}
  write_queue(write_queue const&) = delete;
  write_queue& operator=(write_queue const&) = delete;
  ~write_queue() {
    try {
      drain();
    } catch (...) {  // a destructor never throws; drain() already reported to its caller
    }
  }

  /// Queues `job`; blocks while the queue is full. Rethrows an earlier write's error.
  void push(std::function<void()> job);

  /// Waits for every queued write and stops the thread; rethrows a write's error.
  void drain();

 private:
  void work();

  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> jobs_;
  std::exception_ptr error_;
  bool done_ = false;
  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace geosweep::pipeline
