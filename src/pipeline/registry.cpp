#include "pipeline/registry.hpp"

#include <algorithm>
#include <type_traits>

#include "pipeline/sinks/file/file_sink.hpp"
#include "pipeline/sinks/http/http_sink.hpp"
#include "pipeline/sinks/sluice/sluice_sink.hpp"
#include "pipeline/sinks/stdout/stdout_sink.hpp"
#include "pipeline/sinks/store/store_sink.hpp"
#include "pipeline/sources/elasticsearch/elasticsearch_source.hpp"
#include "pipeline/sources/exec/exec_source.hpp"
#include "pipeline/sources/file/file_source.hpp"
#include "pipeline/sources/fluent/fluent_source.hpp"
#include "pipeline/sources/host_metrics/host_metrics_source.hpp"
#include "pipeline/sources/journald/journald_source.hpp"
#include "pipeline/sources/loki/loki_source.hpp"
#include "pipeline/sources/otlp/otlp_logs_encode.hpp"
#include "pipeline/sources/otlp/otlp_metrics_encode.hpp"
#include "pipeline/sources/otlp/otlp_source.hpp"
#include "pipeline/sources/otlp/otlp_traces_encode.hpp"
#include "pipeline/sources/prometheus/prometheus_source.hpp"
#include "pipeline/sources/syslog/syslog_source.hpp"
#include "pipeline/transforms/dedupe/dedupe.hpp"
#include "pipeline/transforms/filter/filter.hpp"
#include "pipeline/transforms/multiline/multiline.hpp"
#include "pipeline/transforms/parse_cri/parse_cri.hpp"
#include "pipeline/transforms/parse_docker/parse_docker.hpp"
#include "pipeline/transforms/parse_json/parse_json.hpp"
#include "pipeline/transforms/parse_kv/parse_kv.hpp"
#include "pipeline/transforms/parse_logfmt/parse_logfmt.hpp"
#include "pipeline/transforms/parse_regex/parse_regex.hpp"
#include "pipeline/transforms/parse_syslog/parse_syslog.hpp"
#include "pipeline/transforms/route/route.hpp"
#include "pipeline/transforms/sample/sample.hpp"
#include "pipeline/transforms/set_fields/set_fields.hpp"
#include "pipeline/transforms/throttle/throttle.hpp"
#include "store/stream.hpp"

