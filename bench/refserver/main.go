// Command refserver is the bare reference server of the benchmarks: it
// answers each connection the way `s_server -www`/`-WWW` does, with as
// little else as possible, over crypto/tls (-engine gotls) or over
// tlskit's own engine (-engine own). bench/engine.sh runs it beside
// tlskit s_server and openssl s_server, so that the ratios separate what
// the TLS engines cost from what the commands add. Benchmarks only: it is
// not part of the tlskit binary.
package main

import (
	"bufio"
	"crypto"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
)

func main() {
	addr := flag.String("accept", "127.0.0.1:0", "address to listen on")
	certFile := flag.String("cert", "", "certificate chain (PEM)")
	keyFile := flag.String("key", "", "private key (PEM)")
	eng := flag.String("engine", "gotls", "gotls (crypto/tls) or own (tlskit's engine)")
	dir := flag.String("dir", "", "serve files below this directory, as s_server -WWW; empty answers every request with a short page, as -www")
	flag.Parse()

	pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
	var wrap func(net.Conn) (net.Conn, func() error)
	switch *eng {
	case "gotls":
		cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS13}
		wrap = func(c net.Conn) (net.Conn, func() error) {
			tc := tls.Server(c, cfg)
			return tc, tc.Handshake
		}
	case "own":
		signer, ok := pair.PrivateKey.(crypto.Signer)
		if !ok {
			fmt.Fprintln(os.Stderr, "refserver: the key cannot sign")
			os.Exit(1)
		}
		// Tickets held back to leave with the answer, as tlskit s_server
		// -www/-WWW has them.
		cfg := &engine.Config{Identities: []engine.Identity{{Chain: pair.Certificate, Key: signer}}, HoldTickets: true}
		wrap = func(c net.Conn) (net.Conn, func() error) {
			tc := engine.Server(c, cfg)
			return tc, tc.Handshake
		}
	default:
		fmt.Fprintln(os.Stderr, "refserver: -engine is gotls or own")
		os.Exit(1)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
	fmt.Printf("ACCEPT %s\n", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "refserver:", err)
			os.Exit(1)
		}
		go serve(c, wrap, *dir)
	}
}

func serve(raw net.Conn, wrap func(net.Conn) (net.Conn, func() error), dir string) {
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(time.Minute))
	c, handshake := wrap(raw)
	if handshake() != nil {
		return
	}
	line, err := bufio.NewReader(io.LimitReader(c, 8192)).ReadString('\n')
	if err != nil {
		return
	}
	w := bufio.NewWriterSize(c, 16384)
	defer w.Flush()
	f := strings.Fields(line)
	if dir == "" || len(f) < 2 {
		fmt.Fprintf(w, "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\nhello\r\n")
		return
	}
	name := filepath.Join(dir, filepath.Clean("/"+f[1]))
	file, err := os.Open(name)
	if err != nil {
		fmt.Fprintf(w, "HTTP/1.0 404 Not Found\r\n\r\n")
		return
	}
	defer file.Close()
	fmt.Fprintf(w, "HTTP/1.0 200 ok\r\nContent-type: application/octet-stream\r\n\r\n")
	raw.SetDeadline(time.Now().Add(10 * time.Minute))
	io.Copy(w, file)
}
