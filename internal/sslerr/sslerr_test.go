package sslerr

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestTableAgreesWithOpenSSL asks `openssl errstr` for every code in the
// table and every alert reason: the library and reason text must be
// openssl's.
func TestTableAgreesWithOpenSSL(t *testing.T) {
	prog := testpeer.Need(t, "openssl")
	var entries []Entry
	for k := range table.Get() {
		switch k {
		case ConnectSyscall, AlertReceived:
			continue // their code depends on the errno or alert
		}
		entries = append(entries, New(k, ""))
	}
	for d := range alertReasons.Get() {
		entries = append(entries, AlertEntry(d))
	}
	entries = append(entries, ConnectReport(111).Entries...)
	entries = append(entries, ConnectReport(113).Entries...)
	entries = append(entries, BIONewFile(int(syscall.ENOENT), "f", "r")...)
	entries = append(entries, BIONewFile(int(syscall.EACCES), "f", "r")...)
	for _, e := range entries {
		out, err := exec.Command(prog, "errstr", fmt.Sprintf("%08X", e.Code)).Output()
		if err != nil {
			t.Fatalf("openssl errstr %08X: %v", e.Code, err)
		}
		want := fmt.Sprintf("error:%08X:%s::%s", e.Code, e.Lib, e.Reason)
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("table entry %s:\nopenssl says %s\ntable says   %s", e.Func, got, want)
		}
	}
}

func TestLineShape(t *testing.T) {
	got := AlertEntry(40).String()
	want := "0000000000000000:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:tlskit:0:SSL alert number 40"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	r := ConnectReport(111)
	lines := r.Lines()
	if len(lines) != 3 || !strings.Contains(lines[0], ":error:8000006F:system library:BIO_connect:Connection refused:") ||
		!strings.HasSuffix(lines[0], ":calling connect()") || !strings.Contains(lines[1], ":error:10000067:BIO routines:BIO_connect:connect error:") ||
		lines[2] != "connect:errno=111" {
		t.Errorf("connect report:\n%s", strings.Join(lines, "\n"))
	}
}

type typedAlert struct {
	d    uint8
	sent bool
}

func (a typedAlert) Error() string           { return "alert" }
func (a typedAlert) TLSAlert() (uint8, bool) { return a.d, a.sent }
func (a typedAlert) wrapped() error          { return fmt.Errorf("handshake: %w", a) }
func opErr(op string, err error) error       { return &net.OpError{Op: op, Err: err} }
func dialErr(err error) error                { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
func reasonOf(err error, side Side) string   { return HandshakeEntry(err, side).Reason }
func lineOf(err error, side Side) (string, error) {
	return strings.Join(FromError(err, side).Lines(), "\n"), nil
}

func TestFromError(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		side Side
		want string // a substring of the report
	}{
		{"refused", dialErr(&net.OpError{Op: "connect", Err: syscall.ECONNREFUSED}), Client, ":Connection refused:tlskit:0:calling connect()\n"},
		{"unreachable", dialErr(syscall.EHOSTUNREACH), Client, ":error:80000071:system library:BIO_connect:No route to host:"},
		{"dns", dialErr(&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}), Client, ":error:10080002:BIO routines:BIO_lookup_ex:system lib:tlskit:0:Name or service not known\nconnect:errno=0"},
		{"typed alert", typedAlert{d: 70}.wrapped(), Client, ":tlsv1 alert protocol version:tlskit:0:SSL alert number 70"},
		{"typed kind", fmt.Errorf("x: %w", Errorf(ServerCertVerifyFailed, "self-signed")), Client, ":error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:"},
		{"eof", io.EOF, Client, ":error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:"},
		{"not tls", errors.New("tls: first record does not look like a TLS handshake"), Client, ":error:0A00010B:SSL routines:ssl3_get_record:wrong version number:"},
		{"no shared cipher", errors.New("tls: no cipher suite supported by both client and server; client offered: [2f]"), Server, ":tls_post_process_client_hello:no shared cipher:"},
		{"old client", errors.New("tls: client offered only unsupported versions: [301]"), Server, ":tls_early_post_process_client_hello:unsupported protocol:"},
		{"client cert", errors.New("certificate verify failed"), Server, ":tls_process_client_certificate:certificate verify failed:"},
		{"reset", opErr("read", syscall.ECONNRESET), Client, "write:errno=104"},
		{"unknown", errors.New("tls: something new"), Client, ":error:0A0C0103:SSL routines:tlskit:internal error:tlskit:0:something new"},
	} {
		got, _ := lineOf(c.err, c.side)
		if !strings.Contains(got+"\n", c.want) {
			t.Errorf("%s: got\n%s\nwant it to contain %q", c.name, got, c.want)
		}
	}
	if r := reasonOf(typedAlert{d: 40, sent: true}, Client); strings.Contains(r, "alert") {
		t.Errorf("a sent alert reported as received: %s", r)
	}
}

func TestFileWriteReport(t *testing.T) {
	got := strings.Join(FileWriteReport(int(syscall.ENOSPC)).Lines(), "\n")
	want := "0000000000000000:error:10080002:BIO routines:file_ctrl:system lib:tlskit:0:\n" +
		"0000000000000000:error:8000001C:system library:file_ctrl:No space left on device:tlskit:0:calling fflush()"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
