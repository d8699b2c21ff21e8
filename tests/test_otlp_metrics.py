"""The `otlp` source's metrics and traces end to end: the real OpenTelemetry
JavaScript metrics and trace SDKs export through their OTLP exporters
(HTTP/protobuf, HTTP/JSON, gRPC) to a real `sluice run`, and SQL over the
`metrics` and `spans` streams finds what they sent; Python clients check the
Prometheus mapping of exponential histograms and summaries, partial success
and error answers."""
import json
import os
import subprocess
import sys
import uuid

import pytest
import requests

from conftest import free_port

ROOT = os.path.join(os.path.dirname(__file__), "..")
OTEL_JS = os.path.join(os.path.dirname(__file__), "otel-js")
PROTO_DIR = os.path.join(ROOT, "proto")
TRANSPORTS = ["http-proto", "http-json", "grpc"]


@pytest.fixture
def otlp(sluice_factory):
    """A started sluice with an otlp source; returns (sluice, http url, grpc port)."""
    def start(extra=""):
        http_port, grpc_port = free_port(), free_port()
        s = sluice_factory(f'[sources.otel]\ntype = "otlp"\nlisten = "127.0.0.1:{http_port}"\n'
                           f'grpc_listen = "127.0.0.1:{grpc_port}"\n{extra}').start()
        return s, f"http://127.0.0.1:{http_port}", grpc_port
    return start


@pytest.fixture(scope="module")
def pb(tmp_path_factory):
    """Python classes for our .proto files, generated with protoc at test time."""
    out = tmp_path_factory.mktemp("otlp_metrics_pb2")
    protos = [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(PROTO_DIR, "opentelemetry")) for f in fs
              if f.endswith(".proto")]
    subprocess.run(["protoc", "-I", PROTO_DIR, f"--python_out={out}", *protos], check=True)
    sys.path.insert(0, str(out))
    from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
    return metrics_service_pb2


