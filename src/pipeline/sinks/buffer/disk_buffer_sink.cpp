#include "pipeline/sinks/buffer/disk_buffer_sink.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <set>

namespace sluice {
namespace {

const char* const kGauges[] = {"sluice_buffer_bytes", "sluice_buffer_max_bytes", "sluice_buffer_batches",
                               "sluice_buffer_events"};

// The buffer directories open in this process. A sink replaced by a config
// reload still drains while its successor is built; the successor waits for
// the directory instead of opening it twice.
struct Leases {
  std::mutex mu;
  std::condition_variable released;
  std::set<std::string> held;
};
Leases& leases() {
  static Leases l;
  return l;
}
bool try_lease(const std::string& dir) {
  std::lock_guard<std::mutex> l(leases().mu);
  return leases().held.insert(dir).second;
}
void release_lease(const std::string& dir) {
  {
    std::lock_guard<std::mutex> l(leases().mu);
    leases().held.erase(dir);
  }
  leases().released.notify_all();
}

}  // namespace

DiskBufferSink::DiskBufferSink(Env* env, DiskBufferSinkConfig config, std::unique_ptr<Sink> inner)
    : env_(env), config_(std::move(config)), inner_(std::move(inner)) {
  auto& m = MetricsRegistry::global();
  labels_ = {{"component", config_.name}};
  Labels sink{{"component", config_.name}, {"kind", "sink"}, {"type", config_.type}};
  corrupt_ = &m.counter("sluice_buffer_corrupt_records_total",
                        "Damaged disk-buffer records (checksum mismatch, bad length, torn) skipped.", labels_);
  sent_ = &m.counter("sluice_buffer_sent_records_total", "Records the drain of a disk buffer delivered to its sink.",
                     labels_);
  errors_ = &m.counter("sluice_component_errors_total", "Failed sink writes (each retry counts).", sink);
  discarded_ =
      &m.counter("sluice_component_discarded_records_total", "Records dropped after a fatal sink error.", sink);
  blocked_ = &m.histogram("sluice_buffer_write_blocked_seconds",
                          "How long writes into a full disk buffer waited for space (backpressure).", labels_,
                          latency_buckets_seconds());
}

Result<std::unique_ptr<DiskBufferSink>> DiskBufferSink::open(Env* env, DiskBufferSinkConfig config,
                                                             std::unique_ptr<Sink> inner) {
  std::unique_ptr<DiskBufferSink> s(new DiskBufferSink(env, std::move(config), std::move(inner)));  // NOLINT
  if (try_lease(s->config_.dir)) {
    s->leased_ = true;
    SLUICE_RETURN_IF_ERROR(s->open_buffer());
  } else {
    spdlog::info("sinks.{}: the disk buffer {} is in use by the sink this one replaces; it opens when that one stops",
                 s->config_.name, s->config_.dir);
  }
  DiskBufferSink* raw = s.get();
  s->drainer_ = std::thread([raw] { raw->run(); });
  return s;
}

Status DiskBufferSink::open_buffer() {
  DiskBufferConfig bc;
  bc.dir = config_.dir;
  bc.max_bytes = config_.max_bytes;
  bc.file_bytes = config_.file_bytes;
  bc.name = "sinks." + config_.name;
  bc.corrupt_counter = corrupt_;
  SLUICE_ASSIGN_OR_RETURN(auto b, DiskBuffer::open(env_, std::move(bc)));
  const DiskBuffer* raw = b.get();
  auto& m = MetricsRegistry::global();
  m.gauge_fn(kGauges[0], "Bytes of a disk buffer's data files.", labels_,
             [raw] { return static_cast<double>(raw->bytes()); });
  m.gauge_fn(kGauges[1], "A disk buffer's max_size in bytes.", labels_,
             [raw] { return static_cast<double>(raw->max_bytes()); });
  m.gauge_fn(kGauges[2], "Batches in a disk buffer not yet delivered.", labels_,
             [raw] { return static_cast<double>(raw->batches()); });
  m.gauge_fn(kGauges[3], "Records and samples in a disk buffer not yet delivered.", labels_,
             [raw] { return static_cast<double>(raw->events()); });
  spdlog::info("sinks.{}: disk buffer in {} ({} batches, {} bytes waiting; next sequence {})", config_.name,
               config_.dir, raw->batches(), raw->bytes(), raw->next_sequence());
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) b->stop_waiting();
    buffer_ = std::move(b);
  }
  wake_.notify_all();
  return Status::Ok();
}

DiskBufferSink::~DiskBufferSink() {
  {
    std::lock_guard<std::mutex> l(mu_);
    closing_ = true;
    stopping_ = true;
    if (buffer_) buffer_->close();
  }
  wake_.notify_all();
  {
    std::lock_guard<std::mutex> l(leases().mu);  // a drain waiting for the lease sees closing_
  }
  leases().released.notify_all();
  if (drainer_.joinable()) drainer_.join();
  if (buffer_) {
    auto& m = MetricsRegistry::global();
    for (const char* g : kGauges) m.remove(g, labels_);
    if (buffer_->batches() > 0) {
      spdlog::info(
          "sinks.{}: {} batches ({} records) stay in the disk buffer {}; they are sent when the sink runs "
          "again with buffer.type = \"disk\"",
          config_.name, buffer_->batches(), buffer_->events(), config_.dir);
    }
    buffer_.reset();
  }
  if (leased_) release_lease(config_.dir);
}

