#include "pipeline/transforms/multiline/multiline.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace sluice {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// Output of `python3 -c` (3.11) raising RuntimeError while handling ValueError.
constexpr std::string_view kPythonChained = R"(Traceback (most recent call last):
  File "<string>", line 5, in <module>
  File "<string>", line 3, in inner
ValueError: inner

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "<string>", line 7, in <module>
RuntimeError: outer)";

// Output of `java Main.java` (OpenJDK 17) throwing with a cause.
constexpr std::string_view kJavaCausedBy =
    "Exception in thread \"main\" java.lang.RuntimeException: outer\n"
    "\tat Main.main(Main.java:4)\n"
    "Caused by: java.lang.IllegalStateException: inner\n"
    "\tat Main.inner(Main.java:2)\n"
    "\tat Main.main(Main.java:4)\n"
    "\tat java.base/java.lang.reflect.Method.invoke(Method.java:569)\n"
    "\t... 5 more\n"
    "\tSuppressed: java.io.IOException: close failed\n"
    "\t\tat Main.close(Main.java:9)";

// A Go 1.22 panic inside a recovered panic, with two goroutines.
constexpr std::string_view kGoPanic =
    "panic: first [recovered]\n"
    "\tpanic: second\n"
    "\n"
    "goroutine 1 [running]:\n"
    "main.main.func1()\n"
    "\t/tmp/p/main.go:8 +0x25\n"
    "panic({0x4a1e20?, 0x4e5f50?})\n"
    "\t/usr/lib/go/src/runtime/panic.go:770 +0x132\n"
    "main.main()\n"
    "\t/tmp/p/main.go:11 +0x4c\n"
    "\n"
    "goroutine 6 [sleep]:\n"
    "time.Sleep(0x3b9aca00)\n"
    "\t/usr/lib/go/src/runtime/time.go:195 +0x125\n"
    "created by main.main in goroutine 1\n"
    "\t/tmp/p/main.go:5 +0x1e";

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    out.emplace_back(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) return out;
    start = nl + 1;
  }
}

LogBatch batch_of(const std::vector<std::string>& lines, std::string path = "/var/log/app.log", uint64_t offset = 0) {
  LogBatch b;
  for (const auto& l : lines) {
    LogRecord r;
    r.body = l;
    r.attributes = {{"log.file.path", path}};
    b.records.push_back(std::move(r));
  }
  if (offset > 0) b.positions.push_back(SourcePosition{"files", path, offset, path});
  return b;
}

std::vector<std::string> bodies(const LogBatch& b) {
  std::vector<std::string> out;
  for (const auto& r : b.records) out.push_back(r.body);
  return out;
}

struct Harness {
  int64_t now = 0;
  std::unique_ptr<Multiline> t;

  explicit Harness(MultilineOptions o) {
    auto r = Multiline::create(o, [this] { return now; });
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    if (r.ok()) t = std::move(r).value();
  }
  // Runs `lines` as one batch, then a final flush; returns every body.
  std::vector<std::string> run_all(const std::vector<std::string>& lines) {
    LogBatch b = batch_of(lines);
    t->process(b);
    std::vector<std::string> out = bodies(b);
    LogBatch f;
    t->flush(f, true);
    for (auto& s : bodies(f)) out.push_back(s);
    return out;
  }
};

MultilineOptions mode(std::string start, std::string condition, std::string m) {
  MultilineOptions o;
  o.start_pattern = std::move(start);
  o.condition_pattern = std::move(condition);
  o.mode = std::move(m);
  return o;
}

MultilineOptions preset(std::string name) {
  MultilineOptions o;
  o.preset = std::move(name);
  return o;
}

using Lines = std::vector<std::string>;

// The four modes, with the examples of Vector's line_agg tests.
TEST(Multiline, ContinueThrough) {
  Harness h(mode(R"(^[^\s])", R"(^[\s]+)", "continue_through"));
  EXPECT_EQ(h.run_all({"some usual line", "first part", " second part", " last part", "another normal message",
                       "finishing message", " last part of the incomplete finishing message"}),
            (Lines{"some usual line", "first part\n second part\n last part", "another normal message",
                   "finishing message\n last part of the incomplete finishing message"}));
}

