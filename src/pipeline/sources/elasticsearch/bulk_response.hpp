// Elasticsearch-format answers of the elasticsearch source: the _bulk
// response (Bulk API reference, "Response body") and the error body every
// Elasticsearch endpoint uses.
//
// Thread-safety: pure functions, except generate_document_id (a
// thread-local random generator).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/sources/elasticsearch/bulk_parser.hpp"

namespace sluice {

/// {"took":<took_ms>,"errors":<any item failed>,"items":[...]} with one item
/// per action in request order, keyed by the action name. An accepted item
/// (status 0 in BulkItem) is answered as Elasticsearch answers a new
/// document: {"_index","_id","_version":1,"result":"created","_shards":
/// {"total":1,"successful":1,"failed":0},"_seq_no","_primary_term":1,
/// "status":201}; accepted items get _seq_no first_seq_no, first_seq_no+1,
/// ... in order. A failed item is {"_index","_id","status","error":{"type",
/// "reason","index"}}.
std::string encode_bulk_response(const std::vector<BulkItem>& items, int64_t took_ms, uint64_t first_seq_no);

/// {"error":{"root_cause":[{"type","reason"}],"type","reason"},"status"}.
std::string es_error_body(int status, std::string_view type, std::string_view reason);

/// A random 20-character URL-safe base64 id, the shape of the ids
/// Elasticsearch generates.
std::string generate_document_id();

}  // namespace sluice
