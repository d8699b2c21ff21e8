#include "common/metrics.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Metrics, RendersPrometheusText) {
  MetricsRegistry r;
  r.counter("x_total", "Things.", {{"stream", "a\"b"}}).inc(3);
  r.gauge("g", "A gauge.").set(1.5);
  auto& h = r.histogram("lat_seconds", "Latency.", {}, {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  r.gauge_fn("f", "Computed.", {}, [] { return 42.0; });
  std::string out = r.render();
  EXPECT_NE(out.find("# TYPE x_total counter\nx_total{stream=\"a\\\"b\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("g 1.5\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_count 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("f 42\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace sluice
