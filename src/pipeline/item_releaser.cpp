#include "pipeline/item_releaser.hpp"

#include <utility>

#include "common/thread_name.hpp"

namespace sluice {

ItemReleaser::ItemReleaser(size_t max_pending, std::function<void()> before_free)
    : max_pending_(max_pending), before_free_(std::move(before_free)) {}

ItemReleaser::~ItemReleaser() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void ItemReleaser::release(std::vector<LogBatch>& batches) {
  for (LogBatch& b : batches) {
    if (b.size() == 0) continue;
    Items items{std::move(b.records), std::move(b.samples), std::move(b.spans)};
    b.records.clear();  // moved-from vectors are valid but unspecified
    b.samples.clear();
    b.spans.clear();
    std::unique_lock<std::mutex> l(mu_);
    if (pending_.size() >= max_pending_) {
      ++freed_;
      l.unlock();
      continue;  // `items` is freed here, on the caller's thread
    }
    pending_.push_back(std::move(items));
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    l.unlock();
    cv_.notify_one();
  }
}

size_t ItemReleaser::freed() const {
  std::lock_guard<std::mutex> l(mu_);
  return freed_;
}

void ItemReleaser::run() {
  set_thread_name("release");
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    cv_.wait(l, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, nothing left
    Items items = std::move(pending_.front());
    pending_.pop_front();
    l.unlock();
    if (before_free_) before_free_();
    items = Items{};  // the frees, outside the lock
    l.lock();
    ++freed_;
  }
}

}  // namespace sluice
