// Segmented write-ahead log; see wal.hpp and docs/formats/wal.md.
#include "store/wal/wal.hpp"

#include <algorithm>
#include <optional>

#include "common/assert.hpp"
#include "store/wal/batch_codec.hpp"
#include "store/wal/segment_scanner.hpp"

namespace sluice {

using wal::kEntryHeaderSize;
using wal::kFileHeaderSize;
using wal::ScanStep;
using wal::WalError;
using wal::WalErrorKind;

Result<std::unique_ptr<Wal>> Wal::open(Env* env, std::string dir, WalOptions options, RecoveryReport* report) {
  if (options.segment_bytes == 0) {
    return Status::InvalidArgument("WalOptions.segment_bytes for " + dir + ": expected > 0, found 0");
  }
  if (options.index_interval_bytes == 0) {
    return Status::InvalidArgument("WalOptions.index_interval_bytes for " + dir + ": expected > 0, found 0");
  }
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  RecoveryReport local;
  if (report == nullptr) report = &local;
  *report = RecoveryReport{};
  SLUICE_RETURN_IF_ERROR(env->create_dirs(dir));
  auto w = std::make_unique<Wal>(PrivateTag{}, env, std::move(dir), options);
  SLUICE_RETURN_IF_ERROR(w->recover(report));
  return w;
}

Wal::Wal(PrivateTag, Env* env, std::string dir, WalOptions options)
    : env_(env), dir_(std::move(dir)), options_(options) {}

Wal::~Wal() = default;

// ---- Recovery ----

Status Wal::recover(RecoveryReport* report) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->list_dir(dir_));
  std::vector<std::pair<uint64_t, std::string>> found;  // (base offset, path)
  for (const auto& name : names) {
    if (auto base = wal::parse_segment_file_name(name)) found.emplace_back(*base, dir_ + "/" + name);
  }
  std::sort(found.begin(), found.end());

  std::optional<uint64_t> next;  // offset the next entry must start at
  for (size_t i = 0; i < found.size(); ++i) {
    const auto& [base, path] = found[i];
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> file, env_->open_readable(path));
    SLUICE_ASSIGN_OR_RETURN(uint64_t file_size, file->size());
    wal::SegmentScanner scanner(file.get(), path, file_size);
    wal::FileHeader header;
    WalError error;
    SLUICE_ASSIGN_OR_RETURN(ScanStep step, scanner.read_file_header(base, &header, &error));
    if (step == ScanStep::kCorrupt) {
      if (error.kind == WalErrorKind::kBadHeader && header.version > wal::kWalFormatVersion) {
        return Status::InvalidArgument("WAL segment " + path + " has format version " + std::to_string(header.version) +
                                       ", this build reads version " + std::to_string(wal::kWalFormatVersion) +
                                       " only; refusing to open it (nothing was changed)");
      }
      report->first_error = error;
      bool last = i + 1 == found.size();
      if (error.kind == WalErrorKind::kTruncatedFileHeader && last && (!next || *next == base)) {
        // A crash while creating the segment: it holds no entries.
        file.reset();
        SLUICE_RETURN_IF_ERROR(env_->remove_file(path));
        report->bytes_skipped += file_size;
        if (!next) next = base;
        break;
      }
      SLUICE_RETURN_IF_ERROR(stop_recovery(found, i, 0, file_size, report));
      break;
    }
    if (next && base != *next) {
      report->first_error = WalError{WalErrorKind::kOffsetGap, path, 0,
                                     "expected base offset " + std::to_string(*next) +
                                         " (the end of the previous segment), found " + std::to_string(base)};
      SLUICE_RETURN_IF_ERROR(stop_recovery(found, i, 0, file_size, report));
      break;
    }
    next = base;
    Segment seg;
    seg.base_offset = base;
    seg.path = path;
    seg.size = kFileHeaderSize;
    seg.end_offset = base;
    BatchSummary summary;
    wal::ScannedEntry e;
    bool corrupt = false;
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(step, scanner.next(&e, &error));
      if (step == ScanStep::kEnd) break;
      if (step == ScanStep::kEntry) {
        const wal::EntryHeader& h = e.header;
        if (h.first_offset != *next) {
          error =
              WalError{WalErrorKind::kOffsetGap, path, e.position,
                       "expected first_offset " + std::to_string(*next) + ", found " + std::to_string(h.first_offset)};
        } else if (Status s = summarize_batch(e.payload, &summary); !s.ok()) {
          error = WalError{WalErrorKind::kBadPayload, path, e.position, s.message()};
        } else if (summary.record_count != h.record_count) {
          error = WalError{WalErrorKind::kBadPayload, path, e.position,
                           "expected " + std::to_string(h.record_count) + " records (entry header), found " +
                               std::to_string(summary.record_count) + " in the payload"};
        } else {
          note_entry(&seg, e.position, kEntryHeaderSize + h.payload_length, h.first_offset, h.record_count,
                     summary.positions);
          next = seg.end_offset;
          ++report->entries;
          report->records += h.record_count;
          continue;
        }
      }
      corrupt = true;
      break;
    }
    segments_.push_back(std::move(seg));
    if (corrupt) {
      report->first_error = error;
      file.reset();
      SLUICE_RETURN_IF_ERROR(stop_recovery(found, i, error.byte_offset, file_size, report));
      break;
    }
  }

  if (!next) next = found.empty() ? options_.initial_offset : found.front().first;
  next_offset_ = *next;
  if (segments_.empty()) {
    SLUICE_RETURN_IF_ERROR(create_segment(next_offset_));
  } else {
    const Segment& last = segments_.back();
    SLUICE_ASSIGN_OR_RETURN(active_, env_->open_appendable(last.path));
    if (active_->size() != last.size) {
      return Status::Internal("reopen WAL segment " + last.path + ": expected " + std::to_string(last.size) +
                              " bytes after recovery, found " + std::to_string(active_->size()));
    }
  }
  // Make everything recovered durable: the previous process may have died
  // before syncing, with its bytes still only in the page cache.
  for (size_t i = 0; i + 1 < segments_.size(); ++i) {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env_->open_appendable(segments_[i].path));
    SLUICE_RETURN_IF_ERROR(f->sync());
    SLUICE_RETURN_IF_ERROR(f->close());
  }
  SLUICE_RETURN_IF_ERROR(active_->sync());
  SLUICE_RETURN_IF_ERROR(env_->sync_dir(dir_));
  dir_dirty_ = false;
  unsynced_ = false;
  durable_offset_ = next_offset_;
  durable_base_ = segments_.back().base_offset;
  durable_bytes_ = segments_.back().size;
  report->segments = segments_.size();
  report->next_offset = next_offset_;
  return Status::Ok();
}

