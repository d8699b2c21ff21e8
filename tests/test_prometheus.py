"""The `prometheus_remote_write` source end to end: a real Prometheus scrapes
sluice's own /metrics and remote-writes the samples back to sluice; requests
built from our proto/prometheus/*.proto (protoc at test time) + Snappy check
exact values, labels and kinds; malformed requests get 400 and change
nothing."""
import math
import os
import shutil
import signal
import struct
import subprocess
import sys

import pytest
import requests
import snappy

from conftest import free_port, wait_for

PROTO_DIR = os.path.join(os.path.dirname(__file__), "..", "proto")
PROMETHEUS = os.environ.get("PROMETHEUS_BIN", "/usr/bin/prometheus")
HEADERS = {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
           "X-Prometheus-Remote-Write-Version": "0.1.0"}
STALE_NAN = struct.unpack("<d", struct.pack("<Q", 0x7ff0000000000002))[0]


@pytest.fixture(scope="module")
def pb(tmp_path_factory):
    """(remote_pb2, types_pb2) generated from proto/prometheus/*.proto with protoc at test time."""
    out = tmp_path_factory.mktemp("prometheus_pb2")
    subprocess.run(["protoc", "-I", PROTO_DIR, f"--python_out={out}",
                    os.path.join(PROTO_DIR, "prometheus", "types.proto"),
                    os.path.join(PROTO_DIR, "prometheus", "remote.proto")], check=True)
    sys.path.insert(0, str(out))
    from prometheus import remote_pb2, types_pb2
    return remote_pb2, types_pb2


@pytest.fixture
def prom_source(sluice_factory):
    """Starts sluice with a prometheus_remote_write source; returns (sluice, write URL)."""
    def start(extra=""):
        port = free_port()
        s = sluice_factory(f'[sources.prom]\ntype = "prometheus_remote_write"\n'
                           f'listen = "127.0.0.1:{port}"\n{extra}').start()
        return s, f"http://127.0.0.1:{port}/api/v1/write"
    return start


def write_request(pb, series, metadata=()):
    """series: [([(name, value)], [(ms, value)])]; metadata: [(family, type name)] -> serialized bytes."""
    remote_pb2, types_pb2 = pb
    req = remote_pb2.WriteRequest()
    for labels, samples in series:
        ts = req.timeseries.add()
        for k, v in labels:
            label = ts.labels.add()
            label.name, label.value = k, v
        for ms, value in samples:
            s = ts.samples.add()
            s.timestamp, s.value = ms, value
    for family, type_name in metadata:
        m = req.metadata.add()
        m.metric_family_name = family
        m.type = types_pb2.MetricMetadata.MetricType.Value(type_name)
    return req.SerializeToString()


def post(url, raw):
    return requests.post(url, data=snappy.compress(raw), headers=HEADERS, timeout=30)


def test_hand_built_request(prom_source, pb):
    s, url = prom_source()
    t0 = 1700000000123
    series = [
        ([("__name__", "http_requests_total"), ("code", "200"), ("instance", "web-1:8080"), ("job", "api")],
         [(t0, 10), (t0 + 15000, 12.5)]),
        # Unsorted labels, an empty value (absent in Prometheus) and a staleness marker.
        ([("job", "api"), ("__name__", "up"), ("zone", ""), ("instance", "web-1:8080")],
         [(t0, 1), (t0 + 15000, STALE_NAN)]),
        ([("__name__", "queue_depth"), ("job", "worker")], [(t0, -3.25)]),
        ([("__name__", "lat_seconds_bucket"), ("le", "0.5")], [(t0, 7)]),
        ([("__name__", "lat_seconds_sum")], [(t0, 2.5)]),
        ([("__name__", "rpc_seconds"), ("quantile", "0.99")], [(t0, 0.2)]),
        ([("__name__", "unit_less_sum")], [(t0, 1)]),
    ]
    metadata = [("queue_depth", "GAUGE"), ("lat_seconds", "HISTOGRAM"), ("rpc_seconds", "SUMMARY")]
    r = post(url, write_request(pb, series, metadata))
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert r.headers["X-Prometheus-Remote-Write-Samples-Written"] == "9"
    # Answered after the samples were durable, so they are queryable now.
    rows = s.query("SELECT name, epoch_ns(timestamp), value, kind, labels['job'], labels['code'], "
                   "labels['instance'], resource['service.name'], resource['service.instance.id'] "
                   "FROM metrics WHERE NOT isnan(value) ORDER BY name, timestamp")["rows"]
    ns = t0 * 1000000
    assert rows == [
        ["http_requests_total", ns, 10.0, "counter", "api", "200", "web-1:8080", "api", "web-1:8080"],
        ["http_requests_total", ns + 15000 * 1000000, 12.5, "counter", "api", "200", "web-1:8080", "api",
         "web-1:8080"],
        ["lat_seconds_bucket", ns, 7.0, "histogram_bucket", None, None, None, None, None],
        ["lat_seconds_sum", ns, 2.5, "histogram_sum", None, None, None, None, None],
        ["queue_depth", ns, -3.25, "gauge", "worker", None, None, "worker", None],
        ["rpc_seconds", ns, 0.2, "summary_quantile", None, None, None, None, None],
        ["unit_less_sum", ns, 1.0, "unknown", None, None, None, None, None],
        ["up", ns, 1.0, "unknown", "api", None, "web-1:8080", "api", "web-1:8080"],
    ]
    # Labels: sorted, the empty-valued one dropped, no __name__.
    assert s.query("SELECT map_keys(labels) FROM metrics WHERE name = 'up' LIMIT 1")["rows"] == \
        [[["instance", "job"]]]
    assert s.query("SELECT map_keys(labels) FROM metrics WHERE name = 'lat_seconds_bucket'")["rows"] == [[["le"]]]
    # The staleness marker is stored as NaN.
    assert s.query("SELECT name, epoch_ns(timestamp) FROM metrics WHERE isnan(value)")["rows"] == \
        [["up", (t0 + 15000) * 1000000]]
    assert s.scalar("SELECT count(*) FROM metrics") == 9


