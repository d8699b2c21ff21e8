// DiskBuffer: a durable FIFO of batches in a directory of data files, the
// storage behind a sink's `buffer.type = "disk"` (docs/formats/disk-buffer.md).
//
// - append(batch) frames the batch (batch codec + checksums), appends it to
//   the newest data file and fsyncs before returning its sequence number.
//   Sequences increase by one per batch and never repeat, across restarts
//   too (a new buffer starts at the wall clock in microseconds, so even a
//   deleted buffer directory does not reuse the numbers a de-duplicating
//   receiver has seen). While the files hold max_bytes, append waits for
//   the reader to free space.
// - read() returns the oldest batch not yet acknowledged (again, until
//   ack()); ack() moves the durable read pointer (reader.pos, rewritten
//   atomically) past it. A data file is deleted once the pointer has moved
//   into a newer one.
// - Damaged bytes (checksum mismatch, bad length, torn record, undecodable
//   batch) are skipped, counted in corrupt_records and logged with file and
//   offset. Opening truncates a torn tail of the newest file (an append the
//   crash interrupted, never acknowledged), then fsyncs that file and the
//   directory (a record written but not synced before the crash reads as
//   valid, and its positions are handed out: positions_after()).
//
// Ownership: the sink that wraps it. Thread-safety: one writer thread calls
// append(); one reader thread calls read() and ack(); close() and stats()
// from any thread. Invariants: sequences in the files increase; the reader
// never reads past the durable (fsynced) end of a file; bytes() is the sum of
// the data files' sizes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/env.hpp"
#include "common/metrics.hpp"
#include "model/batch.hpp"
#include "pipeline/sinks/buffer/disk_buffer_format.hpp"

namespace sluice {
namespace buffer {
struct FileItem;  // buffer_file_reader.hpp
}  // namespace buffer

struct DiskBufferConfig {
  std::string dir;                    ///< e.g. <state_dir>/buffers/<sink>
  uint64_t max_bytes = 256ull << 20;  ///< cap on the data files' total size
  /// A new data file is started once the current one reaches this size;
  /// 0: max_bytes / 8, within 64 KiB .. 64 MiB.
  uint64_t file_bytes = 0;
  std::string name;                    ///< for log lines: "sinks.out"
  Counter* corrupt_counter = nullptr;  ///< also incremented per damaged record, when set
};

class DiskBuffer {
 public:
  /// Opens (creating) `config.dir` and recovers: drops data files the read
  /// pointer has passed, truncates a torn tail, counts what is unread.
  /// Errors: IOError when the directory or a file cannot be read or written.
  static Result<std::unique_ptr<DiskBuffer>> open(Env* env, DiskBufferConfig config);
  ~DiskBuffer();
  DiskBuffer(const DiskBuffer&) = delete;
  DiskBuffer& operator=(const DiskBuffer&) = delete;

  /// Appends `batch` durably and returns its sequence. Waits at most
  /// `max_wait` while the buffer is full (the time waited is added to
  /// `*blocked` when non-null). A batch is always admitted when nothing is
  /// unread, even when larger than max_bytes. Errors: Unavailable when
  /// still full after max_wait (or at once after stop_waiting());
  /// ResourceExhausted when the batch can never be encoded; Cancelled after
  /// close(); IOError.
  Result<uint64_t> append(const LogBatch& batch, std::chrono::nanoseconds max_wait,
                          std::chrono::nanoseconds* blocked = nullptr);

  struct Item {
    uint64_t sequence = 0;
    LogBatch batch;  ///< as appended (records, samples, positions, stream)
  };
  /// The oldest unacknowledged batch, waiting at most `max_wait` for one;
  /// nullopt when none arrived in time or after close(). Calling it again
  /// before ack() returns the same batch. Errors: IOError.
  Result<std::optional<Item>> read(std::chrono::nanoseconds max_wait);
  /// Marks the batch last returned by read() delivered and makes that
  /// durable. InvalidArgument when `sequence` is not that batch's.
  Status ack(uint64_t sequence);

  /// Wakes every waiter: append() returns Cancelled, read() nullopt.
  void close();
  /// From now on append() does not wait for space (the pipeline is
  /// stopping); reading goes on.
  void stop_waiting();

