#include "server/api.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "common/compression.hpp"
#include "common/metrics.hpp"
#include "model/json_records.hpp"

namespace sluice {

const OptionTable<ApiOptions>& api_option_table() {
  static const OptionTable<ApiOptions> kTable = [] {
    OptionTable<ApiOptions> t;
    t.add_string("listen", &ApiOptions::listen, "127.0.0.1:7070",
                 "host:port of the HTTP API (ingest, query, health, metrics).")
        .add_size("max_body_bytes", &ApiOptions::max_body_bytes, "64MiB", "1KiB", "4GiB",
                  "Requests with a larger body get 413 without being read.")
        .add_duration("idle_timeout", &ApiOptions::idle_timeout, "60s", "100ms", "1h",
                      "A connection with no request for this long is closed.")
        .add_integer("max_connections", &ApiOptions::max_connections, 256, 1, 100000,
                     "Connections past this number are closed at once.")
        .add_integer("max_line_errors", &ApiOptions::max_line_errors, 100, 1, 100000,
                     "How many bad NDJSON lines a 400 answer lists at most.");
    return t;
  }();
  return kTable;
}

namespace {

int http_status_for(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kDeadlineExceeded:
      return 408;
    case StatusCode::kResourceExhausted:
      return 422;
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled:
      return 503;
    default:
      return 500;
  }
}

HttpResponse json(int status, std::string body) { return {status, "application/json", std::move(body) + "\n"}; }

std::string timestamp_json(int64_t ns) {
  if (ns == 0) return "null";
  std::string s;
  // RFC 3339 with nanoseconds, UTC.
  time_t secs = static_cast<time_t>(ns / 1000000000);
  int64_t frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    secs -= 1;
  }
  struct tm tm {};
  gmtime_r(&secs, &tm);
  return fmt::format("\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z\"", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

}  // namespace

HttpResponse error_response(const Status& st) {
  std::string body = "{\"error\":{\"code\":";
  append_json_string(body, status_code_name(st.code()));
  body += ",\"message\":";
  append_json_string(body, st.message());
  body += "}}";
  return json(http_status_for(st.code()), std::move(body));
}

HttpResponse reload_response(const HttpRequest& req, const std::function<Result<std::string>()>& reload) {
  if (req.method != "POST") return error_response(Status::InvalidArgument("use POST on /api/v1/reload"));
  auto r = reload();
  if (!r.ok()) return error_response(r.status());
  std::string body = "{\"reloaded\":";
  append_json_string(body, *r);
  body += "}";
  return json(200, std::move(body));
}

Api::Api(Store* store, QueryEngine* engine, ApiOptions options)
    : store_(store), engine_(engine), options_(std::move(options)) {}

HttpResponse Api::handle(const HttpRequest& req) {
  const std::string& p = req.path;
  auto method_is = [&](const char* m) { return req.method == m; };
  if (p == "/healthz") return {200, "text/plain", "ok\n"};
  if (p == "/readyz")
    return ready_ ? HttpResponse{200, "text/plain", "ready\n"} : HttpResponse{503, "text/plain", "starting\n"};
  if (p == "/metrics") return {200, "text/plain; version=0.0.4", MetricsRegistry::global().render()};
  if (p == "/api/v1/streams") {
    if (!method_is("GET")) return error_response(Status::InvalidArgument("use GET on /api/v1/streams"));
    return streams();
  }
  if (p == "/api/v1/reload") {
    if (!reload_) return error_response(Status::NotFound("this process cannot reload its configuration"));
    return reload_response(req, reload_);
  }
  if (p == "/api/v1/query") {
    if (!method_is("POST") && !method_is("GET"))
      return error_response(Status::InvalidArgument("use POST on /api/v1/query"));
    return query(req);
  }
  static const std::string kPrefix = "/api/v1/streams/";
  static const std::string kSuffix = "/records";
  if (p.starts_with(kPrefix) && p.ends_with(kSuffix) && p.size() > kPrefix.size() + kSuffix.size()) {
    std::string name = p.substr(kPrefix.size(), p.size() - kPrefix.size() - kSuffix.size());
    if (!method_is("POST")) return error_response(Status::InvalidArgument("use POST to append records"));
    return ingest(req, name);
  }
  return error_response(Status::NotFound("no endpoint " + req.method + " " + p));
}

HttpResponse Api::ingest(const HttpRequest& req, const std::string& name) {
  if (!valid_stream_name(name)) {
    return error_response(Status::InvalidArgument("stream name \"" + name + "\" must match [a-z0-9_.-]{1,64}"));
  }
  auto& m = MetricsRegistry::global();
  Labels l{{"source", "http"}, {"stream", name}};
  // Content-Encoding gzip/deflate/zstd: the decompressed body is capped at
  // max_body_bytes too (a zip bomb gets 413).
  std::string inflated;
  const std::string* body = &req.body;
  if (std::string enc = req.header("content-encoding"); !enc.empty()) {
    auto codec = compression_from_name(enc);
    if (!codec.ok()) return {415, "application/json", error_response(codec.status()).body};
    auto out = decompress(*codec, req.body, options_.max_body_bytes);
    if (!out.ok()) {
      HttpResponse r = error_response(out.status());
      if (out.status().code() == StatusCode::kResourceExhausted) r.status = 413;
      return r;
    }
    inflated = std::move(*out);
    body = &inflated;
  }
  auto decoded = decode_ndjson(*body, Env::posix()->now_unix_nanos(), static_cast<size_t>(options_.max_line_errors));
  if (!decoded.errors.empty()) {
    m.counter("sluice_ingest_rejected_requests_total", "Ingest requests rejected for bad input.", l).inc();
    std::string body = fmt::format(
        "{{\"error\":{{\"code\":\"invalid_argument\",\"message\":\"{} line(s) are not valid "
        "records; nothing was stored\"}},\"line_errors\":[",
        decoded.error_count);
    for (size_t i = 0; i < decoded.errors.size(); ++i) {
      if (i) body += ',';
      body += fmt::format("{{\"line\":{},\"reason\":", decoded.errors[i].line);
      append_json_string(body, decoded.errors[i].message);
      body += '}';
    }
    body += "]}";
    return json(400, std::move(body));
  }
  auto stream = store_->stream(name);
  if (!stream.ok()) return error_response(stream.status());
  LogBatch batch;
  batch.records = std::move(decoded.records);
  size_t n = batch.records.size();
  auto r = (*stream)->append(batch);
  if (!r.ok()) {
    HttpResponse e = error_response(r.status());
    if (r.status().code() == StatusCode::kResourceExhausted) e.status = (*stream)->disk_low() ? 507 : 413;
    return e;
  }
  m.counter("sluice_source_records_total", "Records received per source.", l).inc(n);
  m.counter("sluice_source_bytes_total", "Bytes received per source.", l).inc(body->size());
  if (n == 0) return json(200, "{\"accepted\":0,\"first_offset\":null,\"last_offset\":null}");
  return json(200, fmt::format("{{\"accepted\":{},\"first_offset\":{},\"last_offset\":{}}}", n, r->first_offset,
                               r->last_offset));
}

HttpResponse Api::streams() {
  std::string body = "{\"streams\":[";
  bool first = true;
  for (const auto& s : store_->list_streams()) {
    if (!first) body += ',';
    first = false;
    body += "{\"name\":";
    append_json_string(body, s.name);
    body += fmt::format(",\"kind\":\"{}\",\"records\":{},\"bytes\":{},\"segments\":{},\"next_offset\":{},", s.kind,
                        s.records, s.bytes, s.segments, s.next_offset);
    body += "\"oldest_timestamp\":" + timestamp_json(s.oldest_timestamp_ns) +
            ",\"newest_timestamp\":" + timestamp_json(s.newest_timestamp_ns) + ",\"attribute_columns\":";
    append_json_string_array(body, s.attribute_columns);
    body += '}';
  }
  body += "]}";
  return json(200, std::move(body));
}

HttpResponse Api::query(const HttpRequest& req) {
  std::string sql;
  std::string format = req.params.count("format") ? req.params.at("format") : "json";
  auto it = req.params.find("sql");
  if (it != req.params.end()) {
    sql = it->second;
  } else {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(req.body);
    simdjson::dom::element doc;
    if (auto err = parser.parse(padded).get(doc)) {
      return error_response(Status::InvalidArgument(
          std::string("request body: expected a JSON object {\"sql\": \"...\"}: ") + simdjson::error_message(err)));
    }
    std::string_view s;
    if (doc["sql"].get_string().get(s)) {
      return error_response(Status::InvalidArgument("request body: expected a string field \"sql\""));
    }
    sql = std::string(s);
    std::string_view f;
    if (!doc["format"].get_string().get(f)) format = std::string(f);
  }
  if (format != "json" && format != "ndjson" && format != "csv") {
    return error_response(Status::InvalidArgument("format \"" + format + "\": expected json, ndjson or csv"));
  }
  auto r = engine_->execute(sql);
  if (!r.ok()) return error_response(r.status());
  const QueryResult& q = *r;
  std::string body;
  if (format == "json") {
    body = "{\"columns\":[";
    for (size_t c = 0; c < q.columns.size(); ++c) {
      if (c) body += ',';
      body += "{\"name\":";
      append_json_string(body, q.columns[c].name);
      body += ",\"type\":";
      append_json_string(body, q.columns[c].type);
      body += '}';
    }
    body += "],\"rows\":[";
    for (size_t i = 0; i < q.rows.size(); ++i) {
      if (i) body += ',';
      body += '[';
      for (size_t c = 0; c < q.rows[i].size(); ++c) {
        if (c) body += ',';
        append_json_cell(body, q.rows[i][c]);
      }
      body += ']';
    }
    body += fmt::format("],\"elapsed_ms\":{:.3f}}}", q.elapsed_ms);
    return json(200, std::move(body));
  }
  if (format == "ndjson") {
    for (const auto& row : q.rows) {
      body += '{';
      for (size_t c = 0; c < row.size(); ++c) {
        if (c) body += ',';
        append_json_string(body, q.columns[c].name);
        body += ':';
        append_json_cell(body, row[c]);
      }
      body += "}\n";
    }
    return {200, "application/x-ndjson", std::move(body)};
  }
  // CSV, RFC 4180: quote fields containing a comma, quote, CR or LF.
  auto csv_field = [&](const std::string& v) {
    if (v.find_first_of(",\"\r\n") == std::string::npos) {
      body += v;
      return;
    }
    body += '"';
    for (char ch : v) {
      if (ch == '"') body += '"';
      body += ch;
    }
    body += '"';
  };
  for (size_t c = 0; c < q.columns.size(); ++c) {
    if (c) body += ',';
    csv_field(q.columns[c].name);
  }
  body += "\r\n";
  for (const auto& row : q.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) body += ',';
      if (row[c].kind != Cell::Kind::kNull) csv_field(row[c].text);
    }
    body += "\r\n";
  }
  return {200, "text/csv", std::move(body)};
}

}  // namespace sluice
