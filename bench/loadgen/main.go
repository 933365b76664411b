// Command loadgen drives the servers of bench/engine.sh: -c clients, each
// opening connections one after another for -d, doing a full TLS 1.3
// handshake (or a resumed one with -resume), sending one request and
// reading the answer. With -get it fetches one path once and reports the
// transfer rate. It prints one line of figures for the script to parse.
// Benchmarks only: it is not part of the tlskit binary.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// groups are the key exchange groups every client offers, X25519 first
// with its key share, as openssl s_client's default does. Without them Go's
// client also sends an X25519MLKEM768 share, which crypto/tls (the gotls
// server) picks and the other servers do not: gotls alone then paid for
// ML-KEM encapsulation, and every client for ML-KEM key generation.
var groups = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}

func main() {
	addr := flag.String("connect", "", "server address")
	clients := flag.Int("c", 1, "concurrent clients")
	dur := flag.Duration("d", 5*time.Second, "how long to run")
	resume := flag.Bool("resume", false, "resume each client's previous session (TLS 1.3 tickets)")
	get := flag.String("get", "", "fetch this path once and report MB/s")
	flag.Parse()
	tuneGC()

	if *get != "" {
		bulk(*addr, *get)
		return
	}
	var done, resumed, failed atomic.Int64
	deadline := time.Now().Add(*dur)
	var wg sync.WaitGroup
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13, ServerName: "localhost",
				CurvePreferences: groups}
			if *resume {
				cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
			}
			for time.Now().Before(deadline) {
				ok, res := once(*addr, cfg)
				switch {
				case !ok:
					failed.Add(1)
				case res:
					resumed.Add(1)
					done.Add(1)
				default:
					done.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	// The generator's own CPU per handshake: on a small machine it shares
	// the cores with the server, which bounds the rates it can measure.
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	perHS := 0.0
	if n := done.Load(); n > 0 {
		perHS = float64(cpu.Microseconds()) / float64(n)
	}
	fmt.Printf("handshakes %d resumed %d failed %d seconds %.3f clientcpu_us %.1f\n", done.Load(), resumed.Load(), failed.Load(), dur.Seconds(), perHS)
}

// tuneGC runs the generator's garbage collector at GOGC=400 unless the
// environment sets GOGC or GOMEMLIMIT. On a small machine the generator
// shares the cores with the server it measures: at Go's default its
// collections, and the scavenger returning pages that are then faulted in
// again, cost it 37 + 13 + 11 µs of CPU per resumed handshake (perf, 64
// clients against tlskit s_server), time taken from the server; at 400
// (a heap of about 16 MiB) 9 + 0.5 + 7.5. Collecting less often still
// (GOGC off under a 256 MiB limit) is worse over a run of seconds: the
// heap keeps taking fresh pages, and faulting them in cost 157 µs per
// handshake. The client is the same for every server, with the same
// ClientHello, and it still reports all of its own CPU per handshake.
func tuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(400)
}

// once runs one connection: handshake, a request, the whole answer.
func once(addr string, cfg *tls.Config) (ok, resumed bool) {
	raw, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return false, false
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(20 * time.Second))
	c := tls.Client(raw, cfg)
	if err := c.Handshake(); err != nil {
		return false, false
	}
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		return false, false
	}
	// Reading to the end also takes in the TLS 1.3 tickets that -resume
	// needs for the next connection.
	io.Copy(io.Discard, c)
	return true, c.ConnectionState().DidResume
}

func bulk(addr, path string) {
	raw, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	defer raw.Close()
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", CurvePreferences: groups})
	if err := c.Handshake(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	start := time.Now()
	fmt.Fprintf(c, "GET %s HTTP/1.0\r\n\r\n", path)
	n, _ := io.Copy(io.Discard, c)
	secs := time.Since(start).Seconds()
	fmt.Printf("bytes %d seconds %.3f MBps %.1f\n", n, secs, float64(n)/secs/1e6)
}
