#!/usr/bin/env bash
# Shipping benchmark (issue: edge agent). On one generated combined access log:
#   sluice: `sluice agent` (file source -> parse_regex nginx_combined -> sluice
#           sink, OTLP/HTTP protobuf + zstd) -> `sluice run` (otlp source ->
#           store), until the server's store counts every line (durable);
#   rsyslog (peer, Debian): imfile -> omfwd (TCP) -> a second rsyslogd with
#           imtcp -> omfile, until the output file has every line.
# Reports end-to-end lines/s, CPU-seconds per million lines and peak RSS of
# each process, and for sluice the round's slowest WAL fsync and the agent
# sink's errors (a slow round: the disk, or a retry?). The two run in turns, ROUNDS times (this machine's speed
# drifts by 10-30% within minutes, so one pair can say either way): each
# round's ratio and the medians are reported. Then two runs of the agent
# alone against a server:
#   idle: one tailed file nobody writes, RSS after IDLE_SECONDS;
#   steady: a writer appends RATE lines/s for STEADY_SECONDS; peak RSS and
#           CPU of the agent.
# Usage: bench/run_shipping.sh [LINES] [RATE] [STEADY_SECONDS] [ROUNDS]
#        (default 1000000 10000 30 5); SLUICE_BIN=build-x/sluice to pick a binary.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
RATE=${2:-10000}
STEADY=${3:-30}
ROUNDS=${4:-5}
[ "$ROUNDS" -ge 1 ] || { echo "bench: ROUNDS must be at least 1" >&2; exit 1; }
IDLE_SECONDS=${IDLE_SECONDS:-10}
SLUICE=$(realpath "${SLUICE_BIN:-build/sluice}")
PY=/usr/bin/python3
OUT=bench/out/shipping
mkdir -p bench/out
LOG="bench/out/access-$LINES.log"
[ -f "$LOG" ] || $PY bench/gen_access_log.py "$LOG" "$LINES"
LOG=$(realpath "$LOG")
BYTES=$(stat -c %s "$LOG")
rm -rf "$OUT"; mkdir -p "$OUT"; OUT=$(realpath "$OUT")
echo "input: $LOG, $LINES lines, $((BYTES / 1000000)) MB"

. bench/common.sh
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

SERVER_API=17080
OTLP=17318
AGENT_API=17081

start_server() {
  rm -rf "$OUT/server-data"
  shipping_server_toml "$SERVER_API" "$OTLP" "$OUT/server-data" > "$OUT/server.toml"
  "$SLUICE" run --config "$OUT/server.toml" 2> "$OUT/server.log" &
  SERVER=$!; PIDS+=("$SERVER")
  until curl -sf "localhost:$SERVER_API/readyz" > /dev/null; do alive $SERVER; sleep 0.05; done
}

# start_agent FILE NAME: an agent tailing FILE from its beginning.
start_agent() {
  rm -rf "$OUT/agent-data-$2"
  shipping_agent_toml "$AGENT_API" "$1" "$OTLP" "$2" > "$OUT/agent-$2.toml"
  "$SLUICE" agent --config "$OUT/agent-$2.toml" --data-dir "$OUT/agent-data-$2" 2> "$OUT/agent-$2.log" &
  AGENT=$!; PIDS+=("$AGENT")
}

# The polls of both runs are kept cheap (`stream_records` in
# bench/common.sh starts no process; the output file's size before its
# lines for rsyslog): they share the two cores with the processes measured.

