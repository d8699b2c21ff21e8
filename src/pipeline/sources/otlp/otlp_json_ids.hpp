// OTLP/JSON trace and span ids vs protobuf's JSON mapping.
//
// The OTLP specification ("JSON Protobuf Encoding") carries `traceId` and
// `spanId` as hex strings, where the standard protobuf JSON mapping, and so
// protobuf's JSON parser, expects base64 for `bytes` fields. Before the
// parser runs, every string value of an object key `traceId`, `spanId`,
// `trace_id` or `span_id` (or a span's `parentSpanId` / `parent_span_id`)
// is replaced by the base64 of its raw text, so the parsed `bytes` field
// holds the hex text exactly as sent; the decoder then checks and decodes it
// per record (a bad id rejects only its record).
//
// The walk is lexical: it tracks strings (with escapes) and the ':' after a
// key, not the document structure, so it also rewrites such keys inside
// unknown fields (which the parser then ignores). Keys written with escapes
// are left alone. Text that is not valid JSON is copied unchanged for the
// parser to report.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

/// `json` with the id values rewritten as above; the output is at most
/// 4/3 the size of the input plus 4 bytes per id.
std::string rewrite_otlp_json_ids(std::string_view json);

}  // namespace sluice
