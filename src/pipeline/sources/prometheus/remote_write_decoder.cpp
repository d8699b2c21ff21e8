// The WriteRequest is walked on the wire (protobuf_wire.hpp) rather than
// parsed into the generated classes: errors can then name the byte offset,
// the series and its labels, no string is checked for UTF-8 by the protobuf
// runtime (which would fail the whole request with a log line), and memory
// is charged before samples are built.
#include "pipeline/sources/prometheus/remote_write_decoder.hpp"

#include <climits>
#include <cstdint>

#include "model/utf8.hpp"
#include "pipeline/sources/prometheus/protobuf_wire.hpp"

namespace sluice {
namespace {

using prometheus_wire::for_each_wire_field;
using prometheus_wire::kFixed64;
using prometheus_wire::kLengthDelimited;
using prometheus_wire::kVarint;
using prometheus_wire::WireField;
using prometheus_wire::wrong_wire_type;

constexpr int64_t kMaxTimestampMs = INT64_MAX / 1000000;

size_t key_values_bytes(const KeyValues& kvs) {
  size_t n = kvs.capacity() * sizeof(KeyValues::value_type);
  for (const auto& [k, v] : kvs) n += k.size() + v.size();
  return n;
}

class Decoder {
 public:
  Decoder(const RemoteWriteDecodeOptions& options, DecodedWriteRequest* out) : options_(options), out_(out) {}

  Status decode(std::string_view msg) {
    if (msg.size() > static_cast<size_t>(INT_MAX)) {
      return Status::ResourceExhausted("a WriteRequest is limited to 2 GiB, found " + std::to_string(msg.size()) +
                                       " bytes");
    }
    // Metadata may follow the series on the wire: read it first, keep the series for the second pass.
    std::vector<WireField> series;
    SLUICE_RETURN_IF_ERROR(for_each_wire_field(msg, 0, "WriteRequest", [&](const WireField& f) {
      if (f.number == 1) {
        if (f.type != kLengthDelimited) return wrong_wire_type("WriteRequest", "timeseries", f, kLengthDelimited);
        series.push_back(f);
      } else if (f.number == 3) {
        if (f.type != kLengthDelimited) return wrong_wire_type("WriteRequest", "metadata", f, kLengthDelimited);
        return decode_metadata(f);
      }
      return Status::Ok();
    }));
    out_->series += series.size();
    for (size_t i = 0; i < series.size(); ++i) SLUICE_RETURN_IF_ERROR(decode_series(series[i], i));
    return Status::Ok();
  }

 private:
  Status decode_metadata(const WireField& f) {
    const std::string what = "metadata " + std::to_string(metadata_index_++);
    uint64_t type = 0;
    std::string_view family;
    SLUICE_RETURN_IF_ERROR(for_each_wire_field(f.payload, f.payload_at, what, [&](const WireField& g) {
      switch (g.number) {
        case 1:
          if (g.type != kVarint) return wrong_wire_type(what, "type", g, kVarint);
          type = g.scalar;
          break;
        case 2:
          if (g.type != kLengthDelimited) return wrong_wire_type(what, "metric_family_name", g, kLengthDelimited);
          family = g.payload;
          break;
        case 4:
        case 5:
          if (g.type != kLengthDelimited)
            return wrong_wire_type(what, g.number == 4 ? "help" : "unit", g, kLengthDelimited);
          break;
        default:
          break;
      }
      return Status::Ok();
    }));
    // An unknown type (a newer enum value), an empty or non-UTF-8 family tells nothing: ignored.
    if (type == 0 || type > kPromMetricTypeMax || family.empty() || !is_valid_utf8(family)) return Status::Ok();
    out_->metadata[std::string(family)] = static_cast<PromMetricType>(type);
    return Status::Ok();
  }

  Status decode_label(const WireField& f, const std::string& what) {
    std::string_view name;
    std::string_view value;
    const std::string label_what = what + ", label " + std::to_string(labels_.size());
    SLUICE_RETURN_IF_ERROR(for_each_wire_field(f.payload, f.payload_at, label_what, [&](const WireField& g) {
      if (g.number == 1 || g.number == 2) {
        if (g.type != kLengthDelimited) {
          return wrong_wire_type(label_what, g.number == 1 ? "name" : "value", g, kLengthDelimited);
        }
        (g.number == 1 ? name : value) = g.payload;  // proto3: the last one wins
      }
      return Status::Ok();
    }));
    labels_.emplace_back(std::string(name), std::string(value));
    return Status::Ok();
  }

