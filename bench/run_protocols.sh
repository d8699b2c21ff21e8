#!/usr/bin/env bash
# Protocol ingest benchmark (issue: protocols). One `sluice run` with every
# listener; for each protocol the same request of 1,000 records (200-byte
# log bodies, or 1,000 samples for remote_write; bench/gen_protocol_bodies.py)
# is sent over and over on loopback for DURATION seconds over CONNS
# connections, fsync = "batch" (every answer waits for the WAL fsync). HTTP
# protocols are driven by wrk; Fluent forward (waiting for each message's
# ack) and octet-counted syslog over TCP by bench/tcp_load.py. Reports
# records/s, sluice CPU-seconds per million records, and the p99 request (=
# acknowledgement) latency. The peer is sluice's own NDJSON endpoint on the
# same records. Each protocol runs against a fresh server.
# Usage: bench/run_protocols.sh [DURATION] [CONNS]   (default 10 s, 8)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNS=${2:-8}
OUT=bench/out/protocols
SLUICE=${SLUICE_BIN:-build/sluice}
PY=/usr/bin/python3
rm -rf "$OUT" && mkdir -p "$OUT"
$PY bench/gen_protocol_bodies.py "$OUT"

. bench/common.sh
API=17170 OTLP=17171 LOKI=17172 ES=17173 PROM=17174 FWD=17175 SYSLOG=17176
cat > "$OUT/sluice.toml" <<TOML
[api]
listen = "127.0.0.1:$API"
[store]
data_dir = "$OUT/data"
fsync = "batch"
retention = "0"
min_free_bytes = "0"
[sources.otlp]
type = "otlp"
listen = "127.0.0.1:$OTLP"
grpc_listen = ""
[sources.loki]
type = "loki"
listen = "127.0.0.1:$LOKI"
[sources.es]
type = "elasticsearch"
listen = "127.0.0.1:$ES"
[sources.prom]
type = "prometheus_remote_write"
listen = "127.0.0.1:$PROM"
[sources.fwd]
type = "fluent"
listen = "127.0.0.1:$FWD"
[sources.syslog]
type = "syslog"
mode = "tcp"
listen = "127.0.0.1:$SYSLOG"
TOML
# Each protocol gets a fresh server and data directory, so one protocol's
# run does not pay for compacting the previous one's records (its own
# records are compacted during its run: compact_rows is reached every ~2 s).
PID=
trap 'kill $PID 2>/dev/null || true' EXIT
start_server() {
  [ -z "$PID" ] || { kill "$PID"; wait "$PID" || true; }
  rm -rf "$OUT/data"
  $SLUICE run --config "$OUT/sluice.toml" 2>> "$OUT/sluice.log" &
  PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$API/readyz" >/dev/null && break; sleep 0.1; done
}

printf "| protocol | records/s | CPU-s per 1M records | p99 ack latency | failed requests |\n| --- | --- | --- | --- | --- |\n" \
  > "$OUT/results.md"
run() {  # name url body content-type [content-encoding]
  local name=$1 url=$2 body=$3 ctype=$4 enc=${5:-}
  [ -f "$body" ] || { echo "bench: $name skipped (no body)"; return; }
  local c0 c1
  start_server
  c0=$(cpu_seconds $PID)
  BODY_FILE=$body CONTENT_TYPE=$ctype CONTENT_ENCODING=$enc \
    wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/post_body.lua "$url" > "$OUT/$name.wrk"
  c1=$(cpu_seconds $PID)
  $PY - "$name" "$OUT/$name.wrk" "$c0" "$c1" >> "$OUT/results.md" <<'PYEOF'
import re, sys
name, path, c0, c1 = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
text = open(path).read()
reqs = int(re.search(r"(\d+) requests in", text).group(1))
secs = float(re.search(r"requests in ([\d.]+)s", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
bad = int(bad.group(1)) if bad else 0
p99 = re.search(r"99%\s+([\d.]+\w+)", text).group(1)
good = (reqs - bad) * 1000
rate = good / secs
cpu = (c1 - c0) / (good / 1e6) if good else float("nan")
print(f"| {name} | {rate:,.0f} | {cpu:.2f} | {p99} | {bad} |")
PYEOF
}
# The TCP protocols (bench/tcp_load.py): Fluent forward waits for each
# message's ack (sent once its events are durable); syslog has no ack, so
# its rate is what the store holds when the count stops growing, over the
# time from the first byte sent.
stored() {
  curl -s "http://127.0.0.1:$API/api/v1/streams" | $PY -c "import json,sys; print(sum(s['records'] for s in json.load(sys.stdin)['streams']))"
}
run_tcp() {  # name mode port body
  local name=$1 mode=$2 port=$3 body=$4
  [ -f "$body" ] || { echo "bench: $name skipped (no body)"; return; }
  local c0 c1 t0 t1 n last same
  start_server
  c0=$(cpu_seconds $PID)
  t0=$($PY -c "import time; print(time.time())")
  $PY bench/tcp_load.py "$mode" 127.0.0.1 "$port" "$body" "$DURATION" "$CONNS" > "$OUT/$name.json"
  # Wait until every record is stored (or the count stops growing for 3 s).
  last=-1 same=0
  while [ "$same" -lt 30 ]; do
    n=$(stored)
    if [ "$n" = "$last" ]; then same=$((same + 1)); else same=0; last=$n; t1=$($PY -c "import time; print(time.time())"); fi
    sleep 0.1
  done
  c1=$(cpu_seconds $PID)
  $PY - "$name" "$OUT/$name.json" "$c0" "$c1" "$t0" "$t1" "$last" >> "$OUT/results.md" <<'PYEOF'
import json, sys
name, path = sys.argv[1], sys.argv[2]
c0, c1, t0, t1, stored = map(float, sys.argv[3:8])
r = json.load(open(path))
sent = r["requests"] * 1000
if r["p99_ms"] is not None:  # acknowledged: the rate over the load's own time
    rate = sent / r["seconds"]
    p99 = f"{r['p99_ms']:.2f}ms"
else:  # unacknowledged: stored records over the time until the last was stored
    rate = stored / (t1 - t0)
    p99 = "n/a (no acks)"
cpu = (c1 - c0) / (stored / 1e6) if stored else float("nan")
print(f"| {name} | {rate:,.0f} | {cpu:.2f} | {p99} | {int((sent - stored) // 1000)} |")
PYEOF
}

run ndjson "http://127.0.0.1:$API/api/v1/streams/bench/records" "$OUT/ndjson.body" application/x-ndjson
run otlp_http_protobuf "http://127.0.0.1:$OTLP/v1/logs" "$OUT/otlp.body" application/x-protobuf
run loki_push "http://127.0.0.1:$LOKI/loki/api/v1/push" "$OUT/loki.body" application/x-protobuf
run elasticsearch_bulk "http://127.0.0.1:$ES/_bulk" "$OUT/bulk.body" application/x-ndjson
run prometheus_remote_write "http://127.0.0.1:$PROM/api/v1/write" "$OUT/remote_write.body" application/x-protobuf snappy
run_tcp fluent_forward forward "$FWD" "$OUT/forward.body"
run_tcp syslog_tcp_octet_counted syslog "$SYSLOG" "$OUT/syslog.body"
cat "$OUT/results.md"
