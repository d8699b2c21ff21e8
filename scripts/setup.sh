#!/usr/bin/env bash
# Installs everything sluice needs on Debian 12: Debian packages with apt and
# the pinned DuckDB C library from the npm registry (checksums verified).
# Idempotent: what is already installed is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- Debian packages -------------------------------------------------------
PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config ccache clang libclang-rt-14-dev clang-format clang-tidy
  # libraries (ARCHITECTURE.md "Dependencies")
  libsimdjson-dev libre2-dev libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev
  libzstd-dev libxxhash-dev libboost-dev libgtest-dev libgmock-dev libbenchmark-dev libmimalloc-dev
  zlib1g-dev libsnappy-dev libmsgpack-cxx-dev libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  libsystemd-dev
  # tests and benchmarks: real peers and clients
  nginx rsyslog prometheus curl wrk jq procps python3 python3-pytest python3-requests
  python3-msgpack python3-snappy python3-protobuf python3-zstandard python3-grpcio
  # multiline tests: a real Go runtime's panics
  golang-go
  # journald source tests: writes real journal files without a running journald
  systemd-journal-remote
)
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- OpenTelemetry JS SDK for tests/test_otlp.py (versions pinned in
# tests/otel-js/package-lock.json) -------------------------------------------
if [ ! -d tests/otel-js/node_modules ] || [ tests/otel-js/package-lock.json -nt tests/otel-js/node_modules ]; then
  echo "setup: installing the OpenTelemetry JS packages in tests/otel-js"
  npm ci --no-audit --no-fund --prefix tests/otel-js >/dev/null
  touch tests/otel-js/node_modules
fi

# --- DuckDB (pinned; see docs/user-guide.md "Building") ----------------------
DUCKDB_VERSION=1.4.4
LIB_PKG="@duckdb/node-bindings-linux-x64@1.4.4-r.4"
LIB_SHA256=732fac4dc6b8f198870b9c4bb6ddf13544466daca00ad28ba2f1d80de5d7aa4b
HDR_PKG="duckdb@1.4.4"
HDR_SHA256=5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed
DEST=.deps/duckdb
STAMP="$DEST/.version"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$DUCKDB_VERSION $LIB_SHA256 $HDR_SHA256" ]; then
  exit 0
fi
echo "setup: fetching DuckDB $DUCKDB_VERSION from the npm registry"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$LIB_PKG" "$HDR_PKG" >/dev/null 2>&1)
lib_tgz=$(ls "$tmp"/duckdb-node-bindings-linux-x64-*.tgz)
hdr_tgz=$(ls "$tmp"/duckdb-[0-9]*.tgz)
check() {
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then
    echo "setup: checksum mismatch for $(basename "$1"): expected $2, found $got" >&2
    exit 1
  fi
}
check "$lib_tgz" "$LIB_SHA256"
check "$hdr_tgz" "$HDR_SHA256"
rm -rf "$DEST"
mkdir -p "$DEST/lib" "$DEST/include"
tar -xzf "$lib_tgz" -C "$tmp" package/libduckdb.so
tar -xzf "$hdr_tgz" -C "$tmp" package/src/duckdb/src/include/duckdb.h
mv "$tmp/package/libduckdb.so" "$DEST/lib/"
mv "$tmp/package/src/duckdb/src/include/duckdb.h" "$DEST/include/"
echo "$DUCKDB_VERSION $LIB_SHA256 $HDR_SHA256" > "$STAMP"
echo "setup: DuckDB $DUCKDB_VERSION installed in $DEST"
