// The `file` source: tails log files matched by glob patterns, one record per
// line, with exactly-once positions (Fluent Bit's in_tail, Vector's file
// source).
//
// Identity. A file is followed by identity, not by path: device + inode +
// fingerprint (XXH3 of its first line, capped at fingerprint_bytes); the key
// "dev:inode:fingerprinthex" is SourcePosition::key. A file whose first line
// is still incomplete is not read yet. A renamed file that still matches an
// include pattern keeps being read from where it was, never twice.
//
// Positions. Every batch carries, for each file it advances, the byte offset
// just after the last piece it holds (after the '\n' of a complete line).
// The source never decides on its own that a line is done: it resumes from
// SourceContext::committed at start and otherwise only reports positions,
// which the store commits atomically with the data. After a crash and a
// restart with the committed positions, no line is lost or repeated.
//
// Start. Files found by the scan in start(): resume at the committed offset
// of their key (from 0, with a warning, when the file is now shorter); else
// at 0 for start_at = "beginning", or after the last complete line for
// start_at = "end" (that offset is sent at once as a record-less batch so a
// restart does not skip lines written in between). Files that appear later
// are always read from 0, except copies (below).
//
// Rename rotation: the old descriptor stays open and is drained; a file that
// is deleted (st_nlink == 0) or missing from two consecutive glob scans, at
// its end, and has not grown for rotate_wait has its final partial line (if
// any) emitted and is closed. The file now at the path is a new file, read
// from 0. A deleted file is thus read to its end before it is closed.
// Directory events are handled in batches, some time after they happen, and
// a new entry is looked up by its path then; a file created at a followed
// name and renamed away before that (a busy daemon rotating quickly) is
// found through the batch's rename events instead: an IN_MOVED_FROM of a
// followed name (or of a path such a rename led to, for logrotate's numbered
// chains) paired by cookie with its IN_MOVED_TO gives the path it went to,
// and an inode found there that is not followed yet, nor read and closed in
// the last two minutes, is read from its start (follow_rotated). Renames are
// remembered for a minute (holders_), across event batches.
//
// Copytruncate rotation (logrotate copies app.log to app.log.1, then
// truncates app.log). Design, after Vector's checksum fingerprint (a copy has
// the original's first line, so it is recognised as the same content and
// read on from the stored position) made safe against unrelated files that
// share a first line (header lines):
//   - Truncation of a followed file is detected by its size dropping below
//     the read position, its first line changing, or the bytes before the
//     read position changing (checkpoints, copy_detection.hpp). The file is
//     then read again from 0 under its new identity, and its old generation
//     (fingerprint, read position, checkpoints) is remembered for a minute.
//     The size alone is never trusted: a file truncated and rewritten to the
//     size it had at the last look (common while the source is held back by
//     backpressure, with lines of one length) looks unchanged. So bytes read
//     are emitted only if, after the read, the file still has the first line
//     and the bytes before the read position it had; and before a new file
//     is judged a copy (or not) of a followed file, that file's content is
//     checked, whatever its size.
//   - A new file whose fingerprint equals that of a followed file F is a
//     copy of F if its bytes are F's bytes at the same offsets (compared
//     directly while F is intact): it is not read while F is followed, and
//     when F is truncated (or closed), it is read from F's read position, so
//     the lines F had not reached when it was truncated are read once, from
//     the copy, and the lines F had read are not read again.
//   - A new file matching a remembered truncated generation (same fingerprint
//     and the generation's newest checkpoint hashes equal in the new file) is
//     read from that generation's position.
//   - After a restart, a file with no committed position whose fingerprint
//     is that of a committed key of another followed inode, which now has a
//     different first line or is shorter than that position (it was
//     truncated), starts at that committed position.
//   The copies must match an include pattern (e.g. "app.log*"), or the lines
//   written after the last read before the truncation are lost. logrotate's
//   own race remains: lines written between its copy and its truncate exist
//   in neither file.
//
// Wake-ups (file_watcher.hpp). With inotify, the directories the globs reach
// and every open file are watched; a file is read when an event says it
// changed, an entry created in (or moved into) a watched directory is
// followed at once when the patterns match it, other directory changes
// (removals, renames away, new subdirectories) trigger a glob scan (at most
// one per 100 ms), and everything is checked every poll_interval (10 s by
// default) anyway. Without inotify, or for a file it could not watch, files
// are polled every poll_interval (100 ms by default) and globs scanned every
// glob_interval.
//
// Fairness and rate. Files with data are served round-robin, each at most
// max_bytes_per_turn per turn; with max_read_bytes_per_second each file has a
// token bucket and waits for it (a line is never cut short by the limit).
//
// Compressed files (gzip, bzip2, xz, zstd, zip, lz4 by magic bytes or name)
// are skipped with ignore_compressed, each logged once.
//
// Records: body = the line without "\n" / "\r\n", observed_timestamp_ns =
// read time, timestamp_ns = 0 (unknown), attributes log.file.path and
// log.file.name (OpenTelemetry semantic conventions), and log.split =
// first|middle|last on the pieces of a line longer than max_line_bytes.
//
// Metrics (file_source_metrics.hpp): sluice_file_source_lag_bytes{component,
// path} per followed file, sluice_file_source_watched_files{component}.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "pipeline/component.hpp"
#include "pipeline/sources/file/file_source_metrics.hpp"
#include "pipeline/sources/file/file_source_options.hpp"
#include "pipeline/sources/file/file_watcher.hpp"
#include "pipeline/sources/file/glob.hpp"
#include "pipeline/sources/file/tailed_file.hpp"

