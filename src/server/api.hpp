// The HTTP API of `sluice run` (docs/user-guide.md "HTTP API"):
//   GET  /healthz, /readyz, /metrics (Prometheus text format 0.0.4)
//   POST /api/v1/streams/{stream}/records  NDJSON in, durable before 200
//   GET  /api/v1/streams                   streams with counts, bytes, times
//   POST /api/v1/query                     {"sql": "..."} -> JSON; ?format=ndjson|csv
//   POST /api/v1/reload                    re-reads the config file (set_reload)
//
// Errors are JSON: {"error": {"code": "<status code name>", "message": "..."}}
// with 400 for bad input, 404 unknown path or stream, 405 wrong method, 408
// query time-out, 413 too large, 422 row limit, 503 not ready, 507 disk floor.
//
// Thread-safety: handle() is called concurrently by connection threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "net/http_types.hpp"
#include "query/query_engine.hpp"
#include "store/store.hpp"

namespace sluice {

struct ApiOptions {
  std::string listen;
  uint64_t max_body_bytes = 0;
  std::chrono::nanoseconds idle_timeout{};
  int64_t max_connections = 0;
  int64_t max_line_errors = 0;
};

/// The option table of [api].
const OptionTable<ApiOptions>& api_option_table();

class Api {
 public:
  /// `store` and `engine` must outlive the Api.
  Api(Store* store, QueryEngine* engine, ApiOptions options);
  HttpResponse handle(const HttpRequest& req);
  /// /readyz answers 200 once set.
  void set_ready(bool ready) { ready_ = ready; }
  /// What POST /api/v1/reload calls (Reloader in cli/commands.cpp); set
  /// before the server starts.
  void set_reload(std::function<Result<std::string>()> reload) { reload_ = std::move(reload); }

 private:
  HttpResponse ingest(const HttpRequest& req, const std::string& stream);
  HttpResponse streams();
  HttpResponse query(const HttpRequest& req);

  Store* store_;
  QueryEngine* engine_;
  ApiOptions options_;
  std::atomic<bool> ready_{false};
  std::function<Result<std::string>()> reload_;
};

/// The JSON error body and HTTP status for a Status.
HttpResponse error_response(const Status& st);

/// POST /api/v1/reload: runs `reload` and answers 200 {"reloaded": "<what
/// changed>"}, or the error: 400 for a config that is invalid or changes a
/// section that needs a restart (the old pipeline keeps running), 503 while
/// shutting down, 500 when applied but a new source failed to start.
HttpResponse reload_response(const HttpRequest& req, const std::function<Result<std::string>()>& reload);

}  // namespace sluice
