#include "model/log_record.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace sluice {
namespace {

// OpenTelemetry Logs Data Model, "Mapping of SeverityNumber", with the
// syslog names (RFC 5424 severities) and common spellings, in any case.
TEST(SeverityNumberFromText, MapsEveryKnownNameToItsRange) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"trace", 1},
      {"TRACE", 1},
      {"debug", 5},
      {"Dbg", 5},
      {"info", 9},
      {"INFO", 9},
      {"information", 9},
      {"Informational", 9},
      {"notice", 10},
      {"warn", 13},
      {"WARNING", 13},
      {"error", 17},
      {"err", 17},
      {"crit", 18},
      {"Critical", 18},
      {"alert", 19},
      {"fatal", 21},
      {"emerg", 21},
      {"EMERGENCY", 21},
      {"panic", 21},
      {"", 0},
      {"verbose", 0},
      {"warnings", 0},
      {" info", 0},
      {"inf", 0},
      {"informational-and-more", 0},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(severity_number_from_text(text), want) << '"' << text << '"';
}

}  // namespace
}  // namespace sluice
