// The disk buffer carries metric samples and spans as it carries log records
// (the batch codec's sample and span sections), across data files and a
// restart, so a `sluice` sink with a disk buffer ships all three kinds.
#include <gtest/gtest.h>

#include <bit>

#include "common/env_mem.hpp"
#include "pipeline/sinks/buffer/disk_buffer.hpp"

namespace sluice {
namespace {

using std::chrono::milliseconds;

LogBatch samples_batch(int id) {
  LogBatch b;
  for (int i = 0; i < 20; ++i) {
    MetricSample m;
    m.timestamp_ns = 1700000000000000000 + id;
    m.name = i % 2 ? "system_cpu_time_seconds_total" : "http_request_duration_seconds_bucket";
    m.kind = i % 2 ? MetricKind::kCounter : MetricKind::kHistogramBucket;
    m.labels = {{"cpu", std::to_string(i)}, {"le", "+Inf"}};
    m.value = i == 3 ? std::bit_cast<double>(uint64_t{0x7ff0000000000002}) : 0.5 * i;  // a staleness NaN
    m.resource = {{"host.name", "web-1"}};
    b.samples.push_back(m);
  }
  b.positions = {{"host", "k", static_cast<uint64_t>(id + 1), ""}};
  b.stream = "host";
  return b;
}

LogBatch spans_batch(int id) {
  LogBatch b;
  for (int i = 0; i < 10; ++i) {
    Span s;
    s.start_timestamp_ns = 1700000000000000000 + id;
    s.end_timestamp_ns = s.start_timestamp_ns + 100;
    s.trace_id = "5b8efff798038103d269b633813fc60c";
    s.span_id = "eee19b7ec3c1b17" + std::to_string(i);
    s.parent_span_id = i ? "eee19b7ec3c1b170" : "";
    s.name = "op " + std::to_string(id);
    s.kind = 2;
    s.status_code = 2;
    s.status_message = "boom";
    s.attributes = {{"http.request.method", "GET"}};
    s.resource = {{"service.name", "api"}};
    s.service_name = "api";
    s.events = {SpanEvent{s.start_timestamp_ns + 1, "retry", {{"n", "1"}}}};
    s.links = {SpanLink{"0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "k=v", {}}};
    b.spans.push_back(s);
  }
  b.stream = "traces_in";
  return b;
}

TEST(DiskBufferKinds, SamplesAndSpansSurviveFilesAndARestart) {
  auto env = new_mem_env();
  DiskBufferConfig c;
  c.dir = "/state/buffers/ship";
  c.max_bytes = 1 << 20;
  c.file_bytes = 4 << 10;  // several data files
  c.name = "sinks.ship";
  std::vector<LogBatch> want;
  {
    auto b = DiskBuffer::open(env.get(), c);
    ASSERT_TRUE(b.ok()) << b.status().to_string();
    for (int i = 0; i < 6; ++i) {
      want.push_back(i % 2 ? spans_batch(i) : samples_batch(i));
      ASSERT_TRUE((*b)->append(want.back(), milliseconds(0)).ok());
    }
    EXPECT_EQ((*b)->events(), 3u * 20 + 3u * 10);
  }
  auto b = DiskBuffer::open(env.get(), c);
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  for (const LogBatch& w : want) {
    auto item = (*b)->read(milliseconds(0));
    ASSERT_TRUE(item.ok()) << item.status().to_string();
    ASSERT_TRUE(item->has_value());
    const LogBatch& got = (*item)->batch;
    EXPECT_TRUE(got.records.empty());
    EXPECT_EQ(got.samples, w.samples);  // bitwise values: the NaN marker too
    EXPECT_EQ(got.spans, w.spans);
    EXPECT_EQ(got.positions, w.positions);
    EXPECT_EQ(got.stream, w.stream);
    ASSERT_TRUE((*b)->ack((*item)->sequence).ok());
  }
  EXPECT_EQ((*b)->events(), 0u);
}

}  // namespace
}  // namespace sluice
