// decode_remote_write: a Prometheus remote_write 1.0 WriteRequest
// (proto/prometheus/remote.proto, already Snappy-decompressed) into metric
// samples (Prometheus Remote-Write 1.0 specification, "Protocol" and
// "Labels"; docs/protocols/prometheus.md "Mapping").
//
// Each float sample of each TimeSeries becomes one MetricSample:
//   __name__            -> name
//   other labels        -> labels (sorted by name, see series_labels.hpp)
//   job, instance       -> also resource service.name, service.instance.id
//                          (OpenTelemetry "Prometheus and OpenMetrics
//                          Compatibility": Prometheus job/instance)
//   timestamp (ms)      -> timestamp_ns
//   value               -> value (NaN staleness markers kept bit for bit)
//   kind                -> metric_kind_rules.hpp, from the request's
//                          MetricMetadata and `remembered` types
// Native histograms (TimeSeries.histograms) and exemplars are counted and
// skipped. A request is decoded completely or not at all.
//
// Thread-safety: free function; `remembered` must not change during the call.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "model/metric_sample.hpp"
#include "pipeline/sources/prometheus/metric_kind_rules.hpp"
#include "pipeline/sources/prometheus/series_labels.hpp"

namespace sluice {

struct RemoteWriteDecodeOptions {
  NameValidation name_validation = NameValidation::kUtf8;
  /// Memory the decoded samples may take (estimated: each sample holds a
  /// copy of its series' labels); ResourceExhausted past it.
  size_t max_sample_bytes = 64ULL << 20;
  /// Family types learned from earlier requests (may be null).
  const MetricTypes* remembered = nullptr;
};

struct DecodedWriteRequest {
  std::vector<MetricSample> samples;
  /// The request's MetricMetadata entries with a family name and a known
  /// type (the last one wins per family), for the caller to remember.
  MetricTypes metadata;
  size_t series = 0;      ///< TimeSeries messages
  size_t histograms = 0;  ///< native histogram samples skipped
  size_t exemplars = 0;   ///< exemplars skipped
};

/// Decodes `message` into `*out` (appending samples). Errors:
/// InvalidArgument for malformed protobuf (naming the message and byte
/// offset), a series whose labels break the rules of series_labels.hpp, or
/// a sample timestamp outside 1 .. 9223372036854 ms (naming the series
/// index, its labels and the sample index); ResourceExhausted when the
/// samples would take more than max_sample_bytes.
Status decode_remote_write(std::string_view message, const RemoteWriteDecodeOptions& options, DecodedWriteRequest* out);

/// The memory one sample takes, as charged against max_sample_bytes.
size_t estimated_sample_bytes(const MetricSample& s);

}  // namespace sluice