Status Wal::stop_recovery(const std::vector<std::pair<uint64_t, std::string>>& found, size_t i, uint64_t pos,
                          uint64_t file_size, RecoveryReport* report) {
  size_t first_set_aside = i;
  if (pos > 0) {
    SLUICE_RETURN_IF_ERROR(env_->truncate_file(found[i].second, pos));
    report->bytes_skipped += file_size - pos;
    first_set_aside = i + 1;
  }
  std::string stamp = "." + std::to_string(env_->now_unix_nanos()) + std::string(wal::kCorruptSuffix);
  for (size_t j = first_set_aside; j < found.size(); ++j) {
    const std::string& path = found[j].second;
    SLUICE_ASSIGN_OR_RETURN(uint64_t size, env_->file_size(path));
    std::string to = path + stamp;
    SLUICE_RETURN_IF_ERROR(env_->rename_file(path, to));
    report->bytes_skipped += size;
    report->set_aside.push_back(std::move(to));
  }
  return Status::Ok();
}

// ---- Writing ----

Status Wal::check_usable() const {
  if (closed_) return Status::InvalidArgument("WAL " + dir_ + ": expected an open WAL, found it closed");
  if (!failed_.ok()) {
    return Status(failed_.code(), "WAL " + dir_ + " failed earlier and must be reopened: " + failed_.message());
  }
  return Status::Ok();
}

void Wal::note_entry(Segment* seg, uint64_t position, uint64_t entry_bytes, uint64_t first_offset,
                     uint32_t record_count, const std::vector<SourcePosition>& positions) {
  if (record_count > 0 && (seg->index.empty() || position - seg->last_indexed >= options_.index_interval_bytes)) {
    seg->index.push_back(IndexPoint{first_offset, position});
    seg->last_indexed = position;
  }
  seg->size = position + entry_bytes;
  seg->end_offset = first_offset + record_count;
  for (const auto& p : positions) positions_[{p.source, p.key}] = p;
}

