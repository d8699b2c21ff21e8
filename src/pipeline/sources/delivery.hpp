// deliver(): how a network source hands a batch to the pipeline and learns
// when it is durable, so that it acknowledges its client only then
// (ARCHITECTURE.md "Durability and acknowledgements").
#pragma once

#include <chrono>

#include "pipeline/component.hpp"

namespace sluice {

/// Emits `batch` through `ctx` (blocking while queues are full:
/// backpressure) and waits until every sink that receives a copy has
/// released it, or until `timeout` has passed.
///
/// Returns Ok when every copy was written durably (or filtered out);
/// InvalidArgument when a sink rejected it for good (the client must not
/// retry); Unavailable when the pipeline is stopping, a sink gave up, or the
/// time-out passed. After a time-out the batch may still be written later,
/// so a client that retries can store it twice (at-least-once, as with any
/// acknowledged protocol that times out).
///
/// Thread-safety: callable from many connection threads at once.
Status deliver(SourceContext& ctx, LogBatch&& batch, std::chrono::nanoseconds timeout);

}  // namespace sluice