TEST(Multiline, ContinuePast) {
  Harness h(mode(R"(\\$)", R"(\\$)", "continue_past"));
  EXPECT_EQ(h.run_all({"some usual line", "first part \\", "second part \\", "last part", "another normal message",
                       "finishing message \\"}),
            (Lines{"some usual line", "first part \\\nsecond part \\\nlast part", "another normal message",
                   "finishing message \\"}));
}

TEST(Multiline, HaltBefore) {
  Harness h(mode("^", R"(^(INFO|ERROR) )", "halt_before"));
  EXPECT_EQ(h.run_all({"INFO some usual line", "INFO first part", "second part", "last part",
                       "ERROR another normal message"}),
            (Lines{"INFO some usual line", "INFO first part\nsecond part\nlast part", "ERROR another normal message"}));
}

TEST(Multiline, StartPatternAloneMeansHaltBeforeIt) {
  Harness h(mode(R"(^\d{4}-\d\d-\d\d )", "", "halt_before"));
  EXPECT_EQ(h.run_all({"orphan", "2024-01-01 a", "  more a", "2024-01-02 b", "2024-01-03 c", "  more c"}),
            (Lines{"orphan", "2024-01-01 a\n  more a", "2024-01-02 b", "2024-01-03 c\n  more c"}));
}

TEST(Multiline, HaltWith) {
  Harness h(mode(R"([^;]$)", R"(;$)", "halt_with"));
  EXPECT_EQ(h.run_all({"some usual line;", "first part", "second part", "last part;", "another normal message;",
                       "finishing message", "last part of the incomplete finishing message"}),
            (Lines{"some usual line;", "first part\nsecond part\nlast part;", "another normal message;",
                   "finishing message\nlast part of the incomplete finishing message"}));
}

TEST(Multiline, PythonPresetJoinsChainedTracebacks) {
  Harness h(preset("python"));
  Lines in = {"before", ""};
  for (auto& l : split_lines(kPythonChained)) in.push_back(l);
  in.push_back("");  // a blank line after the traceback is not part of it
  in.push_back("after");
  EXPECT_EQ(h.run_all(in), (Lines{"before", "", std::string(kPythonChained), "", "after"}));
}

TEST(Multiline, JavaPresetJoinsCausesAndSuppressed) {
  Harness h(preset("java"));
  Lines in = {"12:00:01 INFO starting", "12:00:02 ERROR request failed"};
  for (auto& l : split_lines(kJavaCausedBy)) in.push_back(l);
  in.push_back("12:00:03 INFO next");
  EXPECT_EQ(h.run_all(in), (Lines{"12:00:01 INFO starting", "12:00:02 ERROR request failed", std::string(kJavaCausedBy),
                                  "12:00:03 INFO next"}));
}

TEST(Multiline, GoPresetJoinsPanicAndGoroutines) {
  Harness h(preset("go"));
  Lines in = {"2024/01/01 serving", "(not a frame)"};
  for (auto& l : split_lines(kGoPanic)) in.push_back(l);
  in.push_back("exit status 2");
  EXPECT_EQ(h.run_all(in), (Lines{"2024/01/01 serving", "(not a frame)", std::string(kGoPanic), "exit status 2"}));
  // A function-looking line without its file line is not part of the trace.
  Harness g(preset("go"));
  EXPECT_EQ(g.run_all({"panic: x", "", "goroutine 1 [running]:", "main.main()", "\t/a.go:1 +0x1", "done()", "next"}),
            (Lines{"panic: x\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1", "done()", "next"}));
}

TEST(Multiline, LinesOfDifferentFilesNeverJoin) {
  Harness h(preset("java"));
  LogBatch b;
  auto add = [&](std::string body, std::string path) {
    LogRecord r;
    r.body = std::move(body);
    r.attributes = {{"log.file.path", std::move(path)}};
    b.records.push_back(std::move(r));
  };
  add("java.lang.Exception: a", "/a.log");
  add("java.lang.Exception: b", "/b.log");
  add("\tat A.a(A.java:1)", "/a.log");
  add("\tat B.b(B.java:1)", "/b.log");
  add("next a", "/a.log");
  h.t->process(b);
  EXPECT_EQ(bodies(b), (Lines{"java.lang.Exception: a\n\tat A.a(A.java:1)"}));
  EXPECT_EQ(*find_key_value(b.records[0].attributes, "log.file.path"), "/a.log");
  LogBatch f;
  h.t->flush(f, true);
  EXPECT_EQ(bodies(f).size(), 2u);
}

