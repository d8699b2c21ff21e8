#include "pipeline/sinks/sluice/sluice_positions_client.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <thread>

#include "net/http_client.hpp"

namespace sluice {

std::string url_encode_component(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool sluice_shutdown_requested() {
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) != 0) return false;
  return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

Result<std::unordered_map<std::string, uint64_t>> parse_committed_positions(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::padded_string padded(json);
  if (auto err = parser.parse(padded).get(doc); err) {
    return Status::InvalidArgument(std::string("committed positions: not JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) {
    return Status::InvalidArgument("committed positions: expected a JSON object {\"key\": offset}");
  }
  std::unordered_map<std::string, uint64_t> out;
  for (auto [key, value] : obj) {
    uint64_t offset = 0;
    if (value.get(offset)) {
      return Status::InvalidArgument("committed positions: \"" + std::string(key.substr(0, 80)) +
                                     "\" is not an unsigned integer offset");
    }
    out[std::string(key)] = offset;
  }
  return out;
}

std::unordered_map<std::string, uint64_t> fetch_committed_positions(const PositionsQuery& q,
                                                                    const std::function<bool()>& should_stop) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  HttpClientRequest req;
  req.method = "GET";
  req.url = q.endpoint + "/v1/sluice/positions?agent=" + url_encode_component(q.agent) +
            "&source=" + url_encode_component(q.source);
  req.headers = q.headers;
  req.timeout = q.request_timeout;
  req.max_response_bytes = 256ULL << 20;
  auto backoff = std::chrono::milliseconds(100);
  auto last_log = Clock::time_point{};
  auto stop = [&] { return should_stop ? should_stop() : sluice_shutdown_requested(); };
  const std::string what = "sluice sink: positions of source \"" + q.source + "\" at " + q.endpoint;
  while (true) {
    auto res = http_send(req);
    std::string problem;
    if (res.ok() && res->status == 200) {
      auto parsed = parse_committed_positions(res->body);
      if (parsed.ok()) {
        spdlog::info("{}: the server has {} committed; resuming from them", what, parsed->size());
        return std::move(*parsed);
      }
      spdlog::error("{}: {}; starting per start_at (at-least-once)", what, parsed.status().message());
      return {};
    }
    if (!res.ok()) {
      if (res.status().code() == StatusCode::kInvalidArgument) {
        spdlog::error("{}: {}; starting per start_at (at-least-once)", what, res.status().message());
        return {};
      }
      problem = res.status().message();
    } else {
      const int s = res->status;
      if (s != 408 && s != 429 && s < 500) {
        spdlog::warn(
            "{}: the server answered {} ({}): it does not serve positions (not a sluice server?); "
            "starting per start_at, delivery is at-least-once",
            what, s, res->body.substr(0, 200));
        return {};
      }
      problem = "answered " + std::to_string(s) + ": " + res->body.substr(0, 200);
    }
    const auto now = Clock::now();
    if (q.give_up_after.count() > 0 && now - start >= q.give_up_after) {
      spdlog::warn(
          "{}: no answer within positions_timeout ({}); starting per start_at, the server drops the "
          "batches it already has",
          what, problem);
      return {};
    }
    if (now - last_log >= std::chrono::seconds(30)) {
      spdlog::warn("{}: waiting for server ({}); the sources start once it answers", what, problem);
      last_log = now;
    }
    // Sleep in slices, to notice a shutdown quickly.
    const auto wake = Clock::now() + backoff;
    while (Clock::now() < wake) {
      if (stop()) {
        spdlog::warn("{}: shutting down before the server answered", what);
        return {};
      }
      std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(50), wake - Clock::now()));
    }
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
  }
}

}  // namespace sluice
