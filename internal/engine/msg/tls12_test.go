package msg

import (
	"bytes"
	"errors"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// tls12Samples are bodies of each TLS 1.0–1.2 message, built by hand
// from RFC 5246's and RFC 8422's grammar.
var tls12Samples = map[string][]byte{
	"ske-ecdhe-12":    {3, 0, 0x1d, 2, 0xaa, 0xbb, 0x04, 0x03, 0, 2, 0x30, 0x00},
	"ske-ecdhe-10":    {3, 0, 0x17, 1, 0x04, 0, 1, 0x55},
	"ske-dhe-12":      {0, 1, 0x17, 0, 1, 2, 0, 1, 9, 0x06, 0x01, 0, 1, 0x77},
	"cke-ecdhe":       {3, 1, 2, 3},
	"cke-rsa":         {0, 2, 0xde, 0xad},
	"cert12":          {0, 0, 9, 0, 0, 2, 0x30, 0, 0, 0, 1, 0x31},
	"certreq12":       {2, 1, 64, 0, 4, 0x04, 0x01, 0x04, 0x03, 0, 5, 0, 3, 0x30, 1, 2},
	"certreq10":       {1, 1, 0, 0},
	"cv12":            {0x08, 0x04, 0, 2, 1, 2},
	"nst12":           {0, 0, 0x1c, 0x20, 0, 3, 1, 2, 3},
	"nst12-empty":     {0, 0, 0, 0, 0, 0},
	"ske-bad-curve":   {1, 0, 0x1d, 2, 0xaa, 0xbb, 0, 0},
	"ske-trailing":    {3, 0, 0x1d, 1, 0xaa, 0x04, 0x03, 0, 0, 0},
	"cert12-empty-in": {0, 0, 3, 0, 0, 0},
	// RFC 4279 §2–4 and RFC 5489 §2: hint or identity first, no signature.
	"ske-psk":        {0, 2, 'h', 'i'},
	"ske-psk-nohint": {0, 0},
	"ske-dhepsk":     {0, 1, 'h', 0, 1, 0x17, 0, 1, 2, 0, 1, 9},
	"ske-ecdhepsk":   {0, 0, 3, 0, 0x1d, 2, 0xaa, 0xbb},
	"cke-psk":        {0, 3, 'c', 'i', 'd'},
	"cke-dhepsk":     {0, 1, 'c', 0, 2, 1, 2},
	"cke-ecdhepsk":   {0, 1, 'c', 2, 1, 2},
	"cke-rsapsk":     {0, 1, 'c', 0, 2, 0xde, 0xad},
	"cke-psk-extra":  {0, 1, 'c', 0},
}

func TestTLS12RoundTrips(t *testing.T) {
	for name, parse := range map[string]func([]byte) (marshaller, error){
		"ske-ecdhe-12":   func(b []byte) (marshaller, error) { return ParseServerKeyExchange(b, KxECDHE, true) },
		"ske-ecdhe-10":   func(b []byte) (marshaller, error) { return ParseServerKeyExchange(b, KxECDHE, false) },
		"ske-dhe-12":     func(b []byte) (marshaller, error) { return ParseServerKeyExchange(b, KxDHE, true) },
		"cke-ecdhe":      func(b []byte) (marshaller, error) { return ParseClientKeyExchange(b, KxECDHE) },
		"cke-rsa":        func(b []byte) (marshaller, error) { return ParseClientKeyExchange(b, KxRSA) },
		"cert12":         func(b []byte) (marshaller, error) { return ParseCertificate12(b) },
		"certreq12":      func(b []byte) (marshaller, error) { return ParseCertificateRequest12(b, true) },
		"certreq10":      func(b []byte) (marshaller, error) { return ParseCertificateRequest12(b, false) },
		"cv12":           func(b []byte) (marshaller, error) { return ParseCertificateVerify12(b, true) },
		"nst12":          func(b []byte) (marshaller, error) { return ParseNewSessionTicket12(b) },
		"nst12-empty":    func(b []byte) (marshaller, error) { return ParseNewSessionTicket12(b) },
		"ske-psk":        func(b []byte) (marshaller, error) { return ParseServerKeyExchange(b, KxPSK, true) },
		"ske-psk-nohint": func(b []byte) (marshaller, error) { return ParseServerKeyExchange(b, KxRSAPSK, true) },
		"ske-dhepsk":     func(b []byte) (marshaller, error) { return ParseServerKeyExchange(b, KxDHEPSK, true) },
		"ske-ecdhepsk":   func(b []byte) (marshaller, error) { return ParseServerKeyExchange(b, KxECDHEPSK, false) },
		"cke-psk":        func(b []byte) (marshaller, error) { return ParseClientKeyExchange(b, KxPSK) },
		"cke-dhepsk":     func(b []byte) (marshaller, error) { return ParseClientKeyExchange(b, KxDHEPSK) },
		"cke-ecdhepsk":   func(b []byte) (marshaller, error) { return ParseClientKeyExchange(b, KxECDHEPSK) },
		"cke-rsapsk":     func(b []byte) (marshaller, error) { return ParseClientKeyExchange(b, KxRSAPSK) },
	} {
		body := tls12Samples[name]
		m, err := parse(body)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		raw, err := m.Marshal()
		if err != nil || !bytes.Equal(raw[HeaderLen:], body) {
			t.Errorf("%s: round trip %x, %v", name, raw, err)
		}
	}
	ske, _ := ParseServerKeyExchange(tls12Samples["ske-ecdhe-12"], KxECDHE, true)
	if ske.Group != 0x1d || !bytes.Equal(ske.Params, tls12Samples["ske-ecdhe-12"][:6]) || ske.Scheme != 0x0403 {
		t.Errorf("ske fields %+v", ske)
	}
	psk, _ := ParseServerKeyExchange(tls12Samples["ske-ecdhepsk"], KxECDHEPSK, true)
	if psk == nil || len(psk.Hint) != 0 || psk.Group != 0x1d || !bytes.Equal(psk.Public, []byte{0xaa, 0xbb}) || psk.HasScheme {
		t.Errorf("ECDHE-PSK ske fields %+v", psk)
	}
	if cke, err := ParseClientKeyExchange(tls12Samples["cke-dhepsk"], KxDHEPSK); err != nil || string(cke.Identity) != "c" || !bytes.Equal(cke.Data, []byte{1, 2}) {
		t.Errorf("DHE-PSK cke %+v, %v", cke, err)
	}
	// Trailing bytes after a PSK identity, and a signature after a PSK
	// ServerKeyExchange, are decode_error.
	if _, err := ParseClientKeyExchange(tls12Samples["cke-psk-extra"], KxPSK); !errors.Is(err, alert.DecodeError) {
		t.Errorf("cke-psk-extra: %v", err)
	}
	if _, err := ParseServerKeyExchange(append([]byte{0, 0}, 0, 1, 0x55), KxPSK, true); !errors.Is(err, alert.DecodeError) {
		t.Errorf("signed PSK ske: %v", err)
	}
}

func TestTLS12Faults(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want alert.Desc
	}{
		{"explicit curve", func() error {
			_, err := ParseServerKeyExchange(tls12Samples["ske-bad-curve"], KxECDHE, true)
			return err
		}(), alert.IllegalParameter},
		{"trailing", func() error {
			_, err := ParseServerKeyExchange(tls12Samples["ske-trailing"], KxECDHE, true)
			return err
		}(), alert.DecodeError},
		{"empty certificate in list", func() error { _, err := ParseCertificate12(tls12Samples["cert12-empty-in"]); return err }(), alert.DecodeError},
		{"server hello done body", ParseEmptyMessage([]byte{0}), alert.DecodeError},
		{"empty cke", func() error { _, err := ParseClientKeyExchange([]byte{0}, KxECDHE); return err }(), alert.DecodeError},
	} {
		var d alert.Desc
		if !errors.As(c.err, &d) || d != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
}

// FuzzTLS12Messages runs every TLS 1.0–1.2 parser on the same input:
// none may panic, and what parses must marshal back to the input.
func FuzzTLS12Messages(f *testing.F) {
	for _, b := range tls12Samples {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, tls12 := range []bool{false, true} {
			roundTrip(t, TypeServerKeyExchange, b, func(b []byte) (*ServerKeyExchange, error) { return ParseServerKeyExchange(b, KxECDHE, tls12) })
			roundTrip(t, TypeServerKeyExchange, b, func(b []byte) (*ServerKeyExchange, error) { return ParseServerKeyExchange(b, KxDHE, tls12) })
			for _, k := range []KeyExchange{KxPSK, KxDHEPSK, KxECDHEPSK, KxRSAPSK} {
				roundTrip(t, TypeServerKeyExchange, b, func(b []byte) (*ServerKeyExchange, error) { return ParseServerKeyExchange(b, k, tls12) })
			}
			roundTrip(t, TypeCertificateRequest, b, func(b []byte) (*CertificateRequest12, error) { return ParseCertificateRequest12(b, tls12) })
			roundTrip(t, TypeCertificateVerify, b, func(b []byte) (*DigitallySigned, error) { return ParseCertificateVerify12(b, tls12) })
		}
		roundTrip(t, TypeClientKeyExchange, b, func(b []byte) (*ClientKeyExchange, error) { return ParseClientKeyExchange(b, KxECDHE) })
		roundTrip(t, TypeClientKeyExchange, b, func(b []byte) (*ClientKeyExchange, error) { return ParseClientKeyExchange(b, KxDHE) })
		for _, k := range []KeyExchange{KxPSK, KxDHEPSK, KxECDHEPSK, KxRSAPSK} {
			roundTrip(t, TypeClientKeyExchange, b, func(b []byte) (*ClientKeyExchange, error) { return ParseClientKeyExchange(b, k) })
		}
		roundTrip(t, TypeCertificate, b, ParseCertificate12)
		roundTrip(t, TypeNewSessionTicket, b, ParseNewSessionTicket12)
	})
}
