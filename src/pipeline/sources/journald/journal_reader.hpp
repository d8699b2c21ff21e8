// JournalReader: an open systemd journal (sd-journal(3)) with the source's
// matches applied; the thin, Status-returning layer over JournalApi.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "pipeline/sources/journald/journal_api.hpp"
#include "pipeline/sources/journald/journal_entry.hpp"

namespace sluice {

/// What to open and which entries to see.
struct JournalReaderOptions {
  std::string directory;           ///< "" = the local system journal (SD_JOURNAL_LOCAL_ONLY)
  std::vector<std::string> units;  ///< _SYSTEMD_UNIT matches (ORed); empty = all
  bool current_boot_only = false;  ///< adds _BOOT_ID=<this boot>
  uint64_t max_field_bytes = 64 * 1024;
};

/// "nginx" -> "nginx.service"; a name with a '.' (a unit type suffix) is
/// kept, as journalctl -u does.
std::string unit_name(std::string_view unit);

/// Owner: the journald source's reader thread, which must be the only
/// thread that ever uses it (sd-journal binds an object to the thread that
/// opened it). Invariant: journal_ is an open sd_journal.
class JournalReader {
 public:
  /// Opens the journal and adds the matches. IOError "opening the journal
  /// in <directory>: <strerror>" when sd_journal_open* fails.
  static Result<std::unique_ptr<JournalReader>> open(const JournalApi* api, const JournalReaderOptions& options);

  struct Key {
    explicit Key() = default;
  };
  JournalReader(Key, const JournalApi* api, sd_journal* j) : api_(api), journal_(j) {}
  ~JournalReader();
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;

  /// Bytes of journal files open (0: no journal file found).
  uint64_t usage_bytes();

  Status seek_head();
  Status seek_tail();
  /// Before the first entry of `at.seqnum_id` with seqnum >= at.seqnum.
  Status seek_sequence(const JournalSeqnum& at);
  /// Moves to the next (previous) entry. true: there is one; false: at the end.
  Result<bool> next();
  Result<bool> previous();

  /// The current entry's cursor, seqnum and receive time.
  Status current(std::string* cursor, JournalSeqnum* at, uint64_t* realtime_usec);
  /// Calls fn(std::string_view "NAME=value") for each field of the current
  /// entry; fields longer than max_field_bytes arrive truncated.
  template <class Fn>
  Status for_each_field(Fn&& fn);

  /// The inotify descriptor to poll (POLLIN) for changes.
  int fd();
  /// How long poll may wait before process() must be called anyway, in ms
  /// (capped at `cap_ms`).
  int wait_ms(int cap_ms);
  /// Processes the changes the descriptor signalled (new entries, new or
  /// deleted files).
  void process();

 private:
  const JournalApi* api_;
  sd_journal* journal_;
};

template <class Fn>
Status JournalReader::for_each_field(Fn&& fn) {
  api_->restart_data(journal_);
  const void* data = nullptr;
  size_t len = 0;
  int r;
  while ((r = api_->enumerate_data(journal_, &data, &len)) > 0) {
    fn(std::string_view(static_cast<const char*>(data), len));
  }
  if (r < 0) return Status::FromErrno("sd_journal_enumerate_data", -r);
  return Status::Ok();
}

}  // namespace sluice
