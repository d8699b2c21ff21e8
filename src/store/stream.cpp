#include "store/stream.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include "common/assert.hpp"
#include "model/timestamp.hpp"
#include "store/wal/batch_codec.hpp"

namespace sluice {

namespace {
// Sampled hot records needed before their keys are promoted ahead of a
// compaction (AttributeKeySampler samples up to 4 records per batch).
constexpr uint64_t kMinAttributeSamples = 8;

// Event time of item i of a stored batch, in offset order (records,
// samples, spans: a span's start).
int64_t item_timestamp(const LogBatch& b, size_t i) {
  if (i < b.records.size()) return b.records[i].timestamp_ns;
  i -= b.records.size();
  return i < b.samples.size() ? b.samples[i].timestamp_ns : b.spans[i - b.samples.size()].start_timestamp_ns;
}

const char* hot_function(StreamKind k) {
  switch (k) {
    case StreamKind::kMetrics:
      return "sluice_hot_metrics";
    case StreamKind::kTraces:
      return "sluice_hot_spans";
    default:
      return "sluice_hot";
  }
}

// A DuckDB VARCHAR[] literal.
std::string list_literal(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += quote_literal(items[i]);
  }
  return out + "]";
}

const char* items_name(StreamKind k) {
  switch (k) {
    case StreamKind::kMetrics:
      return "metric samples";
    case StreamKind::kTraces:
      return "spans";
    default:
      return "log records";
  }
}
}  // namespace

struct Stream::Writer {
  explicit Writer(LogBatch* b) : batch(b) {}
  LogBatch* batch;
  bool done = false;
  Result<AppendResult> result = Status::Internal("append not performed");
};

Stream::Stream(Env* env, Database* db, std::string name, std::string dir, const StoreOptions& options)
    : env_(env), db_(db), name_(std::move(name)), dir_(std::move(dir)), options_(options) {
  auto& m = MetricsRegistry::global();
  Labels l{{"stream", name_}};
  records_in_ = &m.counter("sluice_store_records_total", "Records durably appended to a stream.", l);
  bytes_in_ = &m.counter("sluice_store_bytes_total", "Body bytes durably appended to a stream.", l);
  fsyncs_ = &m.counter("sluice_wal_fsyncs_total", "WAL fsync calls.", l);
  fsync_latency_ = &m.histogram("sluice_wal_fsync_seconds", "WAL fsync latency.", l, latency_buckets_seconds());
  append_latency_ = &m.histogram("sluice_store_append_seconds", "Time from append call to durable acknowledgement.", l,
                                 latency_buckets_seconds());
  compactions_ = &m.counter("sluice_store_compactions_total", "Hot tables compacted into Parquet segments.", l);
  segments_deleted_ = &m.counter("sluice_store_segments_deleted_total", "Segments deleted by retention.", l);
  compaction_waits_ = &m.counter("sluice_store_compaction_waits_total",
                                 "Appends that waited because compaction was behind (store.max_hot_rows).", l);
}

Stream::~Stream() {
  std::lock_guard<std::mutex> a(apply_mu_);
  if (wal_ && options_.fsync != "off") (void)wal_->sync();
}

Result<std::unique_ptr<Stream>> Stream::open(Env* env, Database* db, std::string name, std::string dir,
                                             const StoreOptions& options) {
  if (!valid_stream_name(name)) {
    return Status::InvalidArgument("stream name \"" + name + "\" must match [a-z0-9_.-]{1,64}");
  }
  std::unique_ptr<Stream> s(new Stream(env, db, std::move(name), std::move(dir), options));  // NOLINT
  SLUICE_RETURN_IF_ERROR(s->recover().with_context("opening stream " + s->name_));
  return s;
}

