#!/usr/bin/env bash
# Server-side cost of the TLS engines, side by side in one run:
#   openssl   openssl s_server -www / -WWW
#   tlskit    tlskit s_server -www / -WWW (whatever engine the command uses)
#   gotls     bench/refserver over crypto/tls: the bare reference
#   own       bench/refserver over tlskit's own engine (internal/engine)
# For ECDSA P-256 and RSA-2048 leaves, with 1 and 64 concurrent clients
# (bench/loadgen, TLS 1.3 full handshakes, one request each), it prints
# the server's CPU per handshake (from /proc: user+system time over the
# handshakes done), handshakes per second and peak RSS; then resumed
# handshakes (TLS 1.3 tickets) at 64 clients and bulk transfer of one file
# over one connection. Ratios are against gotls and against openssl.
# Usage: bench/engine.sh [SECONDS] [BULK_MB]   (defaults 5 s per run, 256 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
BULK_MB=${2:-256}
. bench/lib.sh

CGO_ENABLED=0 go build -o "$work/tlskit" ./cmd/tlskit
go build -o "$work/refserver" ./bench/refserver
go build -o "$work/loadgen" ./bench/loadgen
certs ecdsa rsa
mkdir "$work/www"
head -c $((BULK_MB * 1024 * 1024)) /dev/urandom >"$work/www/big.bin"
# -WWW serves files below the current directory.
cd "$work/www"

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# server NAME KEY [www|WWW]: the command line of each server.
server() {
  local name=$1 key=$2 mode=${3:-www}
  local c="$work/$key.pem" k="$work/$key.key"
  case $name in
    openssl) echo openssl s_server -accept 127.0.0.1:0 -cert "$c" -key "$k" -"$mode" ;;
    tlskit) echo "$work/tlskit" s_server -accept 127.0.0.1:0 -cert "$c" -key "$k" -"$mode" ;;
    gotls | own)
      if [ "$mode" = WWW ]; then
        echo "$work/refserver" -engine "$name" -cert "$c" -key "$k" -dir "$work/www"
      else
        echo "$work/refserver" -engine "$name" -cert "$c" -key "$k"
      fi ;;
  esac
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

# run NAME KEY CLIENTS [loadgen flags]: prints "hs/s cpu_us_per_hs peak_kib
# failed resumed_percent".
run() {
  local name=$1 key=$2 n=$3; shift 3
  # shellcheck disable=SC2046
  start "$name" $(server "$name" "$key")
  local t0 t1 out
  t0=$(ticks "$PID")
  out=$("$work/loadgen" -connect "$ADDR" -c "$n" -d "${SECS}s" "$@")
  echo "$out" >"$work/loadgen.out"
  t1=$(ticks "$PID")
  local peak
  peak=$(hwm "$PID")
  stop "$PID"
  awk -v o="$out" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v peak="$peak" 'BEGIN{
    split(o, f, " "); hs = f[2]; secs = f[8]; fail = f[6]
    if (hs == 0) { print "0 0 " peak " " fail " 0"; exit }
    printf "%.1f %.1f %d %d %d\n", hs/secs, (t1-t0)/hz*1e6/hs, peak, fail, f[4] * 100 / hs }'
}

printf "%-8s %-6s %4s %-7s %10s %12s %10s %9s %9s\n" test key c server "hs/s" "CPU µs/hs" "peak KiB" "÷gotls" "÷openssl"
for key in ecdsa rsa; do
  for n in 1 64; do
    declare -A cpu=() rate=() peak=()
    for s in gotls openssl tlskit own; do
      run "$s" "$key" "$n" >"$work/res"
      read -r r c p f _ <"$work/res"
      rate[$s]=$r cpu[$s]=$c peak[$s]=$p
      [ "$f" = 0 ] || echo "  ($s: $f connections failed)"
    done
    for s in gotls openssl tlskit own; do
      awk -v s="$s" -v key="$key" -v n="$n" -v r="${rate[$s]}" -v c="${cpu[$s]}" -v p="${peak[$s]}" \
        -v g="${cpu[gotls]}" -v o="${cpu[openssl]}" \
        'BEGIN{printf "%-8s %-6s %4d %-7s %10.1f %12.1f %10d %9.2f %9.2f\n", "full", key, n, s, r, c, p, (g>0?c/g:0), (o>0?c/o:0)}'
    done
  done
done

declare -A cpu=() rate=() ccpu=()
for s in gotls openssl tlskit own; do
  run "$s" ecdsa 64 -resume >"$work/res"
  read -r r c p f pc <"$work/res"
  rate[$s]=$r cpu[$s]=$c
  ccpu[$s]=$(awk '{print $10}' "$work/loadgen.out")
  [ "$pc" -ge 95 ] || echo "  ($s: only $pc% of the handshakes resumed)"
done
for s in gotls openssl tlskit own; do
  awk -v s="$s" -v r="${rate[$s]}" -v c="${cpu[$s]}" -v g="${rate[gotls]}" -v o="${rate[openssl]}" \
    'BEGIN{printf "%-8s %-6s %4d %-7s %10.1f %12.1f %10s %9.2f %9.2f  (rate ratios)\n", "resume", "ecdsa", 64, s, r, c, "-", (g>0?r/g:0), (o>0?r/o:0)}'
done

declare -A mbps=()
for s in gotls openssl tlskit own; do
  # shellcheck disable=SC2046
  start "$s" $(server "$s" ecdsa WWW)
  mbps[$s]=$("$work/loadgen" -connect "$ADDR" -get /big.bin | awk '{print $6}')
  stop "$PID"
done
for s in gotls openssl tlskit own; do
  awk -v s="$s" -v m="${mbps[$s]}" -v g="${mbps[gotls]}" -v o="${mbps[openssl]}" \
    'BEGIN{printf "%-8s %-6s %4d %-7s %10.1f MB/s %7s %10s %9.2f %9.2f  (rate ratios)\n", "bulk", "ecdsa", 1, s, m, "", "-", (g>0?m/g:0), (o>0?m/o:0)}'
done
# The load generator runs on the same cores as the server and costs about
# as much CPU per handshake, so the measured rates above are bounded by the
# machine, not by the server alone. The server's capacity if the clients
# ran elsewhere follows from its CPU per resumed handshake and the cores it
# can use: openssl s_server is single-threaded, the Go servers use them all.
cores=$(nproc)
for s in gotls openssl tlskit own; do
  echo "resume: the load generator used ${ccpu[$s]} µs CPU per handshake against $s"
done
for s in gotls openssl tlskit own; do
  awk -v s="$s" -v c="${cpu[$s]}" -v n="$cores" -v oc="${cpu[openssl]}" 'BEGIN{
    k = (s == "openssl") ? 1 : n; cap = (c > 0) ? k * 1e6 / c : 0; ocap = (oc > 0) ? 1e6 / oc : 0
    printf "%-8s %-6s %4d %-7s %10.1f hs/s  capacity on %d core(s) %20.2f  (projection, not measured)\n", "resume", "ecdsa", 64, s, cap, k, (ocap > 0 ? cap / ocap : 0) }'
done
echo "(CPU ratios: below 1 is cheaper; rate ratios: above 1 is faster)"
