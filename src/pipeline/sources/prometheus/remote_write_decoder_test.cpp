#include "pipeline/sources/prometheus/remote_write_decoder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "prometheus/remote.pb.h"

namespace sluice {
namespace {

/// A request with one series per entry: (labels, [(ms, value)]).
using SeriesSpec = std::pair<KeyValues, std::vector<std::pair<int64_t, double>>>;

prometheus::WriteRequest request(const std::vector<SeriesSpec>& series) {
  prometheus::WriteRequest req;
  for (const auto& [labels, samples] : series) {
    auto* ts = req.add_timeseries();
    for (const auto& [k, v] : labels) {
      auto* l = ts->add_labels();
      l->set_name(k);
      l->set_value(v);
    }
    for (const auto& [ms, value] : samples) {
      auto* s = ts->add_samples();
      s->set_timestamp(ms);
      s->set_value(value);
    }
  }
  return req;
}

Status decode(const std::string& bytes, DecodedWriteRequest* out, RemoteWriteDecodeOptions o = {}) {
  return decode_remote_write(bytes, o, out);
}

/// The error message of decoding `bytes` (which must fail).
std::string error_of(const std::string& bytes, RemoteWriteDecodeOptions o = {}) {
  DecodedWriteRequest out;
  Status st = decode(bytes, &out, o);
  EXPECT_FALSE(st.ok());
  return st.message();
}

double stale_nan() {
  uint64_t bits = 0x7ff0000000000002ULL;  // Prometheus' staleness marker
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

TEST(RemoteWriteDecoderTest, GoodRequest) {
  auto req = request({
      {{{"__name__", "http_requests_total"}, {"code", "200"}, {"instance", "web:80"}, {"job", "api"}},
       {{1700000000123, 5}, {1700000001123, 7.5}}},
      {{{"__name__", "up"}, {"job", "api"}}, {{1700000000000, stale_nan()}}},
  });
  DecodedWriteRequest out;
  ASSERT_TRUE(decode(req.SerializeAsString(), &out).ok());
  EXPECT_EQ(out.series, 2u);
  ASSERT_EQ(out.samples.size(), 3u);
  const MetricSample& a = out.samples[0];
  EXPECT_EQ(a.name, "http_requests_total");
  EXPECT_EQ(a.labels, (KeyValues{{"code", "200"}, {"instance", "web:80"}, {"job", "api"}}));
  EXPECT_EQ(a.resource, (KeyValues{{"service.name", "api"}, {"service.instance.id", "web:80"}}));
  EXPECT_EQ(a.timestamp_ns, 1700000000123000000);
  EXPECT_EQ(a.value, 5);
  EXPECT_EQ(a.kind, MetricKind::kCounter);
  EXPECT_EQ(out.samples[1].timestamp_ns, 1700000001123000000);
  EXPECT_EQ(out.samples[1].value, 7.5);
  EXPECT_EQ(out.samples[1].labels, a.labels);
  const MetricSample& up = out.samples[2];
  EXPECT_EQ(up.name, "up");
  EXPECT_EQ(up.kind, MetricKind::kUnknown);
  EXPECT_EQ(up.resource, (KeyValues{{"service.name", "api"}}));
  uint64_t bits;
  std::memcpy(&bits, &up.value, sizeof bits);
  EXPECT_EQ(bits, 0x7ff0000000000002ULL);  // the staleness marker, bit for bit
}

TEST(RemoteWriteDecoderTest, EmptyRequestAndSeriesWithoutSamples) {
  DecodedWriteRequest out;
  ASSERT_TRUE(decode("", &out).ok());
  EXPECT_TRUE(out.samples.empty());
  auto req = request({{{{"__name__", "m"}}, {}}});
  ASSERT_TRUE(decode(req.SerializeAsString(), &out).ok());
  EXPECT_EQ(out.series, 1u);
  EXPECT_TRUE(out.samples.empty());
}

TEST(RemoteWriteDecoderTest, MetadataSetsKindsEvenWhenItFollowsTheSeries) {
  auto req = request({
      {{{"__name__", "temp_celsius"}}, {{1, 20}}},
      {{{"__name__", "lat_seconds_bucket"}, {"le", "+Inf"}}, {{1, 3}}},
      {{{"__name__", "lat_seconds_sum"}}, {{1, 0.5}}},
      {{{"__name__", "rpc_seconds"}, {"quantile", "0.99"}}, {{1, 0.2}}},
      {{{"__name__", "rpc_seconds_count"}}, {{1, 9}}},
  });
  auto add = [&](const char* family, prometheus::MetricMetadata::MetricType t) {
    auto* m = req.add_metadata();
    m->set_metric_family_name(family);
    m->set_type(t);
    m->set_help("help text");
  };
  add("temp_celsius", prometheus::MetricMetadata::GAUGE);
  add("lat_seconds", prometheus::MetricMetadata::HISTOGRAM);
  add("rpc_seconds", prometheus::MetricMetadata::SUMMARY);
  DecodedWriteRequest out;
  ASSERT_TRUE(decode(req.SerializeAsString(), &out).ok());
  ASSERT_EQ(out.samples.size(), 5u);
  EXPECT_EQ(out.samples[0].kind, MetricKind::kGauge);
  EXPECT_EQ(out.samples[1].kind, MetricKind::kHistogramBucket);
  EXPECT_EQ(out.samples[2].kind, MetricKind::kHistogramSum);
  EXPECT_EQ(out.samples[3].kind, MetricKind::kSummaryQuantile);
  EXPECT_EQ(out.samples[4].kind, MetricKind::kSummaryCount);
  EXPECT_EQ(out.metadata.size(), 3u);
  EXPECT_EQ(out.metadata.at("lat_seconds"), PromMetricType::kHistogram);
}

TEST(RemoteWriteDecoderTest, RememberedTypesApply) {
  MetricTypes remembered = {{"temp_celsius", PromMetricType::kGauge}};
  RemoteWriteDecodeOptions o;
  o.remembered = &remembered;
  DecodedWriteRequest out;
  ASSERT_TRUE(decode(request({{{{"__name__", "temp_celsius"}}, {{1, 20}}}}).SerializeAsString(), &out, o).ok());
  EXPECT_EQ(out.samples[0].kind, MetricKind::kGauge);
}

TEST(RemoteWriteDecoderTest, HistogramsAndExemplarsAreCountedAndSkipped) {
  auto req = request({{{{"__name__", "m_total"}}, {{1, 1}}}});
  auto* ts = req.mutable_timeseries(0);
  ts->add_histograms()->set_count_int(3);
  ts->add_histograms()->set_sum(2);
  auto* ex = ts->add_exemplars();
  ex->set_value(1);
  auto* l = ex->add_labels();
  l->set_name("trace_id");
  l->set_value("abc");
  DecodedWriteRequest out;
  ASSERT_TRUE(decode(req.SerializeAsString(), &out).ok());
  EXPECT_EQ(out.samples.size(), 1u);
  EXPECT_EQ(out.histograms, 2u);
  EXPECT_EQ(out.exemplars, 1u);
}

TEST(RemoteWriteDecoderTest, UnsortedLabelsAreSortedAndEmptyValuesDropped) {
  auto req = request({{{{"job", "a"}, {"__name__", "m"}, {"env", ""}, {"az", "1"}}, {{1, 1}}}});
  DecodedWriteRequest out;
  ASSERT_TRUE(decode(req.SerializeAsString(), &out).ok());
  EXPECT_EQ(out.samples[0].labels, (KeyValues{{"az", "1"}, {"job", "a"}}));
}

TEST(RemoteWriteDecoderTest, LabelErrorsNameTheSeriesAndItsLabels) {
  auto ok = std::make_pair(KeyValues{{"__name__", "fine"}}, std::vector<std::pair<int64_t, double>>{{1, 1}});
  std::string msg = error_of(request({ok, {{{"job", "x"}}, {{1, 1}}}}).SerializeAsString());
  EXPECT_EQ(msg.rfind("series 1 {job=\"x\"}: no __name__ label", 0), 0u) << msg;

  msg = error_of(request({{{{"__name__", "m"}, {"job", "a"}, {"job", "b"}}, {{1, 1}}}}).SerializeAsString());
  EXPECT_NE(msg.find("series 0 "), std::string::npos) << msg;
  EXPECT_NE(msg.find("label \"job\" appears twice"), std::string::npos) << msg;

  msg = error_of(request({{{{"__name__", "m"}, {"", "b"}}, {{1, 1}}}}).SerializeAsString());
  EXPECT_NE(msg.find("empty name"), std::string::npos) << msg;

  RemoteWriteDecodeOptions legacy;
  legacy.name_validation = NameValidation::kLegacy;
  msg = error_of(request({{{{"__name__", "m"}, {"a.b", "1"}}, {{1, 1}}}}).SerializeAsString(), legacy);
  EXPECT_NE(msg.find("label name \"a.b\""), std::string::npos) << msg;
}

TEST(RemoteWriteDecoderTest, TimestampsOutOfRange) {
  std::string msg = error_of(request({{{{"__name__", "m"}, {"job", "j"}}, {{1, 1}, {0, 2}}}}).SerializeAsString());
  EXPECT_NE(msg.find("series 0 m{job=\"j\"}, sample 1: timestamp 0 ms"), std::string::npos) << msg;
  msg = error_of(request({{{{"__name__", "m"}}, {{-5, 1}}}}).SerializeAsString());
  EXPECT_NE(msg.find("timestamp -5 ms"), std::string::npos) << msg;
  msg = error_of(request({{{{"__name__", "m"}}, {{INT64_MAX, 1}}}}).SerializeAsString());
  EXPECT_NE(msg.find("outside 1 .. 9223372036854 ms"), std::string::npos) << msg;
  DecodedWriteRequest out;
  EXPECT_TRUE(decode(request({{{{"__name__", "m"}}, {{9223372036854, 1}}}}).SerializeAsString(), &out).ok());
}

TEST(RemoteWriteDecoderTest, MalformedProtobuf) {
  const std::string good = request({{{{"__name__", "m"}}, {{1700000000000, 1}}}}).SerializeAsString();
  // Truncated anywhere inside: an error, never a crash.
  for (size_t n = 1; n < good.size(); ++n) {
    DecodedWriteRequest out;
    EXPECT_FALSE(decode(good.substr(0, n), &out).ok()) << "prefix of " << n << " bytes";
  }
  // timeseries (field 1) as a varint.
  std::string msg = error_of(std::string("\x08\x01", 2));
  EXPECT_NE(msg.find("WriteRequest: field timeseries (1) at byte 0 has wire type 0 (varint)"), std::string::npos)
      << msg;
  // A length past the end.
  msg = error_of(std::string("\x0a\x05\x00", 3));
  EXPECT_NE(msg.find("length 5 exceeds the 1 bytes left at byte 0"), std::string::npos) << msg;
  // Sample value (field 1) as a varint inside series 0.
  prometheus::WriteRequest req = request({{{{"__name__", "m"}}, {}}});
  std::string series = req.timeseries(0).SerializeAsString() + std::string("\x12\x04\x08\x01\x10\x01", 6);
  std::string body = std::string("\x0a") + static_cast<char>(series.size()) + series;
  msg = error_of(body);
  EXPECT_NE(msg.find("Sample: field value (1)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("series 0 m{}, sample 0"), std::string::npos) << msg;
  // Label name as a fixed64.
  std::string bad_label = std::string("\x0a\x09\x09", 3) + std::string(8, '\x01');
  body = std::string("\x0a") + static_cast<char>(bad_label.size()) + bad_label;
  msg = error_of(body);
  EXPECT_NE(msg.find("series 0, label 0: field name (1)"), std::string::npos) << msg;
  // Field number 0, an end-group tag.
  EXPECT_NE(error_of(std::string("\x00", 1)).find("invalid or truncated"), std::string::npos);
  EXPECT_NE(error_of(std::string("\x0c", 1)).find("malformed value"), std::string::npos);
  // Metadata type as a string.
  msg = error_of(std::string("\x1a\x02\x0a\x00", 4));
  EXPECT_NE(msg.find("metadata 0: field type (1)"), std::string::npos) << msg;
}

TEST(RemoteWriteDecoderTest, UnknownFieldsAreSkipped) {
  std::string body = request({{{{"__name__", "m"}}, {{1, 1}}}}).SerializeAsString();
  body += std::string("\x10\x07", 2);                     // field 2 (reserved) varint
  body += std::string("\x2a\x03xyz", 5);                  // field 5, bytes
  body += std::string("\x31", 1) + std::string(8, '\0');  // field 6, fixed64
  DecodedWriteRequest out;
  ASSERT_TRUE(decode(body, &out).ok());
  EXPECT_EQ(out.samples.size(), 1u);
}

TEST(RemoteWriteDecoderTest, SampleMemoryIsCapped) {
  KeyValues labels = {{"__name__", "m"}, {"big", std::string(1000, 'x')}};
  std::vector<std::pair<int64_t, double>> samples;
  for (int i = 1; i <= 1000; ++i) samples.emplace_back(i, i);
  const std::string body = request({{labels, samples}}).SerializeAsString();
  RemoteWriteDecodeOptions o;
  o.max_sample_bytes = 100000;  // 1000 samples x ~1 KB of labels do not fit
  DecodedWriteRequest out;
  Status st = decode(body, &out, o);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.to_string();
  o.max_sample_bytes = 4 << 20;
  DecodedWriteRequest out2;
  ASSERT_TRUE(decode(body, &out2, o).ok());
  size_t total = 0;
  for (const auto& s : out2.samples) total += estimated_sample_bytes(s);
  EXPECT_LE(total, o.max_sample_bytes);
}

}  // namespace
}  // namespace sluice
