#include "common/thread_name.hpp"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

namespace sluice {
namespace {

std::string own_comm() {
  std::ifstream in("/proc/self/task/" + std::to_string(::syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

TEST(ThreadNameTest, NamesTheCallingThreadCutTo15Bytes) {
  std::string short_name, long_name;
  std::thread([&] {
    set_thread_name("parsed");
    short_name = own_comm();
    set_thread_name("a_component_with_a_long_name");
    long_name = own_comm();
  }).join();
  EXPECT_EQ(short_name, "parsed");
  EXPECT_EQ(long_name, "a_component_wit");
}

}  // namespace
}  // namespace sluice
