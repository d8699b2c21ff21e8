#include "pipeline/sources/file/file_source_options.hpp"

namespace sluice {

const OptionTable<FileSourceOptions>& file_source_option_table() {
  static const OptionTable<FileSourceOptions> table = [] {
    using O = FileSourceOptions;
    OptionTable<O> t;
    t.add_string_list("include", &O::include, {},
                      "Absolute glob patterns of the files to tail. Supports *, ?, [abc], [!abc] and ** "
                      "(any number of directories), e.g. \"/var/log/**/*.log\".",
                      /*required=*/true);
    t.add_string_list("exclude", &O::exclude, {},
                      "Absolute glob patterns of files to skip even when an include pattern matches them.");
    t.add_enum("start_at", &O::start_at, "beginning", {"beginning", "end"},
               "Where to start reading files that exist when the source starts and have no committed "
               "position: \"beginning\" or \"end\" (after the last complete line). Files that appear later "
               "are always read from their beginning.");
    t.add_size("max_line_bytes", &O::max_line_bytes, "64KiB", "16B", "16MiB",
               "Longest line emitted as one record; a longer line is split into records of this many bytes, "
               "marked with the attribute log.split = first|middle|last. Nothing is dropped.");
    t.add_size("read_buffer_bytes", &O::read_buffer_bytes, "64KiB", "1KiB", "64MiB",
               "Bytes read from a file per read call (at least max_line_bytes + 2 is used).");
    t.add_size("fingerprint_bytes", &O::fingerprint_bytes, "256B", "16B", "64KiB",
               "A file's identity is device + inode + a hash of its first line, capped at this many bytes. "
               "A file with neither a complete first line nor this many bytes is not read yet.");
    t.add_integer("max_batch_records", &O::max_batch_records, 4096, 1, 1000000,
                  "Most records in one batch sent downstream.");
    t.add_size("max_batch_bytes", &O::max_batch_bytes, "1MiB", "1KiB", "256MiB",
               "Most body bytes in one batch sent downstream.");
    t.add_size("max_bytes_per_turn", &O::max_bytes_per_turn, "1MiB", "4KiB", "1GiB",
               "Bytes read from one file before the other files get their turn (fairness).");
    t.add_duration("glob_interval", &O::glob_interval, "1s", "10ms", "1h",
                   "Without inotify, how often the include patterns are re-scanned for new, renamed and deleted "
                   "files. With inotify the directories they reach are watched: new files are followed at once, "
                   "other changes trigger a re-scan, and the patterns are re-scanned every poll_interval anyway.");
    t.add_duration("poll_interval", &O::poll_interval, "0s", "0s", "1h",
                   "How often every open file (and, with inotify, every glob) is checked even when no event "
                   "says it changed. 0s: automatic, 10s while inotify watches the files (a safety net for "
                   "events it misses, e.g. writes by another NFS client) and 100ms for files it cannot watch.");
    t.add_bool("inotify", &O::inotify, true,
               "Watch directories and files with Linux inotify, so that idle files cost nothing and new data "
               "is read at once. false (or inotify unavailable, or out of watches): poll.");
    t.add_duration("rotate_wait", &O::rotate_wait, "1s", "0s", "1h",
                   "A file that was deleted, or renamed to a path no include pattern matches, is read to its end "
                   "and closed once it has not grown for this long (its writer may still hold it open).");
    t.add_size("max_read_bytes_per_second", &O::max_read_bytes_per_second, "0", "0", "1TiB",
               "Most bytes read per second from any one file (a token bucket per file with a one-second burst; "
               "a line is never cut short). 0: unlimited.");
    t.add_bool("ignore_compressed", &O::ignore_compressed, true,
               "Skip compressed files (rotated logs): gzip, bzip2, xz, zstd, zip and lz4, recognised by their "
               "first bytes or by the name ending .gz, .bz2, .xz, .zst, .zip or .lz4. Each is logged once.");
    return t;
  }();
  return table;
}

Status validate_file_source_options(const FileSourceOptions& o) {
  if (o.include.empty()) return Status::InvalidArgument("file source: include needs at least one glob pattern");
  for (const auto& list : {std::make_pair("include", &o.include), std::make_pair("exclude", &o.exclude)}) {
    for (const auto& p : *list.second) {
      if (p.empty() || p.front() != '/') {
        return Status::InvalidArgument(std::string("file source: ") + list.first +
                                       " patterns must be absolute paths, found \"" + p + "\"");
      }
    }
  }
  if (o.start_at != "beginning" && o.start_at != "end") {
    return Status::InvalidArgument("file source: start_at must be \"beginning\" or \"end\", found \"" + o.start_at +
                                   "\"");
  }
  auto positive = [](const char* name, auto v) -> Status {
    if (v <= 0) return Status::InvalidArgument(std::string("file source: ") + name + " must be positive");
    return Status::Ok();
  };
  SLUICE_RETURN_IF_ERROR(positive("max_line_bytes", o.max_line_bytes));
  SLUICE_RETURN_IF_ERROR(positive("read_buffer_bytes", o.read_buffer_bytes));
  SLUICE_RETURN_IF_ERROR(positive("fingerprint_bytes", o.fingerprint_bytes));
  SLUICE_RETURN_IF_ERROR(positive("max_batch_records", o.max_batch_records));
  SLUICE_RETURN_IF_ERROR(positive("max_batch_bytes", o.max_batch_bytes));
  SLUICE_RETURN_IF_ERROR(positive("max_bytes_per_turn", o.max_bytes_per_turn));
  SLUICE_RETURN_IF_ERROR(positive("glob_interval", o.glob_interval.count()));
  if (o.poll_interval.count() < 0 || o.rotate_wait.count() < 0) {
    return Status::InvalidArgument("file source: poll_interval and rotate_wait must not be negative");
  }
  return Status::Ok();
}

}  // namespace sluice