# ---------------- sluice: agent -> server ----------------
# run_sluice: one timed run; appends "secs agent-cpu agent-rss server-cpu
# server-rss slowest-fsync sink-errors" to $OUT/sluice.runs. The last two
# (the smallest bucket of the server's WAL fsync histogram that holds every
# fsync, in seconds, and the agent sink's errors, each one a retry) tell
# whether a slow round waited on the disk or on a retry.
run_sluice() {
  start_server
  local t0 t1 fsync errors
  t0=$(now)
  start_agent "$LOG" shipped
  until stream_records "$SERVER_API" shipped; [ "$RECORDS" = "$LINES" ]; do alive $AGENT; alive $SERVER; pause "$RECORDS" "$LINES"; done
  t1=$(now)
  http_get "$SERVER_API" /metrics
  fsync=$(awk '/^sluice_wal_fsync_seconds_count/ {n = $2} /^sluice_wal_fsync_seconds_bucket/ {
                 match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); c[++k] = $2; b[k] = le }
               END { for (i = 1; i <= k; i++) if (c[i] == n) { print b[i]; exit } print "?" }' <<< "$HTTP_BODY")
  http_get "$AGENT_API" /metrics
  errors=$(awk '/^sluice_component_errors_total\{.*component="server"/ {s += $2} END {print s + 0}' <<< "$HTTP_BODY")
  echo "$($PY -c "print($t1-$t0)") $(cpu_seconds $AGENT) $(peak_rss_mib $AGENT) $(cpu_seconds $SERVER) $(peak_rss_mib $SERVER) $fsync $errors" >> "$OUT/sluice.runs"
  kill $AGENT $SERVER; wait $AGENT $SERVER || true
  PIDS=()
}

# ---------------- rsyslog: imfile -> omfwd -> imtcp -> omfile ----------------
RS=$OUT/rsyslog
mkdir -p "$RS/send" "$RS/recv"
TCP=17514
cat > "$RS/recv.conf" <<CONF
global(workDirectory="$RS/recv")
module(load="imtcp")
template(name="raw" type="string" string="%msg:2:\$%\n")
input(type="imtcp" port="$TCP" address="127.0.0.1" ruleset="out")
ruleset(name="out") { action(type="omfile" file="$RS/out.log" template="raw") }
CONF
cat > "$RS/send.conf" <<CONF
global(workDirectory="$RS/send")
module(load="imfile")
input(type="imfile" File="$LOG" Tag="access" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omfwd" target="127.0.0.1" port="$TCP" protocol="tcp" template="RSYSLOG_ForwardFormat")
}
CONF
# run_rsyslog: one timed run; appends "secs sender-cpu sender-rss
# receiver-cpu receiver-rss" to $OUT/rsyslog.runs.
run_rsyslog() {
  rm -rf "$RS/send" "$RS/recv" "$RS/out.log" "$RS/send.pid" "$RS/recv.pid"
  mkdir -p "$RS/send" "$RS/recv"
  local t0 t1
  rsyslogd -n -f "$RS/recv.conf" -i "$RS/recv.pid" 2> "$RS/recv.err" &
  RECV=$!; PIDS+=("$RECV")
  until ss -ltn | grep -q ":$TCP "; do alive $RECV; sleep 0.05; done
  t0=$(now)
  rsyslogd -n -f "$RS/send.conf" -i "$RS/send.pid" 2> "$RS/send.err" &
  SEND=$!; PIDS+=("$SEND")
  until [ -f "$RS/out.log" ] && [ "$(stat -c %s "$RS/out.log")" -ge "$BYTES" ] &&
        [ "$(wc -l < "$RS/out.log")" -ge "$LINES" ]; do
    alive $SEND; alive $RECV; pause "$(stat -c %s "$RS/out.log" 2>/dev/null)" "$BYTES"
  done
  t1=$(now)
  echo "$($PY -c "print($t1-$t0)") $(cpu_seconds $SEND) $(peak_rss_mib $SEND) $(cpu_seconds $RECV) $(peak_rss_mib $RECV)" >> "$OUT/rsyslog.runs"
  kill $SEND $RECV; wait $SEND $RECV || true
  PIDS=()
}

: > "$OUT/sluice.runs"
: > "$OUT/rsyslog.runs"
for _ in $(seq "$ROUNDS"); do
  run_sluice
  run_rsyslog
done
# rsyslog must have forwarded the lines themselves, not something else.
cmp -s <(head -c 100000 "$LOG" | head -n 100) <(head -n 100 "$RS/out.log") ||
  echo "bench: warning: rsyslog's output does not start with the input's lines" >&2

