#!/usr/bin/env bash
# Protocol ingest benchmark (issue: protocols). One `sluice run` with every
# HTTP listener; for each protocol, wrk POSTs the same 1,000-record request
# (200-byte bodies, bench/gen_protocol_bodies.py) over loopback for DURATION
# seconds with CONNS connections, fsync = "batch" (every answer waits for the
# WAL fsync). Reports records/s, sluice CPU-seconds per million records, and
# wrk's p99 request (= acknowledgement) latency. The peer is sluice's own
# NDJSON endpoint on the same records. Each protocol runs against a fresh
# server.
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

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14+$15)/hz}' "/proc/$1/stat"; }
API=17170 OTLP=17171 LOKI=17172 ES=17173
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

printf "| protocol | records/s | CPU-s per 1M records | p99 ack latency | non-2xx |\n| --- | --- | --- | --- | --- |\n" \
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
run ndjson "http://127.0.0.1:$API/api/v1/streams/bench/records" "$OUT/ndjson.body" application/x-ndjson
run otlp_http_protobuf "http://127.0.0.1:$OTLP/v1/logs" "$OUT/otlp.body" application/x-protobuf
run loki_push "http://127.0.0.1:$LOKI/loki/api/v1/push" "$OUT/loki.body" application/x-protobuf
run elasticsearch_bulk "http://127.0.0.1:$ES/_bulk" "$OUT/bulk.body" application/x-ndjson
cat "$OUT/results.md"
