// The disk buffer's on-disk format: file names, the data file header, the
// record frame and the read pointer file.
//
// Specified byte by byte in docs/formats/disk-buffer.md; change the document
// and this header together (and bump kBufferFormatVersion when old readers
// could misread new files). All integers are little-endian.
//
// Thread-safety: constants and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "model/batch.hpp"

namespace sluice::buffer {

inline constexpr uint8_t kBufferFormatVersion = 1;
/// Sequences above this are corrupt wherever they appear (file names,
/// records, the pointer), so that next sequence arithmetic never wraps.
/// A new buffer starts at the wall clock in microseconds (~2^51 today).
inline constexpr uint64_t kMaxSequence = 1ull << 62;

// ---- Data files: <first sequence, 20 digits>.buf ----

inline constexpr size_t kFileNameDigits = 20;
inline constexpr std::string_view kDataFileSuffix = ".buf";
/// The read pointer file in the buffer directory.
inline constexpr std::string_view kPointerFileName = "reader.pos";

/// "00000000000000000042.buf" for first sequence 42.
std::string data_file_name(uint64_t first_sequence);
/// The first sequence of a data file name, or nullopt when `name` is not
/// exactly 20 digits followed by ".buf" or names a sequence above
/// kMaxSequence.
std::optional<uint64_t> parse_data_file_name(std::string_view name);

// ---- Data file header: 24 bytes ----

inline constexpr char kFileMagic[5] = {'S', 'L', 'B', 'U', 'F'};
inline constexpr size_t kFileHeaderSize = 24;
// [0,5) magic, [5] version, [6,8) reserved 0, [8,16) first sequence,
// [16,24) XXH3_64bits of bytes [0,16).

std::string encode_file_header(uint64_t first_sequence);
/// The first sequence in a file header. Corruption naming the field when the
/// bytes are short, the magic, version or checksum is wrong.
Result<uint64_t> decode_file_header(std::string_view bytes);

// ---- Records: a 40-byte frame header, then the payload ----

inline constexpr char kRecordMagic[4] = {'S', 'L', 'B', 'R'};
inline constexpr size_t kRecordHeaderSize = 40;
// [0,4) magic, [4,8) payload length, [8,16) sequence, [16,20) event count,
// [20,24) flags 0, [24,32) XXH3_64bits(payload), [32,40) XXH3_64bits of
// bytes [0,32).
/// Largest payload a record may carry; a larger length field is corrupt.
inline constexpr uint32_t kMaxRecordPayloadBytes = 512u << 20;

struct RecordHeader {
  uint32_t payload_length = 0;
  uint64_t sequence = 0;
  uint32_t event_count = 0;  ///< records + samples of the batch
  uint64_t payload_checksum = 0;
};

/// Parses and verifies a record header (magic, header checksum, flags,
/// length bound). Corruption naming what was wrong otherwise.
Result<RecordHeader> decode_record_header(std::string_view bytes);
/// True when XXH3_64bits(payload) matches the header.
bool payload_matches(const RecordHeader& h, std::string_view payload);

/// The payload of one buffered batch: [u32 stream length][stream][batch
/// codec bytes (store/wal/batch_codec.hpp)]. ResourceExhausted when the
/// batch codec refuses the batch or the payload would exceed
/// kMaxRecordPayloadBytes.
Status encode_payload(const LogBatch& batch, std::string* out);
/// Decodes a payload; Corruption naming what and where when malformed.
Status decode_payload(std::string_view payload, LogBatch* out);
/// The source positions of a payload, validated as decode_payload() does
/// (same errors) but without building the records: what recovery needs.
Status payload_positions(std::string_view payload, std::vector<SourcePosition>* out);

/// Appends one framed record (header + payload) to `*out`.
void append_record(uint64_t sequence, uint32_t event_count, std::string_view payload, std::string* out);

// ---- The read pointer: reader.pos, 40 bytes, rewritten atomically ----

inline constexpr char kPointerMagic[4] = {'S', 'L', 'B', 'P'};
inline constexpr size_t kPointerSize = 40;
// [0,4) magic, [4] version, [5,8) reserved 0, [8,16) next sequence,
// [16,24) first sequence of the data file the cursor is in, [24,32) byte
// offset in that file, [32,40) XXH3_64bits of bytes [0,32).

struct ReadPointer {
  uint64_t next_sequence = 0;  ///< every batch with a lower sequence was delivered
  uint64_t file = 0;           ///< first sequence (name) of the cursor's data file
  uint64_t offset = 0;         ///< byte offset of the next record in that file

  bool operator==(const ReadPointer&) const = default;
};

std::string encode_pointer(const ReadPointer& p);
Result<ReadPointer> decode_pointer(std::string_view bytes);

}  // namespace sluice::buffer