Status Wal::create_segment(uint64_t base_offset) {
  std::string path = dir_ + "/" + wal::segment_file_name(base_offset);
  if (env_->exists(path)) {
    return Status::Internal("create WAL segment " + path + ": expected no such file, found one");
  }
  SLUICE_ASSIGN_OR_RETURN(active_, env_->open_appendable(path));
  dir_dirty_ = true;
  unsynced_ = true;
  wal::FileHeader header;
  header.base_offset = base_offset;
  header.created_unix_nanos = env_->now_unix_nanos();
  SLUICE_RETURN_IF_ERROR(active_->append(wal::encode_file_header(header)));
  Segment seg;
  seg.base_offset = base_offset;
  seg.path = std::move(path);
  seg.size = kFileHeaderSize;
  seg.end_offset = base_offset;
  segments_.push_back(std::move(seg));
  return Status::Ok();
}

Status Wal::write_entry(std::string* entry, uint64_t first_offset, uint32_t record_count,
                        const std::vector<SourcePosition>& positions) {
  wal::seal_entry(entry->data(), entry->size(), wal::kEntryTypeLogBatch, first_offset, record_count);
  Segment& seg = segments_.back();
  uint64_t position = seg.size;
  unsynced_ = true;
  SLUICE_RETURN_IF_ERROR(active_->append(*entry));
  note_entry(&seg, position, entry->size(), first_offset, record_count, positions);
  next_offset_ = first_offset + record_count;
  if (last_entry_.path != seg.path) last_entry_.path = seg.path;
  last_entry_.position = position;
  last_entry_.size = entry->size();
  return Status::Ok();
}

Result<std::shared_ptr<const MappedRegion>> Wal::map_last_entry() const {
  if (last_entry_.size == 0) return Status::Internal("WAL " + dir_ + ": no entry appended yet to map");
  return env_->map_region(last_entry_.path, last_entry_.position, last_entry_.size);
}

Status Wal::roll() {
  pending_sync_.push_back(std::move(active_));
  SLUICE_RETURN_IF_ERROR(create_segment(next_offset_));
  if (positions_.empty()) return Status::Ok();
  LogBatch carry;
  carry.positions = latest_positions();
  std::string entry(kEntryHeaderSize, '\0');
  SLUICE_RETURN_IF_ERROR(encode_batch(carry, &entry));
  if (entry.size() - kEntryHeaderSize > wal::kMaxEntryPayloadBytes) {
    return Status::ResourceExhausted(
        "WAL " + dir_ + ": the " + std::to_string(carry.positions.size()) + " latest source positions take " +
        std::to_string(entry.size() - kEntryHeaderSize) + " bytes, more than an entry's limit of " +
        std::to_string(wal::kMaxEntryPayloadBytes));
  }
  return write_entry(&entry, next_offset_, 0, carry.positions);
}

Status Wal::encode_entry(const LogBatch& batch, std::string* entry) {
  entry->assign(kEntryHeaderSize, '\0');
  return encode_batch(batch, entry);
}

Result<AppendInfo> Wal::append(const LogBatch& batch) {
  SLUICE_RETURN_IF_ERROR(check_usable());  // before the work of encoding
  if (batch.empty()) return AppendInfo{next_offset_, 0, 0};
  SLUICE_RETURN_IF_ERROR(encode_entry(batch, &scratch_));
  return append_entry(&scratch_, batch.size(), batch.positions);
}

Status Wal::check_count(uint64_t count) const {
  if (count > UINT32_MAX) {
    return Status::InvalidArgument("WAL append: expected at most 4294967295 records in a batch, found " +
                                   std::to_string(count));
  }
  if (count > UINT64_MAX - next_offset_) {
    return Status::InvalidArgument("WAL append: " + std::to_string(count) + " records after offset " +
                                   std::to_string(next_offset_) + " would pass the largest offset 2^64-1");
  }
  return Status::Ok();
}

Result<AppendInfo> Wal::append_entry(std::string* entry, uint64_t count, const std::vector<SourcePosition>& positions) {
  SLUICE_RETURN_IF_ERROR(check_usable());
  if (count == 0 && positions.empty()) return AppendInfo{next_offset_, 0, 0};
  SLUICE_RETURN_IF_ERROR(check_count(count));
  SLUICE_ASSERT(entry->size() >= kEntryHeaderSize, "WAL append: an entry without room for its header");
  const uint64_t payload = entry->size() - kEntryHeaderSize;
  if (payload > wal::kMaxEntryPayloadBytes) {
    return Status::ResourceExhausted("WAL append: expected an encoded batch of at most " +
                                     std::to_string(wal::kMaxEntryPayloadBytes) + " bytes, found " +
                                     std::to_string(payload) + " (" + std::to_string(count) + " records)");
  }
  const Segment& active = segments_.back();
  if (active.end_offset > active.base_offset && active.size + entry->size() > options_.segment_bytes) {
    Status s = roll();
    if (!s.ok()) {
      failed_ = s;
      return s;
    }
  }
  AppendInfo info{next_offset_, static_cast<uint32_t>(count), entry->size()};
  Status s = write_entry(entry, next_offset_, static_cast<uint32_t>(count), positions);
  if (!s.ok()) {
    failed_ = s;
    return s;
  }
  return info;
}