namespace sluice {
namespace {

// Applies `table` to a fresh options struct from a component's TOML table.
template <class Opts>
Result<Opts> bind(const OptionTable<Opts>& table, const ComponentSpec& spec, const std::string& file) {
  static const std::vector<std::string> kComponentKeys = {"type", "inputs"};
  Opts o{};
  SLUICE_RETURN_IF_ERROR(table.apply(*spec.table, &o, spec.kind + "." + spec.name, file, kComponentKeys));
  return o;
}

// A source type whose factory is `make(component name, options)`.
template <class Opts, class Make>
ComponentType source_type(std::string type, std::string description, const OptionTable<Opts>& table, Make make) {
  ComponentType c{"sources", std::move(type), std::move(description), &table, {}, {}, {}};
  c.make_source = [&table, make](const ComponentSpec& s, const std::string& f) -> Result<std::unique_ptr<Source>> {
    SLUICE_ASSIGN_OR_RETURN(auto o, bind(table, s, f));
    Result<std::unique_ptr<Source>> r = make(s.name, o);
    if (!r.ok()) return r.status().with_context(s.location + ": sources." + s.name);
    return r;
  };
  return c;
}

// A network source: like source_type, and it names the stream of each
// batch (ComponentType::names_streams).
template <class Opts, class Make>
ComponentType listener_type(std::string type, std::string description, const OptionTable<Opts>& table, Make make) {
  ComponentType c = source_type(std::move(type), std::move(description), table, make);
  c.names_streams = true;
  return c;
}

// A transform type whose factory is `make(options)`, or
// `make(component name, options)` for transforms that label metrics with it.
template <class Opts, class Make>
ComponentType transform_type(std::string type, std::string description, const OptionTable<Opts>& table, Make make) {
  ComponentType c{"transforms", std::move(type), std::move(description), &table, {}, {}, {}};
  c.make_transform = [&table, make](const ComponentSpec& s,
                                    const std::string& f) -> Result<std::unique_ptr<Transform>> {
    SLUICE_ASSIGN_OR_RETURN(auto o, bind(table, s, f));
    Result<std::unique_ptr<Transform>> r = [&] {
      if constexpr (std::is_invocable_v<Make, const std::string&, const Opts&>) {
        return make(s.name, o);
      } else {
        return make(o);
      }
    }();
    if (!r.ok()) return r.status().with_context(s.location + ": transforms." + s.name);
    return r;
  };
  return c;
}

// A sink type whose factory is `make(options, context)`, or
// `make(component name, options, context)` for sinks that keep state per
// name (a disk buffer); with context.check_only the result is discarded
// (factories must not open anything then).
template <class Opts, class Make>
ComponentType sink_type(std::string type, std::string description, const OptionTable<Opts>& table, Make make) {
  ComponentType c{"sinks", std::move(type), std::move(description), &table, {}, {}, {}};
  c.make_sink = [&table, make](const ComponentSpec& s, const std::string& f,
                               PipelineContext& ctx) -> Result<std::unique_ptr<Sink>> {
    SLUICE_ASSIGN_OR_RETURN(auto o, bind(table, s, f));
    Result<std::unique_ptr<Sink>> r = [&] {
      if constexpr (std::is_invocable_v<Make, const std::string&, const Opts&, PipelineContext&>) {
        return make(s.name, o, ctx);
      } else {
        return make(o, ctx);
      }
    }();
    if (!r.ok()) return r.status().with_context(s.location + ": sinks." + s.name);
    if (ctx.check_only) return std::unique_ptr<Sink>();
    return r;
  };
  return c;
}

std::vector<ComponentType> build() {
  std::vector<ComponentType> v;
  // --- sources ---------------------------------------------------------
  v.push_back(source_type("file",
                          "Tails files matched by globs, surviving rotation, truncation and restarts without losing "
                          "or repeating a line.",
                          file_source_option_table(), make_file_source));
  v.push_back(source_type("exec",
                          "Runs an allow-listed command on an interval; each line of its stdout and stderr is a "
                          "record, and an exit record gives its exit code and duration.",
                          exec_source_option_table(), make_exec_source));
  v.push_back(source_type("journald",
                          "Reads the systemd journal (or a directory of journal files) with exactly-once positions "
                          "per journal sequence; fields map to OpenTelemetry attributes.",
                          journald_source_option_table(), make_journald_source));
  v.push_back(source_type("host_metrics",
                          "Reads host health from /proc and /sys on an interval (CPU, memory, paging, load, disks, "
                          "filesystems, network, process counts and top processes) as metric samples named after "
                          "the OpenTelemetry hostmetrics receiver.",
                          host_metrics_option_table(), make_host_metrics_source));
  v.push_back(listener_type("fluent",
                            "Receives Fluent Forward protocol v1 over TCP (fluentd, Fluent Bit, Docker's fluentd "
                            "driver): all four modes, acks after durability, optional shared_key handshake.",
                            fluent_source_option_table(), make_fluent_source));
  v.push_back(listener_type("otlp",
                            "Receives OpenTelemetry logs over OTLP/HTTP (protobuf or JSON, POST /v1/logs) and "
                            "OTLP/gRPC (LogsService/Export).",
                            otlp_source_option_table(), make_otlp_source));
  v.push_back(listener_type("loki",
                            "Receives the Loki push API (POST /loki/api/v1/push, Snappy protobuf or JSON) from "
                            "Promtail, Grafana Alloy, Fluent Bit and Vector.",
                            loki_source_option_table(), make_loki_source));
  v.push_back(listener_type("prometheus_remote_write",
                            "Receives Prometheus remote_write 1.0 (POST /api/v1/write, Snappy protobuf) from "
                            "Prometheus, Grafana Alloy, vmagent and the OpenTelemetry Collector, as metric samples.",
                            prometheus_source_option_table(), make_prometheus_source));
  v.push_back(listener_type("elasticsearch",
                            "Receives Elasticsearch _bulk requests (Filebeat, Fluent Bit, Vector, Logstash); each "
                            "index becomes a stream.",
                            elasticsearch_source_option_table(), make_elasticsearch_source));
  v.push_back(listener_type("syslog",
                            "Receives syslog (RFC 5424 and RFC 3164) over UDP, TCP (octet-counted or newline "
                            "framing, RFC 6587) or TLS (RFC 5425), with structured data as attributes.",
                            syslog_source_option_table(), make_syslog_source));
  // --- transforms ------------------------------------------------------
  v.push_back(transform_type("parse_json",
                             "Parses each record's body as a JSON object and merges its fields into attributes.",
                             parse_json_option_table(), make_parse_json));
  v.push_back(transform_type("parse_regex",
                             "Extracts fields with an RE2 pattern of named captures or a preset (linux_kernel, "
                             "nginx_combined, sshd, syslog_rfc3164) into attributes.",
                             parse_regex_option_table(), make_parse_regex));
  v.push_back(transform_type("multiline",
                             "Joins the lines of one record (stack traces) per file: java, python and go presets or "
                             "Vector's start_pattern/condition_pattern/mode.",
                             multiline_option_table(), make_multiline));
  v.push_back(transform_type("filter",
                             "Keeps the records for which a condition holds (or drops those for which "
                             "drop_condition holds).",
                             filter_option_table(), make_filter));
  v.push_back(transform_type("set", "Sets fields to constants: fields = { \"attributes.env\" = \"prod\" }.",
                             set_option_table(), make_set));
  v.push_back(transform_type("rename", "Moves fields: fields = { \"attributes.msg\" = \"body\" } (from = to).",
                             rename_option_table(), make_rename));
  v.push_back(
      transform_type("drop", "Removes fields (or whole attribute/resource maps).", drop_option_table(), make_drop));
  v.push_back(transform_type("sample", "Keeps 1 in rate records, per key_field value when set (all or none of a key).",
                             sample_option_table(), make_sample));
  v.push_back(transform_type("throttle", "Lets at most threshold records per window through, per key_field value.",
                             throttle_option_table(), make_throttle));
  v.push_back(transform_type("dedupe", "Drops records equal (by fields) to one of the last cache_size seen.",
                             dedupe_option_table(), make_dedupe));
  v.push_back(transform_type("parse_logfmt",
                             "Parses logfmt (key=value key2=\"quoted value\" flag) into attributes; level, msg and "
                             "ts fill severity, body and timestamp.",
                             parse_logfmt_option_table(), make_parse_logfmt));
  v.push_back(transform_type("parse_kv",
                             "Splits text into key/value pairs with configurable delimiters and quotes, into "
                             "attributes (optionally prefixed).",
                             parse_kv_option_table(), make_parse_kv));
  v.push_back(transform_type("parse_cri",
                             "Parses CRI container log lines (Kubernetes /var/log/pods) and joins partial (P) lines.",
                             parse_cri_option_table(), make_parse_cri));
  v.push_back(transform_type("parse_docker",
                             "Parses Docker json-file log lines and joins lines Docker split at 16 KiB.",
                             parse_docker_option_table(), make_parse_docker));
  v.push_back(transform_type("parse_syslog",
                             "Parses each record's body as a syslog message (RFC 5424 with structured data, or "
                             "RFC 3164) into timestamp, severity, host.name and attributes.",
                             parse_syslog_option_table(), make_parse_syslog));
  v.push_back(transform_type("route",
                             "Sends each record to every named output whose condition holds (route.errors = "
                             "'severity_number >= 17', read as \"<component>.errors\"), the rest to `_unmatched`.",
                             route_option_table(), make_route));
  // --- sinks -----------------------------------------------------------
  {
    ComponentType c{"sinks",
                    "store",
                    "Appends to a stream of the embedded store (WAL, then Parquet segments).",
                    &store_sink_option_table(),
                    {},
                    {},
                    {}};
    c.make_sink = [](const ComponentSpec& s, const std::string& f,
                     PipelineContext& ctx) -> Result<std::unique_ptr<Sink>> {
      SLUICE_ASSIGN_OR_RETURN(auto o, bind(store_sink_option_table(), s, f));
      if (!o.stream.empty() && !valid_stream_name(o.stream)) {
        return Status::InvalidArgument(s.location + ": sinks." + s.name + ".stream: \"" + o.stream +
                                       "\" must match [a-z0-9_.-]{1,64}");
      }
      if (ctx.check_only) return std::unique_ptr<Sink>();
      if (ctx.store == nullptr) {
        return Status::InvalidArgument(s.location + ": sinks." + s.name +
                                       ": the store sink needs `sluice run` (this process has no store)");
      }
      auto r = make_store_sink(ctx.store, o);
      if (!r.ok()) return r.status().with_context(s.location + ": sinks." + s.name);
      return r;
    };
    v.push_back(std::move(c));
  }
  v.push_back(sink_type("file",
                        "Appends records to a file as NDJSON or text lines, synced before a batch counts as written.",
                        file_sink_option_table(),
                        [](const FileSinkOptions& o, PipelineContext&) { return make_file_sink(Env::posix(), o); }));
  v.push_back(sink_type("http",
                        "Sends each batch as one NDJSON (or text) request to an HTTP endpoint, retrying 408, 429, 5xx "
                        "and network errors.",
                        http_sink_option_table(),
                        [](const std::string& name, const HttpSinkOptions& o, PipelineContext& ctx) {
                          return with_buffer(name, "http", o.buffer, ctx.state_dir, ctx.check_only, make_http_sink(o));
                        }));
  v.push_back(sink_type(
      "sluice",
      "Ships log records, metric samples and spans to a sluice server's otlp source (OTLP/HTTP protobuf, zstd) "
      "exactly once: source positions travel with each batch and are read back from the server at start.",
      sluice_sink_option_table(), [](const std::string& name, const SluiceSinkOptions& o, PipelineContext& ctx) {
        SluiceEncoders encoders;
        encoders.logs = [](std::span<const LogRecord> v, std::string_view p, std::string* out) {
          encode_otlp_logs_proto(v, p, out);
        };
        encoders.metrics = [](std::span<const MetricSample> v, std::string_view p) {
          return encode_otlp_metrics_proto(v, p);
        };
        encoders.traces = [](std::span<const Span> v, std::string_view p) { return encode_otlp_traces_proto(v, p); };
        return with_buffer(name, "sluice", o.buffer, ctx.state_dir, ctx.check_only,
                           make_sluice_sink(o, std::move(encoders)));
      }));
  v.push_back(sink_type("stdout", "Writes records to standard output as NDJSON or text lines (for debugging).",
                        stdout_sink_option_table(),
                        [](const StdoutSinkOptions& o, PipelineContext&) { return make_stdout_sink(o); }));
  return v;
}

}  // namespace

const std::vector<ComponentType>& component_types() {
  static const std::vector<ComponentType> kTypes = [] {
    std::vector<ComponentType> v = build();
    auto rank = [](const std::string& kind) { return kind == "sources" ? 0 : kind == "transforms" ? 1 : 2; };
    std::stable_sort(v.begin(), v.end(), [&](const ComponentType& a, const ComponentType& b) {
      return std::make_pair(rank(a.kind), a.type) < std::make_pair(rank(b.kind), b.type);
    });
    return v;
  }();
  return kTypes;
}

const ComponentType* find_component_type(const std::string& kind, const std::string& type) {
  for (const auto& c : component_types()) {
    if (c.kind == kind && c.type == type) return &c;
  }
  return nullptr;
}

}  // namespace sluice