Status Stream::recover() {
  SLUICE_RETURN_IF_ERROR(env_->create_dirs(dir_));
  SLUICE_ASSIGN_OR_RETURN(admin_con_, db_->connect());
  SLUICE_ASSIGN_OR_RETURN(catalog_, load_catalog(env_, dir_ + "/catalog.json"));
  for (const auto& p : catalog_.positions) positions_[{p.source, p.key}] = p;
  kind_.store(catalog_.kind, std::memory_order_relaxed);

  // Parquet files not in the catalog are left over from a compaction that
  // crashed before its catalog update: their rows are still in the WAL.
  std::error_code ec;
  std::vector<std::string> known;
  for (const auto& s : catalog_.segments) known.push_back(segment_abs(s.path));
  for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::string p = it->path().string();
    bool parquet = p.ends_with(".parquet") || p.ends_with(".parquet.tmp");
    if (parquet && std::find(known.begin(), known.end(), p) == known.end()) {
      spdlog::warn("stream {}: removing {} left over from an interrupted compaction", name_, p);
      (void)env_->remove_file(p);
    }
  }

  WalOptions wo;
  wo.segment_bytes = options_.wal_segment_bytes;
  wo.initial_offset = catalog_.compacted_offset;
  RecoveryReport report;
  SLUICE_ASSIGN_OR_RETURN(wal_, Wal::open(env_, dir_ + "/wal", wo, &report));
  if (report.bytes_skipped > 0) {
    spdlog::warn("stream {}: WAL recovery stopped at {} and skipped {} bytes", name_, report.first_error.to_string(),
                 report.bytes_skipped);
  }
  if (wal_->next_offset() < catalog_.compacted_offset) {
    return Status::Corruption(fmt::format("WAL ends at offset {} but the catalog says {} records are compacted",
                                          wal_->next_offset(), catalog_.compacted_offset));
  }

  std::lock_guard<std::mutex> a(apply_mu_);
  new_hot_gen();
  hot_.back().first_offset = catalog_.compacted_offset;
  hot_.back().end_offset = catalog_.compacted_offset;
  // Trimming deletes whole segments, so the WAL may start past 0.
  SLUICE_ASSIGN_OR_RETURN(auto reader, wal_->read_from(wal_->first_offset()));
  WalEntry e;
  uint64_t replayed = 0;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, reader->next(&e));
    if (!more) break;
    apply_positions(e.batch.positions);
    uint64_t n = e.batch.size();
    if (n == 0 || e.first_offset + n <= catalog_.compacted_offset) continue;
    uint64_t skip = e.first_offset < catalog_.compacted_offset ? catalog_.compacted_offset - e.first_offset : 0;
    if (skip) e.batch.drop_front(skip);
    e.batch.positions.clear();
    SLUICE_RETURN_IF_ERROR(add_hot(e.batch, e.first_offset + skip, SharedBytes{}));
    replayed += e.batch.size();
  }
  if (replayed) spdlog::info("stream {}: replayed {} records from the WAL", name_, replayed);
  std::lock_guard<std::mutex> v(view_mu_);
  return refresh_view();
}

void Stream::new_hot_gen() {
  HotGen h;
  h.id = next_gen_id_++;
  h.first_offset = hot_.empty() ? wal_->next_offset() : hot_.back().end_offset;
  h.end_offset = h.first_offset;
  h.created_mono_ns = env_->now_monotonic_nanos();
  hot_.push_back(std::move(h));
}

Status Stream::add_hot(const LogBatch& batch, uint64_t first_offset, SharedBytes entry) {
  if (batch.size() == 0) return Status::Ok();
  HotChunk c;
  c.first_offset = first_offset;
  c.count = static_cast<uint32_t>(batch.size());
  c.min_timestamp_ns = INT64_MAX;
  c.max_timestamp_ns = INT64_MIN;
  for (size_t i = 0; i < batch.size(); ++i) {
    c.min_timestamp_ns = std::min(c.min_timestamp_ns, item_timestamp(batch, i));
    c.max_timestamp_ns = std::max(c.max_timestamp_ns, item_timestamp(batch, i));
  }
  if (entry.owner) {
    c.entry = std::move(entry);
    c.payload_at = wal::kEntryHeaderSize;
  } else {
    auto encoded = std::make_shared<std::string>();
    SLUICE_RETURN_IF_ERROR(encode_batch(batch, encoded.get()));
    c.entry.bytes = *encoded;
    c.entry.owner = std::move(encoded);
    c.payload_at = 0;
  }
  min_ts_ = std::min<int64_t>(min_ts_, c.min_timestamp_ns);
  max_ts_ = std::max<int64_t>(max_ts_, c.max_timestamp_ns);
  HotGen& g = hot_.back();
  g.attribute_keys.sample(batch.records);
  g.rows += c.count;
  hot_rows_.fetch_add(c.count, std::memory_order_relaxed);
  g.end_offset = first_offset + c.count;
  g.chunks.push_back(std::move(c));
  return Status::Ok();
}

std::vector<HotChunk> Stream::hot_snapshot(int64_t gen) const {
  std::lock_guard<std::mutex> a(apply_mu_);
  std::vector<HotChunk> out;
  auto take = [&](const HotGen& g) {
    if (gen < 0 || g.id == gen) out.insert(out.end(), g.chunks.begin(), g.chunks.end());
  };
  for (const auto& g : retired_) take(g);
  for (const auto& g : hot_) take(g);
  return out;
}

