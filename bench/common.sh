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
# pause DONE TOTAL: between two polls for completion, 250 ms while under 90%
# done, then 20 ms. Each poll starts processes (curl, jq, stat) on the two
# cores the measured process runs on; 20 polls a second took ~15% of a
# core from it, and the end is still seen within 20 ms.
pause() {
  local done=${1//[^0-9]/}
  if [ "${done:-0}" -lt $(($2 / 10 * 9)) ]; then sleep 0.25; else sleep 0.02; fi
}
