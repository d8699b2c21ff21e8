#include "pipeline/sources/otlp/sluice_ledger.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pipeline/sources/otlp/sluice_protocol.hpp"

namespace sluice {
namespace {

using std::chrono::milliseconds;

std::vector<SluicePosition> agent_positions(const std::string& agent, std::vector<SluicePosition> ps) {
  return sluice_server_keys(agent, ps);
}

TEST(SluiceLedger, DuplicateOnlyWhenEveryPositionIsCommitted) {
  SluiceLedger ledger;
  auto first = agent_positions("web-1", {{"app", "f1", 100}, {"app", "f2", 50}});
  EXPECT_FALSE(ledger.all_committed(first));
  ledger.commit(first);
  EXPECT_TRUE(ledger.all_committed(first));
  // Behind or equal on every key: a retry of something stored.
  EXPECT_TRUE(ledger.all_committed(agent_positions("web-1", {{"app", "f1", 60}})));
  // One key ahead, or a key never seen: new data.
  EXPECT_FALSE(ledger.all_committed(agent_positions("web-1", {{"app", "f1", 60}, {"app", "f2", 51}})));
  EXPECT_FALSE(ledger.all_committed(agent_positions("web-1", {{"app", "f3", 1}})));
  // Another agent's identical keys are its own.
  EXPECT_FALSE(ledger.all_committed(agent_positions("web-2", {{"app", "f1", 10}})));
  // Nothing to compare: never a duplicate.
  EXPECT_FALSE(ledger.all_committed({}));
  // commit never lowers...
  ledger.commit(agent_positions("web-1", {{"app", "f1", 10}}));
  EXPECT_TRUE(ledger.all_committed(agent_positions("web-1", {{"app", "f1", 100}})));
  // ...except for a reset (the key started over): new until stored, then
  // committed exactly, and later progress counts from there.
  auto reset = agent_positions("web-1", {{"app", "f1", 10, true}});
  EXPECT_FALSE(ledger.all_committed(reset));
  ledger.commit(reset);
  EXPECT_TRUE(ledger.all_committed(reset));
  EXPECT_FALSE(ledger.all_committed(agent_positions("web-1", {{"app", "f1", 11}})));
  EXPECT_TRUE(ledger.all_committed(agent_positions("web-1", {{"app", "f1", 9}})));
  using V = std::vector<std::pair<std::string, uint64_t>>;
  EXPECT_EQ(ledger.committed_for("web-1", "app"), (V{{"f1", 10}, {"f2", 50}}));
}

TEST(SluiceLedger, LoadsWhatTheStoreRecoveredAndAnswersPerAgentAndSource) {
  SluiceLedger ledger;
  ledger.load({{"web-1/app/f1", 100},
               {"web-1/app/f2", 7},
               {"web-1/apps/f9", 9},
               {"web-1/app2/f1", 3},
               {"web-10/app/f1", 5},
               {"web-2/app/f1", 1}});
  using V = std::vector<std::pair<std::string, uint64_t>>;
  EXPECT_EQ(ledger.committed_for("web-1", "app"), (V{{"f1", 100}, {"f2", 7}}));
  EXPECT_EQ(ledger.committed_for("web-1", "apps"), (V{{"f9", 9}}));
  EXPECT_EQ(ledger.committed_for("web-3", "app"), V{});
  EXPECT_TRUE(ledger.all_committed(agent_positions("web-1", {{"app", "f1", 100}})));
  // A disk buffer's single position is handled like any other.
  ledger.commit(agent_positions("web-1", {{"ship", "buffer", 42}}));
  EXPECT_EQ(ledger.committed_for("web-1", "ship"), (V{{"buffer", 42}}));
}

TEST(SluiceLedger, TurnsSerializeOneAgentOnly) {
  SluiceLedger ledger;
  auto a = ledger.take_turn("web-1", milliseconds(100));
  ASSERT_TRUE(a.ok());
  // The same agent waits and times out; another agent goes ahead.
  auto again = ledger.take_turn("web-1", milliseconds(20));
  EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(ledger.take_turn("web-2", milliseconds(20)).ok());
  // Released from another thread (as an acknowledgement callback does):
  // the waiter gets its turn.
  std::atomic<bool> got{false};
  std::thread waiter([&] { got = ledger.take_turn("web-1", std::chrono::seconds(30)).ok(); });
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_FALSE(got);
  std::thread releaser([turn = std::move(*a)]() mutable { turn.reset(); });
  releaser.join();
  waiter.join();
  EXPECT_TRUE(got);
}

TEST(SluiceLedger, ATurnOutlivesItsLedgerHandle) {
  std::shared_ptr<SluiceLedger::Turn> turn;
  {
    SluiceLedger ledger;
    turn = *ledger.take_turn("web-1", milliseconds(10));
  }
  turn.reset();  // no use after free (ASan)
}

TEST(SluiceProtocol, PositionsJsonRoundTrips) {
  std::vector<SluicePosition> ps = {{"app", "2049:131:9f86d081884c7d65", 18446744073709551615ULL},
                                    {"ship", "buffer", 0},
                                    {"app", "k\"\\\n\xc3\xa9", 3, true}};
  std::string json;
  append_sluice_positions_json(json, ps);
  auto back = parse_sluice_positions(json, 10);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, ps);
  EXPECT_FALSE(fits_sluice_positions_header(json));  // a newline and non-ASCII
  json.clear();
  append_sluice_positions_json(json, {ps[0], ps[1]});
  EXPECT_EQ(json, "[[\"app\",\"2049:131:9f86d081884c7d65\",18446744073709551615],[\"ship\",\"buffer\",0]]");
  EXPECT_TRUE(fits_sluice_positions_header(json));
  EXPECT_FALSE(fits_sluice_positions_header(std::string(kMaxPositionsHeaderBytes + 1, 'a')));
}

TEST(SluiceProtocol, BadPositionsNameTheElement) {
  auto err = [](std::string_view json) { return parse_sluice_positions(json, 3).status().to_string(); };
  EXPECT_NE(err("{").find("not JSON"), std::string::npos);
  EXPECT_NE(err("{\"a\":1}").find("expected a JSON array"), std::string::npos);
  EXPECT_NE(err("[[\"a\",\"k\",1],[\"a\",\"k\"]]").find("positions[1]"), std::string::npos);
  EXPECT_NE(err("[[\"a\",\"k\",-1]]").find("unsigned integer"), std::string::npos);
  EXPECT_NE(err("[[\"a\",\"k\",1.5]]").find("unsigned integer"), std::string::npos);
  EXPECT_NE(err("[[\"\",\"k\",1]]").find("must not be empty"), std::string::npos);
  EXPECT_NE(err("[[\"a/b\",\"k\",1]]").find("contains '/'"), std::string::npos);
  EXPECT_NE(err("[[\"a\",\"k\",1,\"rest\"]]").find("positions[0]"), std::string::npos);
  EXPECT_NE(err("[[\"a\",\"k\",1,\"reset\",2]]").find("positions[0]"), std::string::npos);
  EXPECT_EQ(
      parse_sluice_positions("[[\"a\",\"k\",1],[\"a\",\"k\",1],[\"a\",\"k\",1],[\"a\",\"k\",1]]", 3).status().code(),
      StatusCode::kResourceExhausted);
  EXPECT_TRUE(parse_sluice_positions("[]", 3).ok());
}

TEST(SluiceProtocol, AgentIds) {
  EXPECT_TRUE(valid_sluice_agent("web-1.example.com"));
  EXPECT_TRUE(valid_sluice_agent("Host_1:a@b"));
  EXPECT_FALSE(valid_sluice_agent(""));
  EXPECT_FALSE(valid_sluice_agent("a/b"));
  EXPECT_FALSE(valid_sluice_agent("a b"));
  EXPECT_FALSE(valid_sluice_agent(std::string(256, 'a')));
  EXPECT_EQ(sluice_committed_json({{"f1", 10}, {"k\"", 2}}), "{\"f1\":10,\"k\\\"\":2}\n");
}

}  // namespace
}  // namespace sluice
