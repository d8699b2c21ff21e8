"""`sluice agent` ships metric samples and spans, not only log records, with
the `sluice` sink to a `sluice run` server's `otlp` source: a `host_metrics`
source's samples arrive with the names, kinds and labels a local
`host_metrics` source stores (verbatim, not renamed again by the OTLP ->
Prometheus mapping), spans received by the agent's own `otlp` source arrive
with their ids, parent, event, link and status, and through a server outage
and a `kill -9` of the agent mid-drain (disk buffers in front of both sinks,
so every batch carries a position) no sample or span is stored twice."""
import json
import re
import signal
import time

import requests

from conftest import Agent, free_port, http, wait_for

TRACE_ID = "5b8efff798038103d269b633813fc60c"
LINKED_TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
ROOT = "eee19b7ec3c1b174"
CHILD = "eee19b7ec3c1b175"
LINKED_SPAN = "b7ad6b7169203331"



def traces_request(run):
    """An OTLP/JSON ExportTraceServiceRequest: a server span and its client
    child with an event, a link and an error status. `run` makes the span ids
    unique per request (0 keeps ROOT and CHILD)."""
    now = time.time_ns()
    root = ROOT if run == 0 else f"{0x1000000000000000 + 2 * run:016x}"
    child = CHILD if run == 0 else f"{0x1000000000000001 + 2 * run:016x}"
    return {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}},
                                    {"key": "test.run", "value": {"intValue": str(run)}}]},
        "scopeSpans": [{
            "scope": {"name": "sluice-test", "version": "0.1.0"},
            "spans": [
                {"traceId": TRACE_ID, "spanId": root, "name": "GET /checkout", "kind": 2,
                 "startTimeUnixNano": str(now), "endTimeUnixNano": str(now + 5_000_000), "flags": 1,
                 "attributes": [{"key": "http.request.method", "value": {"stringValue": "GET"}}],
                 "status": {"code": 1}},
                {"traceId": TRACE_ID, "spanId": child, "parentSpanId": root, "name": "SELECT orders", "kind": 3,
                 "traceState": "vendor=a", "startTimeUnixNano": str(now + 1_000_000),
                 "endTimeUnixNano": str(now + 4_000_000), "flags": 1,
                 "events": [{"timeUnixNano": str(now + 2_000_000), "name": "cache.miss",
                             "attributes": [{"key": "cache.key", "value": {"stringValue": "orders:1"}}]}],
                 "links": [{"traceId": LINKED_TRACE_ID, "spanId": LINKED_SPAN, "traceState": "k=v",
                            "attributes": [{"key": "link.reason", "value": {"stringValue": "follows"}}]}],
                 "status": {"code": 2, "message": "db down"}},
            ]}]}]}


def post_traces(port, run):
    r = requests.post(f"http://127.0.0.1:{port}/v1/traces", json=traces_request(run), timeout=60)
    assert r.status_code == 200, r.text


def marked_metric(prefix):
    """An OTLP/JSON metrics request with one gauge point marked as a sluice
    agent marks a sample (sluice.metric.kind in Metric.metadata)."""
    return {"resourceMetrics": [{"scopeMetrics": [{"metrics": [{
        "name": f"{prefix}_seconds_bucket", "unit": "By",
        "metadata": [{"key": "sluice.metric.kind", "value": {"stringValue": "histogram_bucket"}}],
        "gauge": {"dataPoints": [{"timeUnixNano": str(time.time_ns()), "asDouble": 3,
                                  "attributes": [{"key": "le", "value": {"stringValue": "0.5"}}]}]}}]}]}]}


def duplicate_requests(server):
    status, metrics = http("GET", server.url + "/metrics")
    m = re.search(rb'sluice_otlp_duplicate_requests_total\{source="otlp"\} (\S+)', metrics)
    return float(m.group(1)) if m else 0.0


