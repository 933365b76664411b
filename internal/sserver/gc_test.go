package sserver

import (
	"os"
	"runtime/debug"
	"testing"
)

// gcPercent is the garbage collector's current target.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tc := range []struct {
		env  string
		want int
	}{
		{"", serverGOGC}, // unset: s_server's own default
		{"100", 77},      // set: left to the runtime
		{"off", 77},      // likewise
	} {
		debug.SetGCPercent(77)
		t.Setenv("GOGC", tc.env) // restored when the test ends
		if tc.env == "" {
			os.Unsetenv("GOGC")
		}
		tuneGC()
		if got := gcPercent(); got != tc.want {
			t.Errorf("GOGC=%q: GC percent %d, want %d", tc.env, got, tc.want)
		}
	}
}