Status Stream::refresh_view() {
  // Segments grouped by how many of the promoted attribute keys they hold
  // as columns and whether their map leaves those keys out; the columns a
  // segment lacks are computed from its attributes map, and a split map is
  // made whole again with the columns it holds.
  const std::vector<std::string>& promoted = catalog_.attribute_columns;
  std::map<std::pair<uint64_t, bool>, std::vector<std::string>> groups;
  for (const auto& s : catalog_.segments) {
    groups[{s.attribute_columns, s.attributes_split}].push_back(segment_abs(s.path));
  }
  std::string parts;
  for (auto it = groups.rbegin(); it != groups.rend(); ++it) {
    const auto [held, split] = it->first;
    parts += "SELECT *";
    if (split && held > 0) {
      std::vector<std::string> keys(promoted.begin(), promoted.begin() + static_cast<ptrdiff_t>(held));
      parts += " REPLACE (sluice_merge_attributes(attributes, " + list_literal(keys);
      for (const auto& k : keys) parts += ", " + quote_identifier(attribute_column_name(k));
      parts += ") AS attributes)";
    }
    for (size_t k = held; k < promoted.size(); ++k) {
      parts +=
          ", attributes[" + quote_literal(promoted[k]) + "] AS " + quote_identifier(attribute_column_name(promoted[k]));
    }
    parts += " FROM read_parquet([";
    for (size_t i = 0; i < it->second.size(); ++i) {
      if (i) parts += ",";
      parts += quote_literal(it->second[i]);
    }
    parts += "], hive_partitioning = false) UNION ALL BY NAME ";
  }
  parts += fmt::format("SELECT * FROM {}({}, from_offset := {}", hot_function(catalog_.kind), quote_literal(name_),
                       catalog_.compacted_offset);
  if (!promoted.empty()) parts += ", attribute_columns := " + list_literal(promoted);
  parts += ")";
  std::string sql = "CREATE OR REPLACE VIEW " + quote_identifier(name_) + " AS ";
  if (promoted.empty()) return admin_con_->exec(sql + parts);
  sql += "SELECT * EXCLUDE (";
  for (size_t k = 0; k < promoted.size(); ++k) {
    if (k) sql += ", ";
    sql += quote_identifier(attribute_column_name(promoted[k]));
  }
  sql += "), " + attribute_struct_columns_sql(promoted) + " FROM (" + parts + ")";
  return admin_con_->exec(sql);
}

Status Stream::check_kind(const LogBatch& batch) {
  if (batch.size() == 0) return Status::Ok();
  std::optional<StreamKind> kind = batch_kind(batch);
  if (!kind) {
    return Status::InvalidArgument("stream " + name_ + ": a batch holds more than one kind of data (log records, " +
                                   "metric samples, spans); a stream stores one kind");
  }
  StreamKind want = *kind;
  if (kind_.load(std::memory_order_relaxed) == want) return Status::Ok();
  std::lock_guard<std::mutex> a(apply_mu_);
  if (catalog_.kind == want) return Status::Ok();
  if (wal_->next_offset() > 0 || !catalog_.segments.empty()) {
    return Status::InvalidArgument(fmt::format("stream {} holds {}; a batch of {} cannot be appended to it", name_,
                                               stream_kind_name(catalog_.kind), items_name(want)));
  }
  // An empty stream takes the kind of its first data (a sink may create
  // its stream before anything is sent).
  Catalog next = catalog_;
  next.kind = want;
  SLUICE_RETURN_IF_ERROR(save_catalog(env_, dir_ + "/catalog.json", next));
  catalog_ = std::move(next);
  kind_.store(want, std::memory_order_relaxed);
  spdlog::info("stream {}: holds {}", name_, stream_kind_name(want));
  std::lock_guard<std::mutex> v(view_mu_);
  return refresh_view();
}

Result<AppendResult> Stream::append(LogBatch& batch) {
  LogBatch* one = &batch;
  return std::move(append_group(std::span<LogBatch* const>(&one, 1)).front());
}

Status Stream::admit(LogBatch& batch, int64_t now) {
  // Timestamps are clamped to +-2^62 ns (years 1823..2116) so that hour
  // arithmetic in compaction and the scan's range filters cannot overflow.
  constexpr int64_t kMaxTs = int64_t{1} << 62;
  for (auto& r : batch.records) {
    if (r.observed_timestamp_ns == 0) r.observed_timestamp_ns = now;
    if (r.timestamp_ns == 0) r.timestamp_ns = r.observed_timestamp_ns;
    r.timestamp_ns = std::clamp(r.timestamp_ns, -kMaxTs, kMaxTs);
    r.observed_timestamp_ns = std::clamp(r.observed_timestamp_ns, -kMaxTs, kMaxTs);
  }
  for (auto& m : batch.samples) {
    m.timestamp_ns = std::clamp(m.timestamp_ns == 0 ? now : m.timestamp_ns, -kMaxTs, kMaxTs);
  }
  for (auto& x : batch.spans) {
    x.start_timestamp_ns = std::clamp(x.start_timestamp_ns == 0 ? now : x.start_timestamp_ns, -kMaxTs, kMaxTs);
  }
  SLUICE_RETURN_IF_ERROR(check_kind(batch));
  if (disk_low_.load(std::memory_order_relaxed) && batch.size() > 0) {
    return Status::ResourceExhausted("stream " + name_ + ": free disk space is below store.min_free_bytes (" +
                                     std::to_string(options_.min_free_bytes) + " bytes); write refused");
  }
  return Status::Ok();
}

