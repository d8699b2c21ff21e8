// BoundedQueue: the queue between two pipeline stages. A full queue blocks
// its producer (backpressure); nothing is dropped.
//
// Thread-safety: any number of producers and consumers.
// Invariant: size() <= capacity; after close(), push() fails at once and
// pop() drains what is left, then returns nullopt.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace sluice {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  /// Blocks while full. False (and `item` untouched) once closed.
  bool push(T& item) {
    std::unique_lock<std::mutex> l(mu_);
    not_full_.wait(l, [&] { return closed_ || q_.size() < capacity_; });
    if (closed_) return false;
    q_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  /// Blocks while empty and open; nullopt once closed and drained.
  std::optional<T> pop() {
    std::unique_lock<std::mutex> l(mu_);
    not_empty_.wait(l, [&] { return closed_ || !q_.empty(); });
    return take_front();
  }
  /// Like pop(), but never waits: nullopt when empty.
  std::optional<T> try_pop() {
    std::lock_guard<std::mutex> l(mu_);
    return take_front();
  }
  /// Like pop(), but waits at most `timeout`: nullopt with *closed = false
  /// when nothing arrived in time, with *closed = true once closed and
  /// drained.
  template <class Duration>
  std::optional<T> pop_for(Duration timeout, bool* closed) {
    std::unique_lock<std::mutex> l(mu_);
    not_empty_.wait_for(l, timeout, [&] { return closed_ || !q_.empty(); });
    *closed = closed_ && q_.empty();
    return take_front();
  }
  void close() {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }
  size_t size() const {
    std::lock_guard<std::mutex> l(mu_);
    return q_.size();
  }

 private:
  /// The front item, or nullopt when empty; `mu_` held.
  std::optional<T> take_front() {
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return v;
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> q_;
  bool closed_ = false;
};

}  // namespace sluice
