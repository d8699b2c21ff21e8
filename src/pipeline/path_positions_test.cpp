#include "pipeline/path_positions.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

using Offsets = std::unordered_map<std::string, uint64_t>;

TEST(PathPositionsTest, OnePathPerSinkTakesTheMinimumOverSinks) {
  std::vector<SinkPathPositions> sinks{{{{"k", 30}, {"j", 5}}, {""}}, {{{"k", 20}}, {""}}};
  // "j" is missing in the second sink: that sink reads it from its start.
  ResumePlan plan = plan_resume(sinks);
  EXPECT_EQ(plan.committed, (Offsets{{"k", 20}, {"j", 0}}));
  // The first sink had more of both: the source ends a batch where it
  // stopped, and that sink skips what it had.
  EXPECT_EQ(plan.cuts, (std::unordered_map<std::string, std::vector<uint64_t>>{{"k", {30}}, {"j", {5}}}));
  EXPECT_EQ(plan.ahead, (std::vector<Offsets>{{{"k", 30}, {"j", 5}}, {}}));
}

TEST(PathPositionsTest, EachPathCountsAsASinkOfItsOwn) {
  const std::string a = path_suffix("app", "parse_a"), b = path_suffix("app", "parse_b");
  EXPECT_EQ(a, "#via:app>parse_a");
  // The copy through parse_b was not written when the agent stopped: the
  // key resumes from it.
  std::vector<SinkPathPositions> sinks{{{{"k" + a, 30}, {"k" + b, 20}}, {a, b}}};
  EXPECT_EQ(plan_resume(sinks).committed, (Offsets{{"k", 20}}));
  // The source ends a batch where the copies through parse_a stopped.
  // The sink skips the copies through parse_a read again up to 30.
  ResumePlan plan = plan_resume(sinks);
  EXPECT_EQ(plan.cuts, (std::unordered_map<std::string, std::vector<uint64_t>>{{"k", {30}}}));
  EXPECT_EQ(plan.ahead, (std::vector<Offsets>{{{"k" + a, 30}}}));
  // A path that has committed nothing reads the key from its start.
  sinks = {{{{"k" + a, 30}}, {a, b}}};
  EXPECT_EQ(plan_resume(sinks).committed, (Offsets{{"k", 0}}));
  // Another sink with one path counts too.
  sinks = {{{{"k" + a, 30}, {"k" + b, 30}}, {a, b}}, {{{"k", 25}}, {""}}};
  EXPECT_EQ(plan_resume(sinks).committed, (Offsets{{"k", 25}}));
}

TEST(PathPositionsTest, KeysOfAnEarlierTopologyAreLeftOut) {
  const std::string a = path_suffix("app", "parse_a"), b = path_suffix("app", "parse_b");
  // An unmarked key from before the sink had two paths, and a path since
  // removed: neither counts for the paths there are now.
  std::vector<SinkPathPositions> sinks{
      {{{"k", 50}, {"k" + a, 30}, {"k" + b, 40}, {"k" + path_suffix("app", "old"), 10}}, {a, b}}};
  EXPECT_EQ(plan_resume(sinks).committed, (Offsets{{"k", 30}}));
  // Only such keys: the input was read, so it is read again from its start.
  sinks = {{{{"k", 50}, {"j" + path_suffix("app", "old"), 10}}, {a, b}}};
  EXPECT_EQ(plan_resume(sinks).committed, (Offsets{{"k", 0}, {"j", 0}}));
  // The paths meet no more: the marked keys stay as they are, and what is
  // before their mark is read again, unless the sink has it.
  sinks = {{{{"k" + a, 30}, {"k" + b, 40}, {"j" + a, 5}, {"j", 7}}, {""}}};
  EXPECT_EQ(plan_resume(sinks).committed, (Offsets{{"k" + a, 30}, {"k" + b, 40}, {"k", 0}, {"j" + a, 5}, {"j", 7}}));
}

TEST(PathPositionsTest, ASinkWhoseOnePathBecameMarkedKeepsItsPositions) {
  // only_a read app through `a` alone; then `b` came, and both meet in
  // `out`: app's edges are marked, only_a's keys with them.
  const std::string a = path_suffix("app", "a");
  std::vector<SinkPathPositions> sinks{{{{"k", 30}, {"j", 12}}, {a}}, {{{"k", 30}, {"j", 12}}, {""}}};
  EXPECT_EQ(plan_resume(sinks).committed, (Offsets{{"k", 30}, {"j", 12}}));
  // Where it was ahead, it skips what it gets again, under the marked key.
  sinks[1].committed["k"] = 20;
  EXPECT_EQ(plan_resume(sinks).ahead, (std::vector<Offsets>{{{"k" + a, 30}}, {}}));
  // Once it has the marked key, the old one is left.
  sinks = {{{{"k", 30}, {"k" + a, 40}}, {a}}, {{{"k", 40}}, {""}}};
  EXPECT_EQ(plan_resume(sinks).committed, (Offsets{{"k", 40}}));
  // A sink with two paths has no such fallback: its unmarked key was
  // committed by whichever copy came first.
  const std::string b = path_suffix("app", "b");
  sinks = {{{{"k", 30}}, {a, b}}};
  EXPECT_EQ(plan_resume(sinks).committed, (Offsets{{"k", 0}}));
}

TEST(PathPositionsTest, KeysMayHoldMarksOfTheirOwn) {
  // A server whose otlp source reaches its store by two paths holds an
  // agent's key that the agent had marked itself: only the server's own
  // mark is taken off.
  const std::string x = path_suffix("otlp", "x"), y = path_suffix("otlp", "y");
  const std::string agent_key = "web-1/app/k" + path_suffix("app", "parse_a");
  std::vector<SinkPathPositions> sinks{{{{agent_key + x, 7}, {agent_key + y, 9}}, {x, y}}};
  ResumePlan plan = plan_resume(sinks);
  EXPECT_EQ(plan.committed, (Offsets{{agent_key, 7}}));
  EXPECT_EQ(plan.ahead, (std::vector<Offsets>{{{agent_key + y, 9}}}));
  // The same server with one path: the agent's key is taken whole (and the
  // part before its mark gets 0, which its ledger holds harmlessly).
  sinks = {{{{agent_key, 9}}, {""}}};
  EXPECT_EQ(plan_resume(sinks).committed, (Offsets{{agent_key, 9}, {"web-1/app/k", 0}}));
}

}  // namespace
}  // namespace sluice
