// The WAL's on-disk format: constants, header layouts, segment file names
// and the names of the corruption kinds a reader reports.
//
// The format is specified byte by byte in docs/formats/wal.md; change the
// document and this header together (and bump kWalFormatVersion when old
// readers could misread new files).
//
// Thread-safety: constants and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::wal {

// ---- Segment files ----

/// Segment files are named <base offset, 20 decimal digits, zero-padded>.wal.
inline constexpr size_t kSegmentNameDigits = 20;
inline constexpr std::string_view kSegmentSuffix = ".wal";
/// Segments set aside by recovery get this suffix after their own name plus
/// a timestamp ("00000000000000000042.wal.1712345678901234567.corrupt"), so
/// that the WAL never reads them again.
inline constexpr std::string_view kCorruptSuffix = ".corrupt";

/// "00000000000000000042.wal" for base offset 42.
std::string segment_file_name(uint64_t base_offset);
/// The base offset of a segment file name, or nullopt when `name` is not
/// exactly 20 digits followed by ".wal".
std::optional<uint64_t> parse_segment_file_name(std::string_view name);

// ---- File header: 32 bytes at the start of every segment ----

inline constexpr char kWalMagic[5] = {'S', 'L', 'W', 'A', 'L'};
inline constexpr uint8_t kWalFormatVersion = 1;
inline constexpr size_t kFileHeaderSize = 32;
// Field positions inside the file header.
inline constexpr size_t kFileMagicPos = 0;      // 5 bytes "SLWAL"
inline constexpr size_t kFileVersionPos = 5;    // uint8
inline constexpr size_t kFileFlagsPos = 6;      // uint16, 0 in version 1
inline constexpr size_t kFileBasePos = 8;       // uint64 base offset
inline constexpr size_t kFileCreatedPos = 16;   // int64 ns since the Unix epoch
inline constexpr size_t kFileReservedPos = 24;  // uint32, 0 in version 1
inline constexpr size_t kFileChecksumPos = 28;  // uint32 XXH32(bytes [0, 28), seed 0)

struct FileHeader {
  uint8_t version = kWalFormatVersion;
  uint64_t base_offset = 0;        ///< stream offset of the first record in the segment
  int64_t created_unix_nanos = 0;  ///< when the segment was created (informational)
};

/// The 32 header bytes for `h`.
std::string encode_file_header(const FileHeader& h);

// ---- Entries ----

inline constexpr size_t kEntryHeaderSize = 32;
// Field positions inside an entry header.
inline constexpr size_t kEntryChecksumPos = 0;        // uint64 XXH3_64bits(bytes [8, end of payload))
inline constexpr size_t kEntryHeaderChecksumPos = 8;  // uint32 XXH32(bytes [12, 32), seed 0)
inline constexpr size_t kEntryLengthPos = 12;         // uint32 payload bytes
inline constexpr size_t kEntryTypePos = 16;           // uint8
inline constexpr size_t kEntryFlagsPos = 17;          // uint8, 0 in version 1
inline constexpr size_t kEntryReservedPos = 18;       // uint16, 0 in version 1
inline constexpr size_t kEntryFirstOffsetPos = 20;    // uint64
inline constexpr size_t kEntryRecordCountPos = 28;    // uint32

/// Largest payload an entry may carry; a larger length field is corrupt.
inline constexpr uint32_t kMaxEntryPayloadBytes = 64u << 20;

/// Entry types. Only kLogBatch exists in version 1.
inline constexpr uint8_t kEntryTypeLogBatch = 1;

struct EntryHeader {
  uint64_t checksum = 0;
  uint32_t header_checksum = 0;
  uint32_t payload_length = 0;
  uint8_t type = kEntryTypeLogBatch;
  uint8_t flags = 0;
  uint16_t reserved = 0;
  uint64_t first_offset = 0;  ///< stream offset of the entry's first record
  uint32_t record_count = 0;  ///< records in the payload (0 for a position-only commit)
};

/// Fills the 32 header bytes at `entry[0, 32)` for a payload already at
/// `entry[32, 32 + payload_length)`, computing both checksums. `entry` must
/// hold exactly header plus payload.
void seal_entry(char* entry, size_t entry_size, uint8_t type, uint64_t first_offset, uint32_t record_count);

/// Decodes the fixed fields of a 32-byte entry header (no validation).
EntryHeader decode_entry_header(const char* p);
/// XXH32 of the header bytes the header checksum covers ([12, 32)).
uint32_t entry_header_checksum(const char* header);
/// XXH3_64bits of everything after the entry checksum: bytes [8, entry_size)
/// of an entry (header and payload, contiguous).
uint64_t entry_checksum(const char* entry, size_t entry_size);

// ---- Corruption kinds ----

/// What a reader found wrong with a segment. Each kind has a distinct,
/// stable name (wal_error_kind_name) that appears in error messages.
enum class WalErrorKind : uint8_t {
  kNone = 0,
  kTruncatedFileHeader,  ///< file shorter than the 32-byte header (crash while creating it)
  kBadHeader,            ///< wrong magic, version, flags, checksum or base offset in the file header
  kTruncatedEntry,       ///< file ends inside an entry (torn write): partial header or payload
  kBadLength,            ///< payload length field above kMaxEntryPayloadBytes
  kBadChecksum,          ///< header or entry checksum differs from the bytes
  kBadEntryType,         ///< unknown entry type or non-zero flags/reserved bits
  kBadPayload,           ///< payload does not decode, or its record count differs from the header's
  kOffsetGap,            ///< first_offset or a segment's base offset is not the next expected offset
};

/// "truncated_file_header", "bad_header", "truncated_entry", "bad_length",
/// "bad_checksum", "bad_entry_type", "bad_payload", "offset_gap", or "none".
std::string_view wal_error_kind_name(WalErrorKind kind);

/// A corruption found at a byte position of a segment file.
struct WalError {
  WalErrorKind kind = WalErrorKind::kNone;
  std::string file;          ///< path of the segment file
  uint64_t byte_offset = 0;  ///< where the bad entry (or header) starts in `file`
  std::string detail;        ///< what was expected and what was found

  bool ok() const { return kind == WalErrorKind::kNone; }
  /// "<kind>: <file> at byte <offset>: <detail>".
  std::string to_string() const;
};

/// Validates the file header in `bytes` (the first min(32, file size) bytes
/// of `path`, whose name says `name_base`). Returns kNone on success and
/// fills `*header`.
WalError check_file_header(std::string_view bytes, const std::string& path, uint64_t name_base, FileHeader* header);

}  // namespace sluice::wal
