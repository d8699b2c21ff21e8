// WAL entry iteration; see wal_reader.hpp.
#include "store/wal/wal_reader.hpp"

#include "store/wal/batch_codec.hpp"

namespace sluice {

WalReader::WalReader(Env* env, std::vector<Range> ranges, uint64_t offset)
    : env_(env), ranges_(std::move(ranges)), offset_(offset) {}

WalReader::~WalReader() = default;

Status WalReader::open_current() {
  const Range& r = ranges_[index_];
  auto file = env_->open_readable(r.path);
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("WAL segment " + r.path + " (base offset " + std::to_string(r.base_offset) +
                              ") was trimmed before the reader reached it");
    }
    return file.status();
  }
  file_ = std::move(file).value();
  scanner_ = std::make_unique<wal::SegmentScanner>(file_.get(), r.path, r.limit);
  wal::FileHeader header;
  wal::WalError error;
  SLUICE_ASSIGN_OR_RETURN(wal::ScanStep step, scanner_->read_file_header(r.base_offset, &header, &error));
  if (step == wal::ScanStep::kCorrupt) return Status::Corruption(error.to_string());
  scanner_->seek(r.start_position);
  return Status::Ok();
}

Result<bool> WalReader::next(WalEntry* entry) {
  if (!failed_.ok()) return failed_;
  auto fail = [&](Status s) -> Result<bool> {
    failed_ = s;
    return s;
  };
  while (index_ < ranges_.size()) {
    if (scanner_ == nullptr) {
      Status s = open_current();
      if (!s.ok()) return fail(s);
    }
    wal::ScannedEntry e;
    wal::WalError error;
    auto step = scanner_->next(&e, &error);
    if (!step.ok()) return fail(step.status());
    if (*step == wal::ScanStep::kEnd) {
      scanner_.reset();
      file_.reset();
      ++index_;
      continue;
    }
    if (*step == wal::ScanStep::kCorrupt) return fail(Status::Corruption(error.to_string()));

    const wal::EntryHeader& h = e.header;
    const std::string& path = ranges_[index_].path;
    if (have_expected_ && h.first_offset != expected_next_) {
      return fail(Status::Corruption(wal::WalError{
          wal::WalErrorKind::kOffsetGap, path, e.position,
          "expected first_offset " + std::to_string(expected_next_) + ", found " + std::to_string(h.first_offset)}
                                         .to_string()));
    }
    have_expected_ = true;
    expected_next_ = h.first_offset + h.record_count;
    bool wanted = h.record_count > 0 ? h.first_offset + h.record_count > offset_ : h.first_offset >= offset_;
    if (!wanted) continue;

    Status s = decode_batch(e.payload, &entry->batch);
    if (s.ok() && entry->batch.size() != h.record_count) {
      s = Status::Corruption("payload holds " + std::to_string(entry->batch.size()) + " records, header says " +
                             std::to_string(h.record_count));
    }
    if (!s.ok()) {
      return fail(
          Status::Corruption(wal::WalError{wal::WalErrorKind::kBadPayload, path, e.position, s.message()}.to_string()));
    }
    entry->first_offset = h.first_offset;
    if (h.first_offset < offset_) {
      entry->batch.drop_front(static_cast<size_t>(offset_ - h.first_offset));
      entry->first_offset = offset_;
    }
    return true;
  }
  return false;
}

}  // namespace sluice