def test_metrics_and_spans_arrive_verbatim_and_once(sluice_factory, tmp_path):
    otlp_port = free_port()
    # The server: an otlp source for the agent, and a local host_metrics
    # source whose samples are the reference for names, kinds and labels.
    server = sluice_factory(f"""
[sources.otlp]
type = "otlp"
listen = "127.0.0.1:{otlp_port}"
grpc_listen = ""

[sources.local_host]
type = "host_metrics"
interval = "1s"

[sinks.local]
type = "store"
inputs = ["local_host"]
stream = "local"
""").start()
    agent_otlp = free_port()
    agent = Agent(tmp_path, f"""
[sources.host]
type = "host_metrics"
interval = "1s"

[sinks.host_out]
type = "sluice"
inputs = ["host"]
endpoint = "http://127.0.0.1:{otlp_port}"
stream = "host"
agent_id = "edge-1"
timeout = "5s"
buffer.type = "disk"

[sources.otel]
type = "otlp"
listen = "127.0.0.1:{agent_otlp}"
grpc_listen = ""

[sinks.traces_out]
type = "sluice"
inputs = ["otel"]
endpoint = "http://127.0.0.1:{otlp_port}"
stream = "traces_in"
agent_id = "edge-1"
timeout = "5s"
buffer.type = "disk"
""").start()
    try:
        post_traces(agent_otlp, 0)

        # --- Host metrics: the names, kinds and labels of a local host_metrics source.
        wait_for(lambda: server.scalar("SELECT count(DISTINCT timestamp) FROM host") >= 3, timeout=90,
                 what="three host collections at the server")
        wait_for(lambda: server.scalar("SELECT count(DISTINCT timestamp) FROM local") >= 3, timeout=90,
                 what="three local collections")

        def kinds(stream):
            rows = server.query(f"SELECT name, kind, list(DISTINCT k ORDER BY k) FROM "
                                f"(SELECT name, kind, unnest(map_keys(labels)) AS k FROM {stream}) GROUP BY 1, 2")
            return {(name, kind): keys for name, kind, keys in rows["rows"]}

        shipped, local = kinds("host"), kinds("local")
        assert ("system_cpu_time_seconds_total", "counter") in shipped, sorted(shipped)
        assert ("system_memory_usage_bytes", "gauge") in shipped, sorted(shipped)
        assert shipped[("system_cpu_time_seconds_total", "counter")] == ["cpu", "state"]
        assert shipped[("system_memory_usage_bytes", "gauge")] == ["state"]
        common = set(shipped) & set(local)
        assert len(common) >= 0.9 * len(local), (sorted(set(local) - set(shipped)), sorted(set(shipped) - set(local)))
        names_kinds = {name: kind for name, kind in local}
        for name, kind in shipped:
            assert names_kinds.get(name, kind) == kind, (name, kind, names_kinds.get(name))
        for key in common:
            assert shipped[key] == local[key], (key, shipped[key], local[key])
        checks = server.query(
            "SELECT count(*) FILTER (WHERE (kind = 'counter') <> (name LIKE '%\\_total' ESCAPE '\\')), "
            "count(*) FILTER (WHERE name LIKE '%\\_total\\_total' ESCAPE '\\'), "
            "count(*) FILTER (WHERE map_contains(labels, 'otel_scope_name') OR map_contains(labels, 'job')), "
            "count(*) FILTER (WHERE resource['host.name'] IS NULL OR resource['os.type'] <> 'linux') "
            "FROM host")["rows"][0]
        assert checks == [0, 0, 0, 0], checks
        # Nothing went to the otlp source's own metrics stream.
        streams = [s["name"] for s in json.loads(http("GET", server.url + "/api/v1/streams")[1])["streams"]]
        assert "metrics" not in streams and "spans" not in streams, streams

        # --- Spans: ids, parent, event, link, status and resource intact.
        wait_for(lambda: server.scalar("SELECT count(*) FROM traces_in") >= 2, what="the two spans at the server")
        got = server.query(
            "SELECT name, trace_id, span_id, parent_span_id, trace_state, span_kind, status_code, status_message, "
            "trace_flags, service_name, scope_name, scope_version, attributes['http.request.method'], "
            "resource['test.run'], epoch_ns(end_timestamp) - epoch_ns(timestamp) "
            f"FROM traces_in WHERE span_id IN ('{ROOT}', '{CHILD}') ORDER BY name")["rows"]
        assert got == [
            ["GET /checkout", TRACE_ID, ROOT, "", "", "server", "ok", "", 1, "checkout", "sluice-test", "0.1.0",
             "GET", "0", 5_000_000],
            ["SELECT orders", TRACE_ID, CHILD, ROOT, "vendor=a", "client", "error", "db down", 1, "checkout",
             "sluice-test", "0.1.0", None, "0", 3_000_000],
        ], got
        events, links = server.query(f"SELECT events, links FROM traces_in WHERE span_id = '{CHILD}'")["rows"][0]
        events = json.loads(events)
        assert [(e["name"], e["attributes"]) for e in events] == [("cache.miss", {"cache.key": "orders:1"})]
        assert json.loads(links) == [{"trace_id": LINKED_TRACE_ID, "span_id": LINKED_SPAN, "trace_state": "k=v",
                                      "attributes": {"link.reason": "follows"}}]

        # --- Exactly once: a server outage fills the buffers, then the agent
        # is killed while it drains them and restarted.
        server.stop()
        runs = 40
        for run in range(1, runs + 1):
            post_traces(agent_otlp, run)  # answered once in the agent's disk buffer
        wait_for(lambda: agent.metric("sluice_buffer_batches", component="host_out") >= 4, timeout=60,
                 what="host collections buffered during the outage")
        server.start()
        at_start = server.scalar("SELECT count(*) FROM traces_in")
        wait_for(lambda: server.scalar("SELECT count(*) FROM traces_in") > at_start, timeout=60, interval=0.01,
                 what="the drain to start")
        agent.stop(signal.SIGKILL)
        agent.start()
        wait_for(lambda: server.scalar("SELECT count(DISTINCT span_id) FROM traces_in") == 2 * (runs + 1),
                 timeout=120, what="every span after kill -9")
        wait_for(lambda: agent.metric("sluice_buffer_batches", component="traces_out") == 0 and
                 agent.metric("sluice_buffer_batches", component="host_out") == 0,
                 timeout=60, what="empty buffers")
        agent.stop()
        span_dups = server.query("SELECT span_id, count(*) AS n FROM traces_in GROUP BY 1 HAVING n > 1 LIMIT 5")
        assert span_dups["rows"] == [], span_dups
        total, distinct = server.query(
            "SELECT count(*), count(DISTINCT name || to_json(labels)::VARCHAR || epoch_ns(timestamp)::VARCHAR) "
            "FROM host")["rows"][0]
        assert total == distinct, f"{total - distinct} duplicate samples"
        dropped = duplicate_requests(server)
        print(f"duplicate requests dropped by the server: {dropped}; {total} samples, {2 * (runs + 1)} spans")

        # --- What the server does with replayed agent requests (a retry whose
        # answer was lost) on /v1/metrics and /v1/traces: success, nothing
        # stored; with progress: stored, the marked metric verbatim.
        url = f"http://127.0.0.1:{otlp_port}"
        status, body = http("GET", f"{url}/v1/sluice/positions?agent=edge-1&source=host_out")
        assert status == 200
        host_seq = json.loads(body)["buffer"]
        status, body = http("GET", f"{url}/v1/sluice/positions?agent=edge-1&source=traces_out")
        traces_seq = json.loads(body)["buffer"]

        def replay(path, payload, positions, stream):
            return requests.post(url + path, json=payload, timeout=30, headers={
                "X-Sluice-Agent": "edge-1", "X-Sluice-Stream": stream,
                "X-Sluice-Positions": json.dumps(positions)}).status_code

        assert replay("/v1/metrics", marked_metric("replayed"), [["host_out", "buffer", host_seq]], "host") == 200
        assert replay("/v1/traces", traces_request(1000), [["traces_out", "buffer", traces_seq]], "traces_in") == 200
        assert duplicate_requests(server) == dropped + 2
        assert server.scalar("SELECT count(*) FROM host WHERE name LIKE 'replayed%'") == 0
        assert server.scalar("SELECT count(*) FROM traces_in WHERE resource['test.run'] = '1000'") == 0
        assert replay("/v1/metrics", marked_metric("replayed"), [["replay", "k", 1]], "host") == 200
        assert server.query("SELECT name, kind, to_json(labels)::VARCHAR FROM host WHERE name LIKE 'replayed%'")[
            "rows"] == [["replayed_seconds_bucket", "histogram_bucket", '{"le":"0.5"}']]
        # The same metric from an ordinary OTLP client (no X-Sluice-Agent):
        # the marker means nothing, the specification's mapping applies.
        r = requests.post(url + "/v1/metrics", json=marked_metric("plain"), timeout=30)
        assert r.status_code == 200, r.text
        assert server.query("SELECT name, kind FROM metrics WHERE name LIKE 'plain%'")["rows"] == [
            ["plain_seconds_bucket_bytes", "gauge"]]
    finally:
        agent.stop(signal.SIGKILL)
    assert server.stop() == 0
