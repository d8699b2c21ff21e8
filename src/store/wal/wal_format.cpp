// WAL on-disk format helpers; see wal_format.hpp and docs/formats/wal.md.
#include "store/wal/wal_format.hpp"

#include <xxhash.h>

#include <cstdio>
#include <cstring>

#include "store/wal/coding.hpp"

namespace sluice::wal {

std::string segment_file_name(uint64_t base_offset) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu", static_cast<unsigned long long>(base_offset));
  return std::string(buf) + std::string(kSegmentSuffix);
}

std::optional<uint64_t> parse_segment_file_name(std::string_view name) {
  if (name.size() != kSegmentNameDigits + kSegmentSuffix.size()) return std::nullopt;
  if (name.substr(kSegmentNameDigits) != kSegmentSuffix) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < kSegmentNameDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;  // above 2^64-1
    v = v * 10 + d;
  }
  return v;
}

std::string encode_file_header(const FileHeader& h) {
  std::string out(kFileHeaderSize, '\0');
  char* p = out.data();
  std::memcpy(p + kFileMagicPos, kWalMagic, sizeof(kWalMagic));
  p[kFileVersionPos] = static_cast<char>(h.version);
  put_fixed16(p + kFileFlagsPos, 0);
  put_fixed64(p + kFileBasePos, h.base_offset);
  put_fixed64(p + kFileCreatedPos, static_cast<uint64_t>(h.created_unix_nanos));
  put_fixed32(p + kFileReservedPos, 0);
  put_fixed32(p + kFileChecksumPos, XXH32(p, kFileChecksumPos, 0));
  return out;
}

void seal_entry(char* entry, size_t entry_size, uint8_t type, uint64_t first_offset, uint32_t record_count) {
  put_fixed32(entry + kEntryLengthPos, static_cast<uint32_t>(entry_size - kEntryHeaderSize));
  entry[kEntryTypePos] = static_cast<char>(type);
  entry[kEntryFlagsPos] = 0;
  put_fixed16(entry + kEntryReservedPos, 0);
  put_fixed64(entry + kEntryFirstOffsetPos, first_offset);
  put_fixed32(entry + kEntryRecordCountPos, record_count);
  put_fixed32(entry + kEntryHeaderChecksumPos, entry_header_checksum(entry));
  put_fixed64(entry + kEntryChecksumPos, entry_checksum(entry, entry_size));
}

EntryHeader decode_entry_header(const char* p) {
  EntryHeader h;
  h.checksum = get_fixed64(p + kEntryChecksumPos);
  h.header_checksum = get_fixed32(p + kEntryHeaderChecksumPos);
  h.payload_length = get_fixed32(p + kEntryLengthPos);
  h.type = static_cast<uint8_t>(p[kEntryTypePos]);
  h.flags = static_cast<uint8_t>(p[kEntryFlagsPos]);
  h.reserved = get_fixed16(p + kEntryReservedPos);
  h.first_offset = get_fixed64(p + kEntryFirstOffsetPos);
  h.record_count = get_fixed32(p + kEntryRecordCountPos);
  return h;
}

uint32_t entry_header_checksum(const char* header) {
  return XXH32(header + kEntryLengthPos, kEntryHeaderSize - kEntryLengthPos, 0);
}

uint64_t entry_checksum(const char* entry, size_t entry_size) {
  return XXH3_64bits(entry + kEntryHeaderChecksumPos, entry_size - kEntryHeaderChecksumPos);
}

std::string_view wal_error_kind_name(WalErrorKind kind) {
  switch (kind) {
    case WalErrorKind::kNone:
      return "none";
    case WalErrorKind::kTruncatedFileHeader:
      return "truncated_file_header";
    case WalErrorKind::kBadHeader:
      return "bad_header";
    case WalErrorKind::kTruncatedEntry:
      return "truncated_entry";
    case WalErrorKind::kBadLength:
      return "bad_length";
    case WalErrorKind::kBadChecksum:
      return "bad_checksum";
    case WalErrorKind::kBadEntryType:
      return "bad_entry_type";
    case WalErrorKind::kBadPayload:
      return "bad_payload";
    case WalErrorKind::kOffsetGap:
      return "offset_gap";
  }
  return "unknown";
}

std::string WalError::to_string() const {
  std::string s(wal_error_kind_name(kind));
  s += ": ";
  s += file;
  s += " at byte ";
  s += std::to_string(byte_offset);
  s += ": ";
  s += detail;
  return s;
}

namespace {

std::string hex_bytes(std::string_view b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

WalError check_file_header(std::string_view bytes, const std::string& path, uint64_t name_base, FileHeader* header) {
  auto fail = [&](WalErrorKind kind, std::string detail) { return WalError{kind, path, 0, std::move(detail)}; };
  if (bytes.size() < kFileHeaderSize) {
    return fail(WalErrorKind::kTruncatedFileHeader, "expected a " + std::to_string(kFileHeaderSize) +
                                                        "-byte file header, found " + std::to_string(bytes.size()) +
                                                        " bytes");
  }
  const char* p = bytes.data();
  if (std::memcmp(p + kFileMagicPos, kWalMagic, sizeof(kWalMagic)) != 0) {
    return fail(WalErrorKind::kBadHeader,
                "expected magic \"SLWAL\", found hex " + hex_bytes(bytes.substr(0, sizeof(kWalMagic))));
  }
  uint32_t stored = get_fixed32(p + kFileChecksumPos);
  uint32_t actual = XXH32(p, kFileChecksumPos, 0);
  if (stored != actual) {
    return fail(WalErrorKind::kBadHeader, "file header checksum: expected " + std::to_string(actual) +
                                              " (XXH32 of bytes 0..27), found " + std::to_string(stored));
  }
  header->version = static_cast<uint8_t>(p[kFileVersionPos]);
  if (header->version != kWalFormatVersion) {
    return fail(WalErrorKind::kBadHeader, "expected format version " + std::to_string(kWalFormatVersion) + ", found " +
                                              std::to_string(header->version));
  }
  if (get_fixed16(p + kFileFlagsPos) != 0 || get_fixed32(p + kFileReservedPos) != 0) {
    return fail(WalErrorKind::kBadHeader, "expected zero flags and reserved bytes in the file header");
  }
  header->base_offset = get_fixed64(p + kFileBasePos);
  header->created_unix_nanos = static_cast<int64_t>(get_fixed64(p + kFileCreatedPos));
  if (header->base_offset != name_base) {
    return fail(WalErrorKind::kBadHeader, "expected base offset " + std::to_string(name_base) +
                                              " (from the file name), found " + std::to_string(header->base_offset));
  }
  return {};
}

}  // namespace sluice::wal