# ---------------- agent alone: idle, then a steady RATE ----------------
start_server
: > "$OUT/steady.log"
start_agent "$OUT/steady.log" steady
until curl -sf "localhost:$AGENT_API/readyz" > /dev/null; do alive $AGENT; sleep 0.05; done
sleep "$IDLE_SECONDS"
IDLE_RSS=$(rss_mib $AGENT)
IDLE_CPU0=$(cpu_seconds $AGENT)
$PY - "$LOG" "$OUT/steady.log" "$RATE" "$STEADY" <<'PYEOF'
# Appends RATE lines/s (in 100 slices a second) of the generated log for SECONDS.
import sys, time
src, dst, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
lines = open(src, "rb").readlines()[: rate * int(seconds)]
per_tick, tick = max(1, rate // 100), 0.01
start = time.monotonic()
with open(dst, "ab", buffering=0) as out:
    for i in range(0, len(lines), per_tick):
        out.write(b"".join(lines[i:i + per_tick]))
        delay = start + (i // per_tick + 1) * tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
PYEOF
STEADY_LINES=$(wc -l < "$OUT/steady.log")
until stream_records "$SERVER_API" steady; [ "$RECORDS" = "$STEADY_LINES" ]; do alive $AGENT; sleep 0.1; done
STEADY_RSS=$(peak_rss_mib $AGENT)
STEADY_CPU=$($PY -c "print($(cpu_seconds $AGENT) - $IDLE_CPU0)")
kill $AGENT $SERVER; wait $AGENT $SERVER || true

$PY - "$LINES" "$BYTES" "$OUT/sluice.runs" "$OUT/rsyslog.runs" "$IDLE_RSS" "$STEADY_LINES" "$STEADY" "$STEADY_RSS" \
    "$STEADY_CPU" <<'PYEOF' | tee "$OUT/results.md"
import statistics, sys
lines, size = int(sys.argv[1]), int(sys.argv[2])
sluice = [l.split() for l in open(sys.argv[3])]
sluice = [list(map(float, f[:5])) + f[5:] for f in sluice]
rsyslog = [list(map(float, l.split())) for l in open(sys.argv[4])]
idle_rss, steady_lines, steady_secs, steady_rss, steady_cpu = map(float, sys.argv[5:])
m = lines / 1e6
med = statistics.median
print(f"{lines:,} lines, {size/1e6:.1f} MB of combined access log; {len(sluice)} rounds, the two in turns")
print()
print("| round | sluice lines/s | CPU-s per 1M (agent + server) | peak RSS MiB (agent / server) "
      "| slowest fsync s, sink errors "
      "| rsyslog lines/s | CPU-s per 1M (sender + receiver) | peak RSS MiB (sender / receiver) | ratio |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for i, (s, r) in enumerate(zip(sluice, rsyslog), 1):
    print(f"| {i} | {lines/s[0]:,.0f} | {s[1]/m:.2f} + {s[3]/m:.2f} | {s[2]:.0f} / {s[4]:.0f} "
          f"| <= {s[5]}, {s[6]} "
          f"| {lines/r[0]:,.0f} | {r[1]/m:.2f} + {r[3]/m:.2f} | {r[2]:.0f} / {r[4]:.0f} | {r[0]/s[0]:.2f}x |")
print()
print("sluice: agent (tail + parse_regex nginx_combined + sluice sink) -> sluice run (otlp -> store); "
      "rsyslog: imfile -> omfwd TCP -> rsyslog imtcp -> omfile (no parsing)")
print()
print(f"- median lines/s: sluice {med(lines/s[0] for s in sluice):,.0f}, rsyslog {med(lines/r[0] for r in rsyslog):,.0f}")
print(f"- throughput ratio sluice/rsyslog: median of rounds {med(r[0]/s[0] for s, r in zip(sluice, rsyslog)):.2f}x, "
      f"of medians {med(lines/s[0] for s in sluice) / med(lines/r[0] for r in rsyslog):.2f}x")
print(f"- agent RSS idle (one tailed file, after the start-up): {idle_rss:.1f} MiB")
print(f"- agent at {steady_lines/steady_secs:,.0f} lines/s for {steady_secs:.0f} s: peak RSS {steady_rss:.1f} MiB, "
      f"{100*steady_cpu/steady_secs:.1f}% of a core")
PYEOF
