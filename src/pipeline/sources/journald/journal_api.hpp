// JournalApi: the part of libsystemd's sd-journal API (sd-journal(3)) the
// journald source uses, loaded with dlopen("libsystemd.so.0") on first use.
//
// Why dlopen rather than linking: sluice then starts on hosts without
// libsystemd (containers, Alpine, BSD-style systems) and only a configured
// journald source fails, with a message that says what is missing; and the
// sources library keeps no link-time dependency on systemd. The header
// <systemd/sd-journal.h> (libsystemd-dev) supplies the signatures, so every
// pointer is type-checked against the installed API; libsystemd.so.0 has
// kept these symbols stable since systemd 209 (2014).
//
// Thread-safety: journal_api() may be called from any thread (loaded once);
// the functions keep sd-journal's own rule — an sd_journal object is used
// by the one thread that opened it.
#pragma once

#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>

#include "common/status.hpp"

namespace sluice {

/// Function pointers into libsystemd.so.0, named after the C functions.
struct JournalApi {
  decltype(&::sd_journal_open) open;
  decltype(&::sd_journal_open_directory) open_directory;
  decltype(&::sd_journal_close) close;
  decltype(&::sd_journal_next) next;
  decltype(&::sd_journal_previous) previous;
  decltype(&::sd_journal_seek_head) seek_head;
  decltype(&::sd_journal_seek_tail) seek_tail;
  decltype(&::sd_journal_seek_cursor) seek_cursor;
  decltype(&::sd_journal_get_cursor) get_cursor;
  decltype(&::sd_journal_get_realtime_usec) get_realtime_usec;
  decltype(&::sd_journal_set_data_threshold) set_data_threshold;
  decltype(&::sd_journal_restart_data) restart_data;
  decltype(&::sd_journal_enumerate_data) enumerate_data;
  decltype(&::sd_journal_add_match) add_match;
  decltype(&::sd_journal_get_fd) get_fd;
  decltype(&::sd_journal_get_timeout) get_timeout;
  decltype(&::sd_journal_process) process;
  decltype(&::sd_journal_get_usage) get_usage;
  decltype(&::sd_id128_get_boot) get_boot_id;
};

/// The loaded API. NotFound ("libsystemd.so.0: cannot open shared object
/// file ...; the journald source needs libsystemd (Debian: libsystemd0)")
/// when the library or one of its symbols is missing. The library stays
/// loaded for the life of the process.
Result<const JournalApi*> journal_api();

}  // namespace sluice
