// libFuzzer target: the journal entry mapping and the cursor parser, on
// arbitrary bytes. Journal files can come from other hosts
// (systemd-journal-remote), so field data and cursors are untrusted:
// neither may crash, hang or grow without bound.
//
// Input: NUL-separated fields ("NAME=value", any bytes); the first field is
// also parsed as a cursor.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pipeline/sources/journald/journal_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  sluice::JournalRecordBuilder builder(/*max_entry_bytes=*/4096);
  size_t pos = 0;
  bool first = true;
  while (pos <= in.size()) {
    size_t end = in.find('\0', pos);
    if (end == std::string_view::npos) end = in.size();
    std::string_view field = in.substr(pos, end - pos);
    if (first) {
      auto cursor = sluice::parse_journal_cursor(field);
      if (cursor.ok()) {
        // A parsed cursor must print back to something that parses the same.
        auto again = sluice::parse_journal_cursor(sluice::journal_sequence_cursor(*cursor));
        if (!again.ok() || !(*again == *cursor)) __builtin_trap();
      }
      first = false;
    }
    builder.add_field(field);
    pos = end + 1;
  }
  sluice::LogRecord r = builder.finish(static_cast<uint64_t>(size) * 1000003u, in.substr(0, 64), 1);
  size_t value_bytes = 0;
  for (const auto& [k, v] : r.attributes) value_bytes += v.size();
  for (const auto& [k, v] : r.resource) value_bytes += v.size();
  // The entry cap holds (the cursor and the dropped-fields counter aside);
  // repairing invalid UTF-8 may triple a value (one byte -> U+FFFD).
  if (value_bytes > 3 * 4096 + 3 * 64 + 32) __builtin_trap();
  return 0;
}