void Stream::wait_for_compaction() {
  const uint64_t limit = std::max<uint64_t>(static_cast<uint64_t>(options_.max_hot_rows),
                                            2 * static_cast<uint64_t>(std::max<int64_t>(options_.compact_rows, 0)));
  // Checked without the lock first: the group-commit leader holds apply_mu_
  // while it writes and fsyncs, and writers must be able to queue behind it.
  if (limit == 0 || hot_rows_.load(std::memory_order_relaxed) < limit) return;
  std::unique_lock<std::mutex> a(apply_mu_);
  compaction_waits_->inc();
  // At most a second: a compaction that keeps failing slows appends down
  // rather than stopping them (and a stopping pipeline is not held up).
  compacted_cv_.wait_for(a, std::chrono::seconds(1), [&] { return hot_rows_.load(std::memory_order_relaxed) < limit; });
}

std::vector<Result<AppendResult>> Stream::append_group(std::span<LogBatch* const> batches) {
  wait_for_compaction();
  int64_t t0 = env_->now_monotonic_nanos();
  int64_t now = env_->now_unix_nanos();
  std::vector<Result<AppendResult>> out;
  out.reserve(batches.size());
  std::deque<Writer> mine;   // stable addresses: the queue holds pointers
  std::vector<size_t> slot;  // mine[k] answers out[slot[k]]
  // Once free disk space refuses a batch, the later ones are refused too,
  // so that none is stored ahead of it (its positions would go backwards).
  Status refused;
  for (LogBatch* b : batches) {
    Status st = refused.ok() ? admit(*b, now) : refused;
    if (st.code() == StatusCode::kResourceExhausted) refused = st;
    out.push_back(st.ok() ? Result<AppendResult>(AppendResult{}) : Result<AppendResult>(st));
    if (st.ok()) {
      mine.emplace_back(b);
      slot.push_back(out.size() - 1);
    }
  }
  std::unique_lock<std::mutex> l(queue_mu_);
  // Pushed together, so this call's writers stay contiguous in the queue
  // and leave it in order.
  for (Writer& w : mine) writers_.push_back(&w);
  for (size_t k = 0; k < mine.size();) {
    Writer& w = mine[k];
    while (!w.done && &w != writers_.front()) queue_cv_.wait(l);
    if (w.done) {
      ++k;
      continue;
    }
    // This writer leads: it writes a group from the front of the queue.
    std::vector<Writer*> group;
    size_t records = 0;
    for (Writer* x : writers_) {
      group.push_back(x);
      records += x->batch->size();
      if (records >= 65536) break;
    }
    l.unlock();
    (void)write_group(group);  // each writer carries its own result
    l.lock();
    for (Writer* x : group) {
      SLUICE_ASSERT(writers_.front() == x, "group commit queue out of order");
      writers_.pop_front();
      x->done = true;
    }
    queue_cv_.notify_all();
  }
  l.unlock();
  for (size_t k = 0; k < mine.size(); ++k) out[slot[k]] = std::move(mine[k].result);
  double seconds = static_cast<double>(env_->now_monotonic_nanos() - t0) / 1e9;
  for (size_t i = 0; i < batches.size(); ++i) append_latency_->observe(seconds);
  return out;
}

