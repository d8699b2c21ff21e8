#include "pipeline/sources/journald/journal_entry.hpp"

#include <array>
#include <cstdint>
#include <utility>

#include "model/utf8.hpp"
#include "pipeline/transforms/parse_syslog/syslog_message.hpp"

namespace sluice {

namespace {

enum class Target { kAttribute, kResource };

struct Mapped {
  std::string_view field;
  std::string_view key;
  Target target;
};

// Journal fields with a name of their own in sluice's schema.
constexpr std::array<Mapped, 13> kMapped = {{
    {"_PID", "process.pid", Target::kAttribute},
    {"_COMM", "process.executable.name", Target::kAttribute},
    {"_EXE", "process.executable.path", Target::kAttribute},
    {"_CMDLINE", "process.command_line", Target::kAttribute},
    {"_UID", "process.user.id", Target::kAttribute},
    {"CODE_FILE", "code.file.path", Target::kAttribute},
    {"CODE_LINE", "code.line.number", Target::kAttribute},
    {"CODE_FUNC", "code.function.name", Target::kAttribute},
    {"SYSLOG_IDENTIFIER", "syslog.app_name", Target::kAttribute},
    {"SYSLOG_PID", "syslog.procid", Target::kAttribute},
    {"SYSLOG_FACILITY", "syslog.facility", Target::kAttribute},
    {"_HOSTNAME", "host.name", Target::kResource},
    {"_MACHINE_ID", "host.id", Target::kResource},
}};

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string hex_u64(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (v == 0) return "0";
  std::string out;
  while (v > 0) {
    out.insert(out.begin(), kDigits[v & 0xf]);
    v >>= 4;
  }
  return out;
}

}  // namespace

Result<JournalSeqnum> parse_journal_cursor(std::string_view cursor) {
  JournalSeqnum out;
  bool have_id = false, have_seqnum = false;
  size_t pos = 0;
  while (pos < cursor.size()) {
    size_t end = cursor.find(';', pos);
    if (end == std::string_view::npos) end = cursor.size();
    std::string_view item = cursor.substr(pos, end - pos);
    if (item.size() >= 2 && item[1] == '=') {
      std::string_view value = item.substr(2);
      if (item[0] == 's') {
        if (value.size() != 32) {
          return Status::InvalidArgument("journal cursor: expected 32 hex digits after \"s=\" at byte " +
                                         std::to_string(pos + 2) + ", found " + std::to_string(value.size()) +
                                         " characters");
        }
        out.seqnum_id.clear();
        for (size_t i = 0; i < value.size(); ++i) {
          char c = value[i];
          if (!is_hex(c)) {
            return Status::InvalidArgument("journal cursor: expected a hex digit at byte " +
                                           std::to_string(pos + 2 + i));
          }
          out.seqnum_id.push_back(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
        }
        have_id = true;
      } else if (item[0] == 'i') {
        if (value.empty() || value.size() > 16) {
          return Status::InvalidArgument("journal cursor: expected 1 to 16 hex digits after \"i=\" at byte " +
                                         std::to_string(pos + 2));
        }
        uint64_t v = 0;
        for (size_t i = 0; i < value.size(); ++i) {
          char c = value[i];
          if (!is_hex(c)) {
            return Status::InvalidArgument("journal cursor: expected a hex digit at byte " +
                                           std::to_string(pos + 2 + i));
          }
          int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
          v = (v << 4) | static_cast<uint64_t>(d);
        }
        out.seqnum = v;
        have_seqnum = true;
      }
    }
    pos = end + 1;
  }
  if (!have_id || !have_seqnum) {
    return Status::InvalidArgument(std::string("journal cursor: expected \"") + (have_id ? "i=" : "s=") +
                                   "\" field, found none in " + std::to_string(cursor.size()) + " bytes");
  }
  return out;
}

std::string journal_sequence_cursor(const JournalSeqnum& at) {
  return "s=" + at.seqnum_id + ";i=" + hex_u64(at.seqnum);
}

void JournalRecordBuilder::reset() {
  rec_ = LogRecord{};
  bytes_ = 0;
  dropped_ = 0;
}

void JournalRecordBuilder::add_field(std::string_view data) {
  size_t eq = data.find('=');
  if (eq == std::string_view::npos || eq == 0) return;
  std::string_view name = data.substr(0, eq);
  std::string_view value = data.substr(eq + 1);
  if (name == "MESSAGE") {
    rec_.body.assign(value.data(), value.size());
    make_valid_utf8(rec_.body);
    return;
  }
  if (name == "PRIORITY" && value.size() == 1 && value[0] >= '0' && value[0] <= '7') {
    int severity = value[0] - '0';
    rec_.severity_number = syslog_severity_number(severity);
    rec_.severity_text = std::string(syslog_severity_keyword(severity));
    return;
  }
  if (bytes_ + data.size() > max_entry_bytes_) {
    ++dropped_;
    return;
  }
  bytes_ += data.size();
  std::string v(value);
  make_valid_utf8(v);
  for (const Mapped& m : kMapped) {
    if (m.field == name) {
      set_key_value(m.target == Target::kResource ? rec_.resource : rec_.attributes, m.key, std::move(v));
      return;
    }
  }
  std::string key = "journald.";
  key.append(name.data(), name.size());
  make_valid_utf8(key);
  set_key_value(rec_.attributes, key, std::move(v));
}

LogRecord JournalRecordBuilder::finish(uint64_t realtime_usec, std::string_view cursor, int64_t observed_ns) {
  // A time past year 2262 does not fit in ns; such an entry is damaged: 0 = unknown.
  constexpr uint64_t kMaxUsec = static_cast<uint64_t>(INT64_MAX) / 1000;
  rec_.timestamp_ns = realtime_usec <= kMaxUsec ? static_cast<int64_t>(realtime_usec * 1000) : 0;
  rec_.observed_timestamp_ns = observed_ns;
  if (!cursor.empty()) {
    std::string c(cursor);
    make_valid_utf8(c);
    set_key_value(rec_.attributes, "journald.__CURSOR", std::move(c));
  }
  if (dropped_ > 0) set_key_value(rec_.attributes, "journald.dropped_fields", std::to_string(dropped_));
  LogRecord out = std::move(rec_);
  reset();
  return out;
}

}  // namespace sluice
