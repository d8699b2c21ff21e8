#include "pipeline/sources/otlp/otlp_metrics_names.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sluice {
namespace {

using T = OtlpMetricType;

TEST(OtlpMetricsNames, UnitWords) {
  EXPECT_EQ(prometheus_unit("s"), "seconds");
  EXPECT_EQ(prometheus_unit("ms"), "milliseconds");
  EXPECT_EQ(prometheus_unit("By"), "bytes");
  EXPECT_EQ(prometheus_unit("KiBy"), "kibibytes");
  EXPECT_EQ(prometheus_unit("Cel"), "celsius");
  EXPECT_EQ(prometheus_unit("%"), "percent");
  EXPECT_EQ(prometheus_unit("1"), "");
  EXPECT_EQ(prometheus_unit(""), "");
  EXPECT_EQ(prometheus_unit("{request}"), "");
  EXPECT_EQ(prometheus_unit("By/s"), "bytes_per_second");
  EXPECT_EQ(prometheus_unit("m/s"), "meters_per_second");
  EXPECT_EQ(prometheus_unit("{packet}/s"), "per_second");
  EXPECT_EQ(prometheus_unit("By/{batch}"), "bytes");
  EXPECT_EQ(prometheus_unit(" s "), "seconds");
  EXPECT_EQ(prometheus_unit("packets"), "packets");
  EXPECT_EQ(prometheus_unit("foo.bar-baz"), "foo_bar_baz");
}

TEST(OtlpMetricsNames, SpecExamples) {
  EXPECT_EQ(prometheus_metric_name("http.server.request.duration", "s", T::kHistogram),
            "http_server_request_duration_seconds");
  EXPECT_EQ(prometheus_metric_name("system.filesystem.usage", "By", T::kNonMonotonicSum),
            "system_filesystem_usage_bytes");
  EXPECT_EQ(prometheus_metric_name("system.network.dropped", "{packets}", T::kMonotonicSum),
            "system_network_dropped_total");
  EXPECT_EQ(prometheus_metric_name("system.network.dropped", "packets", T::kGauge), "system_network_dropped_packets");
  EXPECT_EQ(prometheus_metric_name("system.memory.utilization", "1", T::kGauge), "system_memory_utilization_ratio");
  EXPECT_EQ(prometheus_metric_name("requests", "1", T::kMonotonicSum), "requests_total");
  EXPECT_EQ(prometheus_metric_name("queue.size", "1", T::kNonMonotonicSum), "queue_size");
  EXPECT_EQ(prometheus_metric_name("(lambda).function.executions(#)", "", T::kGauge), "lambda_function_executions");
}

TEST(OtlpMetricsNames, SuffixesNotRepeated) {
  EXPECT_EQ(prometheus_metric_name("request_duration_seconds", "s", T::kHistogram), "request_duration_seconds");
  EXPECT_EQ(prometheus_metric_name("requests_total", "", T::kMonotonicSum), "requests_total");
  EXPECT_EQ(prometheus_metric_name("total.requests", "", T::kMonotonicSum), "requests_total");
  EXPECT_EQ(prometheus_metric_name("cpu_ratio", "1", T::kGauge), "cpu_ratio");
  EXPECT_EQ(prometheus_metric_name("bytes_per_second", "By/s", T::kGauge), "bytes_per_second");
  EXPECT_EQ(prometheus_metric_name("net.io", "By/s", T::kMonotonicSum), "net_io_bytes_per_second_total");
  EXPECT_EQ(prometheus_metric_name("seconds.spent", "s", T::kGauge), "seconds_spent");
}

TEST(OtlpMetricsNames, Sanitizing) {
  EXPECT_EQ(prometheus_metric_name("a..b__c", "", T::kGauge), "a_b_c");
  EXPECT_EQ(prometheus_metric_name("_a_", "", T::kGauge), "a");
  EXPECT_EQ(prometheus_metric_name("ns:metric", "", T::kGauge), "ns:metric");
  EXPECT_EQ(prometheus_metric_name("2xx.responses", "", T::kGauge), "_2xx_responses");
  EXPECT_EQ(prometheus_metric_name("caf\xc3\xa9.visits", "", T::kGauge), "caf_visits");
  EXPECT_EQ(prometheus_metric_name("...", "s", T::kGauge), "");
  EXPECT_EQ(prometheus_metric_name("", "", T::kGauge), "");
}

TEST(OtlpMetricsNames, LabelNames) {
  EXPECT_EQ(prometheus_label_name("http.request.method"), "http_request_method");
  EXPECT_EQ(prometheus_label_name("already_fine"), "already_fine");
  EXPECT_EQ(prometheus_label_name("a..b"), "a_b");
  EXPECT_EQ(prometheus_label_name("a:b"), "a_b");
  EXPECT_EQ(prometheus_label_name("9lives"), "_9lives");
  EXPECT_EQ(prometheus_label_name("__name__"), "_name_");
  EXPECT_EQ(prometheus_label_name(""), "_");
  EXPECT_EQ(prometheus_label_name("\xc3\xa9t\xc3\xa9"), "_t_");
}

TEST(OtlpMetricsNames, FloatTextIsGoShortestG) {
  EXPECT_EQ(prometheus_float_text(0), "0");
  EXPECT_EQ(prometheus_float_text(-0.0), "-0");
  EXPECT_EQ(prometheus_float_text(0.005), "0.005");
  EXPECT_EQ(prometheus_float_text(2.5), "2.5");
  EXPECT_EQ(prometheus_float_text(10), "10");
  EXPECT_EQ(prometheus_float_text(250), "250");
  EXPECT_EQ(prometheus_float_text(999999), "999999");
  EXPECT_EQ(prometheus_float_text(999999.5), "999999.5");
  EXPECT_EQ(prometheus_float_text(1e6), "1e+06");
  EXPECT_EQ(prometheus_float_text(1234567), "1.234567e+06");
  EXPECT_EQ(prometheus_float_text(0.0001), "0.0001");
  EXPECT_EQ(prometheus_float_text(0.00001), "1e-05");
  EXPECT_EQ(prometheus_float_text(1.5e-7), "1.5e-07");
  EXPECT_EQ(prometheus_float_text(1e300), "1e+300");
  EXPECT_EQ(prometheus_float_text(0.1), "0.1");
  EXPECT_EQ(prometheus_float_text(-2.5), "-2.5");
  EXPECT_EQ(prometheus_float_text(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(prometheus_float_text(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(prometheus_float_text(std::nan("")), "NaN");
}

}  // namespace
}  // namespace sluice
