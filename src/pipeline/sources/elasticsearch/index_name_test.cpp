#include "pipeline/sources/elasticsearch/index_name.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(StreamForIndex, KeepsValidNames) {
  EXPECT_EQ(stream_for_index("logs-app.2024"), "logs-app.2024");
  EXPECT_EQ(stream_for_index("filebeat-8.11.0"), "filebeat-8.11.0");
  EXPECT_EQ(stream_for_index("a_b"), "a_b");
}

TEST(StreamForIndex, LowerCasesAndReplaces) {
  EXPECT_EQ(stream_for_index("Logs"), "logs");
  EXPECT_EQ(stream_for_index("my index/x"), "my_index_x");
  EXPECT_EQ(stream_for_index("<logs-{now/d}>"), "_logs-_now_d__");
  // One '_' per UTF-8 character, not per byte.
  EXPECT_EQ(stream_for_index("caf\xc3\xa9-\xf0\x9f\x98\x80"), "caf_-_");
}

TEST(StreamForIndex, CutsAt64) {
  EXPECT_EQ(stream_for_index(std::string(100, 'a')), std::string(64, 'a'));
  EXPECT_EQ(stream_for_index(std::string(63, 'a') + "\xc3\xa9zz"), std::string(63, 'a') + "_");
}

TEST(StreamForIndex, NothingValid) {
  EXPECT_EQ(stream_for_index(""), "");
  EXPECT_EQ(stream_for_index("."), "");
  EXPECT_EQ(stream_for_index(".."), "");
  EXPECT_EQ(stream_for_index("\x80\x80"), "");  // only stray continuation bytes
}

TEST(IsValidStreamName, Rules) {
  EXPECT_TRUE(valid_stream_name("a"));
  EXPECT_TRUE(valid_stream_name(std::string(64, 'z')));
  EXPECT_FALSE(valid_stream_name(std::string(65, 'z')));
  EXPECT_FALSE(valid_stream_name("A"));
  EXPECT_FALSE(valid_stream_name(".."));
}

}  // namespace
}  // namespace sluice
