#include "pipeline/sinks/buffer/disk_buffer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "pipeline/sinks/buffer/buffer_file_reader.hpp"

namespace sluice {

using buffer::BufferFileReader;
using buffer::FileItem;
using buffer::kFileHeaderSize;
using buffer::kRecordHeaderSize;
using buffer::ReadPointer;

namespace {
constexpr uint64_t kMinFileBytes = 64 << 10;
constexpr uint64_t kMaxFileBytes = 64 << 20;
constexpr uint64_t kMaxPointerFileBytes = 4096;
}  // namespace

DiskBuffer::DiskBuffer(Env* env, DiskBufferConfig config) : env_(env), config_(std::move(config)) {
  if (config_.file_bytes == 0) config_.file_bytes = std::clamp(config_.max_bytes / 8, kMinFileBytes, kMaxFileBytes);
  pointer_path_ = config_.dir + "/" + std::string(buffer::kPointerFileName);
}

DiskBuffer::~DiskBuffer() { close(); }

Result<std::unique_ptr<DiskBuffer>> DiskBuffer::open(Env* env, DiskBufferConfig config) {
  std::unique_ptr<DiskBuffer> b(new DiskBuffer(env, std::move(config)));  // NOLINT: private constructor
  Status st = b->recover();
  if (!st.ok()) return st.with_context("opening the disk buffer " + b->config_.dir);
  return b;
}

void DiskBuffer::count_corrupt(const std::string& path, uint64_t offset, uint64_t end, const std::string& why) {
  corrupt_.fetch_add(1);
  if (config_.corrupt_counter != nullptr) config_.corrupt_counter->inc();
  spdlog::error("{}: disk buffer: skipping damaged bytes {}..{} of {}: {}", config_.name, offset, end, path, why);
}

Status DiskBuffer::recover() {
  SLUICE_RETURN_IF_ERROR(env_->create_dirs(config_.dir));
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->list_dir(config_.dir));
  std::vector<uint64_t> seqs;
  for (const auto& n : names) {
    if (auto s = buffer::parse_data_file_name(n)) seqs.push_back(*s);
  }
  std::sort(seqs.begin(), seqs.end());

  std::optional<ReadPointer> ptr;
  if (env_->exists(pointer_path_)) {
    auto text = env_->read_file(pointer_path_, kMaxPointerFileBytes);
    if (!text.ok() && text.status().code() != StatusCode::kResourceExhausted) return text.status();
    auto p = text.ok() ? buffer::decode_pointer(*text) : Result<ReadPointer>(text.status());
    if (p.ok()) {
      ptr = *p;
    } else {
      // Without a pointer every batch still on disk is delivered again
      // (at-least-once), never skipped.
      count_corrupt(pointer_path_, 0, 0, p.status().message() + "; reading from the oldest data file");
    }
  }
  for (uint64_t s : seqs) {
    std::string path = config_.dir + "/" + buffer::data_file_name(s);
    if (ptr && s < ptr->file) {
      // Drained: the pointer moved past it before the crash could delete it.
      Status rs = env_->remove_file(path);
      if (!rs.ok()) spdlog::warn("{}: disk buffer: removing drained {}: {}", config_.name, path, rs.to_string());
      continue;
    }
    SLUICE_ASSIGN_OR_RETURN(uint64_t size, env_->file_size(path));
    files_.push_back(DataFile{s, path, size});
  }
  next_read_seq_ = ptr ? ptr->next_sequence : 0;
  cursor_ = kFileHeaderSize;
  if (ptr && !files_.empty() && files_.front().first_seq == ptr->file && ptr->offset >= kFileHeaderSize &&
      ptr->offset <= files_.front().size) {
    cursor_ = ptr->offset;
  }

