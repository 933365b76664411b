package sserver

import (
	"os"
	"runtime/debug"
)

// serverGOGC is the garbage collector's target, in percent, that
// s_server runs with when the environment does not set GOGC (issue 11:
// peak RSS at 64 clients within 1.5 times openssl s_server's). A busy
// server's live heap is small (under 1 MB at 64 clients: what a
// handshake allocates is garbage when it ends), so under Go's default of
// 100 the heap sits at the 4 MB floor that GOGC scales, nearly all of it
// garbage; 50 halves that floor for about twice the collections.
// BenchmarkWWWMemory measures both sides; the commit that set 50 has the
// figures. Fewer bytes allocated per handshake make collections rarer,
// and so this cheaper. Still needed with 8 KiB connection stacks and
// 49.5 KB per connection: bench/rss.sh 4 64 3 put tlskit's peak at 1.67
// (ECDSA) and 1.75 (RSA) times openssl's with GOGC=100, 1.61 and 1.65
// with 75, 1.50 and 1.45 with 50.
const serverGOGC = 50

// tuneGC sets serverGOGC unless GOGC is set in the environment: a GOGC
// there (a percentage, or off) is the runtime's, as Go documents it.
func tuneGC() {
	if os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(serverGOGC)
}
