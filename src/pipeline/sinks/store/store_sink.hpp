// The `store` sink: appends batches to a stream of the embedded store, with
// their source positions in the same WAL entry (exactly-once for file
// sources).
#pragma once

#include <memory>
#include <string>

#include "config/options.hpp"
#include "pipeline/component.hpp"
#include "store/store.hpp"

namespace sluice {

struct StoreSinkOptions {
  std::string stream;
};

const OptionTable<StoreSinkOptions>& store_sink_option_table();

/// `store` must outlive the sink. The stream is created when missing; with
/// an empty `options.stream` each batch goes to the stream it names. The
/// sink takes up to 16 queued batches at once (Sink::write_group) and
/// appends each stream's run of them as one group commit.
Result<std::unique_ptr<Sink>> make_store_sink(Store* store, const StoreSinkOptions& options);

}  // namespace sluice
