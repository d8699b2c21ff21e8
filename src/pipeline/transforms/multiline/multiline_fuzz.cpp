// libFuzzer target multiline_fuzz: random line sequences from two files,
// cut into random batches with random time-outs, through the java, python
// and go presets. Checks that no byte is lost or duplicated (per file, the
// output bodies joined with "\n" equal the input lines joined with "\n"),
// that a released position never runs ahead of the lines output, and that
// the final flush releases every position.
//
// Input: byte 0 picks the preset and the limits; byte 1 drives batch cuts,
// file choice and time-outs; the rest is the text, split at '\n'.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/transforms/multiline/multiline.hpp"

namespace {

/// Per-file text joined with "\n", remembering whether any line was added.
struct Joined {
  std::string text;
  bool any = false;
  void add(std::string_view s) {
    if (any) text += '\n';
    text += s;
    any = true;
  }
  bool operator==(const Joined&) const = default;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Compiled once: RE2 compilation would dominate each run.
  static const std::vector<std::shared_ptr<const sluice::MultilineProgram>> kPrograms = [] {
    std::vector<std::shared_ptr<const sluice::MultilineProgram>> v;
    for (const char* name : {"java", "python", "go"}) v.push_back(*sluice::preset_rules(name));
    return v;
  }();
  sluice::LineGrouper::Limits limits;
  limits.max_lines = (data[0] / 3) % 4 == 0 ? 3 : 1000;
  limits.max_bytes = (data[0] / 12) % 2 == 0 ? 64 : 1 << 20;
  limits.timeout_ns = 1'000'000'000;
  int64_t now = 0;
  static const std::vector<sluice::FieldPath> kGroupBy = {*sluice::parse_field_path("attributes.log.file.path")};
  auto t = std::make_unique<sluice::Multiline>(kPrograms[data[0] % 3], limits, kGroupBy, [&] { return now; });
  const uint8_t ctl = data[1];
  std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  std::vector<std::string_view> lines;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  Joined in[2], out[2];
  uint64_t lines_out = 0, released = 0;
  auto collect = [&](const sluice::LogBatch& b) {
    for (const auto& r : b.records) {
      const std::string* path = sluice::find_key_value(r.attributes, "log.file.path");
      if (path == nullptr || (*path != "a" && *path != "b")) std::abort();
      out[*path == "a" ? 0 : 1].add(r.body);
      for (char ch : r.body) lines_out += ch == '\n';
      lines_out += 1;
    }
    for (const auto& p : b.positions) {
      // Positions only move forward, and never past a line not yet output.
      if (p.offset < released || p.offset > lines_out) std::abort();
      released = p.offset;
    }
  };
  sluice::LogBatch batch;
  for (size_t i = 0; i < lines.size(); ++i) {
    const unsigned bits = (static_cast<unsigned>(ctl) >> (i % 8)) ^ static_cast<unsigned>(i * 7);
    const int f = (bits & 1) != 0 && (ctl & 0x80) != 0 ? 1 : 0;
    sluice::LogRecord r;
    r.body = std::string(lines[i]);
    r.attributes = {{"log.file.path", f == 0 ? "a" : "b"}};
    batch.records.push_back(std::move(r));
    in[f].add(lines[i]);
    if ((bits & 6) == 6 || i + 1 == lines.size()) {
      batch.positions.push_back(sluice::SourcePosition{"files", "f", i + 1, ""});
      t->process(batch);
      collect(batch);
      batch = sluice::LogBatch{};
    }
    if ((bits & 24) == 24) {
      now += 2'000'000'000;
      sluice::LogBatch due;
      t->flush(due, false);
      collect(due);
    }
  }
  sluice::LogBatch fin;
  t->flush(fin, true);
  collect(fin);
  if (!(in[0] == out[0]) || !(in[1] == out[1])) std::abort();
  if (lines_out != lines.size() || released != lines.size() || t->held_batches() != 0) std::abort();
  return 0;
}
