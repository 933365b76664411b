# Sourced by the bench scripts (bash): a work directory removed at exit, the
# servers a script starts (stopped at exit, only while they are still this
# user's processes), start() and certs().
work=$(mktemp -d)
pids=()
bench_cleanup() {
  for p in "${pids[@]}"; do
    if [ -e "/proc/$p" ] && [ "$(stat -c %U "/proc/$p")" = "$(id -un)" ]; then kill "$p" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap bench_cleanup EXIT

# start NAME CMD... : starts a server (on 127.0.0.1:0), waits for its ACCEPT
# line, sets ADDR and PID. Its output is read and dropped from then on.
start() {
  local name=$1; shift
  local out="$work/$name.out" in="$work/$name.in"
  rm -f "$out" "$in"
  mkfifo "$out" "$in"
  # A stdin that never ends keeps s_server from exiting on EOF.
  exec {hold}<>"$in"
  "$@" <"$in" >"$out" 2>&1 &
  PID=$!
  pids+=("$PID")
  local rd line
  exec {rd}<"$out"
  while read -r line <&"$rd"; do
    case $line in ACCEPT*) ADDR=${line#ACCEPT }; break ;; esac
  done
  (cat <&"$rd" >/dev/null &)
  exec {rd}<&-
}

# certs NAME... : a self-signed localhost certificate and key per NAME in
# $work (NAME.pem, NAME.key): "ecdsa"/"ec" get P-256, "rsa" RSA-2048.
certs() {
  local n
  for n in "$@"; do
    case $n in
      rsa) openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/$n.key" \
        -out "$work/$n.pem" -subj /CN=localhost -days 2 2>/dev/null ;;
      *) openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/$n.key" \
        -out "$work/$n.pem" -subj /CN=localhost -days 2 2>/dev/null ;;
    esac
  done
}
