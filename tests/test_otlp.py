"""The `otlp` source end to end: the real OpenTelemetry JavaScript SDK ships
logs through its three OTLP log exporters (HTTP/protobuf, HTTP/JSON, gRPC),
and Python clients check compression, error answers, limits and partial
success against a real `sluice run`."""
import gzip
import json
import os
import subprocess
import sys
import uuid

import pytest
import requests
import zstandard

from conftest import free_port, wait_for

ROOT = os.path.join(os.path.dirname(__file__), "..")
OTEL_JS = os.path.join(os.path.dirname(__file__), "otel-js")
PROTO_DIR = os.path.join(ROOT, "proto")
EXPORT_METHOD = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"


def otlp_config(http_port, grpc_port, extra=""):
    return (f'[sources.otel]\ntype = "otlp"\nlisten = "127.0.0.1:{http_port}"\n'
            f'grpc_listen = "127.0.0.1:{grpc_port}"\n{extra}')


@pytest.fixture
def otlp(sluice_factory):
    """A started sluice with an otlp source; returns (sluice, http url, grpc port)."""
    def start(extra=""):
        http_port, grpc_port = free_port(), free_port()
        s = sluice_factory(otlp_config(http_port, grpc_port, extra)).start()
        return s, f"http://127.0.0.1:{http_port}", grpc_port
    return start


@pytest.fixture(scope="module")
def pb(tmp_path_factory):
    """Python classes for our .proto files, generated with protoc at test time."""
    out = tmp_path_factory.mktemp("otlp_pb2")
    protos = [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(PROTO_DIR, "opentelemetry")) for f in fs
              if f.endswith(".proto")]
    subprocess.run(["protoc", "-I", PROTO_DIR, f"--python_out={out}", *protos], check=True)
    sys.path.insert(0, str(out))
    from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
    return logs_service_pb2


def rows(s, run_id, columns):
    return s.query(f"SELECT {columns} FROM otlp WHERE resource['test.run_id'] = '{run_id}' "
                   "ORDER BY attributes['seq']::INT")["rows"]


# --- the real OpenTelemetry JS SDK ------------------------------------------------

@pytest.mark.parametrize("transport,compression", [
    ("http-proto", "none"), ("http-proto", "gzip"), ("http-json", "none"), ("grpc", "gzip"), ("grpc", "none")])
