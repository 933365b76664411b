#!/usr/bin/env bash
# Start-up cost of tlskit, measured side by side (issue 9, item 10).
#   1. `tlskit version` against a Go hello-world built the same way (and
#      `openssl version` for reference): target ratio <= 1.3.
#   2. `tlskit s_client -connect ADDR </dev/null` against
#      `openssl s_client -connect ADDR </dev/null`, start to exit, against one
#      openssl s_server with an ECDSA and one with an RSA certificate:
#      target ratio <= 0.85.
# Runs are interleaved (A B A B ...) so machine noise hits both alike; the
# figures are medians of wall time. Uses hyperfine when installed for the
# first part's cross-check; the ratios always come from the interleaved loop.
# Needs bash 5 ($EPOCHREALTIME).
# Usage: bench/startup.sh [RUNS]   (default 200)
#        TLSKIT=path/to/tlskit bench/startup.sh   measures that binary instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
. bench/lib.sh

if [[ -n ${TLSKIT:-} ]]; then
  cp "$TLSKIT" "$work/tlskit"
else
  CGO_ENABLED=0 go build -o "$work/tlskit" ./cmd/tlskit
fi
mkdir "$work/hello"
cat >"$work/hello/main.go" <<'GO'
package main

import "os"

func main() { os.Stdout.WriteString("hello\n") }
GO
(cd "$work/hello" && go mod init hello >/dev/null 2>&1 && CGO_ENABLED=0 go build -o "$work/helloworld" .)
printf 'tlskit binary: %s bytes\n' "$(stat -c %s "$work/tlskit")"

# Samples are wall-clock microseconds from bash's own $EPOCHREALTIME: forking
# `date` around every run would add its start-up to both sides and flatten
# the ratios.

# interleave FILE_PREFIX CMD_A -- CMD_B : runs both N times alternately,
# appending each run's wall time (us) to PREFIX.a and PREFIX.b.
interleave() {
  local prefix=$1; shift
  local a=() b=() seen=0 x
  for x in "$@"; do
    if [[ $x == -- ]]; then seen=1; continue; fi
    if ((seen)); then b+=("$x"); else a+=("$x"); fi
  done
  : >"$prefix.a"; : >"$prefix.b"
  local i t0 t1
  for ((i = 0; i < N; i++)); do
    t0=${EPOCHREALTIME/[.,]/}; "${a[@]}" </dev/null >/dev/null 2>&1 || true; t1=${EPOCHREALTIME/[.,]/}; echo $((t1 - t0)) >>"$prefix.a"
    t0=${EPOCHREALTIME/[.,]/}; "${b[@]}" </dev/null >/dev/null 2>&1 || true; t1=${EPOCHREALTIME/[.,]/}; echo $((t1 - t0)) >>"$prefix.b"
  done
}

median_ms() { sort -n "$1" | awk '{v[NR]=$1} END{m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.2f", m/1e3}'; }

row() { # label file_a file_b
  local ma mb
  ma=$(median_ms "$2"); mb=$(median_ms "$3")
  awk -v l="$1" -v a="$ma" -v b="$mb" 'BEGIN{printf "%-44s %9.2f %9.2f %7.2f\n", l, a, b, a/b}'
}

echo "== start-up, $N interleaved runs each (median wall ms)"
printf "%-44s %9s %9s %7s\n" comparison A B "A/B"
interleave "$work/v" "$work/tlskit" version -- "$work/helloworld"
row "tlskit version / Go hello-world" "$work/v.a" "$work/v.b"
interleave "$work/o" "$work/tlskit" version -- openssl version
row "tlskit version / openssl version" "$work/o.a" "$work/o.b"


certs ec rsa
for kind in ec rsa; do
  start "$kind" openssl s_server -accept 127.0.0.1:0 -cert "$work/$kind.pem" -key "$work/$kind.key"
  interleave "$work/c$kind" "$work/tlskit" s_client -connect "$ADDR" -- openssl s_client -connect "$ADDR"
  row "s_client </dev/null, $kind cert: tlskit / openssl" "$work/c$kind.a" "$work/c$kind.b"
done
echo "(targets: tlskit version / hello-world <= 1.30; s_client tlskit / openssl <= 0.85)"

if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 "$work/tlskit version" "$work/helloworld" "openssl version"
fi
