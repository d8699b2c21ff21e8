#include "pipeline/sinks/buffer/buffer_file_reader.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace sluice::buffer {
namespace {
constexpr size_t kScanChunk = 64 << 10;
}  // namespace

Status BufferFileReader::next(FileItem* out) {
  out->payload.clear();
  out->error.clear();
  out->offset = offset_;
  if (offset_ >= limit_) {
    out->kind = FileItem::Kind::kEnd;
    out->next_offset = offset_;
    return Status::Ok();
  }
  auto corrupt = [&](std::string why, uint64_t resume) {
    out->kind = FileItem::Kind::kCorrupt;
    out->error = std::move(why);
    out->next_offset = resume;
    offset_ = resume;
    return Status::Ok();
  };
  uint64_t left = limit_ - offset_;
  std::string head;
  SLUICE_RETURN_IF_ERROR(
      file_->read_at(offset_, static_cast<size_t>(std::min<uint64_t>(left, kRecordHeaderSize)), &head));
  if (head.size() < kRecordHeaderSize) {
    return corrupt("truncated record: " + std::to_string(head.size()) + " bytes where a " +
                       std::to_string(kRecordHeaderSize) + "-byte record header was expected",
                   limit_);
  }
  auto h = decode_record_header(head);
  if (!h.ok()) {
    SLUICE_ASSIGN_OR_RETURN(uint64_t resume, resync(offset_));
    return corrupt(h.status().message(), resume);
  }
  if (h->payload_length > left - kRecordHeaderSize) {
    SLUICE_ASSIGN_OR_RETURN(uint64_t resume, resync(offset_));
    return corrupt("bad length: a payload of " + std::to_string(h->payload_length) + " bytes runs past the " +
                       std::to_string(left - kRecordHeaderSize) + " bytes left",
                   resume);
  }
  uint64_t end = offset_ + kRecordHeaderSize + h->payload_length;
  SLUICE_RETURN_IF_ERROR(file_->read_at(offset_ + kRecordHeaderSize, h->payload_length, &out->payload));
  if (!payload_matches(*h, out->payload)) {
    out->payload.clear();
    return corrupt("payload checksum mismatch in the record of sequence " + std::to_string(h->sequence), end);
  }
  out->kind = FileItem::Kind::kRecord;
  out->header = *h;
  out->next_offset = end;
  offset_ = end;
  return Status::Ok();
}

Result<uint64_t> BufferFileReader::resync(uint64_t from) {
  std::string_view magic(kRecordMagic, sizeof(kRecordMagic));
  uint64_t pos = from + 1;
  std::string chunk, head;
  while (pos + kRecordHeaderSize <= limit_) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kScanChunk, limit_ - pos));
    SLUICE_RETURN_IF_ERROR(file_->read_at(pos, n, &chunk));
    if (chunk.size() < magic.size()) break;
    size_t at = 0;
    while ((at = chunk.find(magic, at)) != std::string::npos) {
      uint64_t cand = pos + at;
      if (cand + kRecordHeaderSize > limit_) return limit_;
      SLUICE_RETURN_IF_ERROR(file_->read_at(cand, kRecordHeaderSize, &head));
      auto h = decode_record_header(head);
      if (h.ok() && h->payload_length <= limit_ - cand - kRecordHeaderSize) return cand;
      ++at;
    }
    // The magic may straddle two chunks: overlap by its length minus one.
    if (chunk.size() < n || pos + chunk.size() >= limit_) break;
    pos += chunk.size() - (magic.size() - 1);
  }
  return limit_;
}

}  // namespace sluice::buffer
