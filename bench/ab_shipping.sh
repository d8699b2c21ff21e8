#!/usr/bin/env bash
# A/B of two sluice binaries on the shipping path, runs interleaved.
#
# Usage: bench/ab_shipping.sh BIN_A BIN_B [ROUNDS] [LINES]
#
# Each round runs, for A then B (B then A every other round, so that a
# steady drift of the machine's speed favours neither; use an even
# ROUNDS for that to hold): a `sluice run` server (otlp source ->
# store) and a `sluice agent` (file -> parse_regex nginx_combined ->
# sluice sink) on the generated access log, timed from the agent's start
# until the server's store counts every line. This machine's speed drifts
# by 10-30% within minutes, so only runs taken in turns are compared.
# Prints one line per run (lines/s, CPU-s of agent and server, and the
# CPU-s of each thread name), then the medians of each binary.
# Defaults: 6 rounds, 1,000,000 lines. Output under bench/out/ab-shipping.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

A=$(realpath "${1:?usage: bench/ab_shipping.sh BIN_A BIN_B [ROUNDS] [LINES]}")
B=$(realpath "${2:?usage: bench/ab_shipping.sh BIN_A BIN_B [ROUNDS] [LINES]}")
ROUNDS=${3:-6}
[ "$ROUNDS" -ge 1 ] || { echo "bench: ROUNDS must be at least 1" >&2; exit 1; }
LINES=${4:-1000000}
LOG=$(realpath -m "bench/out/access-$LINES.log")
mkdir -p bench/out
[ -f "$LOG" ] || /usr/bin/python3 bench/gen_access_log.py "$LOG" "$LINES"
OUT=$(realpath -m bench/out/ab-shipping)
SERVER_API=17480
OTLP=17418
AGENT_API=17481

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# thread_cpu PID: "name=cpu-s ..." summed over the threads of each name.
thread_cpu() {
  local t f
  for t in /proc/"$1"/task/*; do
    read -r -a f < "$t/stat" 2>/dev/null || continue
    echo "$(cat "$t/comm" 2>/dev/null) $((f[13] + f[14]))"
  done | awk -v hz="$(getconf CLK_TCK)" '{a[$1] += $2} END {for (k in a) if (a[k] > 0) printf "%s=%.2f ", k, a[k] / hz}'
}

# one BIN LABEL: one timed run; appends "LABEL lines/s cpu" to $OUT/results.
one() {
  local bin=$1 label=$2
  rm -rf "$OUT/run" && mkdir -p "$OUT/run"
  shipping_server_toml "$SERVER_API" "$OTLP" "$OUT/run/server-data" > "$OUT/run/server.toml"
  shipping_agent_toml "$AGENT_API" "$LOG" "$OTLP" shipped > "$OUT/run/agent.toml"
  "$bin" run --config "$OUT/run/server.toml" 2> "$OUT/run/server.log" &
  local server=$!
  PIDS=("$server")
  # Ready only when it answers 200: the API answers 503 while the pipeline starts.
  until curl -sf "localhost:$SERVER_API/readyz" > /dev/null; do alive "$server"; sleep 0.05; done
  local t0 t1
  t0=$(now)
  "$bin" agent --config "$OUT/run/agent.toml" --data-dir "$OUT/run/agent-data" 2> "$OUT/run/agent.log" &
  local agent=$!
  PIDS+=("$agent")
  until stream_records "$SERVER_API" shipped; [ "$RECORDS" = "$LINES" ]; do
    alive "$agent"
    alive "$server"
    pause "$RECORDS" "$LINES"
  done
  t1=$(now)
  local rate ca cs
  rate=$(/usr/bin/python3 -c "print(round($LINES / ($t1 - $t0)))")
  ca=$(cpu_seconds "$agent")
  cs=$(cpu_seconds "$server")
  printf '%s %s lines/s, CPU-s agent %s + server %s | agent: %s| server: %s\n' \
    "$label" "$rate" "$ca" "$cs" "$(thread_cpu "$agent")" "$(thread_cpu "$server")"
  echo "$label $rate $(/usr/bin/python3 -c "print(round(($ca + $cs) * 1e6 / $LINES, 2))")" >> "$OUT/results"
  kill "$agent" "$server"
  wait "$agent" "$server" 2>/dev/null || true
  PIDS=()
}

mkdir -p "$OUT"
: > "$OUT/results"
echo "A = $A"
echo "B = $B"
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then
    one "$A" A
    one "$B" B
  else
    one "$B" B
    one "$A" A
  fi
done
/usr/bin/python3 - "$OUT/results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for label in ("A", "B"):
    rates = sorted(int(r[1]) for r in rows if r[0] == label)
    cpu = [float(r[2]) for r in rows if r[0] == label]
    print(f"{label}: median {statistics.median(rates):,.0f} lines/s (runs {', '.join(f'{x:,}' for x in rates)}), "
          f"median {statistics.median(cpu):.2f} CPU-s per 1M lines (agent + server)")
PY
