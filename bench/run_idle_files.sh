#!/usr/bin/env bash
# Idle cost of the file source following many files (issue 3, "thousands of
# files with low idle cost"). Creates FILES idle files matched by one glob,
# runs `sluice agent` (file source -> file sink) until every file's line has
# been written out, lets it settle, then measures over IDLE seconds the CPU
# it uses (utime + stime from /proc/PID/stat, as % of one core) and its RSS.
# Goal: under 2% of one core for 10,000 files.
# Usage: bench/run_idle_files.sh [FILES] [IDLE_SECONDS]   (default 10000 60)
#        SLUICE_BIN=build-x/sluice bench/run_idle_files.sh
#        SOURCE_EXTRA='inotify = false' bench/run_idle_files.sh   (more file source options)
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:-10000}
IDLE=${2:-60}
SLUICE=${SLUICE_BIN:-build/sluice}
OUT=bench/out/idle-files
PY=/usr/bin/python3
PORT=${PORT:-17171}

rm -rf "$OUT"
mkdir -p "$OUT/logs"
OUT=$(realpath "$OUT")
$PY - "$OUT/logs" "$FILES" <<'PYEOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, f"app-{i:05d}.log"), "w") as f:
        f.write(f"2025-01-01T00:00:00Z file {i} started\n")
PYEOF
cat > "$OUT/agent.toml" <<TOML
[api]
listen = "127.0.0.1:$PORT"

[sources.app]
type = "file"
include = ["$OUT/logs/*.log"]
${SOURCE_EXTRA:-}

[sinks.out]
type = "file"
inputs = ["app"]
path = "$OUT/out.ndjson"
TOML

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
. bench/common.sh
HZ=$(getconf CLK_TCK)

"$SLUICE" agent --config "$OUT/agent.toml" --data-dir "$OUT/agent-data" 2> "$OUT/agent.log" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
t0=$(date +%s.%N)
until [ -f "$OUT/out.ndjson" ] && [ "$(wc -l < "$OUT/out.ndjson")" -ge "$FILES" ]; do
  kill -0 $PID 2>/dev/null || { echo "agent died; see $OUT/agent.log" >&2; exit 1; }
  sleep 0.2
done
t1=$(date +%s.%N)
START_CPU=$(ticks $PID)
sleep 5  # the scan that follows new directory watches, stats publication
c0=$(ticks $PID)
sleep "$IDLE"
c1=$(ticks $PID)
RSS=$(rss_mib $PID)
WATCHED=$(curl -s "127.0.0.1:$PORT/metrics" | awk '/^sluice_file_source_watched_files\{component="app"\}/ {print $2}')
# inotify in use unless switched off or unavailable (then the agent logs it).
INOTIFY=$( { echo "${SOURCE_EXTRA:-}" | grep -q "inotify *= *false" || grep -q "inotify unavailable" "$OUT/agent.log"; } && echo 1 || echo 0)
kill $PID
wait $PID || true
trap - EXIT
$PY - <<PYEOF
files, idle, hz = $FILES, $IDLE, $HZ
initial_s = $t1 - $t0
print(f"files: {files}, watched: ${WATCHED:-?}, inotify: {'no' if $INOTIFY else 'yes'}")
print(f"initial read: {initial_s:.1f} s wall, {$START_CPU / hz:.2f} CPU-s")
print(f"idle: {($c1 - $c0) / hz:.2f} CPU-s over {idle} s = {100 * ($c1 - $c0) / hz / idle:.2f}% of one core")
print(f"RSS: $RSS MiB")
PYEOF