Status Stream::write_group(std::vector<Writer*>& group) {
  std::lock_guard<std::mutex> a(apply_mu_);
  auto fail_all = [&](const Status& st) {
    for (Writer* x : group) x->result = st;
    return st;
  };
  if (!failed_.ok()) return fail_all(failed_);
  std::vector<AppendResult> results(group.size());
  std::vector<bool> written(group.size(), false);
  std::vector<SharedBytes> entries(group.size());
  std::vector<std::vector<Part>> parts(group.size());  // batches written as several entries
  for (size_t i = 0; i < group.size(); ++i) {
    const LogBatch& batch = *group[i]->batch;
    if (batch.size() > 0 && batch_kind(batch) != catalog_.kind) {
      // check_kind() passed before another writer changed the empty stream's kind.
      group[i]->result = Status::InvalidArgument("stream " + name_ + " holds " + stream_kind_name(catalog_.kind) +
                                                 " now; the batch's kind was taken by a concurrent append");
      continue;
    }
    SharedBytes entry;
    Result<AppendInfo> r = append_entry(batch, &entry);
    Status st = r.status();
    if (too_large(st) && batch.size() > 1) st = append_in_parts(batch, 0, batch.size(), &parts[i]);
    if (!st.ok()) {
      // A batch the WAL refuses (a record too large for an entry, offsets
      // past 2^64-1) fails alone and leaves the WAL usable; an I/O error may
      // have left a torn entry, so the stream stops taking writes until a
      // restart recovers the WAL.
      StatusCode c = st.code();
      if (!wal_->failed() && (c == StatusCode::kResourceExhausted || c == StatusCode::kInvalidArgument)) {
        // Not worth a retry: the same batch is refused again.
        std::string what =
            too_large(st) ? "stream " + name_ + ": a record alone is too large to store" : "stream " + name_;
        group[i]->result = Status::InvalidArgument(st.with_context(what).message());
        continue;
      }
      failed_ = st.with_context("stream " + name_ + " WAL append failed; restart to recover");
      return fail_all(failed_);
    }
    uint64_t n = group[i]->batch->size();
    uint64_t first = parts[i].empty() ? r->first_offset : parts[i].front().first_offset;
    results[i] = AppendResult{first, n ? first + n - 1 : first, n};
    written[i] = true;
    if (n > 0 && parts[i].empty()) entries[i] = std::move(entry);
  }
  if (options_.fsync == "batch") {
    int64_t s0 = env_->now_monotonic_nanos();
    Status st = wal_->sync();
    fsyncs_->inc();
    fsync_latency_->observe(static_cast<double>(env_->now_monotonic_nanos() - s0) / 1e9);
    if (!st.ok()) {
      failed_ = st.with_context("stream " + name_ + " WAL fsync failed; restart to recover");
      return fail_all(failed_);
    }
  }
  auto make_hot = [&](const LogBatch& b, uint64_t first_offset, SharedBytes entry) {
    Status st = add_hot(b, first_offset, std::move(entry));
    if (!st.ok()) {
      failed_ = st.with_context("stream " + name_ + " hot set update failed; restart to recover");
      return fail_all(failed_);
    }
    uint64_t bytes = 0;
    for (const auto& r : b.records) bytes += r.body.size();
    records_in_->inc(b.size());
    bytes_in_->inc(bytes);
    return Status::Ok();
  };
  for (size_t i = 0; i < group.size(); ++i) {
    // The entries of a split batch are in the WAL even when a later part
    // was refused: the hot set must hold what the WAL holds.
    for (Part& p : parts[i]) SLUICE_RETURN_IF_ERROR(make_hot(p.batch, p.first_offset, std::move(p.entry)));
    if (!written[i]) continue;
    LogBatch& b = *group[i]->batch;
    apply_positions(b.positions);
    group[i]->result = results[i];
    if (b.size() == 0 || !parts[i].empty()) continue;
    SLUICE_RETURN_IF_ERROR(make_hot(b, results[i].first_offset, std::move(entries[i])));
  }
  return Status::Ok();
}

bool Stream::too_large(const Status& st) const {
  return st.code() == StatusCode::kResourceExhausted && !wal_->failed();
}

Result<AppendInfo> Stream::append_entry(const LogBatch& batch, SharedBytes* entry) {
  struct Bound {
    std::string& s;
    ~Bound() {
      if (s.capacity() > kScratchKeptBytes) std::string().swap(s);
    }
  } bound{entry_scratch_};
  SLUICE_RETURN_IF_ERROR(Wal::encode_entry(batch, &entry_scratch_));
  SLUICE_ASSIGN_OR_RETURN(AppendInfo info, wal_->append_entry(&entry_scratch_, batch.size(), batch.positions));
  if (batch.size() == 0) return info;  // nothing, or positions only: nothing for the hot set
  if (entry_scratch_.size() >= kMapEntryBytes) {
    auto mapped = wal_->map_last_entry();
    if (mapped.ok()) {
      SLUICE_ASSERT((*mapped)->bytes().size() == entry_scratch_.size(), "the WAL mapped another entry than the last");
      entry->bytes = (*mapped)->bytes();
      entry->owner = std::move(*mapped);
      return info;
    }
    // Kept as a copy instead; said once per stream (a limit reached stays
    // reached for a while).
    if (!warned_map_failure_) {
      spdlog::warn(
          "stream {}: the hot set keeps a copy of an entry it could not map (and of later ones that "
          "fail): {}",
          name_, mapped.status().to_string());
      warned_map_failure_ = true;
    }
  }
  auto copy = std::make_shared<const std::string>(entry_scratch_);
  entry->bytes = *copy;
  entry->owner = std::move(copy);
  return info;
}

Status Stream::append_in_parts(const LogBatch& batch, size_t begin, size_t end, std::vector<Part>* parts) {
  const size_t mid = begin + (end - begin) / 2;
  for (auto [b, e] : {std::pair{begin, mid}, std::pair{mid, end}}) {
    LogBatch part = batch.copy_items(b, e);
    if (e == batch.size()) part.positions = batch.positions;  // reached once the last part is stored
    SharedBytes entry;
    Result<AppendInfo> r = append_entry(part, &entry);
    if (r.ok()) {
      parts->push_back(Part{std::move(part), r->first_offset, std::move(entry)});
      continue;
    }
    if (!too_large(r.status()) || e - b < 2) return r.status();
    SLUICE_RETURN_IF_ERROR(append_in_parts(batch, b, e, parts));
  }
  return Status::Ok();
}

