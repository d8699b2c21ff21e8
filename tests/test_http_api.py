"""The HTTP API of a real `sluice run`: NDJSON ingest, query formats, errors,
streams, health and metrics."""
import json

from conftest import http, wait_for


def test_ingest_acknowledges_offsets_and_query_finds_records(sluice_factory):
    s = sluice_factory().start()
    status, out = s.ingest("app", [
        {"body": "hello", "severity_text": "INFO", "attributes": {"user.id": "7"},
         "resource": {"service.name": "checkout"}},
        {"message": "free form", "level": "error", "http": {"status": 500}},
    ])
    assert status == 200, out
    assert out == {"accepted": 2, "first_offset": 0, "last_offset": 1}
    status, out = s.ingest("app", [{"body": "third"}])
    assert out["first_offset"] == 2 and out["last_offset"] == 2
    rows = s.query("SELECT body, service_name, attributes['user.id'] FROM app ORDER BY _offset")["rows"]
    assert rows[0] == ["hello", "checkout", "7"]
    assert rows[1][0] == "free form"
    assert s.scalar("SELECT count(*) FROM app") == 3
    assert s.stop() == 0


def test_bad_line_rejects_whole_request_with_line_numbers(sluice_factory):
    s = sluice_factory().start()
    body = '{"body": "ok"}\nnot json\n{"body": "ok2"}\n[1,2]\n'
    status, out = s.ingest("app", body)
    assert status == 400
    lines = [e["line"] for e in out["line_errors"]]
    assert lines == [2, 4], out
    assert all(e["reason"] for e in out["line_errors"])
    # Nothing of the rejected request was stored.
    status, streams = http("GET", s.url + "/api/v1/streams")
    names = [x["name"] for x in json.loads(streams)["streams"]]
    assert "app" not in names or s.scalar("SELECT count(*) FROM app") == 0
    s.stop()


def test_oversized_body_gets_413(sluice_factory):
    s = sluice_factory()
    s.config.write_text(s.config.read_text().replace('[store]', 'max_body_bytes = "1KiB"\n\n[store]'))
    s.start()
    status, _ = http("POST", s.url + "/api/v1/streams/app/records", '{"body":"' + "x" * 5000 + '"}\n')
    assert status == 413
    # The server keeps serving.
    assert http("GET", s.url + "/healthz")[0] == 200
    s.stop()


def test_query_formats_and_errors(sluice_factory):
    s = sluice_factory().start()
    s.ingest("app", [{"body": f"line {i}", "attributes": {"n": str(i)}} for i in range(5)])
    status, body = http("POST", s.url + "/api/v1/query?format=ndjson",
                        json.dumps({"sql": "SELECT body FROM app ORDER BY _offset LIMIT 2"}))
    assert status == 200
    assert [json.loads(l) for l in body.decode().splitlines()] == [{"body": "line 0"}, {"body": "line 1"}]
    status, body = http("POST", s.url + "/api/v1/query?format=csv",
                        json.dumps({"sql": "SELECT body, 'a,b' AS x FROM app ORDER BY _offset LIMIT 1"}))
    assert status == 200
    assert body.decode() == 'body,x\r\nline 0,"a,b"\r\n'
    out = s.query("SELECT 1 AS one")
    assert out["columns"] == [{"name": "one", "type": "INTEGER"}]
    assert out["rows"] == [[1]]
    assert "elapsed_ms" in out
    status, body = http("POST", s.url + "/api/v1/query", json.dumps({"sql": "SELEC nope"}))
    assert status == 400
    assert "syntax error" in json.loads(body)["error"]["message"]
    status, body = http("POST", s.url + "/api/v1/query", json.dumps({"sql": "DROP VIEW app"}))
    assert status == 400
    s.stop()


def test_streams_health_and_metrics(sluice_factory):
    s = sluice_factory().start()
    s.ingest("app", [{"body": "x", "timestamp": "2026-01-02T03:04:05Z"}, {"body": "y", "timestamp": "2026-01-02T03:04:06Z"}])
    status, body = http("GET", s.url + "/api/v1/streams")
    assert status == 200
    streams = {x["name"]: x for x in json.loads(body)["streams"]}
    assert streams["app"]["records"] == 2
    assert streams["app"]["oldest_timestamp"].startswith("2026-01-02T03:04:05")
    assert streams["app"]["newest_timestamp"].startswith("2026-01-02T03:04:06")
    assert streams["app"]["bytes"] > 0
    assert http("GET", s.url + "/healthz")[0] == 200
    assert http("GET", s.url + "/readyz")[0] == 200
    status, metrics = http("GET", s.url + "/metrics")
    text = metrics.decode()
    for name in ["sluice_store_records_total{stream=\"app\"} 2", "sluice_wal_fsyncs_total", "sluice_wal_fsync_seconds_bucket",
                 "sluice_http_requests_total", "sluice_store_streams"]:
        assert name in text, name
    s.query("SELECT 1")
    _, metrics = http("GET", s.url + "/metrics")
    assert 'sluice_queries_total{outcome="ok"}' in metrics.decode()
    assert 'sluice_query_seconds_count' in metrics.decode()
    s.stop()


def test_compressed_ingest_and_zip_bomb(sluice_factory):
    import gzip
    s = sluice_factory().start()
    lines = "".join(json.dumps({"message": f"m{i}"}) + "\n" for i in range(100)).encode()
    status, body = http("POST", s.url + "/api/v1/streams/gz/records", gzip.compress(lines),
                        {"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"})
    assert status == 200, body
    assert json.loads(body)["accepted"] == 100
    assert s.scalar("SELECT count(*) FROM gz WHERE body LIKE 'm%'") == 100
    # 100 MiB of zeros inflate past max_body_bytes (64 MiB): 413, nothing stored.
    bomb = gzip.compress(b"\0" * (100 << 20))
    status, body = http("POST", s.url + "/api/v1/streams/gz/records", bomb,
                        {"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"})
    assert status == 413, body
    status, body = http("POST", s.url + "/api/v1/streams/gz/records", b"x",
                        {"Content-Type": "application/x-ndjson", "Content-Encoding": "br"})
    assert status == 415, body
    assert s.scalar("SELECT count(*) FROM gz") == 100
    s.stop()
