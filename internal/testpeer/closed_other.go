//go:build !unix

package testpeer

import "testing"

// ClosedPort returns a TCP port on 127.0.0.1 nothing listens on; here
// only as FreePort does (another program could take it meanwhile).
func ClosedPort(t testing.TB) string {
	t.Helper()
	return FreePort(t)
}