def test_malformed_requests_are_400_and_change_nothing(prom_source, pb):
    s, url = prom_source()
    good = write_request(pb, [([("__name__", "ok_total"), ("job", "a")], [(1700000000000, 1)])])
    assert post(url, good).status_code == 204

    # A series without a name, after a good one: the whole request is refused and the answer names it.
    r = post(url, write_request(pb, [([("__name__", "fine")], [(1700000000000, 1)]),
                                     ([("job", "nameless")], [(1700000000000, 2)])]))
    assert r.status_code == 400
    assert r.text.startswith('series 1 {job="nameless"}: no __name__ label'), r.text
    r = post(url, write_request(pb, [([("__name__", "m"), ("a", "1"), ("a", "2")], [(1700000000000, 1)])]))
    assert r.status_code == 400 and 'label "a" appears twice' in r.text, r.text
    r = post(url, write_request(pb, [([("__name__", "m")], [(0, 1)])]))
    assert r.status_code == 400 and "sample 0: timestamp 0 ms" in r.text, r.text
    # Not a WriteRequest, not Snappy, a 2.0 request.
    r = post(url, b"\x08\x01")
    assert r.status_code == 400 and "WriteRequest: field timeseries (1) at byte 0" in r.text, r.text
    r = requests.post(url, data=b"\xff\xff\xff\xff\xff not snappy", headers=HEADERS, timeout=30)
    assert r.status_code == 400 and "snappy" in r.text, r.text
    r = requests.post(url, data=snappy.compress(good), timeout=30, headers={
        "Content-Type": "application/x-protobuf;proto=io.prometheus.write.v2.Request", "Content-Encoding": "snappy"})
    assert r.status_code == 415, r.text

    # Still serving; the earlier data is intact and nothing of the refused requests was stored.
    assert post(url, write_request(pb, [([("__name__", "ok_total"), ("job", "b")], [(1700000001000, 2)])])
                ).status_code == 204
    assert s.query("SELECT labels['job'], value, kind FROM metrics ORDER BY timestamp")["rows"] == \
        [["a", 1.0, "counter"], ["b", 2.0, "counter"]]


def test_snappy_bomb_is_413(prom_source, pb):
    s, url = prom_source('max_decompressed_bytes = "64KiB"')
    bomb = snappy.compress(b"\0" * (8 << 20))
    r = requests.post(url, data=bomb, headers=HEADERS, timeout=30)
    assert r.status_code == 413, r.text
    assert post(url, write_request(pb, [([("__name__", "after")], [(1700000000000, 1)])])).status_code == 204
    assert s.scalar("SELECT count(*) FROM metrics") == 1


@pytest.mark.skipif(not os.path.exists(PROMETHEUS), reason="prometheus is not installed (scripts/setup.sh)")
def test_real_prometheus_scrapes_sluice_and_remote_writes_back(prom_source, tmp_path):
    s, url = prom_source()
    api = s.url.removeprefix("http://")
    config = tmp_path / "prometheus.yml"
    config.write_text(f"""
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sluice
    scrape_interval: 1s
    static_configs:
      - targets: ['{api}']
remote_write:
  - url: {url}
    queue_config:
      batch_send_deadline: 1s
      min_backoff: 100ms
      max_backoff: 1s
    metadata_config:
      send: true
      send_interval: 1s
""")
    web = f"127.0.0.1:{free_port()}"
    log = open(tmp_path / "prometheus.log", "wb")
    proc = subprocess.Popen([PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                             f"--web.listen-address={web}"], stdout=log, stderr=subprocess.STDOUT)
    try:
        def found(sql):
            if proc.poll() is not None:
                raise AssertionError("prometheus exited:\n" + (tmp_path / "prometheus.log").read_text()[-4000:])
            return s.scalar(sql)

        # `up` of the sluice target, value 1, with the job and instance labels and the OTel resource.
        wait_for(lambda: found("SELECT count(*) FROM metrics WHERE name = 'up' AND value = 1 "
                               f"AND labels['job'] = 'sluice' AND labels['instance'] = '{api}' "
                               f"AND resource['service.name'] = 'sluice' "
                               f"AND resource['service.instance.id'] = '{api}'") > 0,
                 timeout=90, what="up{job=\"sluice\"} == 1 in the metrics stream")
        # One of sluice's own counters, as a counter: the records stored in the metrics stream, which
        # grows with every write Prometheus makes.
        wait_for(lambda: found("SELECT count(*) FROM metrics WHERE name = 'sluice_store_records_total' "
                               "AND labels['stream'] = 'metrics' AND kind = 'counter' AND value > 0") > 0,
                 timeout=90, what="sluice_store_records_total{stream=\"metrics\"} > 0")
        # Metadata (sent in requests of its own) gives gauges their kind once it has arrived.
        wait_for(lambda: found("SELECT count(*) FROM metrics WHERE name = 'sluice_store_streams' "
                               "AND kind = 'gauge'") > 0,
                 timeout=90, what="a gauge with kind 'gauge' after Prometheus sent metadata")
        # Timestamps are Prometheus' scrape times: whole milliseconds.
        assert s.scalar("SELECT count(*) FROM metrics WHERE epoch_ns(timestamp) % 1000000 <> 0") == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert proc.returncode == 0, (tmp_path / "prometheus.log").read_text()[-4000:]
