"""Writes one request body per protocol for bench/run_protocols.sh: 1,000
log records of 200-byte bodies each, encoded as the protocol's clients send
them. Usage: gen_protocol_bodies.py OUT_DIR"""
import gzip
import json
import os
import subprocess
import sys

import snappy

out = sys.argv[1]
root = os.path.join(os.path.dirname(__file__), "..")
os.makedirs(out, exist_ok=True)
N = 1000
T0 = 1763737200_000_000_000


def body(i):
    s = f"GET /api/v1/items/{i} HTTP/1.1 200 user=alice latency_ms={i % 97} "
    return (s + "x" * 200)[:200]


# NDJSON (sluice's own ingest endpoint: the baseline)
with open(f"{out}/ndjson.body", "w") as f:
    for i in range(N):
        f.write(json.dumps({"timestamp": str(T0 + i), "message": body(i), "service": "bench"}) + "\n")

# Elasticsearch _bulk
with open(f"{out}/bulk.body", "w") as f:
    for i in range(N):
        f.write('{"index":{"_index":"bench"}}\n')
        f.write(json.dumps({"@timestamp": "2025-11-21T15:00:00Z", "message": body(i), "service": "bench"}) + "\n")

# Protobuf encodings, from our own .proto files compiled at bench time.
gen = os.path.join(out, "pb")
os.makedirs(gen, exist_ok=True)
protos = []
for d, _, files in os.walk(os.path.join(root, "proto")):
    protos += [os.path.join(d, f) for f in files if f.endswith(".proto")]
subprocess.run(["protoc", "-I", os.path.join(root, "proto"), f"--python_out={gen}"] + protos, check=True)
sys.path.insert(0, gen)

try:
    from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
    req = logs_service_pb2.ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    kv = rl.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", "bench"
    sl = rl.scope_logs.add()
    sl.scope.name = "bench"
    for i in range(N):
        r = sl.log_records.add()
        r.time_unix_nano = T0 + i
        r.severity_number = 9
        r.severity_text = "INFO"
        r.body.string_value = body(i)
    open(f"{out}/otlp.body", "wb").write(req.SerializeToString())
except ImportError as e:
    print(f"gen: no OTLP protos ({e}); skipping otlp", file=sys.stderr)

try:
    from logproto import push_pb2
    req = push_pb2.PushRequest()
    s = req.streams.add()
    s.labels = b'{job="bench", service_name="bench"}'
    for i in range(N):
        e = s.entries.add()
        e.timestamp.seconds = (T0 + i) // 1_000_000_000
        e.timestamp.nanos = (T0 + i) % 1_000_000_000
        e.line = body(i).encode()
    open(f"{out}/loki.body", "wb").write(snappy.compress(req.SerializeToString()))
except ImportError as e:
    print(f"gen: no Loki protos ({e}); skipping loki", file=sys.stderr)

# Prometheus remote_write (version 1): 1,000 series with one sample each,
# snappy-compressed, as Prometheus sends them.
try:
    from prometheus import remote_pb2
    req = remote_pb2.WriteRequest()
    for i in range(N):
        ts = req.timeseries.add()
        for name, value in (("__name__", "bench_requests_total"), ("instance", "host-1:9100"), ("job", "bench"),
                            ("path", f"/api/v1/items/{i}")):
            label = ts.labels.add()
            label.name, label.value = name, value
        sample = ts.samples.add()
        sample.value = float(i)
        sample.timestamp = T0 // 1_000_000
    open(f"{out}/remote_write.body", "wb").write(snappy.compress(req.SerializeToString()))
except ImportError as e:
    print(f"gen: no Prometheus protos ({e}); skipping remote_write", file=sys.stderr)

# Fluent forward, PackedForward mode with the `chunk` option (what Fluent
# Bit's forward output sends with require_ack_response): one message of
# 1,000 events; the chunk id is the same in every request.
try:
    import msgpack
    entries = b"".join(msgpack.packb([T0 // 1_000_000_000 + i, {"message": body(i), "service": "bench"}])
                       for i in range(N))
    msg = msgpack.packb(["bench", entries, {"size": N, "chunk": "YmVuY2gtY2h1bmstaWQ="}], use_bin_type=True)
    open(f"{out}/forward.body", "wb").write(msg)
except ImportError as e:
    print(f"gen: no msgpack ({e}); skipping forward", file=sys.stderr)

# Syslog over TCP, RFC 5424 with octet-counting framing (RFC 6587), as
# rsyslog's omfwd sends with TCP_Framing="octet-counted".
with open(f"{out}/syslog.body", "wb") as f:
    for i in range(N):
        m = f"<134>1 2025-11-21T15:00:00.{i % 1000:03d}Z host-1 bench 4242 - - {body(i)}".encode()
        f.write(str(len(m)).encode() + b" " + m)
