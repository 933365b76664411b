package gotlsalert_test

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/sslerr/gotlsalert"
)

func opErr(op string, err error) error { return &net.OpError{Op: op, Err: err} }

func TestFind(t *testing.T) {
	if d, sent, ok := gotlsalert.Find(opErr("local error", tls.AlertError(40))); !ok || !sent || d != 40 {
		t.Errorf("local error: %d, %v, %v", d, sent, ok)
	}
	if d, sent, ok := gotlsalert.Find(opErr("remote error", tls.AlertError(40))); !ok || sent || d != 40 {
		t.Errorf("a received alert: %d, %v, %v", d, sent, ok)
	}
	if _, _, ok := gotlsalert.Find(opErr("read", net.ErrClosed)); ok {
		t.Error("an alert found in a read error")
	}
	if d, ok := sslerr.LocalAlert(opErr("local error", tls.AlertError(40))); !ok || d != 40 {
		t.Errorf("LocalAlert = %d, %v", d, ok)
	}
	if _, ok := sslerr.LocalAlert(opErr("remote error", tls.AlertError(40))); ok {
		t.Error("a received alert taken for a sent one")
	}
	var b strings.Builder
	sslerr.FromError(opErr("remote error", tls.AlertError(48)), sslerr.Client).Write(&b)
	if want := ":error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:tlskit:0:SSL alert number 48"; !strings.Contains(b.String(), want) {
		t.Errorf("report\n%s\nwant it to contain %q", b.String(), want)
	}
}
