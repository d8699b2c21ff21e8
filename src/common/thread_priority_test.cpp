#include "common/thread_priority.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace sluice {
namespace {

int own_nice() {
  errno = 0;
  return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
}

TEST(ThreadPriorityTest, LowersOnlyTheCallingThreadAndItsNewThreads) {
  const int before = own_nice();
  int lowered = -100, inherited = -100, again = -100;
  std::thread([&] {
    EXPECT_TRUE(lower_thread_priority(before + 5));
    lowered = own_nice();
    std::thread([&] { inherited = own_nice(); }).join();
    EXPECT_TRUE(lower_thread_priority(before));  // never raised back
    again = own_nice();
  }).join();
  EXPECT_EQ(lowered, before + 5);
  EXPECT_EQ(inherited, before + 5);
  EXPECT_EQ(again, before + 5);
  EXPECT_EQ(own_nice(), before);
}

}  // namespace
}  // namespace sluice
