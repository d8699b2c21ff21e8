#include "pipeline/sink_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace sluice {

SinkWriter::SinkWriter(Sink* sink, std::string name, SinkCounters counters, const std::atomic<bool>* stopping,
                       std::function<void(const LogBatch&)> written, Sleep sleep)
    : sink_(sink),
      name_(std::move(name)),
      counters_(counters),
      stopping_(stopping),
      written_(std::move(written)),
      sleep_(std::move(sleep)) {}

void SinkWriter::abandon(LogBatch& batch) const {
  batch.fail_acks(DeliveryStatus::kErrored, "the pipeline stopped before sinks." + name_ + " wrote it");
}

void SinkWriter::settle(LogBatch& batch, SinkResult r, std::string err) {
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    if (r == SinkResult::kOk) {
      counters_.sent->inc(batch.size());
      if (written_) written_(batch);
      return;
    }
    counters_.errors->inc();
    if (r == SinkResult::kFatal) {
      counters_.discarded->inc(batch.size());
      batch.fail_acks(DeliveryStatus::kRejected, "sinks." + name_ + ": " + err);
      spdlog::error("pipeline: sinks.{} dropped {} records: {}", name_, batch.size(), err);
      return;
    }
    if (stopping_->load()) {
      spdlog::warn("pipeline: sinks.{} gave up its queue at shutdown; those positions stay uncommitted: {}", name_,
                   err);
      abandoned_ = true;
      batch.fail_acks(DeliveryStatus::kErrored, "sinks." + name_ + " gave up at shutdown: " + err);
      return;
    }
    auto jitter = std::chrono::milliseconds(rng_() % static_cast<uint64_t>(backoff.count() / 2 + 1));
    spdlog::warn("pipeline: sinks.{} will retry in {} ms: {}", name_, (backoff + jitter).count(), err);
    sleep_(backoff + jitter);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(30));
    err.clear();
    r = sink_->write(batch, &err);
  }
}

void SinkWriter::write(std::vector<LogBatch>& taken) {
  size_t i = 0;
  while (i < taken.size()) {
    if (abandoned_) {
      abandon(taken[i++]);
      continue;
    }
    if (taken[i].empty()) {
      // A barrier: released now, after every batch ahead of it is settled.
      LogBatch release = std::move(taken[i++]);
      continue;
    }
    std::vector<LogBatch*> group;
    for (; i < taken.size() && !taken[i].empty() && group.size() < std::max<size_t>(sink_->max_group(), 1); ++i) {
      counters_.received->inc(taken[i].size());
      group.push_back(&taken[i]);
    }
    std::vector<SinkResult> results(group.size(), SinkResult::kRetry);
    std::vector<std::string> errors(group.size());
    if (group.size() == 1) {
      results[0] = sink_->write(*group[0], &errors[0]);
    } else {
      sink_->write_group(group, &results, &errors);
    }
    for (size_t k = 0; k < group.size(); ++k) {
      if (!abandoned_) {
        settle(*group[k], results[k], std::move(errors[k]));
      } else if (results[k] == SinkResult::kOk) {
        // Written, but behind a batch given up: its positions are not
        // committed, so after a restart it may be sent again, never lost.
        counters_.sent->inc(group[k]->size());
      } else {
        abandon(*group[k]);
      }
    }
  }
}

}  // namespace sluice
