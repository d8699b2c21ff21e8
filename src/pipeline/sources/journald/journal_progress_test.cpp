#include "pipeline/sources/journald/journal_progress.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

const std::string kA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

TEST(JournalProgress, FirstStartWhenNothingCommitted) {
  JournalProgress p({{"unrelated", 5}});
  EXPECT_TRUE(p.first_start());
  EXPECT_TRUE(p.should_emit({kA, 1}, 0));
  EXPECT_FALSE(p.next(kA).has_value());
}

TEST(JournalProgress, EmitsEachSeqnumOncePerSequence) {
  JournalProgress p({{journal_sequence_key(kA), 10}});
  EXPECT_FALSE(p.first_start());
  EXPECT_FALSE(p.should_emit({kA, 9}, 0));
  EXPECT_TRUE(p.should_emit({kA, 10}, 0));
  EXPECT_TRUE(p.should_emit({kB, 1}, 0));  // a sequence never seen: from its start
  p.advance({kA, 10});
  p.advance({kB, 3});
  EXPECT_FALSE(p.should_emit({kA, 10}, 0));
  EXPECT_FALSE(p.should_emit({kB, 3}, 0));
  EXPECT_EQ(*p.next(kA), 11u);
  p.advance({kA, 5});  // never backwards
  EXPECT_EQ(*p.next(kA), 11u);
}

TEST(JournalProgress, StartTimeFiltersOnlyUnknownSequences) {
  JournalProgress p({{std::string(kJournalStartKey), 1000}, {journal_sequence_key(kA), 2}});
  EXPECT_FALSE(p.first_start());
  EXPECT_EQ(p.start_usec(), 1000u);
  EXPECT_FALSE(p.should_emit({kB, 1}, 999));
  EXPECT_TRUE(p.should_emit({kB, 1}, 1000));
  EXPECT_TRUE(p.should_emit({kA, 2}, 5));  // a known sequence goes by seqnum alone
}

TEST(JournalProgress, PositionsCarryTheNextSeqnumOfEachAdvancedSequence) {
  JournalProgress p({});
  p.advance({kA, 7});
  p.advance({kB, 1});
  auto pos = p.positions("jd", {kB, kA}, "/var/log/journal");
  ASSERT_EQ(pos.size(), 2u);
  EXPECT_EQ(pos[0], (SourcePosition{"jd", "seqnum:" + kB, 2, "/var/log/journal"}));
  EXPECT_EQ(pos[1], (SourcePosition{"jd", "seqnum:" + kA, 8, "/var/log/journal"}));
  // Round trip through committed positions.
  JournalProgress q({{pos[0].key, pos[0].offset}, {pos[1].key, pos[1].offset}});
  EXPECT_EQ(*q.next(kA), 8u);
  EXPECT_EQ(*q.next(kB), 2u);
}

TEST(JournalProgress, LargestSeqnumDoesNotWrap) {
  JournalProgress p({});
  p.advance({kA, UINT64_MAX});
  EXPECT_EQ(*p.next(kA), UINT64_MAX);
}

}  // namespace
}  // namespace sluice
