// The `stdout` sink: writes each record to the process's standard output,
// for debugging pipelines (Vector's `console`, Fluent Bit's `stdout`).
#pragma once

#include <memory>
#include <string>

#include "config/options.hpp"
#include "pipeline/component.hpp"

namespace sluice {

struct StdoutSinkOptions {
  std::string encoding = "ndjson";
};

const OptionTable<StdoutSinkOptions>& stdout_sink_option_table();

/// Owned by the pipeline; write() on the sink's worker thread. Writes are
/// serialized by a process-wide lock so that two stdout sinks never
/// interleave within a line.
Result<std::unique_ptr<Sink>> make_stdout_sink(const StdoutSinkOptions& options);

}  // namespace sluice
