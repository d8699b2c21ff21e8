#!/usr/bin/env bash
# Runs every libFuzzer target in build dir $1 for $2 seconds each, seeded from
# fuzz/corpus/<target>/ when present. Fails if any target finds a crash.
set -euo pipefail
build=$1
secs=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
count=0
for bin in "$build"/*_fuzz; do
  name=$(basename "$bin")
  corpus="$root/fuzz/corpus/$name"
  work=$(mktemp -d)
  seeds=()
  [ -d "$corpus" ] && seeds=("$corpus")
  echo "fuzz: $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=0 \
       -artifact_prefix="$build/$name-" "$work" "${seeds[@]}" > "$build/$name.log" 2>&1; then
    tail -40 "$build/$name.log"
    echo "fuzz: $name FAILED (log: $build/$name.log)"
    exit 1
  fi
  rm -rf "$work"
  count=$((count + 1))
done
# Every *_fuzz.cpp is a target: a build that left one out must not pass
# as "ran clean".
for src in $(find "$root/src" -name '*_fuzz.cpp'); do
  name=$(basename "$src" .cpp)
  if [ ! -x "$build/$name" ]; then
    echo "fuzz: $name has no binary in $build (src: $src)"
    exit 1
  fi
done
echo "fuzz: $count targets ran clean"
