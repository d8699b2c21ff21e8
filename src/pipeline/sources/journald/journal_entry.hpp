// Mapping a systemd journal entry (systemd.journal-fields(7)) to a log
// record, and reading an entry's place in its sequence from its cursor.
//
// Record (JournalRecordBuilder):
//   body                 MESSAGE (invalid UTF-8 repaired)
//   timestamp            __REALTIME_TIMESTAMP (when journald received it)
//   observed_timestamp   when sluice read it
//   severity_number/text PRIORITY 0..7 (RFC 5424 severities, mapped as the
//                        parse_syslog transform does: 3 err -> 17 ERROR, ...)
//   resource             host.name = _HOSTNAME, host.id = _MACHINE_ID
//   attributes           process.pid = _PID, process.executable.name =
//                        _COMM, process.executable.path = _EXE,
//                        process.command_line = _CMDLINE, process.user.id =
//                        _UID, code.file.path = CODE_FILE, code.line.number
//                        = CODE_LINE, code.function.name = CODE_FUNC
//                        (OpenTelemetry semantic conventions);
//                        syslog.app_name = SYSLOG_IDENTIFIER, syslog.procid
//                        = SYSLOG_PID, syslog.facility = SYSLOG_FACILITY (the
//                        names the syslog source and parse_syslog use);
//                        journald.__CURSOR = the entry's cursor; every other
//                        field as journald.<FIELD> (journald._SYSTEMD_UNIT,
//                        journald._TRANSPORT, journald._BOOT_ID, ...).
// A field that appears twice keeps its last value. Fields past
// max_entry_bytes (all fields counted, MESSAGE always kept) are dropped and
// counted in journald.dropped_fields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

/// An entry's place in its sequence: journald numbers entries 1, 2, 3, ...
/// within a sequence number id, which all files written by one journald
/// share (a new id when the journal is started from scratch, e.g. each boot
/// with a volatile journal, or per file from systemd-journal-remote).
struct JournalSeqnum {
  std::string seqnum_id;  ///< 32 lower-case hex digits
  uint64_t seqnum = 0;

  bool operator==(const JournalSeqnum&) const = default;
};

/// Reads the "s=" (seqnum id) and "i=" (seqnum, hex) fields of a journal
/// cursor as sd_journal_get_cursor(3) writes it
/// ("s=<id>;i=<hex>;b=<id>;m=<hex>;t=<hex>;x=<hex>"; fields in any order).
/// InvalidArgument "journal cursor: expected ... at byte N" when either is
/// missing or malformed.
Result<JournalSeqnum> parse_journal_cursor(std::string_view cursor);

/// The partial cursor "s=<id>;i=<hex seqnum>" that sd_journal_seek_cursor
/// accepts: it places the read pointer before the first entry of that
/// sequence whose seqnum is >= `seqnum` (entries of other sequences are
/// then read from their beginning).
std::string journal_sequence_cursor(const JournalSeqnum& at);

/// Builds one record from an entry's fields. Owner: the journald source's
/// reader thread; one thread at a time. Invariant: between reset() calls the
/// attribute bytes accepted stay <= max_entry_bytes (plus MESSAGE).
class JournalRecordBuilder {
 public:
  explicit JournalRecordBuilder(uint64_t max_entry_bytes) : max_entry_bytes_(max_entry_bytes) {}

  /// Starts a new entry.
  void reset();
  /// Adds one field as sd_journal_enumerate_data returns it: "NAME=value",
  /// the value any bytes. Data without '=' or with an empty name is ignored.
  void add_field(std::string_view data);
  /// The record for the fields added since reset().
  LogRecord finish(uint64_t realtime_usec, std::string_view cursor, int64_t observed_ns);

 private:
  const uint64_t max_entry_bytes_;
  LogRecord rec_;
  uint64_t bytes_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace sluice