  // New files must sort after the pointer's file, even when that file is
  // gone, or the next recovery would take them for drained ones.
  uint64_t next = ptr ? std::max(ptr->next_sequence, ptr->file + 1) : 0;
  bool last_header_ok = false;
  for (size_t i = 0; i < files_.size(); ++i) {
    DataFile& f = files_[i];
    bool last = i + 1 == files_.size();
    bool header_ok = false;
    {
      SLUICE_ASSIGN_OR_RETURN(auto rf, env_->open_readable(f.path));
      std::string head;
      SLUICE_RETURN_IF_ERROR(rf->read_at(0, kFileHeaderSize, &head));
      auto h = buffer::decode_file_header(head);
      if (h.ok() && *h != f.first_seq) {
        h = Status::Corruption("file header: first sequence " + std::to_string(*h) + " does not match the name");
      }
      header_ok = h.ok();
      // A header the pointer has moved past was reported in an earlier run.
      bool passed = i == 0 && cursor_ > kFileHeaderSize;
      if (!h.ok() && !passed && !(last && f.size < kFileHeaderSize + kRecordHeaderSize)) {
        count_corrupt(f.path, 0, kFileHeaderSize, h.status().message());
      }
    }
    next = std::max(next, f.first_seq + 1);
    uint64_t from = i == 0 ? cursor_ : kFileHeaderSize;
    uint64_t max_seq = 0;
    SLUICE_ASSIGN_OR_RETURN(uint64_t end, scan(f, from, &max_seq));
    if (max_seq > 0) next = std::max(next, max_seq + 1);
    if (last && !header_ok && end <= kFileHeaderSize) {
      // No header and no record: created by a roll the crash interrupted
      // (or nothing but damage); nothing to deliver, nothing to append to.
      Status rs = env_->remove_file(f.path);
      if (!rs.ok()) return rs;
      if (files_.size() == 1) cursor_ = kFileHeaderSize;
      files_.pop_back();
      break;
    }
    if (last) {
      last_header_ok = header_ok;
      uint64_t keep = std::max(end, std::min<uint64_t>(f.size, kFileHeaderSize));
      if (f.size > keep) {
        // An append the crash interrupted (never acknowledged), or damage
        // at the tail: either way nothing valid follows.
        count_corrupt(f.path, keep, f.size, "torn tail after the last valid record; truncated");
        SLUICE_RETURN_IF_ERROR(env_->truncate_file(f.path, keep));
        f.size = keep;
      }
    }
  }
  if (next == 0) next = static_cast<uint64_t>(std::max<int64_t>(env_->now_unix_nanos() / 1000, 1));
  next_seq_ = next;
  uint64_t total = 0;
  for (const auto& f : files_) total += f.size;
  disk_bytes_ = total;
  if (!files_.empty() && last_header_ok) {
    SLUICE_ASSIGN_OR_RETURN(active_, env_->open_appendable(files_.back().path));
  }
  if (!files_.empty()) {
    // A crash between an append's write and its fsync leaves a record that
    // reads as valid from the page cache; its positions are handed out
    // (positions_after()), so it must be on disk before anything moves past it.
    // Only the newest file can hold such a record.
    std::unique_ptr<WritableFile> newest;
    if (!active_) {
      SLUICE_ASSIGN_OR_RETURN(newest, env_->open_appendable(files_.back().path));
    }
    SLUICE_RETURN_IF_ERROR((active_ ? active_ : newest)->sync());
    SLUICE_RETURN_IF_ERROR(env_->sync_dir(config_.dir));
  }
  return Status::Ok();
}

Result<uint64_t> DiskBuffer::scan(const DataFile& f, uint64_t offset, uint64_t* max_seq) {
  // The delivered records before the cursor give their positions (the
  // checkpoint may not have them yet); the rest are read as before, apart,
  // so that damage before the cursor cannot change what counts after it.
  if (offset > kFileHeaderSize) SLUICE_RETURN_IF_ERROR(scan_range(f, kFileHeaderSize, offset, nullptr));
  uint64_t end = offset;
  SLUICE_RETURN_IF_ERROR(scan_range(f, offset, f.size, [&](const FileItem& it) {
    unread_batches_.fetch_add(1);
    unread_events_.fetch_add(it.header.event_count);
    *max_seq = std::max(*max_seq, it.header.sequence);
    end = it.next_offset;
  }));
  return end;
}

Status DiskBuffer::scan_range(const DataFile& f, uint64_t from, uint64_t to,
                              const std::function<void(const FileItem&)>& each) {
  SLUICE_ASSIGN_OR_RETURN(auto rf, env_->open_readable(f.path));
  BufferFileReader r(rf.get(), from, to);
  FileItem it;
  std::vector<SourcePosition> positions;
  while (true) {
    SLUICE_RETURN_IF_ERROR(r.next(&it));
    if (it.kind == FileItem::Kind::kEnd) return Status::Ok();
    if (it.kind != FileItem::Kind::kRecord) continue;  // damage is reported when read()
    // An undecodable batch is reported when read(); it has no positions to
    // give, so the checkpoint's stand for its keys.
    if (buffer::payload_positions(it.payload, &positions).ok()) {
      std::lock_guard<std::mutex> l(mu_);
      note_positions(it.header.sequence, positions);
    }
    if (each) each(it);
  }
}