namespace sluice {

/// Tails the files matched by its include globs on one reader thread.
///
/// Owner: the pipeline engine (through make_file_source). Threads: start()
/// and stop() from the engine's thread; file_stats() and inotify_active()
/// from any thread; the reader thread owns all per-file state. The
/// SourceContext passed to start() must stay live until stop() returns.
/// Invariant: every emitted position is an exact byte offset at a line (or
/// line piece) boundary, and positions of one key never go backwards except
/// after a truncation of that file.
class FileSource final : public Source {
 public:
  /// `options` must have passed validate_file_source_options().
  FileSource(std::string name, FileSourceOptions options);
  ~FileSource() override;

  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  /// Scans the include globs (deciding the start offset of every file found
  /// now), then starts the reader thread. InvalidArgument when `ctx` has no
  /// emit function or the source was already started; IOError when the
  /// wake-up descriptor cannot be created.
  Status start(SourceContext* ctx) override;
  /// Stops the reader thread and joins it; idempotent. When the thread is
  /// blocked in ctx->emit, returns once emit returns (the engine cancels emit
  /// at shutdown). Records read but not yet emitted are dropped; their
  /// positions were never reported, so they are read again after a restart.
  void stop() override;

  /// Counters of every file currently followed (compressed files skipped
  /// are not listed), as of the reader's last pass: at most 100 ms old per
  /// 1,000 files followed.
  std::vector<FileStats> file_stats() const;
  /// True when inotify is in use (after start()).
  bool inotify_active() const { return inotify_active_.load(std::memory_order_acquire); }

  const std::string& name() const { return name_; }

 private:
  /// What one turn left to do for a file.
  struct Turn {
    bool more = false;    ///< more to read now: serve it again next pass
    int64_t wake_ns = 0;  ///< serve it again at this time (0: on an event or the next poll)
    bool close = false;   ///< drained and gone: close it
  };
  /// A truncated file's previous generation, kept so that its copy can be
  /// recognised (see the copytruncate notes above).
  struct Departed {
    FileId id;
    uint64_t hash = 0;
    uint64_t position = 0;
    CheckpointRing checkpoints;
    std::string path;
    int64_t expires_ns = 0;
  };

  // ---- file_source.cpp: lifecycle, run loop, scheduling
  void run();
  void handle_events(const std::vector<FileWatcher::Event>& events, int64_t now);
  /// An entry appeared in a watched directory (created or moved in): follow
  /// it at once when the patterns match it, without a full scan.
  void consider_path(const std::string& path, int64_t now);
  /// A file (`st`) was renamed from followed name `origin` to `path`, which
  /// no pattern matches (rename rotation), before its creation was handled:
  /// when it is not followed, nor closed_lately(), it is read from its
  /// start to its end under the name `origin`, so a file that lived at the
  /// followed name only for moments loses nothing.
  void follow_rotated(const std::string& path, const std::string& origin, const struct stat& st, int64_t now);
  /// True when the file at `path` (`st`) was read to its end and closed
  /// lately (closed_): same inode and the same first line.
  bool closed_lately(const std::string& path, const struct stat& st) const;
  /// The rename bookkeeping of one directory event about entry `path`
  /// (see holders_); appends to `rotated` the paths to look at after the
  /// batch, with their origins.
  void track_renames(const FileWatcher::Event& e, const std::string& path, int64_t now,
                     std::vector<std::pair<std::string, std::string>>* rotated);
  bool path_matches(const std::string& path) const;
  void queue(TailedFile& f);
  void arm_timer(TailedFile& f, int64_t at_ns);
  void close_file(std::map<FileId, std::unique_ptr<TailedFile>>::iterator it);
  /// Copies the counters for file_stats() when they changed and (unless
  /// `force`) publish_period_ns() passed since the last copy.
  void publish_stats(int64_t now, bool force);
  int64_t publish_period_ns() const;
  int64_t poll_ns() const;
  int64_t scan_period_ns() const;
  bool stopping() const { return stop_.load(std::memory_order_acquire); }

