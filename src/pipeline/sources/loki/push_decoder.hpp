// Decoders of Loki push requests (POST /loki/api/v1/push) into LogRecords.
//
// Two encodings, both documented in Loki's HTTP API reference ("Ingest logs"):
//   - protobuf: a logproto.PushRequest (proto/logproto/push.proto), already
//     Snappy-decompressed by the caller;
//   - JSON: {"streams":[{"stream":{"<label>":"<value>",...},
//            "values":[["<unix ns>","<line>",{"<key>":"<value>",...}],...]}]}
//     (the third element, structured metadata, is optional; the timestamp is
//     a string of decimal digits, an integer JSON number is accepted too).
//
// Mapping of every entry to one LogRecord:
//   labels            -> resource (in the order written; empty values dropped)
//   label service_name, else service.name -> service_name
//   entry line        -> body
// Protobuf text is not checked for UTF-8 by Loki's clients or by Loki;
// invalid sequences in lines, labels and metadata become U+FFFD here (the
// store and its query answers hold text). JSON bodies must be valid UTF-8.
//   entry timestamp   -> timestamp_ns (0 when the entry has none)
//   structured metadata -> attributes
// Other fields (observed time, the tenant) are the caller's.
//
// Limits: the decoded records may take at most `max_record_bytes` of memory
// (estimated as estimated_record_bytes() summed; labels are copied into every
// record of their stream, so a small body can expand a lot), otherwise
// ResourceExhausted. The protobuf decoder walks the request and its streams
// on the wire and parses one entry at a time, so it holds no more than the
// records it returns.
//
// Errors: InvalidArgument naming the place, e.g. "stream 1, entry 4:
// timestamp nanos 1000000000 is outside [0, 999999999]", "stream 0: labels:
// expected '=' after label name \"job\" at byte 4, found ':'", "invalid JSON at
// byte 17: ...". Stream and entry indexes are 0-based. On error `out` may hold
// part of the records; the caller drops them (a request is stored whole or
// not at all).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "model/log_record.hpp"
#include "model/utf8.hpp"

namespace sluice {

/// Decodes a serialized logproto.PushRequest, appending to `*out`.
Status decode_loki_push_protobuf(std::string_view message, size_t max_record_bytes, std::vector<LogRecord>* out);

/// Decodes a JSON push body, appending to `*out`.
Status decode_loki_push_json(std::string_view json, size_t max_record_bytes, std::vector<LogRecord>* out);

/// Approximate heap and inline bytes of `r` (the limit's unit).
size_t estimated_record_bytes(const LogRecord& r);

/// Removes repeated keys from `kvs`: each key keeps the position of its
/// first occurrence and the value of its last. O(n) expected.
void keep_last_values(KeyValues& kvs);

/// Sets r.resource to `labels` and r.service_name from the `service_name` or
/// `service.name` label.
void apply_loki_labels(const KeyValues& labels, LogRecord* r);

}  // namespace sluice
