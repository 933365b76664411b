package sserver

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestWriteStatsWidths: the counter lines are "%4d %s" as openssl prints
// them, for short, long and negative numbers.
func TestWriteStatsWidths(t *testing.T) {
	s := &server{c: &config{}}
	s.stats.cached.Store(-3)
	s.stats.accepts.Store(123456)
	s.stats.finished.Store(7)
	s.stats.hits.Store(1000)
	var b bytes.Buffer
	s.writeStats(&b)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	want := map[int]string{
		0:  fmt.Sprintf("%4d %s", -3, "items in the session cache"),
		4:  fmt.Sprintf("%4d %s", 123456, "server accepts (SSL_accept())"),
		6:  fmt.Sprintf("%4d %s", 7, "server accepts that finished"),
		7:  fmt.Sprintf("%4d %s", 1000, "session cache hits"),
		11: fmt.Sprintf("%4d %s", 0, "cache full overflows (128 allowed)"),
	}
	if len(lines) != 12 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d: %q, want %q", i, lines[i], w)
		}
	}
}
