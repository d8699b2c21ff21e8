#include "cli/commands.hpp"

#include <simdjson.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>

#include "cli/schema.hpp"
#include "common/env.hpp"
#include "common/metrics.hpp"
#include "config/config_file.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "pipeline/pipeline.hpp"
#include "query/query_engine.hpp"
#include "server/api.hpp"
#include "store/store.hpp"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.1.0"
#endif

namespace sluice {
namespace {

// The embedded default of `sluice run` without --config: tail the machine's
// own text logs into the stream `system`.
constexpr const char* kDefaultConfig = R"(# sluice embedded default configuration
[api]
listen = "127.0.0.1:7070"

[store]
data_dir = "./sluice-data"
retention = "7d"
max_bytes = "10GiB"

[sources.system_logs]
type = "file"
include = ["/var/log/**/*.log"]
start_at = "beginning"

[sinks.system]
type = "store"
inputs = ["system_logs"]
stream = "system"
)";

struct Settings {
  ApiOptions api;
  StoreOptions store;
  QueryOptions query;
};

Result<Settings> bind_sections(const ConfigFile& cf) {
  Settings s;
  SLUICE_RETURN_IF_ERROR(api_option_table().apply(cf.section("api"), &s.api, "api", cf.path));
  SLUICE_RETURN_IF_ERROR(store_option_table().apply(cf.section("store"), &s.store, "store", cf.path));
  SLUICE_RETURN_IF_ERROR(query_option_table().apply(cf.section("query"), &s.query, "query", cf.path));
  return s;
}

Result<ConfigFile> read_config(const std::string& path) {
  if (path.empty()) return parse_config(kDefaultConfig, "<embedded default>");
  return load_config(path);
}

int fail(const Status& st) {
  std::fprintf(stderr, "sluice: %s\n", st.to_string().c_str());
  return 1;
}

// Re-reads the config file and applies it to the running pipeline, for
// SIGHUP and POST /api/v1/reload (docs/user-guide.md "Reloading the
// configuration"). Sections the process reads once at start (`sections`:
// [api], [store], [query]) cannot change without a restart: a file that
// changes one is refused as a whole, naming the section. Thread-safe.
class Reloader {
 public:
  Reloader(std::string path, ConfigFile running, std::vector<std::string> sections)
      : path_(std::move(path)), running_(std::move(running)), sections_(std::move(sections)) {}

  /// The pipeline to reload; until set, reload() answers Unavailable.
  void attach(Pipeline* pipeline) {
    std::lock_guard<std::mutex> l(mu_);
    pipeline_ = pipeline;
  }

  /// What changed, or the error (InvalidArgument: a bad or refused file;
  /// nothing changed).
  Result<std::string> reload() {
    std::lock_guard<std::mutex> l(mu_);
    if (pipeline_ == nullptr) return Status::Unavailable("the pipeline is starting");
    if (path_.empty()) {
      return Status::InvalidArgument("sluice was started with the embedded default config: there is no file to reload");
    }
    auto loaded = load_config(path_);
    if (!loaded.ok()) return Status::InvalidArgument(loaded.status().message());  // a missing file is a bad request too
    ConfigFile next = std::move(loaded).value();
    for (const auto& name : sections_) {
      if (next.section(name) != running_.section(name)) {
        return Status::InvalidArgument(path_ + ": the [" + name +
                                       "] section changed; it only takes effect at a restart (nothing was reloaded)");
      }
    }
    SLUICE_ASSIGN_OR_RETURN(std::string summary, pipeline_->reload(next));
    running_ = std::move(next);
    return summary;
  }

  /// For SIGHUP: reloads and logs the outcome.
  void reload_and_log() {
    auto r = reload();
    if (r.ok()) {
      spdlog::info("reload: applied: {}", *r);
    } else {
      spdlog::error("reload: {}", r.status().to_string());
    }
  }

