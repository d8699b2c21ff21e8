// BufferFileReader: walks the records of one disk-buffer data file
// (docs/formats/disk-buffer.md) from a byte offset up to a byte limit,
// verifying each frame, and says exactly where damage is and where reading
// resumes after it.
//
// Damage kinds, each reported once as a kCorrupt item:
//   - truncated record: fewer than 40 bytes before the limit;
//   - bad record / bad length: wrong magic, header checksum or flags, or a
//     payload that runs past the limit; reading resumes at the next offset
//     where a whole, verifiable record header starts (resynchronisation), or
//     at the limit;
//   - payload checksum mismatch: the header is sound, so the record is
//     skipped by its length.
// The reader never reads past `limit` and never allocates more than one
// payload (at most limit - offset bytes).
//
// Ownership: borrows `file`, which must outlive the reader. Thread-safety:
// one thread at a time.
#pragma once

#include <cstdint>
#include <string>

#include "common/env.hpp"
#include "pipeline/sinks/buffer/disk_buffer_format.hpp"

namespace sluice::buffer {

struct FileItem {
  enum class Kind { kRecord, kCorrupt, kEnd };
  Kind kind = Kind::kEnd;
  uint64_t offset = 0;       ///< where the record (or the damaged bytes) start
  uint64_t next_offset = 0;  ///< where the following read starts
  RecordHeader header;       ///< kRecord
  std::string payload;       ///< kRecord: verified against the header's checksum
  std::string error;         ///< kCorrupt: what is wrong
};

class BufferFileReader {
 public:
  BufferFileReader(const ReadableFile* file, uint64_t offset, uint64_t limit)
      : file_(file), offset_(offset), limit_(limit) {}

  /// Reads the next item at the current offset and moves past it. Errors
  /// only for I/O failures of the file itself.
  Status next(FileItem* out);
  uint64_t offset() const { return offset_; }

 private:
  /// The first offset in (from, limit) where a verifiable record header
  /// starts whose payload fits before the limit, or the limit.
  Result<uint64_t> resync(uint64_t from);

  const ReadableFile* file_;
  uint64_t offset_;
  uint64_t limit_;
};

}  // namespace sluice::buffer
