#include "common/json_text.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(JsonText, EscapesStrings) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\nd\x01", 8));
  EXPECT_EQ(out, R"("a\"b\\c\nd\u0001")");
}

TEST(JsonText, WritesStringArrays) {
  std::string out;
  append_json_string_array(out, {});
  out += ' ';
  append_json_string_array(out, {"a", "say \"hi\""});
  EXPECT_EQ(out, R"([] ["a","say \"hi\""])");
}

}  // namespace
}  // namespace sluice