TEST(Multiline, TimeoutFlushesHeldRecord) {
  MultilineOptions o = preset("java");
  o.timeout = std::chrono::milliseconds(500);
  Harness h(o);
  EXPECT_EQ(h.t->flush_interval(), std::chrono::milliseconds(125));
  LogBatch b = batch_of({"java.lang.Exception: x", "\tat A.a(A.java:1)"}, "/var/log/app.log", 100);
  h.t->process(b);
  EXPECT_TRUE(b.records.empty());
  EXPECT_TRUE(b.positions.empty());
  h.now += 400'000'000;
  LogBatch early;
  h.t->flush(early, false);
  EXPECT_TRUE(early.empty());
  h.now += 100'000'000;
  LogBatch due;
  h.t->flush(due, false);
  EXPECT_EQ(bodies(due), (Lines{"java.lang.Exception: x\n\tat A.a(A.java:1)"}));
  ASSERT_EQ(due.positions.size(), 1u);
  EXPECT_EQ(due.positions[0].offset, 100u);
  EXPECT_EQ(h.t->held_batches(), 0u);
}

TEST(Multiline, MaxLinesAndMaxBytesCutIntoFlaggedPieces) {
  MultilineOptions o = mode(R"(^\S)", R"(^\s)", "continue_through");
  o.max_lines = 3;
  Harness h(o);
  LogBatch b = batch_of({"head", " 1", " 2", " 3", " 4", " 5", " 6", "next"});
  h.t->process(b);
  ASSERT_EQ(bodies(b), (Lines{"head\n 1\n 2", " 3\n 4\n 5", " 6"}));
  EXPECT_EQ(*find_key_value(b.records[0].attributes, "log.split"), "first");
  EXPECT_EQ(*find_key_value(b.records[1].attributes, "log.split"), "middle");
  EXPECT_EQ(*find_key_value(b.records[2].attributes, "log.split"), "last");

  MultilineOptions ob = mode(R"(^\S)", R"(^\s)", "continue_through");
  ob.max_bytes = 10;
  Harness hb(ob);
  EXPECT_EQ(hb.run_all({"head", " 12", " 34", " a-very-long-line", "x"}),
            (Lines{"head\n 12", " 34", " a-very-long-line", "x"}));
}

// The position/ack rule: a batch's positions and acks wait until none of
// its lines is held, in batch order.
TEST(Multiline, HeldLinesHoldBackPositionsAndAcks) {
  Harness h(preset("java"));
  std::atomic<int> done1{0}, done2{0};
  auto ack1 = std::make_shared<Acknowledgement>([&](DeliveryStatus, const std::string&) { done1++; });
  auto ack2 = std::make_shared<Acknowledgement>([&](DeliveryStatus, const std::string&) { done2++; });

  LogBatch b1 = batch_of({"normal", "java.lang.Exception: x", "\tat A.a(A.java:1)"}, "/app.log", 100);
  b1.acks.push_back(std::move(ack1));
  h.t->process(b1);
  EXPECT_EQ(bodies(b1), (Lines{"normal"}));
  EXPECT_TRUE(b1.positions.empty());  // the trace's lines are still held
  EXPECT_EQ(b1.acks.size(), 1u);      // "normal" came from batch 1
  b1 = LogBatch{};                    // written and released by the sinks
  EXPECT_EQ(done1, 0);                // but the trace is not written yet

  // A batch with only a position (no lines) must not overtake the held line.
  LogBatch p = batch_of({}, "/app.log", 150);
  h.t->process(p);
  EXPECT_TRUE(p.empty());

  LogBatch b2 = batch_of({"\tat B.b(B.java:2)", "after"}, "/app.log", 200);
  b2.acks.push_back(std::move(ack2));
  h.t->process(b2);
  EXPECT_EQ(bodies(b2), (Lines{"java.lang.Exception: x\n\tat A.a(A.java:1)\n\tat B.b(B.java:2)"}));
  ASSERT_EQ(b2.positions.size(), 1u);  // batch 1 and the position-only batch; "after" (batch 2) is held
  EXPECT_EQ(b2.positions[0].offset, 150u);
  EXPECT_EQ(b2.acks.size(), 2u);
  b2 = LogBatch{};
  EXPECT_EQ(done1, 1);
  EXPECT_EQ(done2, 0);

  LogBatch f;
  h.t->flush(f, true);
  EXPECT_EQ(bodies(f), (Lines{"after"}));
  ASSERT_EQ(f.positions.size(), 1u);
  EXPECT_EQ(f.positions[0].offset, 200u);
  f = LogBatch{};
  EXPECT_EQ(done2, 1);
  EXPECT_EQ(h.t->held_batches(), 0u);
}