 private:
  std::mutex mu_;
  const std::string path_;
  ConfigFile running_;
  const std::vector<std::string> sections_;
  Pipeline* pipeline_ = nullptr;
};

int cmd_run(const std::string& config_path, const std::string& data_dir) {
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGHUP);                    // reload
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);  // threads inherit; sigwait below

  auto cf = read_config(config_path);
  if (!cf.ok()) return fail(cf.status());
  auto settings = bind_sections(*cf);
  if (!settings.ok()) return fail(settings.status());
  if (!data_dir.empty()) settings->store.data_dir = data_dir;
  spdlog::info("sluice {} starting with {}", SLUICE_VERSION,
               config_path.empty() ? "the embedded default config" : config_path);
  auto store = Store::open(Env::posix(), settings->store);
  if (!store.ok()) return fail(store.status());
  spdlog::info("store: data in {}", settings->store.data_dir);
  QueryEngine engine(store->get(), settings->query);
  Api api(store->get(), &engine, settings->api);
  Reloader reloader(config_path, *cf, {"api", "store", "query"});
  api.set_reload([&reloader] { return reloader.reload(); });
  HttpServerOptions ho{"api", settings->api.listen, settings->api.max_body_bytes, settings->api.idle_timeout,
                       settings->api.max_connections};
  HttpServer server(ho, [&api](const HttpRequest& r) { return api.handle(r); });
  Status st = server.start();
  if (!st.ok()) return fail(st);
  PipelineContext ctx;
  ctx.store = store->get();
  ctx.state_dir = settings->store.data_dir;
  auto pipeline = Pipeline::build(*cf, ctx);
  if (!pipeline.ok()) return fail(pipeline.status());
  st = (*pipeline)->start();
  if (!st.ok()) return fail(st);
  reloader.attach(pipeline->get());
  (*store)->start_maintenance();
  api.set_ready(true);
  std::string host = settings->api.listen.substr(0, settings->api.listen.rfind(':'));
  std::string url = "http://" + host + ":" + std::to_string(server.port());
  spdlog::info("api: listening on {} ({} pipeline components running)", url, (*pipeline)->component_count());
  spdlog::info(
      "query with: sluice query --server {} \"SELECT count(*) FROM <stream>\"  (streams: GET {}/api/v1/streams)", url,
      url);
  int sig = 0;
  while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP) reloader.reload_and_log();
  spdlog::info("received signal {}, shutting down", sig);
  api.set_ready(false);
  (*pipeline)->stop();
  server.stop();
  (*store)->stop_maintenance();
  spdlog::info("stopped");
  return 0;
}

// `sluice agent`: the pipeline only (no store, no query API); the [api]
// listener answers /healthz, /readyz, /metrics and POST /api/v1/reload.
int cmd_agent(const std::string& config_path, const std::string& data_dir) {
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGHUP);                    // reload
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);  // threads inherit; sigwait below

  auto cf = load_config(config_path);
  if (!cf.ok()) return fail(cf.status());
  ApiOptions api;
  if (Status a = api_option_table().apply(cf->section("api"), &api, "api", cf->path); !a.ok()) return fail(a);
  spdlog::info("sluice {} agent starting with {}", SLUICE_VERSION, config_path);
  // One agent per data directory: two would read the same files from the
  // same checkpoints and disk buffers, each shipping what the other did.
  // An empty one means no state kept at all (no checkpoints, no disk
  // buffers), so nothing to lock.
  std::unique_ptr<FileLock> lock;
  if (!data_dir.empty()) {
    auto locked = lock_data_dir(Env::posix(), data_dir, "agent: --data-dir");
    if (!locked.ok()) return fail(locked.status());
    lock = std::move(*locked);
  }
  PipelineContext ctx;  // no store: a `store` sink is an error naming itself
  ctx.state_dir = data_dir;
  auto pipeline = Pipeline::build(*cf, ctx);
  if (!pipeline.ok()) return fail(pipeline.status());
  std::atomic<bool> ready{false};
  Reloader reloader(config_path, *cf, {"api"});  // the agent reads no [store] or [query]
  HttpServerOptions ho{"api", api.listen, 1 << 20, api.idle_timeout, api.max_connections};
  HttpServer server(ho, [&ready, &reloader](const HttpRequest& r) -> HttpResponse {
    if (r.path == "/api/v1/reload") return reload_response(r, [&reloader] { return reloader.reload(); });
    if (r.path == "/healthz") return {200, "text/plain", "ok\n"};
    if (r.path == "/readyz")
      return ready ? HttpResponse{200, "text/plain", "ready\n"} : HttpResponse{503, "text/plain", "starting\n"};
    if (r.path == "/metrics") return {200, "text/plain; version=0.0.4", MetricsRegistry::global().render()};
    return {404, "text/plain", "sluice agent serves /healthz, /readyz, /metrics and /api/v1/reload only\n"};
  });
  Status st = server.start();
  if (!st.ok()) return fail(st);
  st = (*pipeline)->start();
  if (!st.ok()) return fail(st);
  reloader.attach(pipeline->get());
  ready = true;
  spdlog::info("agent: {} pipeline components running; health and metrics on port {}", (*pipeline)->component_count(),
               server.port());
  int sig = 0;
  while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP) reloader.reload_and_log();
  spdlog::info("received signal {}, shutting down", sig);
  ready = false;
  (*pipeline)->stop();
  server.stop();
  spdlog::info("stopped");
  return 0;
}