def test_opentelemetry_js_exporters(otlp, transport, compression):
    if not os.path.isdir(os.path.join(OTEL_JS, "node_modules", "@opentelemetry")):
        pytest.fail("tests/otel-js/node_modules is missing: run scripts/setup.sh")
    s, http_url, grpc_port = otlp()
    run_id = uuid.uuid4().hex
    endpoint = f"http://127.0.0.1:{grpc_port}" if transport == "grpc" else http_url + "/v1/logs"
    n = 25
    p = subprocess.run(["node", os.path.join(OTEL_JS, "emit_logs.js"), "--transport", transport,
                        "--endpoint", endpoint, "--count", str(n), "--run-id", run_id,
                        "--compression", compression], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"node exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    # The exporter answered only after the records were durable, so they are queryable now.
    got = rows(s, run_id, "body, severity_number, severity_text, resource['service.name'], service_name, "
                          "attributes['seq'], attributes['transport'], attributes['http.request.method'], "
                          "attributes['sampled'], scope_name, scope_version, resource['service.version'], "
                          "resource['process.pid'], epoch_ns(timestamp) > 0, epoch_ns(observed_timestamp) > 0, "
                          "trace_id, span_id")
    levels = [(9, "INFO"), (13, "WARN"), (17, "ERROR")]
    want = [[f"log {i} via {transport}", levels[i % 3][0], levels[i % 3][1], f"otel-js-{transport}",
             f"otel-js-{transport}", str(i), transport, "GET", "true" if i % 2 == 0 else "false", "sluice-test",
             "0.1.0", "1.2.3", "4242", True, True, "", ""] for i in range(n)]
    assert got == want
    assert s.scalar(f"SELECT count(*) FROM otlp WHERE resource['test.run_id'] = '{run_id}'") == n
    assert s.stop() == 0


# --- Python clients: encodings, errors, limits ------------------------------------

def log_request(pb, run_id, bodies, trace_ids=None):
    req = pb.ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    for k, v in (("service.name", "py"), ("test.run_id", run_id)):
        kv = rl.resource.attributes.add()
        kv.key = k
        kv.value.string_value = v
    sl = rl.scope_logs.add()
    sl.scope.name = "pytest"
    for i, body in enumerate(bodies):
        lr = sl.log_records.add()
        lr.time_unix_nano = 1_700_000_000_000_000_000 + i
        lr.severity_number = 9
        lr.body.string_value = body
        a = lr.attributes.add()
        a.key = "seq"
        a.value.int_value = i
        if trace_ids and trace_ids[i] is not None:
            lr.trace_id = trace_ids[i]
    return req


def post(url, body, content_type="application/x-protobuf", encoding=None):
    headers = {"Content-Type": content_type}
    if encoding:
        headers["Content-Encoding"] = encoding
    return requests.post(url + "/v1/logs", data=body, headers=headers, timeout=30)


def test_python_http_encodings_errors_and_partial_success(otlp, pb):
    s, url, _ = otlp('max_decompressed_bytes = "1MiB"\n')
    run_id = uuid.uuid4().hex

    # gzip'd protobuf
    r = post(url, gzip.compress(log_request(pb, run_id, ["a0", "a1"]).SerializeToString()), encoding="gzip")
    assert r.status_code == 200, r.content
    assert r.headers["Content-Type"] == "application/x-protobuf"
    resp = pb.ExportLogsServiceResponse.FromString(r.content)
    assert not resp.HasField("partial_success")

    # zstd'd JSON, hand-built, with hex ids
    doc = {"resourceLogs": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "py"}},
        {"key": "test.run_id", "value": {"stringValue": run_id}}]},
        "scopeLogs": [{"scope": {"name": "pytest"}, "logRecords": [
            {"timeUnixNano": "1700000000000000005", "severityNumber": 13, "body": {"stringValue": "j0"},
             "attributes": [{"key": "seq", "value": {"intValue": "2"}}],
             "traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "eee19b7ec3c1b174"}]}]}]}
    r = post(url, zstandard.ZstdCompressor().compress(json.dumps(doc).encode()), "application/json", "zstd")
    assert r.status_code == 200, r.content
    assert r.json() == {}

    # A malformed protobuf: 400 with a google.rpc.Status naming the byte.
    r = post(url, b"\x0a\x05\x12")
    assert r.status_code == 400
    assert b"invalid protobuf at byte 0" in r.content
    r = post(url, b'{"resourceLogs": [', "application/json")
    assert r.status_code == 400 and "invalid OTLP/JSON" in r.json()["message"]

    # A zip bomb: 100 MB of zeros inflates past max_decompressed_bytes.
    bomb = gzip.compress(b"\0" * (100 << 20), compresslevel=9)
    r = post(url, bomb, encoding="gzip")
    assert r.status_code == 413, r.content

    # Partial success: a trace id that is not 16 bytes rejects only its record.
    r = post(url, log_request(pb, run_id, ["p0", "p1", "p2"], [None, b"\x01\x02\x03\x04\x05", None]).SerializeToString())
    assert r.status_code == 200, r.content
    resp = pb.ExportLogsServiceResponse.FromString(r.content)
    assert resp.partial_success.rejected_log_records == 1
    assert "log_records[1]: trace_id is 5 bytes, expected 16" in resp.partial_success.error_message
    doc["resourceLogs"][0]["scopeLogs"][0]["logRecords"] = [{"body": {"stringValue": "j1"}, "traceId": "xyz"}]
    r = post(url, json.dumps(doc), "application/json")
    assert r.status_code == 200
    assert r.json()["partialSuccess"]["rejectedLogRecords"] == "1"
    assert r.json()["partialSuccess"]["errorMessage"].endswith('traceId "xyz" is not 32 hex digits')

    # Other content types, methods and signals.
    assert post(url, b"x", "text/plain").status_code == 415
    assert post(url, b"x", encoding="br").status_code == 415
    # (metrics and traces: tests/test_otlp_metrics.py)
    r = requests.post(url + "/v1/metrics", data=b"", headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400 and "invalid OTLP/JSON" in r.json()["message"]
    assert requests.post(url + "/v1/traces", data=b"", timeout=30).status_code == 415
    assert requests.post(url + "/v1/nothing", data=b"", timeout=30).status_code == 404
    assert requests.get(url + "/v1/logs", timeout=30).status_code == 405

    # Still serving, and exactly the accepted records were stored.
    r = post(url, log_request(pb, run_id, ["z0"]).SerializeToString())
    assert r.status_code == 200
    bodies = s.query(f"SELECT body FROM otlp WHERE resource['test.run_id'] = '{run_id}' ORDER BY body")["rows"]
    assert [b[0] for b in bodies] == ["a0", "a1", "j0", "p0", "p2", "z0"]
    j0 = s.query("SELECT trace_id, span_id, severity_number, epoch_ns(timestamp) FROM otlp WHERE body = 'j0'")["rows"]
    assert j0 == [["5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", 13, 1700000000000000005]]
    assert s.stop() == 0


def test_python_grpc_export_compression_and_errors(otlp, pb):
    grpc = pytest.importorskip("grpc")
    s, _, grpc_port = otlp('max_decompressed_bytes = "1MiB"\n')
    run_id = uuid.uuid4().hex
    with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as ch:
        export = ch.unary_unary(EXPORT_METHOD, request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=pb.ExportLogsServiceResponse.FromString)
        raw = ch.unary_unary(EXPORT_METHOD, request_serializer=lambda b: b,
                             response_deserializer=pb.ExportLogsServiceResponse.FromString)
        resp = export(log_request(pb, run_id, ["g0", "g1"]), timeout=30, compression=grpc.Compression.Gzip)
        assert not resp.HasField("partial_success")
        resp = export(log_request(pb, run_id, ["g2", "g3"], [b"short", None]), timeout=30)
        assert resp.partial_success.rejected_log_records == 1
        with pytest.raises(grpc.RpcError) as e:
            raw(b"\x0a\x05\x12", timeout=30)
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "invalid protobuf at byte 0" in e.value.details()
        # Over max_decompressed_bytes once gzip is undone.
        with pytest.raises(grpc.RpcError) as e:
            export(log_request(pb, run_id, ["x" * (2 << 20)]), timeout=30, compression=grpc.Compression.Gzip)
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        resp = export(log_request(pb, run_id, ["g4"]), timeout=30)
        assert not resp.HasField("partial_success")
    bodies = s.query(f"SELECT body FROM otlp WHERE resource['test.run_id'] = '{run_id}' ORDER BY body")["rows"]
    assert [b[0] for b in bodies] == ["g0", "g1", "g3", "g4"]
    assert s.stop() == 0
