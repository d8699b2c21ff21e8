// Mapping of one Fluent Forward event to a LogRecord (docs/protocols/fluent.md):
//
// - timestamp_ns: the event time (0, "unknown", when the client sent nil or
//   0; the store then uses the arrival time);
// - body: the first of `body_keys` (default "message", "log") present in the
//   record, as text; removed from the fields;
// - severity_text / severity_number: the first of `severity_keys` (default
//   "level", "severity") present, through severity_number_from_text();
//   removed from the fields;
// - attributes: `fluent.tag` = the tag, then every other record field as
//   text (strings as they are, other values as JSON text), then Fluent Bit
//   entry metadata as `fluent.metadata.<key>`.
//
// Thread-safety: free function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/log_record.hpp"
#include "pipeline/sources/fluent/forward_message.hpp"

namespace sluice {

struct FluentRecordMapping {
  std::vector<std::string> body_keys = {"message", "log"};
  std::vector<std::string> severity_keys = {"level", "severity"};
};

/// Builds the record for `event` (consumed) of a message tagged `tag`,
/// received at `observed_ns` (ns since the epoch).
LogRecord fluent_log_record(std::string_view tag, ForwardEvent&& event, const FluentRecordMapping& mapping,
                            int64_t observed_ns);

}  // namespace sluice
