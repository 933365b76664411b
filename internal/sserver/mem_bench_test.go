package sserver

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// memBenchClientEnv, when set to "ADDR CLIENTS CONNS RESUME", makes the
// test binary the client side of BenchmarkWWWMemory (see TestMain);
// RESUME is true or false.
const memBenchClientEnv = "TLSKIT_MEMBENCH_CLIENT"

// memBenchClients runs CONNS connections to ADDR from CLIENTS concurrent
// clients, as bench/loadgen does: a TLS 1.3 handshake offering X25519
// first (with RESUME, a resumption of the client's previous session after
// its first), "GET /", the whole page. It reports failures on stderr and
// exits non-zero if any connection failed.
func memBenchClients(spec string) int {
	var addr string
	var clients, conns int64
	var resume bool
	if _, err := fmt.Sscan(spec, &addr, &clients, &conns, &resume); err != nil {
		fmt.Fprintln(os.Stderr, "bad", memBenchClientEnv, err)
		return 2
	}
	var next, failed atomic.Int64
	var firstErr sync.Once
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			cfg := benchClient(resume)
			for first := true; next.Add(1) <= conns; first = false {
				if err := memBenchOnce(addr, cfg, resume && !first); err != nil {
					failed.Add(1)
					firstErr.Do(func() { fmt.Fprintln(os.Stderr, "connection failed:", err) })
				}
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		fmt.Fprintf(os.Stderr, "%d of %d connections failed\n", n, conns)
		return 1
	}
	return 0
}

// memBenchOnce is one connection; wantResumed: it must be a resumption.
func memBenchOnce(addr string, cfg *tls.Config, wantResumed bool) error {
	raw, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(20 * time.Second))
	c := tls.Client(raw, cfg)
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		return err
	}
	page, err := io.ReadAll(c)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(page), "HTTP/1.0 200 ok\r\n") {
		return fmt.Errorf("page starts %.40q", page)
	}
	if wantResumed && !c.ConnectionState().DidResume {
		return fmt.Errorf("not resumed")
	}
	return nil
}

// BenchmarkWWWMemory measures the server side of s_server -www under 64
// concurrent clients (issue 11: peak RSS at 64 clients), b.N connections
// in all. The clients run in a child process, so the figures are the
// server's alone:
//
//	B/conn, allocs/conn   heap allocated per connection
//	GCs/1000conn          collections the allocation rate causes
//	peak-heap-B           most heap in use (objects and the unused part
//	                      of their spans) seen, sampled every millisecond
//	peak-stack-B          most goroutine stack memory seen, likewise
//	peak-goroutines       most goroutines seen, likewise
//	start-stack-B         largest starting stack size the runtime chose
//	                      for new goroutines (it follows the average
//	                      stack in use at collections)
//	avg-live-B, avg-goal-B  the live heap the last collection marked and
//	                      the heap goal, averaged over the samples: with
//	                      GOGC=50 the goal is the live heap plus half of
//	                      it and the stacks, so that collections come
//	                      about every (goal-live)/(B/conn) connections
//	cpu-ns/op             CPU time of this process (the server, its
//	                      garbage collection and the sampling) per
//	                      connection: what a lower GOGC costs
//
// GOGC=100 is the Go default; GOGC=50 is what tlskit s_server runs with
// unless GOGC is set (see cli).
func BenchmarkWWWMemory(b *testing.B) {
	for _, gogc := range []int{100, 75, 50} {
		b.Run(fmt.Sprintf("GOGC=%d", gogc), func(b *testing.B) {
			defer debug.SetGCPercent(debug.SetGCPercent(gogc))
			benchWWWMemory(b, 64, false)
		})
	}
}

// BenchmarkWWWMemoryResumed is BenchmarkWWWMemory's GOGC=50 (s_server's
// default) with each client resuming its previous session (TLS 1.3
// tickets), as bench/engine.sh's resumption run: s_server's own cost per
// connection, without the clients'.
func BenchmarkWWWMemoryResumed(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(serverGOGC))
	benchWWWMemory(b, 64, true)
}

func benchWWWMemory(b *testing.B, clients int, resume bool) {
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	b.Chdir(b.TempDir())
	addr := benchServer(b, "-www")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, self, "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %d %t", memBenchClientEnv, addr, clients, b.N, resume))
	var stderr strings.Builder
	cmd.Stderr = &stderr

	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/stacks:bytes"},
		{Name: "/sched/goroutines:goroutines"},
		{Name: "/gc/stack/starting-size:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/heap/goal:bytes"},
	}
	var liveSum, goalSum, nS float64
	var peakHeap, peakStack, peakG, startStack uint64
	sample := func() {
		metrics.Read(samples)
		peakHeap = max(peakHeap, samples[0].Value.Uint64()+samples[1].Value.Uint64())
		peakStack = max(peakStack, samples[2].Value.Uint64())
		peakG = max(peakG, samples[3].Value.Uint64())
		startStack = max(startStack, samples[4].Value.Uint64())
		liveSum += float64(samples[5].Value.Uint64())
		goalSum += float64(samples[6].Value.Uint64())
		nS++
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	reportCPU := testpeer.CPUPerOp(b)
	b.ResetTimer()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-tick.C:
			sample()
		}
	}
	b.StopTimer()
	reportCPU()
	runtime.ReadMemStats(&m1)
	if err != nil {
		b.Fatalf("clients: %v\n%s", err, stderr.String())
	}
	n := float64(b.N)
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/n, "B/conn")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/n, "allocs/conn")
	b.ReportMetric(float64(m1.NumGC-m0.NumGC)*1000/n, "GCs/1000conn")
	b.ReportMetric(float64(peakHeap), "peak-heap-B")
	b.ReportMetric(float64(peakStack), "peak-stack-B")
	b.ReportMetric(float64(peakG), "peak-goroutines")
	b.ReportMetric(float64(startStack), "start-stack-B")
	b.ReportMetric(liveSum/nS, "avg-live-B")
	b.ReportMetric(goalSum/nS, "avg-goal-B")
}
