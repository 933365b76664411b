package engine

import (
	"bytes"
	"crypto/tls"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
)

// TestStatelessAgainstCryptoTLS: a Stateless server answers crypto/tls's
// first ClientHello with a cookie-carrying HelloRetryRequest (asking for
// a key share only when none fits), accepts the second with the cookie
// echoed, and resumes a ticket across the retry (the binder covers the
// rebuilt retry); both sides agree on the exporter.
func TestStatelessAgainstCryptoTLS(t *testing.T) {
	ks := keysForTest(t)
	id, _ := testIdentity(t, ks["ecdsa-p256"])
	cache := tls.NewLRUClientSessionCache(4)
	for _, c := range []struct {
		name       string
		groups     []uint16
		wantGroup  uint16
		wantResume bool
		noCache    bool
	}{
		{name: "share fits", wantGroup: kx.X25519},
		{name: "share asked for", groups: []uint16{kx.Secp384r1}, wantGroup: kx.Secp384r1, noCache: true},
		{name: "resumed", wantGroup: kx.X25519, wantResume: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			retries := 0
			cfg := &Config{Identities: []Identity{id}, Groups: c.groups, Stateless: true,
				TicketKey: bytes.Repeat([]byte{7}, 32), OnStatelessRetry: func() { retries++ }}
			addr, res := ownServer(t, cfg)
			gc := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13, ClientSessionCache: cache}
			if c.noCache {
				gc.ClientSessionCache = nil
			}
			cs, ekm, err := goClientEcho(t, addr, gc)
			r := <-res
			if err != nil || r.err != nil {
				t.Fatalf("client %v, server %v", err, r.err)
			}
			if !cs.HelloRetryRequest || !r.st.HelloRetry || retries != 1 {
				t.Errorf("retry: crypto/tls %v, own %v, %d cookies sent", cs.HelloRetryRequest, r.st.HelloRetry, retries)
			}
			if r.st.Group != c.wantGroup || uint16(cs.CurveID) != c.wantGroup {
				t.Errorf("group own %s, crypto/tls %v", kx.Name(r.st.Group), cs.CurveID)
			}
			if cs.DidResume != c.wantResume || r.st.Resumed != c.wantResume {
				t.Errorf("resumed: crypto/tls %v, own %v", cs.DidResume, r.st.Resumed)
			}
			if !bytes.Equal(ekm, r.ekm) {
				t.Errorf("exporter differs")
			}
		})
	}
}

// TestCookieSealing: a cookie opens only as sealed, under the same key and
// within its lifetime.
func TestCookieSealing(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := &TLSConn{cfg: &Config{CookieKey: bytes.Repeat([]byte{1}, 32), Time: func() time.Time { return now }}}
	s := cookieState{issued: now, suite: 0x1301, group: kx.Secp384r1, ch1Hash: bytes.Repeat([]byte{9}, 32)}
	b := c.sealCookie(s)
	got, err := c.openCookie(b)
	if err != nil || got.suite != s.suite || got.group != s.group || !bytes.Equal(got.ch1Hash, s.ch1Hash) || !got.issued.Equal(now) {
		t.Fatalf("open: %+v, %v", got, err)
	}
	for i := range b {
		bad := bytes.Clone(b)
		bad[i] ^= 0x40
		if _, err := c.openCookie(bad); err == nil {
			t.Fatalf("byte %d flipped: accepted", i)
		}
	}
	if _, err := c.openCookie(b[:len(b)-1]); err == nil {
		t.Error("truncated cookie accepted")
	}
	other := &TLSConn{cfg: &Config{CookieKey: bytes.Repeat([]byte{2}, 32), Time: c.cfg.Time}}
	if _, err := other.openCookie(b); err == nil {
		t.Error("another key's cookie accepted")
	}
	now = now.Add(cookieLifetime + time.Second)
	_, err = c.openCookie(b)
	if f, ok := err.(*alert.Fault); !ok || f.Desc != alert.HandshakeFailure {
		t.Errorf("stale cookie: %v", err)
	}
}

// FuzzOpenCookie: no input panics, and none but sealed ones open.
func FuzzOpenCookie(f *testing.F) {
	c := &TLSConn{cfg: &Config{CookieKey: bytes.Repeat([]byte{1}, 32)}}
	f.Add(c.sealCookie(cookieState{issued: time.Now(), suite: 0x1301, ch1Hash: make([]byte, 32)}))
	f.Add([]byte{})
	f.Add(make([]byte, 46))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := c.openCookie(b)
		if err == nil && !bytes.Equal(c.sealCookie(s), b) {
			t.Fatalf("opened a cookie that does not reseal: %x", b)
		}
	})
}
