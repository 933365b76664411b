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
// and so this cheaper.
const serverGOGC = 50

// tuneGC sets serverGOGC unless GOGC is set in the environment: a GOGC
// there (a percentage, or off) is the runtime's, as Go documents it.
func tuneGC() {
	if os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(serverGOGC)
}
