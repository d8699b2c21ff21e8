"""The `loki` source end to end: requests built from Loki's documented push
encodings (protobuf from our push.proto via protoc + Snappy; JSON, plain and
gzip) are posted to a real `sluice run`, and SQL checks what was stored."""
import gzip
import json
import os
import subprocess
import sys

import pytest
import requests
import snappy

from conftest import free_port

PROTO_DIR = os.path.join(os.path.dirname(__file__), "..", "proto")


@pytest.fixture(scope="module")
def pb(tmp_path_factory):
    """push_pb2 generated from proto/logproto/push.proto with protoc at test time."""
    out = tmp_path_factory.mktemp("loki_pb2")
    subprocess.run(["protoc", "-I", PROTO_DIR, f"--python_out={out}",
                    os.path.join(PROTO_DIR, "logproto", "push.proto")], check=True)
    sys.path.insert(0, str(out))
    from logproto import push_pb2
    return push_pb2


@pytest.fixture
def loki(sluice_factory):
    """Starts sluice with a loki source; returns (sluice, base url of the source)."""
    def start(extra=""):
        port = free_port()
        s = sluice_factory(f'[sources.loki]\ntype = "loki"\nlisten = "127.0.0.1:{port}"\n{extra}').start()
        return s, f"http://127.0.0.1:{port}"
    return start


def push_request(pb, streams):
    """streams: [(labels text, [(unix ns, line, {metadata})])] -> serialized PushRequest."""
    req = pb.PushRequest()
    for labels, entries in streams:
        s = req.streams.add()
        s.labels = labels.encode()
        for ns, line, meta in entries:
            e = s.entries.add()
            e.timestamp.seconds, e.timestamp.nanos = divmod(ns, 10**9)
            e.line = line.encode()
            for k, v in meta.items():
                kv = e.structuredMetadata.add()
                kv.name, kv.value = k.encode(), v.encode()
    return req.SerializeToString()


def post_proto(url, raw, headers=None, compress=True):
    h = {"Content-Type": "application/x-protobuf"}
    h.update(headers or {})
    return requests.post(url + "/loki/api/v1/push", data=snappy.compress(raw) if compress else raw, headers=h)


def test_protobuf_snappy_push(loki, pb):
    s, url = loki()
    base = 1700000000123456789
    streams = [
        ('{job="varlogs", foo="b\\"ar", service_name="api"}',
         [(base + i, f"proto line {i}", {"trace_id": f"t{i}"} if i % 2 else {}) for i in range(50)]),
        ('{job="other", path="C:\\\\x", nl="a\\nb"}', [(base + 1000 + i, f"other {i}", {}) for i in range(7)]),
    ]
    r = post_proto(url, push_request(pb, streams), {"X-Scope-OrgID": "team-a"})
    assert r.status_code == 204, r.text
    assert r.content == b""
    # The push was answered after it was durable, so it is queryable now.
    assert s.scalar("SELECT count(*) FROM loki") == 57
    assert s.scalar("SELECT count(*) FROM (SELECT body FROM loki GROUP BY body HAVING count(*) = 1)") == 57
    got = s.query("SELECT body, epoch_ns(timestamp), resource['job'], resource['foo'], resource['tenant'], "
                  "service_name, attributes['trace_id'] FROM loki WHERE resource['job'] = 'varlogs' "
                  "ORDER BY timestamp")["rows"]
    assert got == [[f"proto line {i}", base + i, "varlogs", 'b"ar', "team-a", "api",
                    f"t{i}" if i % 2 else None] for i in range(50)]
    other = s.query("SELECT resource['path'], resource['nl'], count(*), min(epoch_ns(timestamp)) FROM loki "
                    "WHERE resource['job'] = 'other' GROUP BY ALL")["rows"]
    assert other == [["C:\\x", "a\nb", 7, base + 1000]]
    assert s.scalar("SELECT count(*) FROM loki WHERE epoch(observed_timestamp) < 1700000000") == 0