  // ---- file_source_scan.cpp: globs, watches, identity, start offsets
  /// Re-expands the globs; opens new files, updates paths, counts misses,
  /// updates directory watches.
  void scan(bool initial);
  std::vector<std::string> matched_paths(std::vector<std::string>* dirs) const;
  void update_dir_watches(std::vector<std::string> dirs);
  /// Opens, watches and identifies a new file; nullptr when it cannot be
  /// opened (logged once per path).
  TailedFile* open_file(const std::string& path, bool initial, int64_t now);
  /// With ignore_compressed, looks at the first bytes of a file not yet
  /// sniffed; a compressed one is ignored from now on (descriptor closed,
  /// watch and lag series removed). Returns f.ignored. Without `force`, a
  /// file too short to tell stays unsniffed.
  bool skip_if_compressed(TailedFile& f, bool force);
  /// The file's first line is complete (and it is not compressed): sets the
  /// identity and picks the start offset (and, for a file appearing at run
  /// time, whether it is a copy).
  void become_ready(TailedFile& f, const Fingerprint& fp, bool initial);
  /// Sets the fingerprint and key and picks the start offset.
  void make_ready(TailedFile& f, const Fingerprint& fp, bool initial);
  void set_path(TailedFile& f, const std::string& path);
  void report_lag(TailedFile& f);

  // ---- file_source_copies.cpp: copytruncate
  /// How closely check_truncated() looks at a file.
  enum class Look {
    kSize,     ///< only whether it is shorter than its position
    kResized,  ///< and at its content when its size changed since the last look
    kContent,  ///< and at its content in any case
  };
  /// Detects truncation of a ready file whose size is now `size`: shorter
  /// than its position, or (as `look` says) its first line or the bytes
  /// before its position changed. A file truncated and rewritten to the size
  /// it had at the last look is only seen by kContent, so every decision that
  /// relies on the file's generation (reading it, its copies) uses kContent
  /// or checks after reading (read_lines). On truncation departs the
  /// generation and returns true.
  bool check_truncated(TailedFile& f, uint64_t size, Look look);
  /// Whether `f` still holds the generation it is followed as: its first
  /// bytes hash to its fingerprint and the bytes before its position are the
  /// ones consumed (f.tail, else the newest checkpoint). When not, *why says
  /// what changed. IOError from pread.
  Result<bool> same_generation(TailedFile& f, std::string* why);
  /// Remembers the generation, resolves its copies, restarts the file at 0.
  void depart(TailedFile& f, const std::string& why);
  /// Copies of `origin` (which is truncated or closing) are read on from
  /// where origin was, or from 0 when they are not copies after all.
  /// Returns how many copies were resolved.
  int resolve_copies(const TailedFile& origin, bool truncated);
  /// A file appearing at run time became ready: is it a copy?
  void detect_copy(TailedFile& f);
  /// After the initial scan: copies among the files found, and files whose
  /// committed generation was truncated while sluice was down.
  void detect_initial_copies();
  /// Whether `copy` holds `origin`'s bytes up to its own size.
  bool is_prefix_copy(TailedFile& copy, TailedFile& origin);
  /// `f` holds everything `shorter` holds and more: `f` is read on from
  /// where `shorter` was, and `shorter` becomes its copy.
  void take_over(TailedFile& f, TailedFile& shorter);
  /// Moves `f` to `offset` (reading the byte before it for the splitter
  /// state) and records a checkpoint there; with `report`, adds the
  /// position to the next batch so that it is committed.
  void start_at_offset(TailedFile& f, uint64_t offset, bool report);
  /// A copy's turn: re-verify when it grew; it is not read.
  void service_copy(TailedFile& f);
  void index_fingerprint(const TailedFile& f, bool add);
  /// Up to kMaxCopyCandidates other ready files with f's fingerprint.
  std::vector<TailedFile*> same_fingerprint(const TailedFile& f);

