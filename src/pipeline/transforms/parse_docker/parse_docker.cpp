#include "pipeline/transforms/parse_docker/parse_docker.hpp"

#include "model/timestamp.hpp"
#include "pipeline/transforms/parse_cri/parse_cri.hpp"
#include "pipeline/transforms/transform_util.hpp"

namespace sluice {

const OptionTable<ParseDockerOptions>& parse_docker_option_table() {
  static const OptionTable<ParseDockerOptions> table = [] {
    OptionTable<ParseDockerOptions> t;
    t.add_duration("partial_timeout", &ParseDockerOptions::partial_timeout, "5s", "1ms", "1h",
                   "How long a partial line (a \"log\" without the final \\n) is held without a new piece before "
                   "it is emitted on its own, with attributes['log.split'].")
        .add_size("max_bytes", &ParseDockerOptions::max_bytes, "1MiB", "1KiB", "64MiB",
                  "Largest joined body; a longer line is emitted in parts of at most this size, each with "
                  "attributes['log.split'] = first, middle or last.");
    return t;
  }();
  return table;
}

ParseDocker::ParseDocker(const ParseDockerOptions& options, PartialJoiner::Clock clock)
    : joiner_(options.partial_timeout, options.max_bytes, std::move(clock)),
      flush_interval_(partial_flush_interval(options.partial_timeout)) {}

LinePiece ParseDocker::parse_record(LogRecord& rec) {
  fields_.clear();
  Status st = json_.flatten_object(rec.body, fields_);
  if (!st.ok()) {
    set_parse_error(rec, "parse_docker: " + st.message());
    return LinePiece{};
  }
  std::string log, stream, time;
  bool have_log = false, have_time = false;
  KeyValues rest;
  for (auto& [k, v] : fields_) {
    if (k == "log") {
      log = std::move(v);
      have_log = true;
    } else if (k == "stream") {
      stream = std::move(v);
    } else if (k == "time") {
      time = std::move(v);
      have_time = true;
    } else {
      rest.emplace_back(std::move(k), std::move(v));
    }
  }
  fields_.clear();
  if (!have_log) {
    set_parse_error(rec, "parse_docker: expected a \"log\" member");
    return LinePiece{};
  }
  LinePiece piece;
  if (!log.empty() && log.back() == '\n') {
    log.pop_back();
    if (!log.empty() && log.back() == '\r') log.pop_back();
    piece.kind = LinePiece::Kind::kFinal;
  } else {
    piece.kind = LinePiece::Kind::kPartial;
  }
  if (have_time) {
    Result<int64_t> ts = parse_timestamp(time, "rfc3339");
    if (ts.ok()) {
      rec.timestamp_ns = *ts;
    } else {
      set_parse_error(rec, "parse_docker: member \"time\": " + ts.status().message());
    }
  }
  merge_key_values(rec.attributes, std::move(rest));
  if (!stream.empty()) set_key_value(rec.attributes, "log.iostream", stream);
  if (const std::string* path = find_key_value(rec.attributes, "log.file.path")) piece.path = *path;
  piece.key = piece.path;
  piece.key += '\n';
  piece.key += stream;
  rec.body = std::move(log);
  return piece;
}

void ParseDocker::process(LogBatch& batch) {
  joiner_.process(batch, [this](LogRecord& rec) { return parse_record(rec); });
}

void ParseDocker::flush(LogBatch& out, bool final) { joiner_.flush(out, final); }

Result<std::unique_ptr<Transform>> make_parse_docker(const ParseDockerOptions& options) {
  if (options.partial_timeout.count() <= 0) {
    return Status::InvalidArgument("parse_docker: partial_timeout must be > 0");
  }
  if (options.max_bytes == 0) return Status::InvalidArgument("parse_docker: max_bytes must be > 0");
  return std::unique_ptr<Transform>(std::make_unique<ParseDocker>(options));
}

}  // namespace sluice