// Prints a JSON query answer as an aligned text table.
void print_table(simdjson::dom::element doc) {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  for (simdjson::dom::element c : doc["columns"].get_array()) header.emplace_back(std::string_view(c["name"]));
  for (simdjson::dom::element r : doc["rows"].get_array()) {
    std::vector<std::string> row;
    for (simdjson::dom::element v : r.get_array()) {
      if (v.is_null()) {
        row.emplace_back("NULL");
      } else if (v.is_string()) {
        row.emplace_back(std::string_view(v));
      } else {
        row.push_back(simdjson::minify(v));
      }
    }
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], std::min<size_t>(r[c].size(), 80));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
      std::string v = cells[c].size() > 80 ? cells[c].substr(0, 77) + "..." : cells[c];
      std::printf("%s%-*s", c ? " | " : "", static_cast<int>(width[c]), v.c_str());
    }
    std::printf("\n");
  };
  line(header);
  for (size_t c = 0; c < header.size(); ++c) std::printf("%s%s", c ? "-+-" : "", std::string(width[c], '-').c_str());
  std::printf("\n");
  for (const auto& r : rows) line(r);
  std::printf("(%zu row%s)\n", rows.size(), rows.size() == 1 ? "" : "s");
}

int cmd_query(const std::string& server, const std::string& format, const std::string& sql) {
  std::string wire = format == "table" ? "json" : format;
  std::string body = "{\"sql\":";
  append_json_string(body, sql);
  body += "}";
  auto r = http_post(server + "/api/v1/query?format=" + wire, "application/json", body);
  if (!r.ok()) return fail(r.status());
  if (r->status != 200) {
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    std::string_view msg;
    if (!p.parse(r->body).get(doc) && !doc["error"]["message"].get_string().get(msg)) {
      std::fprintf(stderr, "sluice: query failed (HTTP %d): %.*s\n", r->status, static_cast<int>(msg.size()),
                   msg.data());
    } else {
      std::fprintf(stderr, "sluice: query failed (HTTP %d): %s\n", r->status, r->body.c_str());
    }
    return 1;
  }
  if (format != "table") {
    std::fwrite(r->body.data(), 1, r->body.size(), stdout);
    return 0;
  }
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  if (p.parse(r->body).get(doc)) return fail(Status::Internal("the server answered with invalid JSON"));
  print_table(doc);
  return 0;
}

int cmd_config_check(const std::string& path) {
  auto cf = load_config(path);
  if (!cf.ok()) return fail(cf.status());
  auto s = bind_sections(*cf);
  if (!s.ok()) return fail(s.status());
  PipelineContext ctx;
  ctx.check_only = true;
  auto p = Pipeline::build(*cf, ctx);
  if (!p.ok()) return fail(p.status());
  std::printf("%s: ok (%zu pipeline components)\n", path.c_str(), (*p)->component_count());
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  // What sluice is doing goes to stderr; stdout carries command output.
  spdlog::set_default_logger(spdlog::stderr_color_mt("sluice"));
  CLI::App app{"sluice: collect, ship, store, query and act on logs and metrics"};
  app.require_subcommand(1);
  std::string config_path, data_dir, server = "http://127.0.0.1:7070", format = "table", sql, check_path;
  std::string agent_dir = "./sluice-agent-data";
  bool markdown = false;

  auto* run = app.add_subcommand("run", "Run pipeline, store and API in one process (the all-in-one default)");
  run->add_option("--config,-c", config_path, "TOML config file (default: the embedded default)");
  run->add_option("--data-dir", data_dir, "Overrides store.data_dir");

  auto* agent = app.add_subcommand("agent", "Run only the pipeline (an edge collector: no store, no query API)");
  agent->add_option("--config,-c", config_path, "TOML config file")->required();
  agent->add_option("--data-dir", agent_dir, "Where the agent keeps its checkpoints")->capture_default_str();

  auto* query = app.add_subcommand("query", "Run SQL against a running sluice");
  query->add_option("--server", server, "Base URL of the sluice API")->capture_default_str();
  query->add_option("--format,-f", format, "table, csv, json or ndjson")
      ->check(CLI::IsMember({"table", "csv", "json", "ndjson"}))
      ->capture_default_str();
  query->add_option("sql", sql, "The SQL statement")->required();

  auto* config = app.add_subcommand("config", "Check a config file or print the option schema");
  config->require_subcommand(1);
  auto* check = config->add_subcommand("check", "Validate a config file without running it");
  check->add_option("file", check_path, "Config file")->required();
  auto* schema = config->add_subcommand("schema", "Print every option as JSON");
  schema->add_flag("--markdown", markdown, "Print docs/reference/config.md instead");

  auto* version = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {  // CLI11 reports usage errors by exception
    return app.exit(e);
  }
  if (*run) return cmd_run(config_path, data_dir);
  if (*agent) return cmd_agent(config_path, agent_dir);
  if (*query) return cmd_query(server, format, sql);
  if (*check) return cmd_config_check(check_path);
  if (*schema) {
    std::fputs(markdown ? config_schema_markdown().c_str() : config_schema_json().c_str(), stdout);
    return 0;
  }
  if (*version) {
    std::printf("sluice %s\n", SLUICE_VERSION);
    return 0;
  }
  return 0;
}

}  // namespace sluice
