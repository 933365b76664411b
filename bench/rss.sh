#!/usr/bin/env bash
# Peak memory of s_server under load (issue 11): openssl s_server -www and
# tlskit s_server -www, ECDSA P-256 and RSA-2048 leaves, idle and with
# CLIENTS concurrent TLS 1.3 clients from bench/loadgen (full handshakes,
# one request each) for SECONDS. Prints, per server: VmRSS when idle (after
# ACCEPT), VmHWM (peak RSS) after the load, and the ratio tlskit / openssl.
# Only memory is measured: CPU time on a shared machine is too noisy here
# (bench/engine.sh reports it).
# Usage: bench/rss.sh [SECONDS] [CLIENTS] [ROUNDS]   (defaults 5 s, 64, 3)
#        TLSKIT=path/to/tlskit bench/rss.sh   measures that binary instead of building one
# Each round runs openssl then tlskit; the figure shown is the median round.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
CLIENTS=${2:-64}
ROUNDS=${3:-3}
. bench/lib.sh

if [[ -n ${TLSKIT:-} ]]; then
  cp "$TLSKIT" "$work/tlskit"
else
  CGO_ENABLED=0 go build -o "$work/tlskit" ./cmd/tlskit
fi
go build -o "$work/loadgen" ./bench/loadgen
certs ecdsa rsa
cd "$work"

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

# run NAME KEY: prints "idle_kib peak_kib failed".
run() {
  local name=$1 key=$2 cmd
  case $name in
    openssl) cmd=(openssl s_server) ;;
    tlskit) cmd=("$work/tlskit" s_server) ;;
  esac
  start srv "${cmd[@]}" -accept 127.0.0.1:0 -cert "$work/$key.pem" -key "$work/$key.key" -www
  local idle out peak
  idle=$(field "$PID" VmRSS)
  out=$("$work/loadgen" -connect "$ADDR" -c "$CLIENTS" -d "${SECS}s")
  peak=$(field "$PID" VmHWM)
  stop "$PID"
  echo "$idle $peak $(awk '{print $6}' <<<"$out")"
}

median() { sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }

printf "%-6s %-8s %10s %10s %8s\n" key server "idle KiB" "peak KiB" "÷openssl"
for key in ecdsa rsa; do
  : >"$work/openssl.idle"; : >"$work/openssl.peak"; : >"$work/tlskit.idle"; : >"$work/tlskit.peak"
  for ((r = 0; r < ROUNDS; r++)); do
    for s in openssl tlskit; do
      read -r i p f < <(run "$s" "$key")
      [ "$f" = 0 ] || echo "  ($s: $f connections failed)" >&2
      echo "$i" >>"$work/$s.idle"; echo "$p" >>"$work/$s.peak"
    done
  done
  oi=$(median <"$work/openssl.idle"); op=$(median <"$work/openssl.peak")
  ti=$(median <"$work/tlskit.idle"); tp=$(median <"$work/tlskit.peak")
  printf "%-6s %-8s %10d %10d %8s\n" "$key" openssl "$oi" "$op" -
  awk -v k="$key" -v i="$ti" -v p="$tp" -v o="$op" 'BEGIN{printf "%-6s %-8s %10d %10d %8.2f\n", k, "tlskit", i, p, p/o}'
done
echo "(goal, issue 11: tlskit peak <= 1.5 x openssl peak at 64 clients)"
