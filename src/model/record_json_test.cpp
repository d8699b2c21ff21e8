#include "model/record_json.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "model/json_records.hpp"

namespace sluice {
namespace {

TEST(RecordJson, RoundTripsThroughTheNdjsonDecoder) {
  LogRecord a;
  a.timestamp_ns = 1763737200123456789;
  a.observed_timestamp_ns = 1763737201000000000;
  a.severity_number = 17;
  a.severity_text = "ERROR";
  a.body = "line with \"quotes\", \\ and \n a newline and \xc3\xa9";
  a.attributes = {{"http.response.status_code", "500"}, {"url.path", "/a b"}};
  a.resource = {{"service.name", "web"}, {"host.name", "h1"}};
  a.service_name = "web";
  a.scope_name = "s";
  a.scope_version = "1.0";
  a.trace_id = "0123456789abcdef0123456789abcdef";
  a.span_id = "0123456789abcdef";
  a.trace_flags = 1;
  LogRecord b;
  b.timestamp_ns = 5;
  b.observed_timestamp_ns = 5;
  b.body = "";
  std::string text;
  for (const LogRecord* r : {&a, &b}) {
    append_record_json(text, *r);
    text += '\n';
  }
  auto decoded = decode_ndjson(text, 999, 10);
  ASSERT_TRUE(decoded.errors.empty()) << decoded.errors[0].message;
  ASSERT_EQ(decoded.records.size(), 2u);
  EXPECT_EQ(decoded.records[0], a);
  EXPECT_EQ(decoded.records[1], b);
}

}  // namespace
TEST(SampleJson, NumbersNonFiniteValuesAndText) {
  MetricSample m;
  m.timestamp_ns = 1700000000123456789;
  m.name = "http_requests_total";
  m.labels = {{"path", "/a\"b"}, {"le", "0.5"}};
  m.value = 0.1;
  m.kind = MetricKind::kCounter;
  m.resource = {{"host.name", "h"}};
  std::string out;
  append_sample_json(out, m);
  EXPECT_EQ(out,
            "{\"timestamp\":\"1700000000123456789\",\"name\":\"http_requests_total\",\"labels\":{\"path\":\"/a\\\"b\","
            "\"le\":\"0.5\"},\"value\":0.1,\"kind\":\"counter\",\"resource\":{\"host.name\":\"h\"}}");
  out.clear();
  append_sample_text(out, m);
  EXPECT_EQ(out, "http_requests_total{path=\"/a\\\"b\",le=\"0.5\"} 0.1 1700000000123");
  m.value = -std::numeric_limits<double>::infinity();
  m.labels.clear();
  out.clear();
  append_sample_json(out, m);
  EXPECT_NE(out.find("\"value\":\"-Inf\""), std::string::npos) << out;
  out.clear();
  append_sample_text(out, m);
  EXPECT_EQ(out, "http_requests_total -Inf 1700000000123");
}

}  // namespace sluice
