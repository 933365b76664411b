#!/usr/bin/env bash
# Runs tlskit and openssl side by side on loopback and prints ratios.
#   client: N sequential full handshakes + report, tlskit s_client vs openssl s_client,
#           against one openssl s_server (wall time per handshake, peak RSS).
#   server: openssl s_time connections/second against tlskit s_server -www vs
#           openssl s_server -www (sequential, then two s_time in parallel), and the
#           servers' peak RSS.
# Usage: bench/compare.sh [N] [SECONDS]   (defaults 200 handshakes, 5 s per s_time run)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
SECS=${2:-5}
. bench/lib.sh

CGO_ENABLED=0 go build -o "$work/tlskit" ./cmd/tlskit
certs ec
cert=$work/ec.pem key=$work/ec.key

# Wall time of N sequential client runs.
client_time() {
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$N"); do "$@" </dev/null >/dev/null 2>&1 || true; done
  end=$(date +%s.%N)
  echo "$start $end" | awk -v n="$N" '{printf "%.3f", ($2-$1)*1000/n}'
}

peak_rss() { /usr/bin/time -f "%M" "$@" </dev/null 2>&1 >/dev/null | tail -1; }

start ossl openssl s_server -accept 127.0.0.1:0 -cert "$cert" -key "$key" -www
OSSL_ADDR=$ADDR; OSSL_PID=$PID
echo "== client: $N handshakes each against openssl s_server at $OSSL_ADDR"
t_t=$(client_time "$work/tlskit" s_client -connect "$OSSL_ADDR" -CAfile "$cert")
t_o=$(client_time openssl s_client -connect "$OSSL_ADDR" -CAfile "$cert")
r_t=$(peak_rss "$work/tlskit" s_client -connect "$OSSL_ADDR" -CAfile "$cert")
r_o=$(peak_rss openssl s_client -connect "$OSSL_ADDR" -CAfile "$cert")
printf "%-28s %10s %10s %8s\n" metric tlskit openssl ratio
awk -v a="$t_t" -v b="$t_o" 'BEGIN{printf "%-28s %10.2f %10.2f %8.2f\n", "ms per handshake+report", a, b, a/b}'
awk -v a="$r_t" -v b="$r_o" 'BEGIN{printf "%-28s %10d %10d %8.2f\n", "client peak RSS (KiB)", a, b, a/b}'

start tk "$work/tlskit" s_server -accept 127.0.0.1:0 -cert "$cert" -key "$key" -www
TK_ADDR=$ADDR; TK_PID=$PID
echo "== server: openssl s_time -new for ${SECS}s against each"
st() { openssl s_time -connect "$1" -new -time "$SECS" 2>/dev/null | awk '/connections in [0-9.]+ real seconds/ {print $1/$4}'; }
c_t=$(st "$TK_ADDR"); c_o=$(st "$OSSL_ADDR")
awk -v a="$c_t" -v b="$c_o" 'BEGIN{printf "%-28s %10.1f %10.1f %8.2f\n", "conn/s, 1 s_time", a, b, a/b}'
p2() { (st "$1" >"$work/p1") & (st "$1" >"$work/p2") & wait; awk '{s+=$1} END{print s}' "$work/p1" "$work/p2"; }
c_t=$(p2 "$TK_ADDR"); c_o=$(p2 "$OSSL_ADDR")
awk -v a="$c_t" -v b="$c_o" 'BEGIN{printf "%-28s %10.1f %10.1f %8.2f\n", "conn/s, 2 s_time at once", a, b, a/b}'
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
awk -v a="$(hwm "$TK_PID")" -v b="$(hwm "$OSSL_PID")" 'BEGIN{printf "%-28s %10d %10d %8.2f\n", "server peak RSS (KiB)", a, b, a/b}'
echo "(ratio = tlskit / openssl: below 1 is faster or smaller for time and memory, above 1 is better for conn/s)"
