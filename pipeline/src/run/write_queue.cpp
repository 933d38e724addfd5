#include "run/write_queue.hpp"

#include <utility>

namespace geosweep::pipeline {

void write_queue::push(std::function<void()> job) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return jobs_.size() < capacity_ || error_; });
  if (error_) std::rethrow_exception(error_);
  jobs_.push_back(std::move(job));
  changed_.notify_all();
}

void write_queue::drain() {
  {
    std::unique_lock lock(mutex_);
    done_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void write_queue::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !jobs_.empty() || done_; });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      changed_.notify_all();
    }
    try {
      job();
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
      jobs_.clear();
      changed_.notify_all();
    }
  }
}

}  // namespace geosweep::pipeline
