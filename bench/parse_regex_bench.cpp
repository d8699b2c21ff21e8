// Kernel benchmarks for the parsing hot path (Google Benchmark).
//
// BM_NginxCombinedRe2 vs BM_NginxCombinedScanner is the measurement behind
// the nginx_combined preset's hand-written matcher (STYLE: a library is
// replaced only where a benchmark shows it is the bottleneck): both match the
// same pattern on the same lines and must produce the same groups (checked
// by tests and by the parse_regex_nginx_fuzz target).
//
// BM_OtlpLogs{Encode,Decode}{Library,Wire} are the same measurement for the
// OTLP logs codec a `sluice` sink and the server's otlp source use on parsed
// access-log records: the protobuf library (the specification) against the
// direct wire-format reader and writer (otlp_logs_wire_*.hpp).
#include <benchmark/benchmark.h>
#include <re2/re2.h>
#include <zstd.h>

#include <random>
#include <string>
#include <vector>

#include "pipeline/sources/otlp/otlp_logs_decode.hpp"
#include "pipeline/sources/otlp/otlp_logs_encode.hpp"
#include "pipeline/sources/otlp/otlp_logs_wire_decode.hpp"
#include "pipeline/sources/otlp/otlp_logs_wire_encode.hpp"
#include "pipeline/transforms/parse_regex/parse_regex.hpp"
#include "pipeline/transforms/parse_regex/presets.hpp"
#include "store/wal/batch_codec.hpp"

