//go:build !unix

package testpeer

import "testing"

// CPUPerOp reports nothing where getrusage is missing.
func CPUPerOp(*testing.B) func() { return func() {} }
