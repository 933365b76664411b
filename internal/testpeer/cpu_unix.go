//go:build unix

package testpeer

import (
	"syscall"
	"testing"
	"time"
)

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CPUPerOp starts counting the process's CPU time (every goroutine, the
// garbage collector included); the function it returns reports it per op
// as cpu-ns/op. On a machine shared with other work this is steadier than
// ns/op, which also counts the time the benchmark waited for a core.
func CPUPerOp(b *testing.B) func() {
	start := processCPU()
	return func() {
		b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
	}
}