namespace {

/// `n` combined-log lines, `per_second` in a row with the same time.
std::vector<std::string> lines(size_t n, size_t per_second = 1) {
  std::mt19937 rng(42);
  const char* paths[] = {"/", "/api/v1/users?id=7", "/static/app.js", "/login", "/search?q=x&page=2"};
  const char* agents[] = {"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "curl/7.88.1"};
  const int statuses[] = {200, 200, 200, 304, 404, 500};
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(std::to_string(rng() % 223 + 1) + "." + std::to_string(rng() % 256) + ".0." +
                  std::to_string(rng() % 254 + 1) +
                  " - - [21/Nov/2025:14:00:" + std::to_string(10 + i / per_second % 50) + " +0000] \"GET " +
                  paths[rng() % 5] + " HTTP/1.1\" " + std::to_string(statuses[rng() % 6]) + " " +
                  std::to_string(rng() % 50000) + " \"-\" \"" + agents[rng() % 2] + "\"");
  }
  return out;
}

const std::vector<std::string>& sample() {
  static const std::vector<std::string> kLines = lines(10000);
  return kLines;
}

void BM_NginxCombinedRe2(benchmark::State& state) {
  using sluice::parse_regex_detail::kNginxCombined;
  RE2 re(std::string(kNginxCombined.pattern), sluice::parse_regex_detail::preset_re2_options());
  int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> groups(static_cast<size_t>(n));
  size_t i = 0;
  for (auto _ : state) {
    const std::string& l = sample()[i++ % sample().size()];
    benchmark::DoNotOptimize(re.Match(l, 0, l.size(), RE2::ANCHOR_START, groups.data(), n));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NginxCombinedRe2);

void BM_NginxCombinedScanner(benchmark::State& state) {
  using sluice::parse_regex_detail::kNginxCombined;
  std::vector<re2::StringPiece> groups(32);
  size_t i = 0;
  for (auto _ : state) {
    const std::string& l = sample()[i++ % sample().size()];
    benchmark::DoNotOptimize(kNginxCombined.scan(l, groups.data()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NginxCombinedScanner);

/// 1,000 file-source records of `per_second` lines a second.
sluice::LogBatch make_batch(size_t per_second = 1) {
  static const std::vector<std::string> kBusy = lines(1000, 100);
  const std::vector<std::string>& text = per_second == 1 ? sample() : kBusy;
  sluice::LogBatch b;
  for (size_t i = 0; i < 1000; ++i) {
    sluice::LogRecord r;
    r.body = text[i];
    r.attributes = {{"log.file.path", "/var/log/nginx/access.log"}, {"log.file.name", "access.log"}};
    b.records.push_back(std::move(r));
  }
  return b;
}

// The whole transform (match, attributes, timestamp, severity) per line;
// the argument is the lines a second (1: every line's time is new, 100: a
// busy server's log, where the parsed time is reused).
void BM_ParseRegexTransformNginx(benchmark::State& state) {
  sluice::ParseRegexOptions o = sluice::parse_regex_option_table().defaults();
  o.preset = "nginx_combined";
  auto t = std::move(sluice::make_parse_regex(o)).value();
  sluice::LogBatch base = make_batch(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    sluice::LogBatch b = base;
    state.ResumeTiming();
    t->process(b);
    benchmark::DoNotOptimize(b);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_ParseRegexTransformNginx)->Arg(1)->Arg(100);

// WAL payload encoding of parsed records (once per batch on the ingest path,
// kept as both the WAL entry and the hot chunk).
void BM_EncodeParsedBatch(benchmark::State& state) {
  sluice::ParseRegexOptions o = sluice::parse_regex_option_table().defaults();
  o.preset = "nginx_combined";
  auto t = std::move(sluice::make_parse_regex(o)).value();
  sluice::LogBatch b = make_batch();
  t->process(b);
  std::string out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(sluice::encode_batch(b, &out));
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_EncodeParsedBatch);

void BM_DecodeParsedBatch(benchmark::State& state) {
  sluice::ParseRegexOptions o = sluice::parse_regex_option_table().defaults();
  o.preset = "nginx_combined";
  auto t = std::move(sluice::make_parse_regex(o)).value();
  sluice::LogBatch b = make_batch();
  t->process(b);
  std::string enc;
  (void)sluice::encode_batch(b, &enc);
  sluice::LogBatch out;
  for (auto _ : state) benchmark::DoNotOptimize(sluice::decode_batch(enc, &out));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_DecodeParsedBatch);

const sluice::LogBatch& parsed_batch() {
  static const sluice::LogBatch kBatch = [] {
    sluice::ParseRegexOptions o = sluice::parse_regex_option_table().defaults();
    o.preset = "nginx_combined";
    auto t = std::move(sluice::make_parse_regex(o)).value();
    sluice::LogBatch b = make_batch();
    t->process(b);
    for (auto& r : b.records) r.resource = {{"host.name", "web-1"}};
    return b;
  }();
  return kBatch;
}

void BM_OtlpLogsEncodeLibrary(benchmark::State& state) {
  const auto& b = parsed_batch();
  for (auto _ : state) benchmark::DoNotOptimize(sluice::encode_otlp_logs_proto_reference(b.records, ""));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(b.records.size()));
}
BENCHMARK(BM_OtlpLogsEncodeLibrary);

void BM_OtlpLogsEncodeWire(benchmark::State& state) {
  const auto& b = parsed_batch();
  for (auto _ : state) benchmark::DoNotOptimize(sluice::encode_otlp_logs_wire(b.records, ""));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(b.records.size()));
}
BENCHMARK(BM_OtlpLogsEncodeWire);

void BM_OtlpLogsDecodeLibrary(benchmark::State& state) {
  const auto& b = parsed_batch();
  const std::string body = sluice::encode_otlp_logs_proto(b.records, "");
  for (auto _ : state) benchmark::DoNotOptimize(sluice::decode_otlp_logs_proto_reference(body, 1));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(b.records.size()));
}
BENCHMARK(BM_OtlpLogsDecodeLibrary);

void BM_OtlpLogsDecodeWire(benchmark::State& state) {
  const auto& b = parsed_batch();
  const std::string body = sluice::encode_otlp_logs_proto(b.records, "");
  for (auto _ : state) benchmark::DoNotOptimize(sluice::decode_otlp_logs_wire(body, 1, {}));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(b.records.size()));
}
BENCHMARK(BM_OtlpLogsDecodeWire);

// An OTLP request body of 1,000 parsed records compressed with zstd at the
// level given (1: the sluice sink's, negative: zstd's faster levels) and
// decompressed again, as the agent and the server do; `ratio` is the body's
// size over the compressed size.
void BM_OtlpBodyZstd(benchmark::State& state) {
  const std::string body = sluice::encode_otlp_logs_proto(parsed_batch().records, "");
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  std::string packed(ZSTD_compressBound(body.size()), '\0');
  std::string unpacked(body.size(), '\0');
  size_t n = 0;
  for (auto _ : state) {
    n = ZSTD_compressCCtx(c, packed.data(), packed.size(), body.data(), body.size(), static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(ZSTD_decompressDCtx(d, unpacked.data(), unpacked.size(), packed.data(), n));
  }
  if (ZSTD_isError(n) || unpacked != body) state.SkipWithError("zstd round trip failed");
  state.counters["ratio"] = static_cast<double>(body.size()) / static_cast<double>(n);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(parsed_batch().records.size()));
  ZSTD_freeCCtx(c);
  ZSTD_freeDCtx(d);
}
BENCHMARK(BM_OtlpBodyZstd)->Arg(3)->Arg(1)->Arg(-1)->Arg(-3)->Arg(-5);

}  // namespace
