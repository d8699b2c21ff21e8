// Prometheus names for OTLP metrics, after the OpenTelemetry specification
// "Prometheus and OpenMetrics Compatibility", section "OTLP Metric points to
// Prometheus" (and Prometheus' otlptranslator, which implements it):
//
// Metric name: the OTLP name split into words at every character outside
// [a-zA-Z0-9:] (so runs of them, '_' included, become one '_', none at
// either end); then the unit's word(s) appended unless the name already has
// them, as consecutive words; then `total` for a monotonic sum and `ratio`
// for a gauge whose unit is "1" (any earlier `total`/`ratio` word is moved
// to the end); joined with '_'; a leading digit gets a '_' prefix. E.g.
// "http.server.request.duration" unit "s" -> http_server_request_duration_seconds,
// "requests" unit "{request}" monotonic sum -> requests_total,
// "system.memory.utilization" unit "1" gauge -> system_memory_utilization_ratio.
// The histogram and summary suffixes (_bucket, _sum, _count) come after.
//
// Unit word: the UCUM unit split at the first '/'; each part trimmed,
// dropped when empty or containing '{' or '}' (annotations: "a count of
// foo" is unitless); the first part mapped d h min s ms us ns -> days hours
// minutes seconds milliseconds microseconds nanoseconds, By KiBy MiBy GiBy
// TiBy KBy MBy GBy TBy -> bytes kibibytes ... terabytes, m V A J W g ->
// meters volts amperes joules watts grams, Cel -> celsius, Hz -> hertz,
// % -> percent, 1 -> nothing; the second part prefixed `per_` and mapped
// s m h d w mo y -> second minute hour day week month year; other units are
// kept with characters outside [a-zA-Z0-9:] replaced as in names.
// "By/s" -> bytes_per_second.
//
// Label name: characters outside [a-zA-Z0-9_] replaced with '_', runs of
// '_' collapsed to one, a leading digit prefixed with '_'; "" -> "_".
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

/// The OTLP metric data types, as far as naming cares.
enum class OtlpMetricType { kGauge, kMonotonicSum, kNonMonotonicSum, kHistogram, kExponentialHistogram, kSummary };

/// The Prometheus metric name of an OTLP metric (see the file comment), or
/// "" when the name has no character of [a-zA-Z0-9:] at all.
std::string prometheus_metric_name(std::string_view name, std::string_view unit, OtlpMetricType type);

/// The Prometheus unit words of a UCUM unit, joined with '_' ("" for none):
/// "ms" -> "milliseconds", "By/s" -> "bytes_per_second", "{packet}" -> "".
std::string prometheus_unit(std::string_view unit);

/// An attribute key as a Prometheus label name (see the file comment).
std::string prometheus_label_name(std::string_view key);

/// A float as Prometheus writes it in `le` and `quantile` labels: "+Inf",
/// "-Inf", "NaN", else the shortest text that reads back as the same double,
/// in Go's strconv 'g' form ("0.005", "10", "1e+06", "1.5e-07").
std::string prometheus_float_text(double v);

}  // namespace sluice