std::optional<std::vector<SourcePosition>> DiskBufferSink::uncheckpointed_positions(
    const std::unordered_map<std::string, uint64_t>& own) {
  std::vector<SourcePosition> out;
  const DiskBuffer* b = buffer();
  auto covered = own.find(kCoveredKey);
  if (b == nullptr || covered == own.end()) return out;
  uint64_t newest = 0;
  out = b->positions_after(covered->second, &newest);
  if (!out.empty()) out.push_back(SourcePosition{config_.name, kCoveredKey, newest, ""});
  return out;
}

const DiskBuffer* DiskBufferSink::buffer() const {
  std::lock_guard<std::mutex> l(mu_);
  return buffer_.get();
}

DiskBuffer* DiskBufferSink::wait_open(std::chrono::nanoseconds max_wait) {
  std::unique_lock<std::mutex> l(mu_);
  wake_.wait_for(l, max_wait, [&] { return buffer_ != nullptr || stopping_; });
  return buffer_.get();
}

SinkResult DiskBufferSink::write(LogBatch& batch, std::string* error) {
  std::chrono::nanoseconds blocked{0};
  auto t0 = std::chrono::steady_clock::now();
  DiskBuffer* b = wait_open(config_.full_wait);
  if (b == nullptr) {
    *error = "the disk buffer " + config_.dir + " is not open yet (the sink this one replaces still holds it)";
    return SinkResult::kRetry;
  }
  auto left = config_.full_wait - (std::chrono::steady_clock::now() - t0);
  auto r = b->append(batch, std::max(left, std::chrono::nanoseconds(0)), &blocked);
  if (blocked.count() > 0) blocked_->observe(std::chrono::duration<double>(blocked).count());
  if (r.ok()) {
    // The engine checkpoints this with the source positions: how far the
    // checkpoint got in the buffer (uncheckpointed_positions()).
    if (!batch.positions.empty()) batch.positions.push_back(SourcePosition{config_.name, kCoveredKey, *r, ""});
    return SinkResult::kOk;
  }
  *error = r.status().to_string();
  // A batch the buffer can never hold (codec limits) is as bad as one the
  // sink refuses; everything else (full, closed, I/O) is passing.
  return r.status().code() == StatusCode::kResourceExhausted ? SinkResult::kFatal : SinkResult::kRetry;
}

void DiskBufferSink::stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    if (buffer_) buffer_->stop_waiting();
  }
  wake_.notify_all();
}

bool DiskBufferSink::pause(std::chrono::nanoseconds d) {
  std::unique_lock<std::mutex> l(mu_);
  return !wake_.wait_for(l, d, [&] { return closing_.load(); });
}

void DiskBufferSink::run() {
  if (!leased_) {
    {
      std::unique_lock<std::mutex> l(leases().mu);
      leases().released.wait(l, [&] { return closing_ || leases().held.insert(config_.dir).second; });
      if (closing_) return;
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      leased_ = true;
    }
    auto backoff = config_.min_backoff;
    while (true) {
      Status st = open_buffer();
      if (st.ok()) break;
      spdlog::error("sinks.{}: {}", config_.name, st.to_string());
      if (!pause(backoff)) return;
      backoff = std::min(backoff * 2, config_.max_backoff);
    }
  }
  drain();
}

void DiskBufferSink::drain() {
  std::mt19937_64 rng(std::random_device{}());
  auto next_backoff = [&](std::chrono::nanoseconds b) { return std::min(b * 2, config_.max_backoff); };
  auto jittered = [&](std::chrono::nanoseconds b) {
    return b + std::chrono::nanoseconds(rng() % static_cast<uint64_t>(b.count() / 2 + 1));
  };
  DiskBuffer* buffer = wait_open(std::chrono::nanoseconds(0));
  if (buffer == nullptr) return;
  auto io_backoff = config_.min_backoff;
  while (!closing_) {
    auto item = buffer->read(std::chrono::seconds(1));
    if (!item.ok()) {
      spdlog::error("sinks.{}: reading the disk buffer: {}", config_.name, item.status().to_string());
      if (!pause(jittered(io_backoff))) return;
      io_backoff = next_backoff(io_backoff);
      continue;
    }
    io_backoff = config_.min_backoff;
    if (!item->has_value()) continue;
    const uint64_t seq = (*item)->sequence;
    LogBatch& batch = (*item)->batch;
    const size_t n = batch.size();
    batch.positions = {SourcePosition{config_.name, "buffer", seq, ""}};
    auto backoff = config_.min_backoff;
    while (true) {
      std::string err;
      SinkResult r = inner_->write(batch, &err);
      if (r == SinkResult::kOk) {
        sent_->inc(n);
        break;
      }
      errors_->inc();
      if (r == SinkResult::kFatal) {
        discarded_->inc(n);
        spdlog::error("sinks.{}: dropped {} buffered records (sequence {}): {}", config_.name, n, seq, err);
        break;
      }
      if (closing_) return;  // stays buffered; sent again after a restart
      auto wait = jittered(backoff);
      spdlog::warn("sinks.{}: will retry buffered sequence {} in {} ms: {}", config_.name, seq,
                   std::chrono::duration_cast<std::chrono::milliseconds>(wait).count(), err);
      if (!pause(wait)) return;
      backoff = next_backoff(backoff);
    }
    // The batch is delivered; failing to note it only means it is sent
    // again after a restart. Keep trying: nothing else may be read first.
    auto ack_backoff = config_.min_backoff;
    while (true) {
      Status st = buffer->ack(seq);
      if (st.ok()) break;
      spdlog::error("sinks.{}: {}", config_.name, st.to_string());
      if (!pause(jittered(ack_backoff))) return;
      ack_backoff = next_backoff(ack_backoff);
    }
  }
}

}  // namespace sluice
