package certs

import (
	"strings"
	"testing"
)

// TestLoadStoresStopsAtFirstError checks that LoadStores reports the
// failing source by name and loads nothing from an empty list.
func TestLoadStoresStopsAtFirstError(t *testing.T) {
	if cs, err := LoadStores(nil, nil, nil); err != nil || len(cs) != 0 {
		t.Fatalf("empty lists: %v, %v", cs, err)
	}
	_, err := LoadStores(nil, []string{"/nonexistent/ca-dir"}, []string{"/nonexistent/store"})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/ca-dir") {
		t.Fatalf("error %v should name the missing directory", err)
	}
}
