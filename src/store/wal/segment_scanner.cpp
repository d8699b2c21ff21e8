// Segment scanning and framing validation; see segment_scanner.hpp.
#include "store/wal/segment_scanner.hpp"

#include <algorithm>

namespace sluice::wal {
namespace {

constexpr size_t kReadAheadBytes = 1 << 20;

}  // namespace

SegmentScanner::SegmentScanner(const ReadableFile* file, std::string path, uint64_t limit)
    : file_(file), path_(std::move(path)), limit_(limit) {}

Result<const char*> SegmentScanner::ensure(uint64_t pos, size_t n) {
  if (pos >= buf_pos_ && pos + n <= buf_pos_ + buf_.size()) return buf_.data() + (pos - buf_pos_);
  size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(n, kReadAheadBytes), limit_ - pos));
  buf_pos_ = pos;
  Status s = file_->read_at(pos, want, &buf_);
  if (!s.ok()) {
    buf_.clear();
    return s;
  }
  if (buf_.size() < n) {
    size_t got = buf_.size();
    buf_.clear();
    return Status::IOError("read " + path_ + " at byte " + std::to_string(pos) + ": expected " + std::to_string(n) +
                           " bytes, found " + std::to_string(got) + " (file shrank while being read)");
  }
  return buf_.data();
}

Result<ScanStep> SegmentScanner::read_file_header(uint64_t name_base, FileHeader* header, WalError* error) {
  *header = FileHeader{};
  header->version = 0;
  size_t n = static_cast<size_t>(std::min<uint64_t>(kFileHeaderSize, limit_));
  std::string_view bytes;
  if (n > 0) {
    SLUICE_ASSIGN_OR_RETURN(const char* p, ensure(0, n));
    bytes = std::string_view(p, n);
  }
  *error = check_file_header(bytes, path_, name_base, header);
  if (!error->ok()) return ScanStep::kCorrupt;
  pos_ = kFileHeaderSize;
  return ScanStep::kEntry;
}

Result<ScanStep> SegmentScanner::next(ScannedEntry* entry, WalError* error) {
  if (pos_ >= limit_) return ScanStep::kEnd;
  auto corrupt = [&](WalErrorKind kind, std::string detail) {
    *error = WalError{kind, path_, pos_, std::move(detail)};
    return ScanStep::kCorrupt;
  };
  uint64_t remaining = limit_ - pos_;
  if (remaining < kEntryHeaderSize) {
    return corrupt(WalErrorKind::kTruncatedEntry, "expected a " + std::to_string(kEntryHeaderSize) +
                                                      "-byte entry header, found " + std::to_string(remaining) +
                                                      " bytes before the end of the file");
  }
  SLUICE_ASSIGN_OR_RETURN(const char* p, ensure(pos_, kEntryHeaderSize));
  EntryHeader h = decode_entry_header(p);
  uint32_t header_sum = entry_header_checksum(p);
  if (header_sum != h.header_checksum) {
    return corrupt(WalErrorKind::kBadChecksum, "entry header checksum: expected " + std::to_string(header_sum) +
                                                   " (XXH32 of header bytes 12..31), found " +
                                                   std::to_string(h.header_checksum));
  }
  if (h.payload_length > kMaxEntryPayloadBytes) {
    return corrupt(WalErrorKind::kBadLength, "expected a payload length of at most " +
                                                 std::to_string(kMaxEntryPayloadBytes) + " bytes, found " +
                                                 std::to_string(h.payload_length));
  }
  if (h.type != kEntryTypeLogBatch || h.flags != 0 || h.reserved != 0) {
    return corrupt(WalErrorKind::kBadEntryType, "expected entry type " + std::to_string(kEntryTypeLogBatch) +
                                                    " with zero flags and reserved bits, found type " +
                                                    std::to_string(h.type) + ", flags " + std::to_string(h.flags) +
                                                    ", reserved " + std::to_string(h.reserved));
  }
  uint64_t entry_size = kEntryHeaderSize + static_cast<uint64_t>(h.payload_length);
  if (entry_size > remaining) {
    return corrupt(WalErrorKind::kTruncatedEntry, "expected a " + std::to_string(entry_size) + "-byte entry, found " +
                                                      std::to_string(remaining) + " bytes before the end of the file");
  }
  SLUICE_ASSIGN_OR_RETURN(p, ensure(pos_, static_cast<size_t>(entry_size)));
  std::string_view payload(p + kEntryHeaderSize, h.payload_length);
  uint64_t sum = entry_checksum(p, static_cast<size_t>(entry_size));
  if (sum != h.checksum) {
    return corrupt(WalErrorKind::kBadChecksum, "entry checksum: expected " + std::to_string(sum) +
                                                   " (XXH3_64bits of bytes 8.." + std::to_string(entry_size - 1) +
                                                   " of the entry), found " + std::to_string(h.checksum));
  }
  entry->position = pos_;
  entry->header = h;
  entry->payload = payload;
  pos_ += entry_size;
  return ScanStep::kEntry;
}

}  // namespace sluice::wal