Status Wal::sync() {
  SLUICE_RETURN_IF_ERROR(check_usable());
  if (!unsynced_ && pending_sync_.empty() && !dir_dirty_) return Status::Ok();
  auto fail = [&](Status s) {
    failed_ = s;
    return s;
  };
  for (auto& f : pending_sync_) {
    Status s = f->sync();
    if (s.ok()) s = f->close();
    if (!s.ok()) return fail(s);
  }
  pending_sync_.clear();
  if (unsynced_) {
    Status s = active_->sync();
    if (!s.ok()) return fail(s);
  }
  if (dir_dirty_) {
    Status s = env_->sync_dir(dir_);
    if (!s.ok()) return fail(s);
  }
  dir_dirty_ = false;
  unsynced_ = false;
  durable_offset_ = next_offset_;
  durable_base_ = segments_.back().base_offset;
  durable_bytes_ = segments_.back().size;
  SLUICE_ASSERT(first_offset() <= durable_offset_ && durable_offset_ <= next_offset_,
                "WAL " + dir_ + ": expected first <= durable <= next offset, found " + std::to_string(first_offset()) +
                    ", " + std::to_string(durable_offset_) + ", " + std::to_string(next_offset_));
  return Status::Ok();
}

Status Wal::close() {
  if (closed_) return Status::Ok();
  Status s = failed_.ok() ? sync() : failed_;
  pending_sync_.clear();
  if (active_ != nullptr) {
    Status c = active_->close();
    if (s.ok()) s = c;
    active_.reset();
  }
  closed_ = true;
  return s;
}

// ---- Trimming and reading ----

Status Wal::trim_before(uint64_t offset) {
  if (closed_) return check_usable();
  // Segments rolled but not yet synced are the newest before the active one.
  size_t keep_newest = 1 + pending_sync_.size();
  while (segments_.size() > keep_newest && segments_[1].base_offset <= offset) {
    SLUICE_RETURN_IF_ERROR(env_->remove_file(segments_.front().path));
    segments_.pop_front();
  }
  return Status::Ok();
}

Result<std::unique_ptr<WalReader>> Wal::read_from(uint64_t offset) const {
  if (closed_) return check_usable();
  if (offset < first_offset()) {
    return Status::NotFound("WAL " + dir_ + ": offset " + std::to_string(offset) +
                            " was trimmed; the first retained offset is " + std::to_string(first_offset()));
  }
  // Start in the last segment whose base is below `offset` (a position-only
  // entry at exactly `offset` may end it), or in the first one.
  auto it = std::partition_point(segments_.begin(), segments_.end(),
                                 [&](const Segment& s) { return s.base_offset < offset; });
  size_t start = it == segments_.begin() ? 0 : static_cast<size_t>(it - segments_.begin()) - 1;
  std::vector<WalReader::Range> ranges;
  for (size_t i = start; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    if (s.base_offset > durable_base_) break;
    WalReader::Range r;
    r.path = s.path;
    r.base_offset = s.base_offset;
    r.start_position = kFileHeaderSize;
    r.limit = s.base_offset == durable_base_ ? durable_bytes_ : s.size;
    if (i == start) {
      // Last index point strictly before `offset`: every entry before it
      // ends below `offset`.
      auto p = std::partition_point(s.index.begin(), s.index.end(),
                                    [&](const IndexPoint& ip) { return ip.first_offset < offset; });
      if (p != s.index.begin()) r.start_position = std::prev(p)->position;
    }
    ranges.push_back(std::move(r));
    if (s.base_offset == durable_base_) break;
  }
  return std::make_unique<WalReader>(env_, std::move(ranges), offset);
}

std::vector<SourcePosition> Wal::latest_positions() const {
  std::vector<SourcePosition> out;
  out.reserve(positions_.size());
  for (const auto& [key, p] : positions_) out.push_back(p);
  return out;
}

uint64_t Wal::size_bytes() const {
  uint64_t n = 0;
  for (const auto& s : segments_) n += s.size;
  return n;
}

}  // namespace sluice
