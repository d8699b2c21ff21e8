#include "pipeline/sinks/buffer/disk_buffer_format.hpp"

#include <xxhash.h>

#include <cstring>

#include "store/wal/batch_codec.hpp"

namespace sluice::buffer {
namespace {

void put32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void put64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
uint32_t get32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
uint64_t get64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
uint64_t hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

}  // namespace

std::string data_file_name(uint64_t first_sequence) {
  std::string digits = std::to_string(first_sequence);
  return std::string(kFileNameDigits - digits.size(), '0') + digits + std::string(kDataFileSuffix);
}

std::optional<uint64_t> parse_data_file_name(std::string_view name) {
  if (name.size() != kFileNameDigits + kDataFileSuffix.size() || !name.ends_with(kDataFileSuffix)) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < kFileNameDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  if (v > kMaxSequence) return std::nullopt;
  return v;
}

std::string encode_file_header(uint64_t first_sequence) {
  std::string h(kFileHeaderSize, '\0');
  std::memcpy(h.data(), kFileMagic, sizeof(kFileMagic));
  h[5] = static_cast<char>(kBufferFormatVersion);
  put64(h.data() + 8, first_sequence);
  put64(h.data() + 16, hash(std::string_view(h).substr(0, 16)));
  return h;
}

Result<uint64_t> decode_file_header(std::string_view b) {
  if (b.size() < kFileHeaderSize) {
    return Status::Corruption("file header: expected " + std::to_string(kFileHeaderSize) + " bytes, found " +
                              std::to_string(b.size()));
  }
  if (std::memcmp(b.data(), kFileMagic, sizeof(kFileMagic)) != 0) {
    return Status::Corruption("file header: expected the magic \"SLBUF\" at byte 0");
  }
  if (static_cast<uint8_t>(b[5]) != kBufferFormatVersion) {
    return Status::Corruption("file header: expected format version 1, found " +
                              std::to_string(static_cast<uint8_t>(b[5])));
  }
  if (get64(b.data() + 16) != hash(b.substr(0, 16))) return Status::Corruption("file header: checksum mismatch");
  uint64_t first = get64(b.data() + 8);
  if (first > kMaxSequence) return Status::Corruption("file header: first sequence above the limit");
  return first;
}

Result<RecordHeader> decode_record_header(std::string_view b) {
  if (b.size() < kRecordHeaderSize) {
    return Status::Corruption("truncated record: expected a " + std::to_string(kRecordHeaderSize) +
                              "-byte header, found " + std::to_string(b.size()) + " bytes");
  }
  if (std::memcmp(b.data(), kRecordMagic, sizeof(kRecordMagic)) != 0) {
    return Status::Corruption("bad record: expected the magic \"SLBR\"");
  }
  if (get64(b.data() + 32) != hash(b.substr(0, 32))) return Status::Corruption("bad record: header checksum mismatch");
  RecordHeader h;
  h.payload_length = get32(b.data() + 4);
  h.sequence = get64(b.data() + 8);
  h.event_count = get32(b.data() + 16);
  uint32_t flags = get32(b.data() + 20);
  h.payload_checksum = get64(b.data() + 24);
  if (flags != 0) return Status::Corruption("bad record: expected flags 0, found " + std::to_string(flags));
  if (h.sequence > kMaxSequence) {
    return Status::Corruption("bad record: sequence " + std::to_string(h.sequence) + " is above the limit");
  }
  if (h.payload_length > kMaxRecordPayloadBytes) {
    return Status::Corruption("bad length: payload length " + std::to_string(h.payload_length) +
                              " is above the limit of " + std::to_string(kMaxRecordPayloadBytes));
  }
  return h;
}

bool payload_matches(const RecordHeader& h, std::string_view payload) {
  return payload.size() == h.payload_length && hash(payload) == h.payload_checksum;
}

Status encode_payload(const LogBatch& batch, std::string* out) {
  out->clear();
  if (batch.stream.size() > 0xffff) {
    return Status::ResourceExhausted("stream name of " + std::to_string(batch.stream.size()) + " bytes");
  }
  out->resize(4);
  put32(out->data(), static_cast<uint32_t>(batch.stream.size()));
  out->append(batch.stream);
  SLUICE_RETURN_IF_ERROR(encode_batch(batch, out));
  if (out->size() > kMaxRecordPayloadBytes) {
    return Status::ResourceExhausted("a batch of " + std::to_string(out->size()) +
                                     " encoded bytes is above the buffer's record limit of " +
                                     std::to_string(kMaxRecordPayloadBytes));
  }
  return Status::Ok();
}

namespace {

/// The length of a payload's stream name, checked against its size.
Result<uint32_t> stream_length(std::string_view p) {
  if (p.size() < 4)
    return Status::Corruption("payload: expected a 4-byte stream length, found " + std::to_string(p.size()) + " bytes");
  uint32_t n = get32(p.data());
  if (n > p.size() - 4) {
    return Status::Corruption("payload: stream length " + std::to_string(n) + " runs past the payload's " +
                              std::to_string(p.size()) + " bytes");
  }
  return n;
}

}  // namespace

Status decode_payload(std::string_view p, LogBatch* out) {
  SLUICE_ASSIGN_OR_RETURN(uint32_t n, stream_length(p));
  std::string stream(p.substr(4, n));
  Status st = decode_batch(p.substr(4 + n), out);
  if (!st.ok()) return Status::Corruption("payload at byte " + std::to_string(4 + n) + ": " + st.message());
  out->stream = std::move(stream);
  return Status::Ok();
}

Status payload_positions(std::string_view p, std::vector<SourcePosition>* out) {
  SLUICE_ASSIGN_OR_RETURN(uint32_t n, stream_length(p));
  BatchSummary summary;
  Status st = summarize_batch(p.substr(4 + n), &summary);
  if (!st.ok()) return Status::Corruption("payload at byte " + std::to_string(4 + n) + ": " + st.message());
  *out = std::move(summary.positions);
  return Status::Ok();
}

void append_record(uint64_t sequence, uint32_t event_count, std::string_view payload, std::string* out) {
  size_t at = out->size();
  out->resize(at + kRecordHeaderSize);
  char* h = out->data() + at;
  std::memcpy(h, kRecordMagic, sizeof(kRecordMagic));
  put32(h + 4, static_cast<uint32_t>(payload.size()));
  put64(h + 8, sequence);
  put32(h + 16, event_count);
  put32(h + 20, 0);
  put64(h + 24, hash(payload));
  put64(h + 32, hash(std::string_view(h, 32)));
  out->append(payload);
}

std::string encode_pointer(const ReadPointer& p) {
  std::string b(kPointerSize, '\0');
  std::memcpy(b.data(), kPointerMagic, sizeof(kPointerMagic));
  b[4] = static_cast<char>(kBufferFormatVersion);
  put64(b.data() + 8, p.next_sequence);
  put64(b.data() + 16, p.file);
  put64(b.data() + 24, p.offset);
  put64(b.data() + 32, hash(std::string_view(b).substr(0, 32)));
  return b;
}

Result<ReadPointer> decode_pointer(std::string_view b) {
  if (b.size() != kPointerSize) {
    return Status::Corruption("read pointer: expected " + std::to_string(kPointerSize) + " bytes, found " +
                              std::to_string(b.size()));
  }
  if (std::memcmp(b.data(), kPointerMagic, sizeof(kPointerMagic)) != 0 ||
      static_cast<uint8_t>(b[4]) != kBufferFormatVersion) {
    return Status::Corruption("read pointer: expected the magic \"SLBP\" and version 1");
  }
  if (get64(b.data() + 32) != hash(b.substr(0, 32))) return Status::Corruption("read pointer: checksum mismatch");
  ReadPointer p{get64(b.data() + 8), get64(b.data() + 16), get64(b.data() + 24)};
  if (p.next_sequence > kMaxSequence || p.file > kMaxSequence) {
    return Status::Corruption("read pointer: sequence above the limit");
  }
  return p;
}

}  // namespace sluice::buffer
