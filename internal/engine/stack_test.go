package engine

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"testing"
	"time"
	"unsafe"
)

// s_server runs each connection on a goroutine of its own; the server
// handshake is split into never-inlined parts (server13.go's
// //go:noinline functions, sserver's serveEstablished and
// countHandshake) so that its deepest path, the ECDSA signature, fits
// the 8 KiB stack such a goroutine grows to, instead of doubling every
// connection's stack to 16 KiB.
const (
	connStack = 8 << 10
	// sserverDepth is how far below its goroutine's first return address
	// (runtime.goexit's) s_server calls the engine's Handshake: its
	// per-connection closure in serve, serveConcurrent, handshake and
	// engineHandshake took 456 bytes with Go 1.26 on amd64 (locals,
	// return addresses and frame pointers, from go build -gcflags=-S).
	// Those frames are not seen here: sserver's TestHandshakeCallDepth
	// measures them off a live connection's stack (432 bytes when it was
	// written) and fails when they take more than this (its
	// engineSServerDepth is this value).
	sserverDepth = 456
	// stackProbeEnv marks the child process TestServerHandshakeStack
	// measures in.
	stackProbeEnv = "TLSKIT_STACK_PROBE"
)

// TestServerHandshakeStack guards the //go:noinline splits of the server
// handshake (see connStack): without them, or when the handshake's
// deepest path grows, every s_server connection's goroutine needs a 16
// KiB stack instead of 8 KiB, which nothing else would notice (the
// handshake still works, memory per connection doubles). Its log (go
// test -v) prints the margin left; when it fails, split the deepest
// frames again (server13.go's hello and certificateVerify paths, sig's
// signers) rather than lower sserverDepth.
//
// It runs a TLS 1.3 server handshake with an
// ECDSA P-256 leaf (s_server's zero-config and usual certificate) and
// X25519 (openssl 3.0's clients' key share) on a goroutine whose stack
// has been grown to 8 KiB, under padding that stands in for s_server's
// frames, and fails if the stack has to grow again. It measures, not
// times: a stack that grows is copied, and the address of a local in the
// goroutine's first frame changes. It bisects the padding to report how
// much room the handshake leaves.
//
// It runs in a child process with fixed 2 KiB starting stacks and no
// garbage collection (which would shrink stacks), so the only copy is a
// growth. A calibration without a handshake checks that the stack is
// 8 KiB and that the probe sees a growth at all.
func TestServerHandshakeStack(t *testing.T) {
	if raceBuild || runtime.GOARCH != "amd64" {
		t.Skip("sserverDepth holds for amd64 frames without the race detector")
	}
	if os.Getenv(stackProbeEnv) == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestServerHandshakeStack$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), stackProbeEnv+"=1", "GODEBUG=adaptivestackstart=0,gcshrinkstackoff=1", "GOGC=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("stack probe: %v\n%s", err, out)
		}
		for _, l := range regexp.MustCompile(`(?m)^\s+stack_test.go:\d+: (.*)$`).FindAllStringSubmatch(string(out), -1) {
			t.Log(l[1])
		}
		return
	}
	// Calibration: calls fit down to about connStack less the runtime's
	// guard, and not beyond connStack.
	room, grew := maxDepth(func() (func(uintptr) int, func()) {
		return func(top uintptr) int {
			var m byte
			return int(top - uintptr(unsafe.Pointer(&m)))
		}, func() {}
	})
	if room == noTop {
		t.Fatal("runtime.goexit's return address is not above the probe goroutine's first frame")
	}
	if !grew || room > connStack || room < connStack/2 {
		t.Fatalf("the probe's stack is not %d bytes: calls fit %d bytes down (growth seen: %v)", connStack, room, grew)
	}
	t.Logf("calibration: calls fit %d bytes down a %d-byte stack", room, connStack)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := testIdentity(t, key)
	cfg := &Config{Identities: []Identity{id}}
	ccfg := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519}}
	depth, grew := maxDepth(func() (func(uintptr) int, func()) { return serverHandshake13(t, cfg, ccfg) })
	if depth == noTop {
		t.Fatal("runtime.goexit's return address is not above the probe goroutine's first frame")
	}
	if !grew {
		t.Fatalf("no padding grew the stack under the handshake")
	}
	t.Logf("the handshake fits when called %d bytes down the stack; s_server calls it %d bytes down: %d bytes to spare",
		depth, sserverDepth, depth-sserverDepth)
	if depth < sserverDepth {
		t.Errorf("the ECDSA server handshake outgrows a %d-byte stack when called under s_server's %d bytes of frames: it fits only %d bytes down, %d short; split its deepest frames (//go:noinline, see server13.go) so that s_server's connections keep %d-byte stacks",
			connStack, sserverDepth, depth, sserverDepth-depth, connStack)
	}
}