def node(script, transport, endpoint, run_id):
    if not os.path.isdir(os.path.join(OTEL_JS, "node_modules", "@opentelemetry", "sdk-metrics")):
        pytest.fail("tests/otel-js/node_modules is missing: run scripts/setup.sh")
    p = subprocess.run(["node", os.path.join(OTEL_JS, script), "--transport", transport, "--endpoint", endpoint,
                        "--run-id", run_id], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"node exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    return json.loads(p.stdout.strip().splitlines()[-1])


def endpoint(transport, http_url, grpc_port, path):
    return f"http://127.0.0.1:{grpc_port}" if transport == "grpc" else http_url + path


def samples(s, run_id):
    """(name, labels dict, value, kind, resource dict) of a run, sorted."""
    got = s.query("SELECT name, to_json(labels)::VARCHAR, value, kind, to_json(resource)::VARCHAR, "
                  f"epoch_ns(timestamp) > 0 FROM metrics WHERE resource['test.run_id'] = '{run_id}'")["rows"]
    out = []
    for name, labels, value, kind, resource, has_time in got:
        assert has_time, name
        out.append((name, json.loads(labels), value, kind, json.loads(resource)))
    return sorted(out, key=lambda x: (x[0], json.dumps(x[1], sort_keys=True)))


# --- the real OpenTelemetry JS metrics SDK ----------------------------------------

@pytest.mark.parametrize("transport", TRANSPORTS)
def test_opentelemetry_js_metrics(otlp, transport):
    s, http_url, grpc_port = otlp()
    run_id = uuid.uuid4().hex
    node("emit_metrics.js", transport, endpoint(transport, http_url, grpc_port, "/v1/metrics"), run_id)
    # The exporter was answered only after the samples were durable.
    got = samples(s, run_id)
    common = {"job": f"otel-js-{transport}", "instance": f"instance-{transport}", "otel_scope_name": "sluice-test",
              "otel_scope_version": "0.2.0"}
    route_a = dict(common, http_route="/a")
    dur = "http_server_duration_milliseconds"
    want = [
        (dur + "_bucket", dict(route_a, le="+Inf"), 5.0, "histogram_bucket"),
        (dur + "_bucket", dict(route_a, le="10"), 1.0, "histogram_bucket"),
        (dur + "_bucket", dict(route_a, le="100"), 3.0, "histogram_bucket"),
        (dur + "_bucket", dict(route_a, le="1000"), 4.0, "histogram_bucket"),
        (dur + "_count", route_a, 5.0, "histogram_count"),
        (dur + "_sum", route_a, 5605.0, "histogram_sum"),
        ("http_requests_total", dict(common, http_request_method="GET", http_route="/a"), 3.0, "counter"),
        ("http_requests_total", dict(common, http_request_method="POST", http_route="/b"), 2.0, "counter"),
        ("process_memory_usage_bytes", dict(common, memory_type="heap"), 1024.0, "gauge"),
        ("queue_items", common, 3.0, "gauge"),
    ]
    want.sort(key=lambda x: (x[0], json.dumps(x[1], sort_keys=True)))
    assert [(n, l, v, k) for n, l, v, k, _ in got] == want
    for _, _, _, _, resource in got:
        assert resource["service.name"] == f"otel-js-{transport}"
        assert resource["service.instance.id"] == f"instance-{transport}"
        assert resource["service.version"] == "1.2.3"
    assert s.query("SELECT DISTINCT kind FROM metrics WHERE name = 'queue_items'")["rows"] == [["gauge"]]
    assert s.stop() == 0


# --- Python clients: the mappings the JS SDK does not send by default -------------

def add_attr(kvs, key, value):
    kv = kvs.add()
    kv.key = key
    kv.value.string_value = value


def test_exponential_histogram_summary_and_partial_success(otlp, pb):
    s, url, _ = otlp('metrics_stream = "m"\n')
    run_id = uuid.uuid4().hex
    req = pb.ExportMetricsServiceRequest()
    rm = req.resource_metrics.add()
    add_attr(rm.resource.attributes, "service.name", "py")
    add_attr(rm.resource.attributes, "test.run_id", run_id)
    sm = rm.scope_metrics.add()
    m = sm.metrics.add()
    m.name = "payload.size"
    m.unit = "By"
    m.exponential_histogram.aggregation_temporality = 2
    p = m.exponential_histogram.data_points.add()
    p.time_unix_nano = 1_700_000_000_000_000_000
    p.count, p.sum, p.scale, p.zero_count = 7, 40.0, 0, 1  # base 2
    p.positive.offset = 1  # (2, 4], (4, 8]
    p.positive.bucket_counts.extend([2, 3])
    p.negative.offset = 0  # [-2, -1)
    p.negative.bucket_counts.extend([1])
    m = sm.metrics.add()
    m.name = "rpc.latency"
    m.unit = "s"
    p = m.summary.data_points.add()
    p.count, p.sum = 10, 2.5
    for q, v in ((0.5, 0.2), (0.99, 0.9)):
        qv = p.quantile_values.add()
        qv.quantile, qv.value = q, v
    m = sm.metrics.add()
    m.name = "bad.histogram"
    m.histogram.aggregation_temporality = 2
    p = m.histogram.data_points.add()
    p.explicit_bounds.extend([1.0, 2.0])
    p.bucket_counts.extend([1])
    r = requests.post(url + "/v1/metrics", data=req.SerializeToString(),
                      headers={"Content-Type": "application/x-protobuf"}, timeout=30)
    assert r.status_code == 200, r.content
    resp = pb.ExportMetricsServiceResponse.FromString(r.content)
    assert resp.partial_success.rejected_data_points == 1
    assert resp.partial_success.error_message == (
        "1 of 3 data points rejected; first: resource_metrics[0].scope_metrics[0].metrics[2].histogram."
        "data_points[0]: has 1 bucket counts for 2 explicit bounds; expected 3")
    rows = s.query("SELECT name, labels['le'], labels['quantile'], value, kind FROM m "
                   f"WHERE resource['test.run_id'] = '{run_id}' ORDER BY _offset")["rows"]
    assert rows == [
        ["payload_size_bytes_bucket", "-1", None, 1.0, "histogram_bucket"],
        ["payload_size_bytes_bucket", "0", None, 2.0, "histogram_bucket"],
        ["payload_size_bytes_bucket", "4", None, 4.0, "histogram_bucket"],
        ["payload_size_bytes_bucket", "8", None, 7.0, "histogram_bucket"],
        ["payload_size_bytes_bucket", "+Inf", None, 7.0, "histogram_bucket"],
        ["payload_size_bytes_sum", None, None, 40.0, "histogram_sum"],
        ["payload_size_bytes_count", None, None, 7.0, "histogram_count"],
        ["rpc_latency_seconds", None, "0.5", 0.2, "summary_quantile"],
        ["rpc_latency_seconds", None, "0.99", 0.9, "summary_quantile"],
        ["rpc_latency_seconds_sum", None, None, 2.5, "summary_sum"],
        ["rpc_latency_seconds_count", None, None, 10.0, "summary_count"],
    ]
    assert s.scalar(f"SELECT epoch_ns(min(timestamp)) FROM m WHERE name = 'payload_size_bytes_count'") == \
        1_700_000_000_000_000_000

    # OTLP/JSON with a delta sum and a stale (NoRecordedValue) point.
    doc = {"resourceMetrics": [{"resource": {"attributes": [{"key": "test.run_id", "value": {"stringValue": run_id}}]},
                                "scopeMetrics": [{"metrics": [
                                    {"name": "jobs.done", "sum": {"aggregationTemporality": 1, "isMonotonic": True,
                                                                  "dataPoints": [{"asInt": "4"}]}},
                                    {"name": "up", "gauge": {"dataPoints": [{"flags": 1}]}}]}]}]}
    r = requests.post(url + "/v1/metrics", json=doc, timeout=30)
    assert r.status_code == 200, r.content
    assert r.json() == {}
    rows = s.query("SELECT name, labels['otel_temporality'], value, isnan(value) FROM m "
                   f"WHERE resource['test.run_id'] = '{run_id}' AND name IN ('jobs_done_total', 'up') "
                   "ORDER BY name")["rows"]
    assert rows[0] == ["jobs_done_total", "delta", 4.0, False]
    assert rows[1][0] == "up" and rows[1][3] is True

    # Malformed bytes: 400 with the byte offset; wrong method: 405.
    r = requests.post(url + "/v1/metrics", data=b"\x0a\x05", headers={"Content-Type": "application/x-protobuf"},
                      timeout=30)
    assert r.status_code == 400
    assert "invalid protobuf at byte 0: length 5 runs past the end" in r.content.decode(errors="replace")
    assert requests.get(url + "/v1/metrics", timeout=30).status_code == 405
    assert s.stop() == 0


# --- the real OpenTelemetry JS trace SDK ------------------------------------------

@pytest.mark.parametrize("transport", TRANSPORTS)
def test_opentelemetry_js_traces(otlp, transport):
    s, http_url, grpc_port = otlp()
    run_id = uuid.uuid4().hex
    ids = node("emit_traces.js", transport, endpoint(transport, http_url, grpc_port, "/v1/traces"), run_id)
    got = s.query("SELECT name, trace_id, span_id, parent_span_id, span_kind, status_code, status_message, "
                  "service_name, scope_name, scope_version, attributes['http.request.method'], "
                  "epoch_ns(timestamp) > 0, epoch_ns(end_timestamp) >= epoch_ns(timestamp) "
                  f"FROM spans WHERE resource['test.run_id'] = '{run_id}' ORDER BY name")["rows"]
    svc = f"otel-js-{transport}"
    assert got == [
        ["GET /checkout", ids["trace_id"], ids["root_span_id"], "", "server", "ok", "", svc, "sluice-test", "0.3.0",
         "GET", True, True],
        ["SELECT orders", ids["trace_id"], ids["child_span_id"], ids["root_span_id"], "client", "error", "db down",
         svc, "sluice-test", "0.3.0", None, True, True],
        ["send receipt", ids["linked_trace_id"], ids["linked_span_id"], "", "producer", "unset", "", svc,
         "sluice-test", "0.3.0", None, True, True],
    ]
    events, links, flags = s.query(
        "SELECT (SELECT events FROM spans WHERE name = 'SELECT orders' AND resource['test.run_id'] = $r), "
        "(SELECT links FROM spans WHERE name = 'send receipt' AND resource['test.run_id'] = $r), "
        "(SELECT list(trace_flags & 255 ORDER BY name) FROM spans WHERE resource['test.run_id'] = $r)"
        .replace("$r", f"'{run_id}'"))["rows"][0]
    events = json.loads(events)
    assert [(e["name"], e["attributes"]) for e in events] == [("cache.miss", {"cache.key": "orders:1"})]
    assert int(events[0]["timestamp"]) > 0
    assert json.loads(links) == [{"trace_id": ids["trace_id"], "span_id": ids["root_span_id"], "trace_state": "",
                                  "attributes": {"link.reason": "follows"}}]
    assert flags == [1, 1, 1]  # sampled
    assert s.stop() == 0