  // ---- file_source_read.cpp: turns, reading, records
  /// One turn for one file (take_turn), then its lag gauge brought up to
  /// date. Returns non-ok only when emitting failed (the reader must stop).
  Status service(TailedFile& f, int64_t now_ns, Turn* turn);
  Status take_turn(TailedFile& f, int64_t now_ns, Turn* turn);
  /// Whether a turn reads `f`, now `size` bytes: it has bytes past its
  /// position and past a held partial line, or it is `settled` (gone).
  static bool will_read(const TailedFile& f, uint64_t size, bool settled);
  /// Reads and emits lines from f.position for at most `budget` bytes
  /// (overshooting by less than one line). With `final`, the end of the
  /// file ends the last line. *eof tells whether the end was reached.
  /// Bytes read are used only if the file still holds f's generation after
  /// the read (same_generation()); else the generation departs, nothing of
  /// that read is emitted and *departed is set.
  Status read_lines(TailedFile& f, bool final, uint64_t budget, uint64_t* consumed, bool* eof, bool* departed);
  Status add_record(TailedFile& f, std::string_view text, LinePart part, uint64_t offset_after);
  void add_position(const TailedFile& f);
  /// Records the checkpoint at f.position, from f.tail (the bytes consumed).
  void record_checkpoint(TailedFile& f);
  Status flush();
  void log_io_error(TailedFile& f, const Status& st);

  const std::string name_;
  const FileSourceOptions options_;
  std::vector<Glob> include_;
  std::vector<Glob> exclude_;
  SourceContext* ctx_ = nullptr;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> inotify_active_{false};
  std::unique_ptr<FileWatcher> watcher_;  ///< created in start(); stop() wakes the reader through it

  // Reader-thread state.
  std::map<FileId, std::unique_ptr<TailedFile>> files_;
  std::unordered_multimap<uint64_t, FileId> by_fingerprint_;  ///< fingerprint hash -> ready files
  std::unordered_map<int, FileId> file_watches_;              ///< inotify wd -> file
  std::map<std::string, int> dir_watches_;                    ///< watched directory -> wd
  std::unordered_map<int, int> dir_wd_refs_;                  ///< wd -> paths in dir_watches_ using it
  std::unordered_map<int, std::string> dir_paths_;            ///< wd -> one watched path of that directory
  bool dirs_unwatched_ = false;  ///< some directory could not be watched: scan every glob_interval
  std::vector<FileId> run_queue_;
  std::priority_queue<std::pair<int64_t, FileId>, std::vector<std::pair<int64_t, FileId>>, std::greater<>> timers_;
  std::deque<Departed> departed_;
  std::vector<char> buffer_;
  LogBatch batch_;
  uint64_t batch_bytes_ = 0;
  std::unordered_map<std::string, size_t> batch_position_index_;  ///< key -> index in batch_.positions
  size_t batch_last_index_ = 0;    ///< batch_.positions' entry add_position() updated last
  size_t last_batch_records_ = 0;  ///< records of the previous batch: the next one's reserve
  int64_t read_time_ns_ = 0;       ///< when the bytes being split were read (observed_timestamp)
  int64_t next_scan_ns_ = 0;       ///< next periodic glob scan
  int64_t next_poll_ns_ = 0;       ///< next check of every file
  int64_t last_scan_ns_ = 0;
  bool rescan_requested_ = false;  ///< a directory event or a path check asks for a scan
  /// Renames out of followed names, kept for kRenameTrailNs (the two halves
  /// of a rename, or the steps of a chain, may be read in different event
  /// batches). Each maps to the followed name at the head of its chain (the
  /// path a rescued file's records carry).
  struct Trail {
    std::string origin;
    int64_t at_ns = 0;  ///< when the rename was handled (file_steady_now_ns)
  };
  std::unordered_map<uint32_t, Trail> moves_from_;  ///< IN_MOVED_FROM cookie -> its trail, until its IN_MOVED_TO
  std::unordered_map<std::string, Trail> holders_;  ///< path that holds a file renamed away from a followed name
  /// The files closed in the last 2 * kRenameTrailNs, by identity: a trail
  /// may lead to a file read to its end and closed since, which
  /// follow_rotated() must not read again.
  struct Closed {
    int64_t at_ns = 0;
    FileId id;
    uint64_t hash = 0;  ///< its fingerprint's
  };
  std::deque<Closed> closed_;
  bool stats_dirty_ = true;
  int64_t last_publish_ns_ = 0;
  std::vector<std::string> warned_paths_;  ///< paths whose open (or watch) failure was logged
  bool warned_unwatched_file_ = false;     ///< a failed file watch was logged
  std::unique_ptr<FileSourceMetrics> metrics_;

  mutable std::mutex stats_mu_;
  std::vector<FileStats> stats_;  ///< guarded by stats_mu_
};

/// Validates `options` and builds a file source named `name`.
/// InvalidArgument from validate_file_source_options().
Result<std::unique_ptr<Source>> make_file_source(std::string name, const FileSourceOptions& options);

}  // namespace sluice
