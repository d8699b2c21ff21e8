// Parser of Elasticsearch _bulk request bodies (Bulk API reference: "POST
// /_bulk", NDJSON of action/metadata lines, each index/create/update action
// followed by its source line, '\n'-separated).
//
// Accepted actions:
//   {"index":{"_index":"logs","_id":"1"}}   then the document
//   {"create":{...}}                         then the document
// Refused per item (sluice streams are append-only), the request goes on:
//   {"delete":{...}}                         no source line
//   {"update":{...}}                         its source line is skipped
// Other metadata (routing, pipeline, require_alias, if_seq_no, ...) is
// ignored. Blank lines between items are skipped; a final line without '\n'
// is accepted; a trailing '\r' is ignored.
//
// A document becomes a LogRecord: its JSON object is flattened into
// attributes (model/json_records.hpp: nested objects joined with dots,
// "http.request.method"; arrays as their JSON text; numbers as written;
// null dropped); `message_field` moves to body; `timestamp_field` moves to
// timestamp_ns when it parses (RFC 3339, or epoch milliseconds as a number
// or a string of digits, a fraction allowed), otherwise it stays an
// attribute and the timestamp is left unknown (0). A document that is not a
// JSON object is a per-item error (400 document_parsing_exception), as in
// Elasticsearch.
//
// Errors for the whole request (400 in Elasticsearch's format): an action
// line that is not one JSON object with exactly one of the four actions, a
// metadata value of the wrong type, or a missing source line; the message
// names the 1-based line. ResourceExhausted when the records would take more
// than `max_record_bytes` (estimated as in loki's push decoder).
//
// Thread-safety: a BulkParser holds reusable parse buffers; one thread at a
// time (one per request).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

enum class BulkAction { kIndex, kCreate, kUpdate, kDelete };

/// "index", "create", "update" or "delete" (the key of the response item).
const char* bulk_action_name(BulkAction a);

/// One action of a _bulk request and what became of it.
struct BulkItem {
  BulkAction action = BulkAction::kIndex;
  size_t line = 0;    ///< 1-based line of the action in the body
  std::string index;  ///< the action's _index, else the request path's; may be empty
  std::string id;     ///< the action's _id; "" until the source generates one
  /// 0 while accepted (`record` holds the document); otherwise the item's
  /// HTTP status, with an Elasticsearch exception type and reason.
  int status = 0;
  std::string error_type;
  std::string error_reason;
  LogRecord record;
};

struct BulkParseOptions {
  std::string path_index;                      ///< {index} of POST /{index}/_bulk, or ""
  std::string message_field = "message";       ///< flattened key that becomes the body
  std::string timestamp_field = "@timestamp";  ///< flattened key that becomes timestamp_ns
  size_t max_record_bytes = 512ULL << 20;      ///< memory cap of the decoded records
};

class BulkParser {
 public:
  BulkParser();
  ~BulkParser();
  BulkParser(const BulkParser&) = delete;
  BulkParser& operator=(const BulkParser&) = delete;

  /// Parses `body`; the items in request order.
  Result<std::vector<BulkItem>> parse(std::string_view body, const BulkParseOptions& options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