  Status decode_series(const WireField& f, size_t index) {
    const std::string what = "series " + std::to_string(index);
    labels_.clear();
    samples_.clear();
    SLUICE_RETURN_IF_ERROR(for_each_wire_field(f.payload, f.payload_at, what, [&](const WireField& g) {
      static constexpr const char* kNames[] = {"", "labels", "samples", "exemplars", "histograms"};
      if (g.number < 1 || g.number > 4) return Status::Ok();
      if (g.type != kLengthDelimited) return wrong_wire_type(what, kNames[g.number], g, kLengthDelimited);
      switch (g.number) {
        case 1:
          return decode_label(g, what);
        case 2:
          samples_.push_back(g);
          break;
        case 3:
          ++out_->exemplars;
          break;
        default:
          ++out_->histograms;
          break;
      }
      return Status::Ok();
    }));
    std::string name;
    Status st = normalize_series_labels(labels_, options_.name_validation, &name);
    if (!st.ok()) return Status::InvalidArgument(what + " " + format_label_set(labels_) + ": " + st.message());
    if (samples_.empty()) return Status::Ok();

    KeyValues resource;
    if (const std::string* job = find_key_value(labels_, "job")) resource.emplace_back("service.name", *job);
    if (const std::string* instance = find_key_value(labels_, "instance")) {
      resource.emplace_back("service.instance.id", *instance);
    }
    const MetricKind kind = metric_kind_for(name, labels_, &out_->metadata, options_.remembered);

    const size_t per_sample =
        sizeof(MetricSample) + name.size() + key_values_bytes(labels_) + key_values_bytes(resource);
    if (per_sample * samples_.size() > options_.max_sample_bytes - bytes_) {
      return Status::ResourceExhausted("the decoded samples exceed the limit of " +
                                       std::to_string(options_.max_sample_bytes) + " bytes at " + what);
    }
    bytes_ += per_sample * samples_.size();

    for (size_t i = 0; i < samples_.size(); ++i) {
      MetricSample s;
      SLUICE_RETURN_IF_ERROR(
          decode_sample(samples_[i], &s)
              .with_context(what + " " + name + format_label_set(labels_) + ", sample " + std::to_string(i)));
      s.kind = kind;
      const bool last = i + 1 == samples_.size();
      s.name = last ? std::move(name) : name;
      s.labels = last ? std::move(labels_) : labels_;
      s.resource = last ? std::move(resource) : resource;
      out_->samples.push_back(std::move(s));
    }
    return Status::Ok();
  }

  static Status decode_sample(const WireField& f, MetricSample* s) {
    int64_t ms = 0;
    SLUICE_RETURN_IF_ERROR(for_each_wire_field(f.payload, f.payload_at, "Sample", [&](const WireField& g) {
      if (g.number == 1) {
        if (g.type != kFixed64) return wrong_wire_type("Sample", "value", g, kFixed64);
        s->value = g.as_double();
      } else if (g.number == 2) {
        if (g.type != kVarint) return wrong_wire_type("Sample", "timestamp", g, kVarint);
        ms = static_cast<int64_t>(g.scalar);
      }
      return Status::Ok();
    }));
    if (ms < 1 || ms > kMaxTimestampMs) {
      return Status::InvalidArgument("timestamp " + std::to_string(ms) + " ms (at byte " + std::to_string(f.at) +
                                     ") is outside 1 .. " + std::to_string(kMaxTimestampMs) +
                                     " ms since the Unix epoch");
    }
    s->timestamp_ns = ms * 1000000;
    return Status::Ok();
  }

  const RemoteWriteDecodeOptions& options_;
  DecodedWriteRequest* out_;
  size_t bytes_ = 0;
  size_t metadata_index_ = 0;
  KeyValues labels_;                ///< the current series' labels
  std::vector<WireField> samples_;  ///< the current series' Sample fields
};

}  // namespace

size_t estimated_sample_bytes(const MetricSample& s) {
  return sizeof(MetricSample) + s.name.size() + key_values_bytes(s.labels) + key_values_bytes(s.resource);
}

Status decode_remote_write(std::string_view message, const RemoteWriteDecodeOptions& options,
                           DecodedWriteRequest* out) {
  return Decoder(options, out).decode(message);
}

}  // namespace sluice
