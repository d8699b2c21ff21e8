// LogBatch: the unit that pipeline stages pass to each other and that the
// store appends as one WAL entry.
//
// A batch carries, besides its records, the source positions it advances:
// after the batch is durable, each listed file has been consumed up to
// `offset`. Positions are committed atomically with the data in the same WAL
// entry (ARCHITECTURE.md "End-to-end acknowledgement").
//
// A batch may also carry acknowledgements: sources that must answer their
// client only once the data is durable (every network listener) attach one,
// and it completes when the last copy of the batch is released by the sinks.
//
// Thread-safety: LogBatch is a plain value type, moved between stages, never
// shared; an Acknowledgement is shared by the copies of a fanned-out batch
// and is thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/log_record.hpp"
#include "model/metric_sample.hpp"
#include "model/span.hpp"

namespace sluice {

/// How far a source has consumed one of its inputs.
struct SourcePosition {
  std::string source;   ///< component name, e.g. "nginx"
  std::string key;      ///< input identity, e.g. file "dev:inode:fingerprint"
  uint64_t offset = 0;  ///< bytes consumed (exclusive end)
  std::string path;     ///< last known path, for operators only
  /// Whether the bytes up to `offset` were read again after a restart, at
  /// or below where the copies on some path to a sink had been committed
  /// (SourceContext::resume_cuts). In memory only, never stored.
  enum class Replay : uint8_t {
    kNo,
    /// Read again, and the batch holds only what was read again: a sink
    /// whose path had committed this offset skips the batch (Pipeline).
    kWhole,
    /// Read again, but a transform that keeps state across batches
    /// (Transform::keeps_state) passed it, so the batch may hold records
    /// that sink never had: it writes them, without this position.
    kMixed,
  };
  Replay replay = Replay::kNo;

  bool operator==(const SourcePosition&) const = default;
};

/// How a batch's delivery ended, worst first wins when copies disagree.
enum class DeliveryStatus {
  kDelivered,  ///< every sink that got a copy wrote it durably (or it was filtered out)
  kErrored,    ///< not written: the pipeline stopped, or a sink kept failing; the client should retry
  kRejected,   ///< a sink can never write it (bad data); the client should not retry
};

/// Completion of one batch's delivery, in the style of Vector's batch
/// notifiers: the source creates it with a callback and attaches it to the
/// batch; every copy of the batch holds a reference; the callback runs once,
/// when the last reference is released, with the worst status any holder
/// recorded through fail(). Sinks release a batch only after writing it, so
/// the callback means "durable" when the status is kDelivered.
///
/// Thread-safety: fail() from any thread; the callback runs on the thread
/// that drops the last reference and must not block for long.
class Acknowledgement {
 public:
  using Callback = std::function<void(DeliveryStatus, const std::string& reason)>;
  explicit Acknowledgement(Callback done) : done_(std::move(done)) {}
  Acknowledgement(const Acknowledgement&) = delete;
  Acknowledgement& operator=(const Acknowledgement&) = delete;
  ~Acknowledgement() {
    if (done_) done_(status_, reason_);
  }
  /// Records a failure; the worst status (and its first reason) wins.
  void fail(DeliveryStatus s, const std::string& reason) {
    std::lock_guard<std::mutex> l(mu_);
    if (static_cast<int>(s) > static_cast<int>(status_)) {
      status_ = s;
      reason_ = reason;
    }
  }

 private:
  std::mutex mu_;
  Callback done_;
  DeliveryStatus status_ = DeliveryStatus::kDelivered;
  std::string reason_;
};

/// A batch holds log records, metric samples or spans (a source emits one
/// kind per batch; a stream stores one kind, ARCHITECTURE.md "Data model").
/// Log transforms leave `samples` and `spans` alone.
struct LogBatch {
  std::vector<LogRecord> records;
  /// Metric samples (host_metrics, OTLP metrics, Prometheus remote_write).
  std::vector<MetricSample> samples;
  /// Trace spans (OTLP traces).
  std::vector<Span> spans;
  /// Positions reached once every record of this batch is stored.
  std::vector<SourcePosition> positions;
  /// The stream a network source asks for (Loki's configured stream, an
  /// Elasticsearch index, ...); a `store` sink without a `stream` option
  /// writes there. Empty: no preference.
  std::string stream;
  /// Completed when every copy of this batch has been released. A
  /// transform that holds records back for a later batch (multiline,
  /// dedupe) moves the acknowledgements along with them.
  std::vector<std::shared_ptr<Acknowledgement>> acks;
  /// Work a sink did ahead on this batch (Sink::prepare, e.g. its encoded
  /// request body), valid only for the sink `prepared_for` points to and
  /// only while the batch is unchanged; opaque to everything else.
  std::shared_ptr<const void> prepared;
  const void* prepared_for = nullptr;

  /// Records `s` on every acknowledgement of this batch.
  void fail_acks(DeliveryStatus s, const std::string& reason) {
    for (auto& a : acks) a->fail(s, reason);
  }

  bool empty() const { return size() == 0 && positions.empty(); }
  /// Records plus samples plus spans: what the pipeline counts as received
  /// and sent, and the offsets a stored batch takes (records first, then
  /// samples, then spans).
  size_t size() const { return records.size() + samples.size() + spans.size(); }
  /// A batch holding copies of items [begin, end) in offset order (records,
  /// then samples, then spans) and `stream`; no positions, acks or prepared
  /// work.
  LogBatch copy_items(size_t begin, size_t end) const {
    LogBatch out;
    out.stream = stream;
    copy_range(records, begin, end, out.records);
    copy_range(samples, begin, end, out.samples);
    copy_range(spans, begin, end, out.spans);
    return out;
  }
  /// Removes the first `n` items in offset order (records, samples, spans).
  void drop_front(size_t n) {
    n -= drop_front_of(records, n);
    n -= drop_front_of(samples, n);
    drop_front_of(spans, n);
  }

 private:
  template <class T>
  static size_t drop_front_of(std::vector<T>& v, size_t n) {
    size_t k = std::min(n, v.size());
    v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k));
    return k;
  }
  // Copies the part of `v` inside [begin, end) and moves the range on to the
  // next vector in offset order.
  template <class T>
  static void copy_range(const std::vector<T>& v, size_t& begin, size_t& end, std::vector<T>& out) {
    const size_t b = std::min(begin, v.size()), e = std::min(end, v.size());
    out.assign(v.begin() + static_cast<std::ptrdiff_t>(b), v.begin() + static_cast<std::ptrdiff_t>(e));
    begin -= b;
    end -= e;
  }
};

}  // namespace sluice