void DiskBuffer::note_positions(uint64_t sequence, const std::vector<SourcePosition>& positions) {
  for (const auto& p : positions) positions_[{p.source, p.key}] = Taken{sequence, p};
}

std::vector<SourcePosition> DiskBuffer::positions_after(uint64_t after, uint64_t* newest) const {
  std::vector<SourcePosition> out;
  uint64_t top = after;
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [key, taken] : positions_) {
    if (taken.sequence <= after) continue;
    out.push_back(taken.position);
    top = std::max(top, taken.sequence);
  }
  if (newest != nullptr) *newest = top;
  return out;
}

Result<uint64_t> DiskBuffer::append(const LogBatch& batch, std::chrono::nanoseconds max_wait,
                                    std::chrono::nanoseconds* blocked) {
  std::string payload;
  SLUICE_RETURN_IF_ERROR(buffer::encode_payload(batch, &payload));
  auto events = static_cast<uint32_t>(std::min<uint64_t>(batch.size(), UINT32_MAX));
  const uint64_t need = kFileHeaderSize + kRecordHeaderSize + payload.size();
  const uint64_t seq = next_seq_.load();
  bool roll = false;
  {
    std::unique_lock<std::mutex> l(mu_);
    auto fits = [&] { return disk_bytes_ + need <= config_.max_bytes || unread_batches_ == 0; };
    if (!fits() && !closed_ && !stop_waiting_) {
      auto t0 = std::chrono::steady_clock::now();
      space_cv_.wait_for(l, max_wait, [&] { return closed_ || stop_waiting_ || fits(); });
      if (blocked != nullptr) *blocked += std::chrono::steady_clock::now() - t0;
    }
    if (closed_) return Status::Cancelled(config_.name + ": the disk buffer is closed");
    if (!fits()) {
      return Status::Unavailable(config_.name + ": the disk buffer is full (" + std::to_string(disk_bytes_) +
                                 " of max_size " + std::to_string(config_.max_bytes) + " bytes, " +
                                 std::to_string(unread_batches_) + " batches waiting for the sink)");
    }
    roll = !active_ || roll_next_ || files_.empty() || files_.back().size >= config_.file_bytes;
  }
  std::string frame;
  if (roll) frame = buffer::encode_file_header(seq);
  buffer::append_record(seq, events, payload, &frame);
  SLUICE_RETURN_IF_ERROR(write_frame(seq, roll, frame));
  {
    std::lock_guard<std::mutex> l(mu_);
    if (roll) {
      files_.push_back(DataFile{seq, config_.dir + "/" + buffer::data_file_name(seq), frame.size()});
    } else {
      files_.back().size += frame.size();
    }
    disk_bytes_ += frame.size();
    unread_batches_ += 1;
    unread_events_ += events;
    next_seq_ = seq + 1;
  }
  data_cv_.notify_all();
  return seq;
}

Status DiskBuffer::write_frame(uint64_t seq, bool roll, const std::string& frame) {
  if (roll) {
    active_.reset();
    std::string path = config_.dir + "/" + buffer::data_file_name(seq);
    // A leftover of a roll that failed earlier; never listed in files_.
    if (env_->exists(path)) SLUICE_RETURN_IF_ERROR(env_->remove_file(path));
    SLUICE_ASSIGN_OR_RETURN(auto f, env_->open_appendable(path));
    Status st = f->append(frame);
    if (st.ok()) st = f->sync();
    if (st.ok()) st = env_->sync_dir(config_.dir);
    if (!st.ok()) {
      f.reset();
      (void)env_->remove_file(path);
      return st;
    }
    active_ = std::move(f);
    roll_next_ = false;
    return Status::Ok();
  }
  uint64_t before = 0;
  std::string path;
  {
    std::lock_guard<std::mutex> l(mu_);
    before = files_.back().size;
    path = files_.back().path;
  }
  Status st = active_->append(frame);
  if (st.ok()) st = active_->sync();
  if (!st.ok()) {
    // After a failed write or fsync the file's tail is unknown: cut it back
    // (best effort; recovery truncates a torn tail anyway) and continue in a
    // new file.
    active_.reset();
    (void)env_->truncate_file(path, before);
    roll_next_ = true;
  }
  return st;
}

Status DiskBuffer::write_pointer(uint64_t file_seq, uint64_t offset) {
  return env_->write_file_atomic(pointer_path_, buffer::encode_pointer(ReadPointer{next_read_seq_, file_seq, offset}));
}

