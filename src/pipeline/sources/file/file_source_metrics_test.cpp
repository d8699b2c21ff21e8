#include "pipeline/sources/file/file_source_metrics.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

TEST(FileSourceMetricsTest, LagPerPathSumsTheFilesAtThatPathAndGoesAwayWithThem) {
  MetricsRegistry reg;
  {
    FileSourceMetrics m("app", reg);
    m.add_file("/l/a.log");
    m.update("/l/a.log", 0, 100);
    // A deleted a.log still being drained and a new a.log: one series.
    m.add_file("/l/a.log");
    m.update("/l/a.log", 0, 20);
    m.add_file("/l/b.log");
    m.set_watched_files(3);
    std::string text = reg.render();
    EXPECT_NE(text.find("sluice_file_source_lag_bytes{component=\"app\",path=\"/l/a.log\"} 120"), std::string::npos)
        << text;
    EXPECT_NE(text.find("sluice_file_source_lag_bytes{component=\"app\",path=\"/l/b.log\"} 0"), std::string::npos);
    EXPECT_NE(text.find("sluice_file_source_watched_files{component=\"app\"} 3"), std::string::npos);

    m.remove_file("/l/a.log", 100);
    text = reg.render();
    EXPECT_NE(text.find("path=\"/l/a.log\"} 20"), std::string::npos) << text;
    m.remove_file("/l/a.log", 20);
    m.remove_file("/l/b.log", 0);
    text = reg.render();
    EXPECT_EQ(count(text, "sluice_file_source_lag_bytes{"), 0u) << text;
  }
  // Gone with the source.
  EXPECT_EQ(count(reg.render(), "sluice_file_source_watched_files{"), 0u);
}

TEST(FileSourceMetricsTest, ThousandsOfShortLivedFilesLeaveNoSeries) {
  MetricsRegistry reg;
  FileSourceMetrics m("many", reg);
  for (int i = 0; i < 5000; ++i) {
    std::string p = "/l/f" + std::to_string(i) + ".log";
    m.add_file(p);
    m.update(p, 0, static_cast<uint64_t>(i));
    m.remove_file(p, static_cast<uint64_t>(i));
  }
  EXPECT_EQ(count(reg.render(), "sluice_file_source_lag_bytes{"), 0u);
}

}  // namespace
}  // namespace sluice
