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
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    if [ -e "/proc/$p" ] && [ "$(stat -c %U "/proc/$p")" = "$(id -un)" ]; then kill "$p" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

if [[ -n ${TLSKIT:-} ]]; then
  cp "$TLSKIT" "$work/tlskit"
else
  CGO_ENABLED=0 go build -o "$work/tlskit" ./cmd/tlskit
fi
go build -o "$work/loadgen" ./bench/loadgen
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ecdsa.key" \
  -out "$work/ecdsa.pem" -subj /CN=localhost -days 2 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/rsa.key" \
  -out "$work/rsa.pem" -subj /CN=localhost -days 2 2>/dev/null
cd "$work"

# start CMD... : starts a server, waits for its ACCEPT line, sets ADDR and PID.
start() {
  local out="$work/srv.out" in="$work/srv.in"
  rm -f "$out" "$in"
  mkfifo "$out" "$in"
  exec {hold}<>"$in"
  "$@" <"$in" >"$out" 2>&1 &
  PID=$!
  pids+=("$PID")
  exec 3<"$out"
  local line
  while read -r line <&3; do
    case $line in ACCEPT*) ADDR=${line#ACCEPT }; break ;; esac
  done
  (cat <&3 >/dev/null &)
  exec 3<&-
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

# run NAME KEY: prints "idle_kib peak_kib failed".
run() {
  local name=$1 key=$2 cmd
  case $name in
    openssl) cmd=(openssl s_server) ;;
    tlskit) cmd=("$work/tlskit" s_server) ;;
  esac
  start "${cmd[@]}" -accept 127.0.0.1:0 -cert "$work/$key.pem" -key "$work/$key.key" -www
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
