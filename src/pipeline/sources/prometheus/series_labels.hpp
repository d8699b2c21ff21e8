// The rules a remote_write series' label set must follow (Prometheus
// Remote-Write 1.0 specification, "Labels"), and how sluice applies them:
// what it rejects (the whole request gets 400) and what it repairs.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <string>
#include <string_view>

#include "common/status.hpp"
#include "model/log_record.hpp"

namespace sluice {

/// Which label and metric names are accepted (Prometheus'
/// `metric_name_validation_scheme` values).
enum class NameValidation {
  kUtf8,    ///< any non-empty valid UTF-8 (Prometheus 3)
  kLegacy,  ///< labels [a-zA-Z_][a-zA-Z0-9_]*, metric names [a-zA-Z_:][a-zA-Z0-9_:]* (remote_write 1.0)
};

/// True when `name` is a legacy label name, [a-zA-Z_][a-zA-Z0-9_]*.
bool legacy_label_name(std::string_view name);
/// True when `name` is a legacy metric name, [a-zA-Z_:][a-zA-Z0-9_:]*.
bool legacy_metric_name(std::string_view name);

/// Checks and normalizes the labels of one series, in place, and moves the
/// value of `__name__` into `*metric_name` (removing that label).
///
///  - rejected (InvalidArgument naming the label): an empty name, a name
///    that is not valid UTF-8, a name outside the legacy syntax under
///    kLegacy, a name that appears twice, no (or an empty) `__name__`, a
///    metric name outside the legacy syntax under kLegacy;
///  - repaired: invalid UTF-8 in a value (U+FFFD per maximal subpart);
///    labels not sorted by name (sorted, byte order); a label with an empty
///    value is dropped (Prometheus treats it as absent).
Status normalize_series_labels(KeyValues& labels, NameValidation validation, std::string* metric_name);

/// `{name="value", ...}` for error messages: values escaped as in the
/// Prometheus text format, invalid UTF-8 repaired, cut after about
/// `max_bytes` with "...".
std::string format_label_set(const KeyValues& labels, size_t max_bytes = 256);

}  // namespace sluice