// serverHandshake13 readies the engine's server side of a handshake, as
// s_server makes it (WithSnapshot), against a crypto/tls client over
// net.Pipe: run runs the server's handshake and returns how far below
// top it was called, wait checks both ends.
func serverHandshake13(t *testing.T, cfg *Config, ccfg *tls.Config) (run func(top uintptr) int, wait func()) {
	c, s := net.Pipe()
	done := make(chan error, 1)
	go func() {
		cc := tls.Client(c, ccfg)
		err := cc.Handshake()
		if err == nil {
			io.Copy(io.Discard, cc) // the tickets, until the server closes
		}
		c.Close()
		done <- err
	}()
	s.SetDeadline(time.Now().Add(30 * time.Second))
	sc := WithSnapshot(Server(s, cfg))
	var err error
	run = func(top uintptr) int {
		var m byte
		err = sc.Handshake()
		return int(top - uintptr(unsafe.Pointer(&m)))
	}
	wait = func() {
		s.Close()
		if err != nil {
			t.Errorf("server handshake: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("client handshake: %v", err)
		}
	}
	return run, wait
}

// maxDepth finds, by bisection over the padding, how far down an 8 KiB
// stack a run made by mk can be called without growing the stack, and
// whether the deepest padding tried did grow it. It returns -1 when the
// probe found no runtime.goexit return address.
func maxDepth(mk func() (run func(top uintptr) int, wait func())) (depth int, grewAtMost bool) {
	probe := func(levels int) (int, bool) {
		run, wait := mk()
		defer wait()
		return probeStack(levels, run)
	}
	// A depth from a probe that grew is meaningless: the stack moved.
	lo, hi := 0, 400 // 400 levels are deeper than 8 KiB
	if d, grew := probe(hi); d == noTop || !grew {
		return d, false
	}
	d, grew := probe(lo)
	if d == noTop || grew {
		return -1, grew
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if dm, grew := probe(mid); grew {
			hi = mid
		} else {
			lo, d = mid, dm
		}
	}
	return d, true
}

// noTop is probeStack's depth when the goroutine's first return address
// was not found.
const noTop = -1 << 31

// probeStack calls run on a new goroutine, first grown to 8 KiB, under
// levels frames of padding; it returns run's depth (from the goroutine's
// first return address, runtime.goexit's, which s_server's connection
// goroutines have too; noTop if it was not found) and whether the stack
// grew (was copied) after the first growth, which makes the depth
// meaningless.
func probeStack(levels int, run func(top uintptr) int) (depth int, grew bool) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		var marker uintptr
		growStack(0)
		top := goexitSlot(&marker)
		if top == 0 {
			depth = noTop
			return
		}
		base := uintptr(unsafe.Pointer(&marker))
		depth = padStack(levels, top, run)
		grew = uintptr(unsafe.Pointer(&marker)) != base
	}()
	<-done
	return depth, grew
}

// goexitSlot is the address of the goroutine's outermost return address
// (into runtime.goexit), found above p, a local of the goroutine's first
// function, or 0.
//
//go:noinline
func goexitSlot(p *uintptr) uintptr {
	pcs := make([]uintptr, 8)
	n := runtime.Callers(0, pcs)
	if n == 0 || runtime.FuncForPC(pcs[n-1]-1).Name() != "runtime.goexit" {
		return 0
	}
	for off := uintptr(0); off < 512; off += 8 {
		q := unsafe.Add(unsafe.Pointer(p), off)
		if *(*uintptr)(q) == pcs[n-1] {
			return uintptr(q)
		}
	}
	return 0
}

// growStack's frame grows a 2 KiB starting stack straight to 8 KiB.
//
//go:noinline
func growStack(i int) byte {
	var b [5 << 10]byte
	b[i] = 1
	return b[len(b)-1-i]
}

// padStack calls run under levels small frames.
//
//go:noinline
func padStack(levels int, top uintptr, run func(uintptr) int) int {
	if levels > 0 {
		return padStack(levels-1, top, run)
	}
	return run(top)
}
