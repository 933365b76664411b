package wire

import (
	"sync"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// HelloCatcher takes from the own engine only what a server's reports
// need when it prints no events (no -msg, -trace, -debug, -state or
// -tlsextdebug): the client's last ClientHello, from the engine's own
// parse of it (set Hello as the engine.Config's OnClientHello), and the
// scheme of the client's CertificateVerify, from the event stream (set
// Event as its OnEvent), as an Observer's Summary has them. Every other
// event is passed over at the cost of a comparison. Its methods are safe
// for concurrent use.
type HelloCatcher struct {
	mu        sync.Mutex
	hello     *ClientHello
	sigScheme uint16
}

// Hello takes a ClientHello the engine parsed. Its summary shares the
// message's slices and extension list, which the engine does not change
// (OnClientHello's contract): no copies and no second parse.
func (h *HelloCatcher) Hello(m *msg.ClientHello) {
	ch := summarize(m, false)
	h.mu.Lock()
	h.hello = ch
	h.mu.Unlock()
}

// Event looks at one event of the stream for the client's
// CertificateVerify.
func (h *HelloCatcher) Event(e engine.Event) {
	if e.Sent || e.ContentType != typeHandshake || len(e.Data) < 4 || e.Data[0] != hsCertificateVerify {
		return
	}
	body := e.Data[4:]
	var scheme uint16
	switch e.Version {
	case 0x0304:
		if m, err := msg.ParseCertificateVerify(body); err == nil {
			scheme = m.Scheme
		}
	case 0x0303:
		if m, err := msg.ParseCertificateVerify12(body, true); err == nil {
			scheme = m.Scheme
		}
	}
	if scheme != 0 {
		h.mu.Lock()
		h.sigScheme = scheme
		h.mu.Unlock()
	}
}

// ClientHello is the last ClientHello received, nil before one parsed.
func (h *HelloCatcher) ClientHello() *ClientHello {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hello
}

// PeerSigScheme is the scheme of the peer's last CertificateVerify; zero
// when none was seen.
func (h *HelloCatcher) PeerSigScheme() uint16 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sigScheme
}
