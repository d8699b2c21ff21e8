#include "pipeline/sources/exec/exec_output.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

const std::string* attr(const LogRecord& r, std::string_view key) { return find_key_value(r.attributes, key); }

ExecCommand command() {
  ExecCommand c;
  c.path = "/usr/bin/df";
  c.argv = {"df", "-P", "say \"hi\""};
  return c;
}

TEST(ExecRunAttributes, FollowsTheProcessSemanticConventions) {
  KeyValues kv = exec_run_attributes(command(), 4242);
  EXPECT_EQ(*find_key_value(kv, "process.command"), "df");
  EXPECT_EQ(*find_key_value(kv, "process.command_args"), R"(["df","-P","say \"hi\""])");
  EXPECT_EQ(*find_key_value(kv, "process.executable.path"), "/usr/bin/df");
  EXPECT_EQ(*find_key_value(kv, "process.pid"), "4242");
  EXPECT_EQ(find_key_value(exec_run_attributes(command(), 0), "process.pid"), nullptr);
}

TEST(ExecOutput, CutsLinesPerStreamAndKeepsPartialLinesUntilFinish) {
  ExecOutput out(64, 1 << 20, {{"process.pid", "7"}});
  out.feed(ExecStream::kStdout, "one\r\ntw", 100);
  out.feed(ExecStream::kStderr, "err1\nerr", 101);
  out.feed(ExecStream::kStdout, "o\nthree", 102);
  ASSERT_EQ(out.records().size(), 3u);
  EXPECT_EQ(out.records()[0].body, "one");
  EXPECT_EQ(*attr(out.records()[0], "exec.stream"), "stdout");
  EXPECT_EQ(*attr(out.records()[0], "process.pid"), "7");
  EXPECT_EQ(out.records()[0].timestamp_ns, 100);
  EXPECT_EQ(out.records()[1].body, "err1");
  EXPECT_EQ(*attr(out.records()[1], "exec.stream"), "stderr");
  EXPECT_EQ(out.records()[2].body, "two");
  out.finish(200);
  ASSERT_EQ(out.records().size(), 5u);
  EXPECT_EQ(out.records()[3].body, "three");
  EXPECT_EQ(out.records()[4].body, "err");
  EXPECT_EQ(out.lines(), 5u);
  EXPECT_EQ(out.accepted_bytes(), 22u);
  EXPECT_EQ(out.dropped_bytes(), 0u);
}

TEST(ExecOutput, SplitsLongLinesAndRepairsUtf8) {
  ExecOutput out(4, 1 << 20, {});
  out.feed(ExecStream::kStdout, "abcdefghij\n\xff\xfeok\n", 1);
  ASSERT_EQ(out.records().size(), 4u);
  EXPECT_EQ(out.records()[0].body, "abcd");
  EXPECT_EQ(*attr(out.records()[0], "log.split"), "first");
  EXPECT_EQ(*attr(out.records()[1], "log.split"), "middle");
  EXPECT_EQ(out.records()[2].body, "ij");
  EXPECT_EQ(*attr(out.records()[2], "log.split"), "last");
  EXPECT_EQ(out.records()[3].body, "\xEF\xBF\xBD\xEF\xBF\xBDok");
  EXPECT_EQ(out.lines(), 2u);
}

TEST(ExecOutput, CountsBytesPastTheCapAsDropped) {
  ExecOutput out(1024, 10, {});
  out.feed(ExecStream::kStdout, "12345\n", 1);
  out.feed(ExecStream::kStderr, "abcdefgh\n", 1);  // 4 bytes fit: "abcd"
  out.feed(ExecStream::kStdout, "more\n", 1);
  out.finish(2);
  ASSERT_EQ(out.records().size(), 2u);
  EXPECT_EQ(out.records()[0].body, "12345");
  EXPECT_EQ(out.records()[1].body, "abcd");
  EXPECT_EQ(out.accepted_bytes(), 10u);
  EXPECT_EQ(out.dropped_bytes(), 10u);
}

TEST(ExecExitRecord, ExitCodeDurationAndCounts) {
  ExecRunSummary s;
  s.exit.exit_code = 0;
  s.duration_ns = 12345678;
  s.lines = 3;
  s.output_bytes = 30;
  LogRecord r = exec_exit_record(command(), exec_run_attributes(command(), 9), s, 55);
  EXPECT_EQ(r.body, "df exited with code 0");
  EXPECT_EQ(r.severity_number, 9);
  EXPECT_EQ(r.timestamp_ns, 55);
  EXPECT_EQ(*attr(r, "event.name"), "exec.exit");
  EXPECT_EQ(*attr(r, "process.exit.code"), "0");
  EXPECT_EQ(*attr(r, "process.pid"), "9");
  EXPECT_EQ(*attr(r, "exec.duration_ms"), "12.345");
  EXPECT_EQ(*attr(r, "exec.output.lines"), "3");
  EXPECT_EQ(*attr(r, "exec.output.bytes"), "30");
  EXPECT_EQ(attr(r, "exec.output.dropped_bytes"), nullptr);
  EXPECT_EQ(attr(r, "exec.timed_out"), nullptr);
}

TEST(ExecExitRecord, SignalTimeOutAndSpawnError) {
  ExecRunSummary s;
  s.exit.signal = 9;
  s.timed_out = true;
  s.dropped_bytes = 5;
  LogRecord r = exec_exit_record(command(), {}, s, 1);
  EXPECT_EQ(r.body, "df was killed by SIGKILL (timed out)");
  EXPECT_EQ(r.severity_number, 17);
  EXPECT_EQ(*attr(r, "exec.signal"), "SIGKILL");
  EXPECT_EQ(*attr(r, "exec.timed_out"), "true");
  EXPECT_EQ(*attr(r, "exec.output.dropped_bytes"), "5");
  EXPECT_EQ(attr(r, "process.exit.code"), nullptr);

  ExecRunSummary e;
  e.spawn_error = "posix_spawn /x: Permission denied";
  r = exec_exit_record(command(), {}, e, 1);
  EXPECT_EQ(r.body, "df could not start: posix_spawn /x: Permission denied");
  EXPECT_EQ(*attr(r, "exec.error"), "posix_spawn /x: Permission denied");
  EXPECT_EQ(r.severity_text, "ERROR");

  ExecRunSummary failed;
  failed.exit.exit_code = 3;
  EXPECT_EQ(exec_exit_record(command(), {}, failed, 1).severity_number, 17);
}

}  // namespace
}  // namespace sluice
