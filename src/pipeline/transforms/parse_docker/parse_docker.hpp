// parse_docker: parses the lines of Docker's json-file logging driver
// (/var/lib/docker/containers/<id>/<id>-json.log):
//
//   {"log":"GET / 200\n","stream":"stdout","time":"2019-04-30T12:00:00.123456789Z"}
//
// body = "log" without its final "\n" (and a '\r' before it),
// attributes["log.iostream"] = "stream" (OpenTelemetry semantic
// convention), timestamp = "time" (RFC 3339). Any other member (the
// "attrs" object that --log-opt labels/env/tag adds) is flattened into
// attributes as parse_json does ("attrs.tag").
//
// Docker splits a line longer than 16 KiB into several entries; all but the
// last lack the final "\n". Those partial entries are joined like CRI P
// lines (partial_joiner.hpp): held across batches per file
// (attributes["log.file.path"]) and stream until the entry that ends with
// "\n", emitted on their own after partial_timeout without a new piece or
// at max_bytes, with attributes["log.split"] = first / middle / last. The
// last line of a container that exited without a newline is therefore
// emitted after partial_timeout.
//
// A line that is not such an object keeps its body and gets
// attributes["parse.error"], e.g. "parse_docker: expected a JSON object at
// byte 0, found 'h'" or "parse_docker: expected a \"log\" member"; a
// "time" that does not parse sets parse.error and the rest is still used.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "config/options.hpp"
#include "model/json_records.hpp"
#include "pipeline/component.hpp"
#include "pipeline/transforms/parse_cri/partial_joiner.hpp"

namespace sluice {

/// Configuration of one parse_docker transform ([transforms.<name>] with
/// type = "parse_docker").
struct ParseDockerOptions {
  /// How long a partial line is held without a new piece before it is
  /// emitted on its own.
  std::chrono::nanoseconds partial_timeout = std::chrono::seconds(5);
  /// Largest joined body; beyond it the held part is emitted with log.split.
  uint64_t max_bytes = 1 << 20;
};

/// The option table: partial_timeout, max_bytes (plus "type", "inputs").
const OptionTable<ParseDockerOptions>& parse_docker_option_table();

/// The transform. Built by make_parse_docker; owned by the pipeline;
/// process() and flush() are called by one thread at a time (it reuses a
/// JSON parser).
class ParseDocker final : public Transform {
 public:
  /// `clock` (monotonic ns) is for tests; empty = steady_clock.
  explicit ParseDocker(const ParseDockerOptions& options, PartialJoiner::Clock clock = {});

  void process(LogBatch& batch) override;
  std::chrono::nanoseconds flush_interval() const override { return flush_interval_; }
  void flush(LogBatch& out, bool final) override;

  /// Parses one json-file line in place and says whether it is a partial
  /// or final piece; kOther with parse.error set when it is not one.
  LinePiece parse_record(LogRecord& rec);

  const PartialJoiner& joiner() const { return joiner_; }

 private:
  PartialJoiner joiner_;
  std::chrono::nanoseconds flush_interval_;
  JsonObjectParser json_;
  KeyValues fields_;  // reused
};

/// Builds a parse_docker transform. InvalidArgument names the bad option.
Result<std::unique_ptr<Transform>> make_parse_docker(const ParseDockerOptions& options);

}  // namespace sluice
