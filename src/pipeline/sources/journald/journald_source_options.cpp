#include "pipeline/sources/journald/journald_source_options.hpp"

namespace sluice {

const OptionTable<JournaldSourceOptions>& journald_source_option_table() {
  static const OptionTable<JournaldSourceOptions> table = [] {
    using O = JournaldSourceOptions;
    OptionTable<O> t;
    t.add_string("directory", &O::directory, "",
                 "Absolute directory of journal files to read (e.g. one written by systemd-journal-remote, or "
                 "/var/log/journal/<machine-id> of another root). Empty: the local system journal "
                 "(/run/log/journal and /var/log/journal, as journalctl reads it).");
    t.add_string_list("units", &O::units, {},
                      "Only entries of these systemd units (_SYSTEMD_UNIT), e.g. [\"nginx\", \"sshd.service\"]; a "
                      "name without a type suffix gets \".service\". Empty: every entry.");
    t.add_bool("current_boot_only", &O::current_boot_only, false,
               "Only entries of the running boot (_BOOT_ID of this machine).");
    t.add_enum("start_at", &O::start_at, "beginning", {"beginning", "end"},
               "Where the first start reads from when nothing was committed yet: \"beginning\" (every entry "
               "still in the journal) or \"end\" (entries written from now on). After that the source always "
               "resumes after the last entry it emitted.");
    t.add_size("max_field_bytes", &O::max_field_bytes, "64KiB", "1KiB", "16MiB",
               "Longest field value read (sd_journal_set_data_threshold); longer values are cut.");
    t.add_size("max_entry_bytes", &O::max_entry_bytes, "1MiB", "4KiB", "64MiB",
               "Most bytes of fields kept per entry (MESSAGE always kept); further fields are dropped and "
               "counted in the attribute journald.dropped_fields.");
    t.add_integer("max_batch_records", &O::max_batch_records, 1000, 1, 100000,
                  "Most records in one batch sent downstream.");
    t.add_duration("reopen_interval", &O::reopen_interval, "10s", "100ms", "1h",
                   "While no journal file is found (no journald on this host, or `directory` missing), how often "
                   "to look again; a warning is logged once.");
    return t;
  }();
  return table;
}

Status validate_journald_source_options(const JournaldSourceOptions& o) {
  if (!o.directory.empty() && o.directory.front() != '/') {
    return Status::InvalidArgument("journald source: directory must be an absolute path, found \"" + o.directory +
                                   "\"");
  }
  for (const auto& u : o.units) {
    if (u.empty() || u.find_first_of("=\n") != std::string::npos) {
      return Status::InvalidArgument("journald source: units entries must be unit names, found \"" + u + "\"");
    }
  }
  if (o.start_at != "beginning" && o.start_at != "end") {
    return Status::InvalidArgument("journald source: start_at must be \"beginning\" or \"end\", found \"" + o.start_at +
                                   "\"");
  }
  return Status::Ok();
}

}  // namespace sluice
