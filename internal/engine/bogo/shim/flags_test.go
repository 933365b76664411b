package main

import (
	"errors"
	"testing"
)

// TestParseArgsPrefixes: an unprefixed flag applies to the initial
// connection, the resumption and the retry after rejected early data,
// -on-shim- too; -on-initial-, -on-resume- and -on-retry- each to their
// own; a value is read once whatever the prefix; an unknown flag under a
// prefix is unimplemented.
func TestParseArgsPrefixes(t *testing.T) {
	cl, err := parseArgs([]string{"-min-version", "771", "-on-initial-max-version", "772",
		"-on-resume-expect-version", "771", "-on-retry-verify-fail", "-on-shim-expect-extended-master-secret", "-port", "1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name                  string
		o                     options
		min, max, expect      int
		verifyFail, expectEMS bool
	}{
		{"initial", cl.initial, 771, 772, 0, false, true},
		{"resume", cl.resume, 771, 0, 771, false, true},
		{"retry", cl.retry, 771, 0, 0, true, true},
	} {
		o := tc.o
		if o.minVersion != tc.min || o.maxVersion != tc.max || o.expectVersion != tc.expect || o.verifyFail != tc.verifyFail || o.expectEMS != tc.expectEMS {
			t.Errorf("%s: min %d max %d expect %d verifyFail %v expectEMS %v", tc.name, o.minVersion, o.maxVersion, o.expectVersion, o.verifyFail, o.expectEMS)
		}
	}
	if cl.port != 1 {
		t.Errorf("port %d after the prefixed flags", cl.port)
	}
	for _, bad := range []string{"-on-retry-no-such-flag", "-on-resume-no-such-flag", "-no-such-flag"} {
		if _, err := parseArgs([]string{bad}); !errors.Is(err, errUnimplemented) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
