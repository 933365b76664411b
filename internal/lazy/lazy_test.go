package lazy

import (
	"sync"
	"testing"
)

var builds int

var table = Value[map[int]string]{Build: func() map[int]string {
	builds++
	return map[int]string{1: "one"}
}}

// TestValueBuildsOnceOnFirstGet: nothing is built before the first Get,
// and concurrent Gets share one build.
func TestValueBuildsOnceOnFirstGet(t *testing.T) {
	if builds != 0 {
		t.Fatalf("built %d times before any Get", builds)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := table.Get()[1]; got != "one" {
				t.Errorf("Get()[1] = %q", got)
			}
		}()
	}
	wg.Wait()
	if builds != 1 {
		t.Fatalf("built %d times, want 1", builds)
	}
}

func TestValues(t *testing.T) {
	n := 0
	v := Values[int, string]{Build: func() (int, string) { n++; return 7, "seven" }}
	for range 3 {
		if a, b := v.Get(); a != 7 || b != "seven" {
			t.Fatalf("Get() = %d, %q", a, b)
		}
	}
	if n != 1 {
		t.Fatalf("built %d times, want 1", n)
	}
}
