# Helpers shared by the whole-system benchmark scripts (sourced, not run).
# They read /proc of the processes measured and start as few processes as
# they can: every process they start shares the two cores with them.

# cpu_seconds PID: user+system CPU of a process, from /proc/PID/stat.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14+$15)/hz}' "/proc/$1/stat"; }
# peak_rss_mib PID / rss_mib PID: VmHWM / VmRSS in MiB.
peak_rss_mib() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
now() { date +%s.%N; }
# alive PID: exits the script when the process has died ($OUT holds its logs).
alive() { kill -0 "$1" 2>/dev/null || { echo "bench: process $1 died; see $OUT" >&2; exit 1; }; }
# http_get PORT PATH: sets HTTP_BODY to the answer (headers and body) of
# GET PATH on 127.0.0.1:PORT, read by bash itself through /dev/tcp, so a
# poll starts no process: one `curl | jq` poll cost ~46 ms of CPU (jq's
# start), a core's worth at 20 polls a second, while the peer's `stat` costs
# ~1 ms.
http_get() {
  local fd line
  HTTP_BODY=""
  exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&"$fd"
  while IFS= read -r -t 10 -u "$fd" line || [ -n "$line" ]; do HTTP_BODY+="$line"$'\n'; done
  exec {fd}<&-
}
# stream_records PORT [STREAM]: sets RECORDS to the records sluice's
# /api/v1/streams lists for STREAM, or for all streams (0 when unreachable;
# a count cut short by a broken answer does not match, so it never
# overcounts).
stream_records() {
  RECORDS=0
  http_get "$1" /api/v1/streams 2>/dev/null || return 0
  local rest=$HTTP_BODY re='"name":"([^"]*)"[^}]*"records":([0-9]+)[,}]'
  while [[ $rest =~ $re ]]; do
    if [ -z "${2:-}" ] || [ "${BASH_REMATCH[1]}" = "$2" ]; then RECORDS=$((RECORDS + BASH_REMATCH[2])); fi
    rest=${rest#*"${BASH_REMATCH[0]}"}
  done
}
# pause DONE TOTAL: between two polls for completion, 250 ms while under 90%
# done, then 20 ms, so the end is seen within 20 ms. sluice's polls
# (stream_records) start no process; rsyslog's start a `stat` (~1 ms).
pause() {
  local done=${1//[^0-9]/}
  if [ "${done:-0}" -lt $(($2 / 10 * 9)) ]; then sleep 0.25; else sleep 0.02; fi
}

# The shipping benchmarks' configurations (bench/run_shipping.sh,
# bench/ab_shipping.sh), printed to stdout.
# shipping_server_toml API_PORT OTLP_PORT DATA_DIR: `sluice run` with an
# otlp source into the store.
shipping_server_toml() {
  cat <<TOML
[api]
listen = "127.0.0.1:$1"
[store]
data_dir = "$3"
retention = "0"        # the generated log is dated 2025-11-21
min_free_bytes = "0"
[sources.otlp]
type = "otlp"
listen = "127.0.0.1:$2"
grpc_listen = ""
TOML
}
# shipping_agent_toml API_PORT FILE OTLP_PORT STREAM: `sluice agent` tailing
# FILE from its beginning -> parse_regex nginx_combined -> sluice sink.
shipping_agent_toml() {
  cat <<TOML
[api]
listen = "127.0.0.1:$1"
[sources.access]
type = "file"
include = ["$2"]
start_at = "beginning"
[transforms.parsed]
type = "parse_regex"
inputs = ["access"]
preset = "nginx_combined"
[sinks.server]
type = "sluice"
inputs = ["parsed"]
endpoint = "http://127.0.0.1:$3"
stream = "$4"
TOML
}
