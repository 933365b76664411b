#!/usr/bin/env bash
# run.sh RUNNER_DIR [TEST_PATTERN]
#
# Runs BoringSSL's TLS test runner (BoGo) against tlskit's own engine.
# RUNNER_DIR is a BoringSSL checkout's ssl/test/runner directory (fetched
# by hand: this repository does not carry it, and CI cannot fetch it); its
# module must already build (`go test -c` in it: BoringSSL's go.mod pulls
# cloud modules the runner does not import, so keep only golang.org/x/crypto,
# golang.org/x/term and filippo.io/mldsa, copy util/testresult beside it and
# run `go mod tidy`). RESULTS.md has the last results. TEST_PATTERN is the
# runner's -test value (semicolon-separated globs, e.g. 'KeyUpdate-*').
# Prints pass/fail/unimplemented counts per test group; the runner's JSON
# results stay in $OUT (default /tmp/bogo-results.json) and the failures
# with their errors in $OUT.failures; KEEP_LOG=DIR keeps the runner's log
# (the shim's stderr, e.g. why it exited 89) as DIR/runner.log.
set -euo pipefail

runner_dir=${1:?usage: run.sh RUNNER_DIR [TEST_PATTERN]}
pattern=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${OUT:-/tmp/bogo-results.json}
workers=${WORKERS:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$repo" && go build -o "$work/shim" ./internal/engine/bogo/shim &&
	go build -o "$work/summarize" ./internal/engine/bogo/summarize)
(cd "$runner_dir" && go test -c -o "$work/runner.test" .)

args=(-shim-path "$work/shim" -shim-config "$here/config.json"
	-num-workers "$workers" -json-output "$out" -pipe)
if [ -n "$pattern" ]; then
	args+=(-test "$pattern")
fi
# The runner exits non-zero when any test fails; the table says which.
(cd "$runner_dir" && "$work/runner.test" "${args[@]}" >"$work/runner.log" 2>&1) || true
if [ ! -s "$out" ]; then
	tail -20 "$work/runner.log" >&2
	exit 1
fi
if [ -n "${KEEP_LOG:-}" ]; then
	mkdir -p "$KEEP_LOG" && cp "$work/runner.log" "$KEEP_LOG/runner.log"
fi
"$work/summarize" -failures "$out" >"$out.failures"
"$work/summarize" "$out"