def test_json_and_gzip_json(loki):
    s, url = loki('stream = "loki_json"\ntenant_attribute = "org"\n')
    body = {"streams": [{"stream": {"app": "web", "service.name": "websvc"},
                         "values": [["1700000000000000001", "json one"],
                                    ["1700000000000000002", "json two", {"user": "alice", "req": "r-1"}]]}]}
    r = requests.post(url + "/loki/api/v1/push", data=json.dumps(body),
                      headers={"Content-Type": "application/json", "X-Scope-OrgID": "t1"})
    assert r.status_code == 204, r.text
    body["streams"][0]["values"] = [["1700000000000000003", "gzip three"]]
    r = requests.post(url + "/loki/api/v1/push", data=gzip.compress(json.dumps(body).encode()),
                      headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert r.status_code == 204, r.text
    got = s.query("SELECT body, epoch_ns(timestamp), resource['app'], service_name, resource['org'], "
                  "attributes['user'], attributes['req'] FROM loki_json ORDER BY timestamp")["rows"]
    assert got == [["json one", 1700000000000000001, "web", "websvc", "t1", None, None],
                   ["json two", 1700000000000000002, "web", "websvc", "t1", "alice", "r-1"],
                   ["gzip three", 1700000000000000003, "web", "websvc", None, None, None]]


def test_bad_requests_get_400_and_the_server_keeps_serving(loki, pb):
    s, url = loki()
    good = push_request(pb, [('{job="ok"}', [(1700000000000000000, "kept", {})])])
    # Not Snappy.
    r = post_proto(url, b"definitely not snappy", compress=False)
    assert r.status_code == 400 and "snappy" in r.text, r.text
    # Snappy, but not a PushRequest (field 1 with a length past the end).
    r = post_proto(url, b"\x0a\x7f\x01\x02")
    assert r.status_code == 400 and "exceeds" in r.text, r.text
    # Bad label syntax names the stream and the byte.
    bad = push_request(pb, [('{job="ok"}', [(1, "a", {})]), ('{job=unquoted}', [(1, "b", {})])])
    r = post_proto(url, bad)
    assert r.status_code == 400, r.text
    assert r.text.startswith("stream 1: labels") and "at byte 5" in r.text, r.text
    # Bad JSON names the entry.
    r = requests.post(url + "/loki/api/v1/push", headers={"Content-Type": "application/json"},
                      data='{"streams":[{"stream":{},"values":[["soon","x"]]}]}')
    assert r.status_code == 400 and "stream 0, entry 0: timestamp" in r.text, r.text
    r = requests.post(url + "/loki/api/v1/push", headers={"Content-Encoding": "br"}, data=b"x")
    assert r.status_code == 415
    # Nothing of the bad requests was stored; a good push still works.
    assert post_proto(url, good).status_code == 204
    assert s.query("SELECT body FROM loki")["rows"] == [["kept"]]


def test_zip_bombs_get_413(loki, pb):
    s, url = loki('max_decompressed_bytes = "1MiB"\n')
    bomb = gzip.compress(b" " * (32 << 20), compresslevel=9)
    assert len(bomb) < (1 << 20)
    r = requests.post(url + "/loki/api/v1/push", data=bomb,
                      headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert r.status_code == 413, r.text
    r = post_proto(url, b"\x00" * (8 << 20))  # Snappy inflates this from ~400 KiB
    assert r.status_code == 413, r.text
    # Still serving.
    ok = push_request(pb, [('{a="b"}', [(1700000000000000000, "after bombs", {})])])
    assert post_proto(url, ok).status_code == 204
    assert s.scalar("SELECT count(*) FROM loki") == 1


def test_probe_endpoints(loki):
    _, url = loki()
    r = requests.get(url + "/ready")
    assert r.status_code == 200 and r.text.strip() == "ready"
    r = requests.get(url + "/loki/api/v1/status/buildinfo")
    assert r.status_code == 200 and "version" in r.json()
    assert requests.get(url + "/loki/api/v1/push").status_code == 405
    assert requests.get(url + "/nope").status_code == 404


def test_invalid_utf8_in_protobuf_becomes_replacement_characters(loki, pb):
    s, url = loki()
    req = pb.PushRequest()
    st = req.streams.add()
    st.labels = b'{host="h\\xff"}'
    e = st.entries.add()
    e.timestamp.seconds = 1700000000
    e.line = b"bad \xff\xfe bytes"
    assert post_proto(url, req.SerializeToString()).status_code == 204
    assert s.query("SELECT body, resource['host'] FROM loki")["rows"] == [["bad \ufffd\ufffd bytes", "h\ufffd"]]
