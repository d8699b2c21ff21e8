#include "model/attribute_key.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "model/log_record.hpp"

namespace sluice {
namespace {

TEST(AttributeKeyTest, SameTextIsOneInternedString) {
  AttributeKey a("http.response.status_code");
  std::string text = "http.response.";
  text += "status_code";
  AttributeKey b(text);
  EXPECT_TRUE(a.interned());
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.data(), b.data());  // one copy of the text
  EXPECT_NE(a, AttributeKey("http.response.body.size"));
  EXPECT_EQ(a, "http.response.status_code");
  EXPECT_EQ(a, std::string_view("http.response.status_code"));
  EXPECT_EQ(a, text);
  EXPECT_EQ(a.size(), 25u);
}

TEST(AttributeKeyTest, EmptyKeysAreEqualAndCopiesKeepTheText) {
  AttributeKey empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty, AttributeKey(""));
  EXPECT_EQ(empty.view(), "");
  AttributeKey a("url.path");
  AttributeKey moved(std::move(a));
  EXPECT_EQ(moved, "url.path");
  AttributeKey c;
  c = moved;
  EXPECT_EQ(c, "url.path");
  std::string s = c;  // converts like the std::string keys it replaced
  EXPECT_EQ(s, "url.path");
}

TEST(AttributeKeyTest, OrdersAndHashesByText) {
  std::vector<AttributeKey> keys{"b", "a.long.key.beyond.sso", "a"};
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys[0], "a");
  EXPECT_EQ(keys[1], "a.long.key.beyond.sso");
  EXPECT_EQ(keys[2], "b");
  EXPECT_LT(AttributeKey("a"), "b");
  EXPECT_EQ(std::hash<AttributeKey>()(AttributeKey("x.y")), std::hash<std::string_view>()("x.y"));
}

TEST(AttributeKeyTest, KeyValuesFindAndSetByKey) {
  KeyValues kvs;
  set_key_value(kvs, "client.address", "10.0.0.1");
  set_key_value(kvs, std::string("client.address"), "10.0.0.2");
  kvs.emplace_back("url.path", "/x");
  ASSERT_EQ(kvs.size(), 2u);
  EXPECT_EQ(*find_key_value(kvs, "client.address"), "10.0.0.2");
  EXPECT_EQ(find_key_value(kvs, "client"), nullptr);
}

TEST(AttributeKeyTest, ThreadsInterningTheSameKeysGetTheSameStrings) {
  constexpr int kThreads = 4, kKeys = 500;
  std::vector<std::vector<const char*>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &seen] {
      for (int i = 0; i < kKeys; ++i) seen[t].push_back(AttributeKey("threads.key." + std::to_string(i)).data());
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 1; t < kThreads; ++t) EXPECT_EQ(seen[t], seen[0]);
}

TEST(AttributeKeyTest, LongKeysAreOwned) {
  std::string text(AttributeKey::kMaxKeyBytes + 1, 'k');
  AttributeKey a(text), b(text);
  EXPECT_FALSE(a.interned());
  EXPECT_EQ(a, b);
  EXPECT_NE(a.data(), b.data());
  EXPECT_TRUE(AttributeKey(text.substr(1)).interned());
}

// Runs last in this file: it fills the table for the rest of the process
// (the test files after it run with owned keys for every new key).
TEST(AttributeKeyTest, ZKeysPastTheTableBoundAreOwnedAndStillCompareByText) {
  AttributeKey before("bound.before");
  size_t i = 0;
  for (; i < 2 * AttributeKey::kMaxKeys; ++i) {
    AttributeKey filler("bound.filler." + std::to_string(i));
    if (!filler.interned()) break;
  }
  EXPECT_LT(i, 2 * AttributeKey::kMaxKeys);
  EXPECT_EQ(AttributeKey::interned_count(), AttributeKey::kMaxKeys);
  AttributeKey owned("bound.after.the.table.is.full");
  EXPECT_FALSE(owned.interned());
  EXPECT_EQ(AttributeKey::interned_count(), AttributeKey::kMaxKeys);  // the table did not grow
  AttributeKey copy = owned;
  EXPECT_FALSE(copy.interned());
  EXPECT_NE(copy.data(), owned.data());
  EXPECT_EQ(copy, owned);
  EXPECT_EQ(owned, "bound.after.the.table.is.full");
  AttributeKey moved(std::move(copy));
  EXPECT_EQ(moved, owned);
  EXPECT_TRUE(copy.empty());           // NOLINT(bugprone-use-after-move): an owned key is left empty
  AttributeKey again("bound.before");  // keys interned before stay interned
  EXPECT_TRUE(again.interned());
  EXPECT_EQ(again.data(), before.data());
  EXPECT_NE(owned, again);
}

}  // namespace
}  // namespace sluice