TEST(Multiline, TimeoutSplitsOffTentativeLines) {
  Harness h(preset("python"));
  LogBatch b =
      batch_of({"Traceback (most recent call last):", "  File \"a.py\", line 1, in <module>", "KeyError: 1", ""});
  h.t->process(b);
  EXPECT_TRUE(b.records.empty());
  h.now += 2 * kSecond;
  LogBatch due;
  h.t->flush(due, false);
  // The blank line was only provisionally part of the traceback.
  EXPECT_EQ(bodies(due),
            (Lines{"Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\nKeyError: 1", ""}));
  EXPECT_EQ(h.t->held_batches(), 0u);
}

TEST(Multiline, StreamsNeverJoinAndShutdownFailsWhatCannotGoOut) {
  Harness h(preset("java"));
  DeliveryStatus st[2] = {DeliveryStatus::kDelivered, DeliveryStatus::kDelivered};
  LogBatch in[2];
  for (int i = 0; i < 2; ++i) {
    in[i] = batch_of({"java.lang.Exception: " + std::to_string(i), "\tat A.a(A.java:1)"}, "/x.log", 10 * (i + 1));
    in[i].stream = i == 0 ? "one" : "two";
    in[i].acks.push_back(
        std::make_shared<Acknowledgement>([&st, i](DeliveryStatus s, const std::string&) { st[i] = s; }));
    h.t->process(in[i]);
    EXPECT_TRUE(in[i].records.empty());  // the two streams' lines do not join
    in[i] = LogBatch{};
  }
  LogBatch f;
  h.t->flush(f, true);
  // One batch names one stream: the other stream's record cannot go out, so
  // its batch is failed (the client retries) and its position withheld.
  const int out = f.stream == "one" ? 0 : 1;
  EXPECT_EQ(f.stream, out == 0 ? "one" : "two");
  EXPECT_EQ(bodies(f), (Lines{"java.lang.Exception: " + std::to_string(out) + "\n\tat A.a(A.java:1)"}));
  EXPECT_EQ(f.positions.size(), out == 0 ? 1u : 0u);
  f = LogBatch{};
  h.t.reset();
  EXPECT_EQ(st[out], DeliveryStatus::kDelivered);
  EXPECT_EQ(st[1 - out], DeliveryStatus::kErrored);
}

TEST(Multiline, RejectsBadOptions) {
  EXPECT_EQ(Multiline::create(MultilineOptions{}).status().message(),
            "multiline: set exactly one of preset ([\"go\", \"java\", \"python\"]) and start_pattern");
  EXPECT_EQ(Multiline::create(preset("jav")).status().message(),
            "multiline: unknown preset \"jav\" (did you mean \"java\"?); presets: [\"go\", \"java\", \"python\"]");
  EXPECT_EQ(Multiline::create(mode("(", "", "halt_before")).status().message(),
            "multiline: start_pattern: invalid pattern \"(\": missing ): (");
  EXPECT_EQ(Multiline::create(mode("a", "", "halt_with")).status().message(),
            "multiline: mode \"halt_with\" needs condition_pattern");
  MultilineOptions g = preset("go");
  g.group_by = {"attributes"};
  EXPECT_EQ(Multiline::create(g).status().message(),
            "multiline: group_by: field path \"attributes\": \"attributes\" needs a key here: attributes.<key>");
}

}  // namespace
}  // namespace sluice