void Stream::apply_positions(const std::vector<SourcePosition>& positions) {
  for (const auto& p : positions) positions_[{p.source, p.key}] = p;
}

std::vector<SourcePosition> Stream::positions_snapshot() const {
  std::vector<SourcePosition> out;
  out.reserve(positions_.size());
  for (const auto& [k, p] : positions_) out.push_back(p);
  return out;
}

std::unordered_map<std::string, uint64_t> Stream::committed_positions(const std::string& source) const {
  std::lock_guard<std::mutex> a(apply_mu_);
  std::unordered_map<std::string, uint64_t> out;
  for (const auto& [k, p] : positions_) {
    if (k.first == source) out[k.second] = p.offset;
  }
  return out;
}

Status Stream::sync_now() {
  std::lock_guard<std::mutex> a(apply_mu_);
  int64_t s0 = env_->now_monotonic_nanos();
  Status st = wal_->sync();
  fsyncs_->inc();
  fsync_latency_->observe(static_cast<double>(env_->now_monotonic_nanos() - s0) / 1e9);
  return st;
}

Status Stream::compact(bool force) {
  {
    std::lock_guard<std::mutex> a(apply_mu_);
    HotGen& cur = hot_.back();
    int64_t age = env_->now_monotonic_nanos() - cur.created_mono_ns;
    bool due = cur.rows > 0 && (force || cur.rows >= static_cast<uint64_t>(options_.compact_rows) ||
                                age >= options_.compact_interval.count());
    // Keys frequent among the hot records become columns now rather than at
    // the first compaction, so a new stream's columns appear within seconds.
    if (catalog_.kind == StreamKind::kLogs && cur.attribute_keys.samples() >= kMinAttributeSamples) {
      std::vector<std::string> promoted = extend_attribute_columns(catalog_.attribute_columns, cur.attribute_keys,
                                                                   static_cast<size_t>(options_.attribute_columns));
      if (promoted != catalog_.attribute_columns) {
        Catalog next = catalog_;
        next.attribute_columns = std::move(promoted);
        SLUICE_RETURN_IF_ERROR(save_catalog(env_, dir_ + "/catalog.json", next));
        catalog_ = std::move(next);
        view_stale_ = true;
      }
    }
    if (due) {
      cur.positions_at_end = positions_snapshot();
      new_hot_gen();
    }
    if (view_stale_) {
      std::lock_guard<std::mutex> v(view_mu_);
      SLUICE_RETURN_IF_ERROR(refresh_view());
      view_stale_ = false;
    }
    // Retired generations only serve queries bound to an older view.
    int64_t now = env_->now_monotonic_nanos();
    std::erase_if(retired_, [&](const HotGen& g) { return now - g.retired_mono_ns > 60LL * 1000000000LL; });
  }
  while (true) {
    HotGen frozen;
    {
      std::lock_guard<std::mutex> a(apply_mu_);
      if (hot_.size() < 2) break;
      frozen = hot_.front();
    }
    SLUICE_RETURN_IF_ERROR(compact_frozen(frozen).with_context("compacting stream " + name_));
  }
  return Status::Ok();
}

namespace {
constexpr int64_t kHourNs = 3600LL * 1000000000LL;

int64_t floor_hour(int64_t ns) { return (ns >= 0 ? ns / kHourNs : -((-ns + kHourNs - 1) / kHourNs)) * kHourNs; }

// "date=YYYY-MM-DD/hour=HH" of the hour starting at `hour_ns`.
std::string partition_of(int64_t hour_ns) {
  int64_t hours = hour_ns / kHourNs;
  int64_t days = hours >= 0 ? hours / 24 : -((-hours + 23) / 24);
  int hour = static_cast<int>(hours - days * 24);
  CivilDate c = civil_from_days(days);
  return fmt::format("date={:04}-{:02}-{:02}/hour={:02}", c.year, c.month, c.day, hour);
}
}  // namespace

