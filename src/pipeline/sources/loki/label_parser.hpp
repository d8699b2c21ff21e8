// Parser for the label set of a Loki push stream (StreamAdapter.labels in the
// protobuf push request): Prometheus label-set syntax as Promtail, Grafana
// Alloy and Loki's own clients write it,
//
//   {job="varlogs", host="a", msg="say \"hi\"\n"}
//
// Grammar (whitespace = space, tab, '\r', '\n', allowed between tokens):
//   set    = '{' [ pair *( ',' pair ) [ ',' ] ] '}'
//   pair   = name '=' quoted
//   name   = [a-zA-Z_][a-zA-Z0-9_]*  |  quoted   (Prometheus 3 UTF-8 names)
//   quoted = '"' *( char | escape ) '"'
// A raw line feed inside a quoted string is an error. Escapes are the ones Go's
// strconv.Quote writes (Prometheus formats label values with it):
//   \\ \" \' \n \t \r \a \b \f \v, \xHH (one byte), \uHHHH and \UHHHHHHHH
//   (a Unicode scalar value, written as UTF-8).
// A label name may appear once; a label with an empty value is dropped (in
// Prometheus and Loki an empty value means the label is absent).
//
// Errors: InvalidArgument "expected <what> at byte <n>, found <char or end of
// text>" or "duplicate label name \"<name>\" at byte <n>"; byte offsets are
// 0-based into `text`.
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

/// Parses `text` as a label set; pairs in the order written.
Result<KeyValues> parse_label_set(std::string_view text);

}  // namespace sluice