  /// Per (source, key), the position in the newest batch holding that key
  /// among the batches with a sequence above `after`: every batch in the
  /// data files when the buffer was opened (delivered or not, each file
  /// read from its first record; what append() takes later is not added:
  /// the sink asks once, as it is built); a key no such batch holds is left
  /// out. `*newest` (when set) becomes the
  /// highest such sequence, or `after`. The sink's checkpoint names the
  /// last sequence whose positions it has (DiskBufferSink), so these are
  /// the positions the buffer holds durably beyond it: after a crash
  /// between the two, where the sources must resume. Thread-safe.
  std::vector<SourcePosition> positions_after(uint64_t after, uint64_t* newest = nullptr) const;

  uint64_t bytes() const { return disk_bytes_.load(); }        ///< data files on disk
  uint64_t batches() const { return unread_batches_.load(); }  ///< not yet acknowledged
  uint64_t events() const { return unread_events_.load(); }    ///< records + samples of those
  uint64_t corrupt_records() const { return corrupt_.load(); }
  uint64_t max_bytes() const { return config_.max_bytes; }
  /// The sequence the next append() gets.
  uint64_t next_sequence() const { return next_seq_.load(); }

 private:
  struct DataFile {
    uint64_t first_seq = 0;
    std::string path;
    uint64_t size = 0;  ///< durable bytes
  };
  DiskBuffer(Env* env, DiskBufferConfig config);
  Status recover();
  /// Scans one file from `offset` (the read cursor in the front file),
  /// adding valid records to the unread counts and their positions to
  /// positions_; returns the end of the last valid record (or `offset`).
  /// The records before `offset` (delivered) give their positions only.
  Result<uint64_t> scan(const DataFile& f, uint64_t offset, uint64_t* max_seq);
  /// The valid records of `f` within [from, to): their positions into
  /// positions_; each record's end and sequence to `each` when set.
  Status scan_range(const DataFile& f, uint64_t from, uint64_t to,
                    const std::function<void(const buffer::FileItem&)>& each);
  /// Records the positions of batch `sequence` as the newest for their
  /// keys; mu_ held.
  void note_positions(uint64_t sequence, const std::vector<SourcePosition>& positions);
  void count_corrupt(const std::string& path, uint64_t offset, uint64_t end, const std::string& why);
  Status write_pointer(uint64_t file_seq, uint64_t offset);
  /// Reader: the front file is read to its end and a newer one exists.
  Status advance_file();
  /// Reader: an item at the cursor was skipped; moves past it.
  void skip_record(uint64_t next_offset, uint32_t events);
  /// Reader: makes a skip durable, so that a restart neither reads nor
  /// counts the skipped bytes again (best effort).
  void note_skip(uint64_t file_seq);
  /// Writer: appends `frame` (a record, or a file header and a record).
  Status write_frame(uint64_t seq, bool roll, const std::string& frame);

  Env* env_;
  DiskBufferConfig config_;
  std::string pointer_path_;

  mutable std::mutex mu_;
  std::condition_variable data_cv_;   ///< a record became durable, or closed
  std::condition_variable space_cv_;  ///< bytes or unread batches went down, or closed
  std::deque<DataFile> files_;        ///< oldest first; guarded by mu_
  /// A key's position in the newest batch that held it, and that batch's
  /// sequence.
  struct Taken {
    uint64_t sequence = 0;
    SourcePosition position;
  };
  /// (source, key) -> Taken, of the data files found at open:
  /// positions_after(); guarded by mu_.
  std::map<std::pair<std::string, std::string>, Taken> positions_;
  bool closed_ = false;        ///< guarded by mu_
  bool stop_waiting_ = false;  ///< guarded by mu_

  std::atomic<uint64_t> disk_bytes_{0};
  std::atomic<uint64_t> unread_batches_{0};
  std::atomic<uint64_t> unread_events_{0};
  std::atomic<uint64_t> corrupt_{0};
  std::atomic<uint64_t> next_seq_{0};

  // Writer thread only.
  std::unique_ptr<WritableFile> active_;
  bool roll_next_ = false;

  // Reader thread only.
  uint64_t cursor_ = buffer::kFileHeaderSize;  ///< byte offset in files_.front()
  uint64_t next_read_seq_ = 0;                 ///< lower sequences were delivered
  std::unique_ptr<ReadableFile> reader_file_;
  uint64_t reader_file_seq_ = 0;
  struct Pending {
    uint64_t sequence;
    uint64_t next_offset;
    uint32_t events;
  };
  std::optional<Pending> pending_;
};

}  // namespace sluice
