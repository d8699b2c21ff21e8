// The `file` sink: appends each record to a file as a line (NDJSON or the
// body), and with `fsync` syncs before reporting the batch written, so that
// the file is a durable next hop (a source position advances only after).
#pragma once

#include <memory>
#include <string>

#include "common/env.hpp"
#include "config/options.hpp"
#include "pipeline/component.hpp"

namespace sluice {

struct FileSinkOptions {
  std::string path;
  std::string encoding = "ndjson";
  bool fsync = true;
};

const OptionTable<FileSinkOptions>& file_sink_option_table();

/// Owned by the pipeline; write() on the sink's worker thread. The file is
/// opened (created, parent directories too) on the first write and
/// re-opened after an error, so a removed or rotated file is recreated.
/// `env` must outlive the sink.
Result<std::unique_ptr<Sink>> make_file_sink(Env* env, const FileSinkOptions& options);

}  // namespace sluice