Status Stream::compact_frozen(const HotGen& frozen) {
  // Runs without apply_mu_: a frozen generation receives no more appends and
  // its chunks are immutable. One pass in C++ finds the (date, hour) groups;
  // DuckDB then writes each group from sluice_hot(gen := ...).
  std::map<int64_t, SegmentInfo> groups;
  auto add = [&](int64_t hour, uint64_t first, uint64_t last, int64_t lo, int64_t hi, uint64_t rows) {
    auto [it, fresh] = groups.try_emplace(hour);
    SegmentInfo& s = it->second;
    if (fresh) {
      s.first_offset = first;
      s.last_offset = last;
      s.min_timestamp_ns = lo;
      s.max_timestamp_ns = hi;
    }
    s.first_offset = std::min(s.first_offset, first);
    s.last_offset = std::max(s.last_offset, last);
    s.min_timestamp_ns = std::min(s.min_timestamp_ns, lo);
    s.max_timestamp_ns = std::max(s.max_timestamp_ns, hi);
    s.rows += rows;
  };
  LogBatch batch;
  for (const auto& c : frozen.chunks) {
    // A chunk within one hour (the usual case) needs no decoding.
    if (floor_hour(c.min_timestamp_ns) == floor_hour(c.max_timestamp_ns)) {
      add(floor_hour(c.min_timestamp_ns), c.first_offset, c.first_offset + c.count - 1, c.min_timestamp_ns,
          c.max_timestamp_ns, c.count);
      continue;
    }
    SLUICE_RETURN_IF_ERROR(decode_batch(c.payload(), &batch));
    for (size_t i = 0; i < batch.size(); ++i) {
      int64_t ts = item_timestamp(batch, i);
      add(floor_hour(ts), c.first_offset + i, c.first_offset + i, ts, ts, 1);
    }
  }
  std::vector<std::string> promoted;
  {
    std::lock_guard<std::mutex> a(apply_mu_);
    promoted = catalog_.attribute_columns;
    if (catalog_.kind == StreamKind::kLogs) {
      promoted =
          extend_attribute_columns(promoted, frozen.attribute_keys, static_cast<size_t>(options_.attribute_columns));
    }
  }
  // Each promoted key's value is stored once, in its column.
  std::string columns_arg =
      promoted.empty() ? "" : ", attribute_columns := " + list_literal(promoted) + ", split_attributes := true";
  std::vector<SegmentInfo> written;
  {
    std::lock_guard<std::mutex> v(view_mu_);
    for (auto& [hour, s] : groups) {
      std::string part = partition_of(hour);
      s.path = fmt::format("{}/{:020}-{:020}.parquet", part, s.first_offset, s.last_offset);
      std::string abs = segment_abs(s.path);
      SLUICE_RETURN_IF_ERROR(env_->create_dirs(segment_abs(part)));
      std::string tmp = abs + ".tmp";
      SLUICE_RETURN_IF_ERROR(admin_con_->exec_background(
          fmt::format("COPY (SELECT * FROM {}({}, gen := {}, ts_from := {}, ts_to := {}{})) TO {} "
                      "(FORMAT parquet, PARQUET_VERSION V2, COMPRESSION zstd, COMPRESSION_LEVEL {}, ROW_GROUP_SIZE {})",
                      hot_function(catalog_.kind), quote_literal(name_), frozen.id, hour, hour + kHourNs, columns_arg,
                      quote_literal(tmp), options_.compression_level, options_.row_group_rows)));
      SLUICE_RETURN_IF_ERROR(env_->sync_file(tmp));
      SLUICE_RETURN_IF_ERROR(env_->rename_file(tmp, abs));
      SLUICE_RETURN_IF_ERROR(env_->sync_dir(segment_abs(part)));
      SLUICE_ASSIGN_OR_RETURN(s.bytes, env_->file_size(abs));
      s.attribute_columns = promoted.size();
      s.attributes_split = !promoted.empty();
      written.push_back(s);
    }
  }
  std::lock_guard<std::mutex> a(apply_mu_);
  // The catalog must never get ahead of the durable WAL (fsync = "interval"
  // or "off" acknowledge before fsync): sync what the segments hold first.
  // This also lets the WAL trim segments rolled under fsync = "off".
  SLUICE_RETURN_IF_ERROR(wal_->sync());
  Catalog next = catalog_;
  for (auto& s : written) next.segments.push_back(std::move(s));
  std::sort(next.segments.begin(), next.segments.end(),
            [](const SegmentInfo& x, const SegmentInfo& y) { return x.first_offset < y.first_offset; });
  next.compacted_offset = frozen.end_offset;
  next.positions = frozen.positions_at_end;
  next.attribute_columns = promoted;
  SLUICE_RETURN_IF_ERROR(save_catalog(env_, dir_ + "/catalog.json", next));
  catalog_ = std::move(next);
  // Retire before refreshing the view: the old view still finds the rows
  // through sluice_hot (retired generations stay served), so a failed refresh
  // loses nothing and is retried, and the generation is never compacted twice.
  HotGen retired = std::move(hot_.front());
  hot_.erase(hot_.begin());
  const uint64_t hot_rows = hot_rows_.load(std::memory_order_relaxed);  // written only under apply_mu_
  hot_rows_.store(hot_rows - std::min(hot_rows, retired.rows), std::memory_order_relaxed);
  compacted_cv_.notify_all();
  retired.retired_mono_ns = env_->now_monotonic_nanos();
  retired_.push_back(std::move(retired));
  compactions_->inc();
  view_stale_ = true;
  {
    std::lock_guard<std::mutex> v(view_mu_);
    SLUICE_RETURN_IF_ERROR(refresh_view());
  }
  view_stale_ = false;
  return wal_->trim_before(catalog_.compacted_offset);
}

