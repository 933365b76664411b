package wire

import (
	"bytes"
	"sync"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// HelloCatcher takes from the own engine's event stream only what a
// server's reports need when it prints no events (no -msg, -trace,
// -debug, -state or -tlsextdebug): the client's last ClientHello and the
// scheme of the client's CertificateVerify, as an Observer's Summary has
// them. Every other event is passed over at the cost of a comparison.
// Set Event as the engine.Config's OnEvent. Its methods are safe for
// concurrent use.
type HelloCatcher struct {
	mu        sync.Mutex
	hello     *ClientHello
	sigScheme uint16
}

// Event looks at one event of the stream.
func (h *HelloCatcher) Event(e engine.Event) {
	if e.Sent || e.ContentType != typeHandshake || len(e.Data) < 4 {
		return
	}
	body := e.Data[4:]
	switch e.Data[0] {
	case hsClientHello:
		// One copy of the message (the event's bytes are the engine's
		// to reuse), which the summary's slices then share, instead of a
		// copy of each field and extension.
		m, err := msg.ParseClientHello(bytes.Clone(body))
		if err != nil {
			return
		}
		ch := summarize(m, func(b []byte) []byte { return b })
		h.mu.Lock()
		h.hello = ch
		h.mu.Unlock()
	case hsCertificateVerify:
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