Result<std::optional<DiskBuffer::Item>> DiskBuffer::read(std::chrono::nanoseconds max_wait) {
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  FileItem it;
  while (true) {
    DataFile front;
    {
      std::unique_lock<std::mutex> l(mu_);
      auto ready = [&] { return closed_ || (!files_.empty() && (cursor_ < files_.front().size || files_.size() > 1)); };
      if (!data_cv_.wait_until(l, deadline, ready) || closed_) return std::optional<Item>();
      front = files_.front();
    }
    if (cursor_ >= front.size) {
      SLUICE_RETURN_IF_ERROR(advance_file());
      continue;
    }
    if (!reader_file_ || reader_file_seq_ != front.first_seq) {
      SLUICE_ASSIGN_OR_RETURN(reader_file_, env_->open_readable(front.path));
      reader_file_seq_ = front.first_seq;
    }
    BufferFileReader r(reader_file_.get(), cursor_, front.size);
    SLUICE_RETURN_IF_ERROR(r.next(&it));
    if (it.kind == FileItem::Kind::kEnd) {
      cursor_ = front.size;
      continue;
    }
    if (it.kind == FileItem::Kind::kCorrupt) {
      count_corrupt(front.path, it.offset, it.next_offset, it.error);
      cursor_ = it.next_offset;
      note_skip(front.first_seq);
      continue;
    }
    if (it.header.sequence < next_read_seq_) {  // delivered before the pointer was written
      skip_record(it.next_offset, it.header.event_count);
      note_skip(front.first_seq);
      continue;
    }
    Item out;
    out.sequence = it.header.sequence;
    Status ds = buffer::decode_payload(it.payload, &out.batch);
    if (!ds.ok()) {
      count_corrupt(front.path, it.offset, it.next_offset,
                    "undecodable batch of sequence " + std::to_string(out.sequence) + ": " + ds.message());
      skip_record(it.next_offset, it.header.event_count);
      note_skip(front.first_seq);
      continue;
    }
    pending_ = Pending{out.sequence, it.next_offset, it.header.event_count};
    return std::optional<Item>(std::move(out));
  }
}

void DiskBuffer::note_skip(uint64_t file_seq) {
  Status st = write_pointer(file_seq, cursor_);
  // Harmless when lost: the next run skips (and counts) the bytes again.
  if (!st.ok()) spdlog::warn("{}: disk buffer: saving the read pointer: {}", config_.name, st.to_string());
}

void DiskBuffer::skip_record(uint64_t next_offset, uint32_t events) {
  cursor_ = next_offset;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (unread_batches_ > 0) unread_batches_ -= 1;
    unread_events_ -= std::min<uint64_t>(unread_events_, events);
  }
  space_cv_.notify_all();
}

Status DiskBuffer::ack(uint64_t sequence) {
  if (!pending_ || pending_->sequence != sequence) {
    return Status::InvalidArgument(config_.name + ": ack of sequence " + std::to_string(sequence) +
                                   ", but the batch last read is " +
                                   (pending_ ? std::to_string(pending_->sequence) : std::string("none")));
  }
  uint64_t file_seq = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    file_seq = files_.front().first_seq;
  }
  uint64_t delivered = next_read_seq_;
  next_read_seq_ = sequence + 1;
  Status st = write_pointer(file_seq, pending_->next_offset);
  if (!st.ok()) {
    next_read_seq_ = delivered;
    return st.with_context(config_.name + ": saving the disk buffer's read pointer");
  }
  skip_record(pending_->next_offset, pending_->events);
  pending_.reset();
  return Status::Ok();
}

Status DiskBuffer::advance_file() {
  DataFile old, next;
  {
    std::lock_guard<std::mutex> l(mu_);
    old = files_[0];
    next = files_[1];
  }
  SLUICE_RETURN_IF_ERROR(write_pointer(next.first_seq, kFileHeaderSize));
  reader_file_.reset();
  Status rs = env_->remove_file(old.path);
  // Recovery removes it next time: the pointer has moved past it.
  if (!rs.ok()) spdlog::warn("{}: disk buffer: removing drained {}: {}", config_.name, old.path, rs.to_string());
  {
    std::lock_guard<std::mutex> l(mu_);
    files_.pop_front();
    disk_bytes_ -= std::min<uint64_t>(disk_bytes_, old.size);
  }
  cursor_ = kFileHeaderSize;
  space_cv_.notify_all();
  return Status::Ok();
}

void DiskBuffer::stop_waiting() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_waiting_ = true;
  }
  space_cv_.notify_all();
}

void DiskBuffer::close() {
  {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = true;
  }
  data_cv_.notify_all();
  space_cv_.notify_all();
}

}  // namespace sluice