Result<std::vector<std::string>> Stream::forget_segments(const std::vector<std::string>& drop) {
  Catalog next = catalog_;
  std::erase_if(next.segments,
                [&](const SegmentInfo& s) { return std::find(drop.begin(), drop.end(), s.path) != drop.end(); });
  SLUICE_RETURN_IF_ERROR(save_catalog(env_, dir_ + "/catalog.json", next));
  catalog_ = std::move(next);
  {
    std::lock_guard<std::mutex> v(view_mu_);
    SLUICE_RETURN_IF_ERROR(refresh_view());
  }
  std::vector<std::string> doomed;
  for (const auto& p : drop) doomed.push_back(segment_abs(p));
  return doomed;
}

void Stream::unlink_segments(const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    Status st = env_->remove_file(p);
    if (!st.ok()) spdlog::warn("stream {}: {}", name_, st.to_string());
    segments_deleted_->inc();
  }
}

std::vector<SegmentInfo> Stream::segments_oldest_first() const {
  // By newest record, so a late-arriving old hour goes first.
  std::vector<SegmentInfo> segs = catalog_.segments;
  std::sort(segs.begin(), segs.end(),
            [](const SegmentInfo& x, const SegmentInfo& y) { return x.max_timestamp_ns < y.max_timestamp_ns; });
  return segs;
}

Result<uint64_t> Stream::apply_retention(std::chrono::nanoseconds max_age, uint64_t max_bytes) {
  std::vector<std::string> doomed;
  uint64_t freed = 0;
  {
    std::lock_guard<std::mutex> a(apply_mu_);
    int64_t cutoff = max_age.count() > 0 ? env_->now_unix_nanos() - max_age.count() : INT64_MIN;
    uint64_t total = 0;
    for (const auto& s : catalog_.segments) total += s.bytes;
    std::vector<std::string> drop;
    for (const auto& s : segments_oldest_first()) {
      bool too_old = s.max_timestamp_ns < cutoff;
      bool too_big = max_bytes > 0 && total > max_bytes;
      if (!too_old && !too_big) continue;
      drop.push_back(s.path);
      total -= s.bytes;
      freed += s.bytes;
    }
    if (drop.empty()) return uint64_t{0};
    SLUICE_ASSIGN_OR_RETURN(doomed, forget_segments(drop));
  }
  unlink_segments(doomed);
  return freed;
}

int64_t Stream::oldest_segment_time() const {
  std::lock_guard<std::mutex> a(apply_mu_);
  int64_t t = INT64_MAX;
  for (const auto& s : catalog_.segments) t = std::min(t, s.max_timestamp_ns);
  return t;
}

Result<bool> Stream::drop_oldest_segment() {
  std::vector<std::string> doomed;
  {
    std::lock_guard<std::mutex> a(apply_mu_);
    if (catalog_.segments.empty()) return false;
    SLUICE_ASSIGN_OR_RETURN(doomed, forget_segments({segments_oldest_first().front().path}));
  }
  unlink_segments(doomed);
  return true;
}

std::vector<std::string> Stream::segment_paths() const {
  std::lock_guard<std::mutex> a(apply_mu_);
  std::vector<std::string> out;
  for (const auto& s : catalog_.segments) out.push_back(segment_abs(s.path));
  return out;
}

StreamInfo Stream::info() const {
  std::lock_guard<std::mutex> a(apply_mu_);
  StreamInfo i;
  i.name = name_;
  i.kind = stream_kind_name(catalog_.kind);
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (const auto& s : catalog_.segments) {
    i.records += s.rows;
    i.bytes += s.bytes;
    lo = std::min(lo, s.min_timestamp_ns);
    hi = std::max(hi, s.max_timestamp_ns);
  }
  i.segments = catalog_.segments.size();
  uint64_t hot_rows = 0;
  for (const auto& h : hot_) hot_rows += h.rows;
  i.records += hot_rows;
  if (hot_rows > 0) {
    lo = std::min<int64_t>(lo, min_ts_);
    hi = std::max<int64_t>(hi, max_ts_);
  }
  i.bytes += wal_->size_bytes();
  i.oldest_timestamp_ns = lo == INT64_MAX ? 0 : lo;
  i.newest_timestamp_ns = hi == INT64_MIN ? 0 : hi;
  i.next_offset = wal_->next_offset();
  i.attribute_columns = catalog_.attribute_columns;
  return i;
}

}  // namespace sluice
