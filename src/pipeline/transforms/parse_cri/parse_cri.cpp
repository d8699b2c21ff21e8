#include "pipeline/transforms/parse_cri/parse_cri.hpp"

#include <algorithm>

#include "model/timestamp.hpp"
#include "pipeline/transforms/transform_util.hpp"

namespace sluice {
namespace {

/// Longest timestamp accepted ("2016-10-06T00:17:09.669794202+05:30" is 35).
constexpr size_t kMaxTimestampBytes = 40;

std::string quoted_prefix(std::string_view s) {
  constexpr size_t kMax = 32;
  return "\"" + std::string(s.substr(0, kMax)) + (s.size() > kMax ? "...\"" : "\"");
}

LinePiece fail(LogRecord& rec, std::string message) {
  set_parse_error(rec, "parse_cri: " + std::move(message));
  return LinePiece{};
}

}  // namespace

const OptionTable<ParseCriOptions>& parse_cri_option_table() {
  static const OptionTable<ParseCriOptions> table = [] {
    OptionTable<ParseCriOptions> t;
    t.add_duration("partial_timeout", &ParseCriOptions::partial_timeout, "5s", "1ms", "1h",
                   "How long a partial (P) line is held without a new piece before it is emitted on its own, "
                   "with attributes['log.split'].")
        .add_size("max_bytes", &ParseCriOptions::max_bytes, "1MiB", "1KiB", "64MiB",
                  "Largest joined body; a longer line is emitted in parts of at most this size, each with "
                  "attributes['log.split'] = first, middle or last.");
    return t;
  }();
  return table;
}

std::chrono::nanoseconds partial_flush_interval(std::chrono::nanoseconds timeout) {
  return std::clamp<std::chrono::nanoseconds>(timeout / 5, std::chrono::milliseconds(10), std::chrono::seconds(1));
}

ParseCri::ParseCri(const ParseCriOptions& options, PartialJoiner::Clock clock)
    : joiner_(options.partial_timeout, options.max_bytes, std::move(clock)),
      flush_interval_(partial_flush_interval(options.partial_timeout)) {}

LinePiece ParseCri::parse_record(LogRecord& rec) {
  const std::string_view line = rec.body;
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 > kMaxTimestampBytes) {
    return fail(rec, "expected \"<RFC 3339 time> <stdout|stderr> <P|F> <message>\", found " + quoted_prefix(line));
  }
  Result<int64_t> ts = parse_timestamp(line.substr(0, sp1), "rfc3339");
  if (!ts.ok()) return fail(rec, "time at byte 0: " + ts.status().message());
  const size_t stream_at = sp1 + 1;
  const size_t sp2 = line.find(' ', stream_at);
  const std::string_view stream = line.substr(stream_at, sp2 == std::string_view::npos ? sp2 : sp2 - stream_at);
  if (stream != "stdout" && stream != "stderr") {
    return fail(rec, "expected stream stdout or stderr at byte " + std::to_string(stream_at) + ", found " +
                         quoted_prefix(stream));
  }
  if (sp2 == std::string_view::npos) {
    return fail(rec, "expected a log tag (P or F) at byte " + std::to_string(line.size()) + ", found the end");
  }
  const size_t tag_at = sp2 + 1;
  const size_t sp3 = line.find(' ', tag_at);
  const std::string_view tags = line.substr(tag_at, sp3 == std::string_view::npos ? sp3 : sp3 - tag_at);
  const std::string_view tag = tags.substr(0, tags.find(':'));
  if (tag != "P" && tag != "F") {
    return fail(rec, "expected log tag P or F at byte " + std::to_string(tag_at) + ", found " + quoted_prefix(tags));
  }
  LinePiece piece;
  piece.kind = tag == "P" ? LinePiece::Kind::kPartial : LinePiece::Kind::kFinal;
  if (const std::string* path = find_key_value(rec.attributes, "log.file.path")) piece.path = *path;
  piece.key = piece.path;
  piece.key += '\n';
  piece.key += stream;
  rec.timestamp_ns = *ts;
  set_key_value(rec.attributes, "log.iostream", std::string(stream));
  rec.body.erase(0, sp3 == std::string_view::npos ? rec.body.size() : sp3 + 1);
  return piece;
}

void ParseCri::process(LogBatch& batch) { joiner_.process(batch, &ParseCri::parse_record); }

void ParseCri::flush(LogBatch& out, bool final) { joiner_.flush(out, final); }

Result<std::unique_ptr<Transform>> make_parse_cri(const ParseCriOptions& options) {
  if (options.partial_timeout.count() <= 0) return Status::InvalidArgument("parse_cri: partial_timeout must be > 0");
  if (options.max_bytes == 0) return Status::InvalidArgument("parse_cri: max_bytes must be > 0");
  return std::unique_ptr<Transform>(std::make_unique<ParseCri>(options));
}

}  // namespace sluice
