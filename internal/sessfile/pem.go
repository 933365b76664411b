package sessfile

import (
	"encoding/base64"
	"strings"

	"github.com/tlskit/tlskit/internal/sslerr"
)

// openssl's PEM reader fails in these words (measured with openssl 3.0
// s_client -sess_in and -psk_session, and s_server -psk_session).
var (
	pemBadBase64    = sslerr.Entry{Code: 0x04800064, Lib: libPEM, Func: "PEM_read_bio_ex", Reason: "bad base64 decode"}
	pemBadEndLine   = sslerr.Entry{Code: 0x04800066, Lib: libPEM, Func: "get_header_and_data", Reason: "bad end line"}
	pemNotProcType  = sslerr.Entry{Code: 0x0480006B, Lib: libPEM, Func: "PEM_get_EVP_CIPHER_INFO", Reason: "not proc type"}
	pemNotEncrypted = sslerr.Entry{Code: 0x0480006A, Lib: libPEM, Func: "PEM_get_EVP_CIPHER_INFO", Reason: "not encrypted"}
	pemNotDEKInfo   = sslerr.Entry{Code: 0x04800069, Lib: libPEM, Func: "PEM_get_EVP_CIPHER_INFO", Reason: "not dek info"}
	pemUnsupported  = sslerr.Entry{Code: 0x04800072, Lib: libPEM, Func: "PEM_get_EVP_CIPHER_INFO", Reason: "unsupported encryption"}
	// pemASN1Lib follows any failure to decode the block's DER.
	pemASN1Lib = sslerr.Entry{Code: 0x0488000D, Lib: libPEM, Func: "PEM_ASN1_read_bio", Reason: "ASN1 lib"}
)

const libPEM = "PEM routines"

// readPEM returns the data of text's first PEM block named name, read as
// openssl 3.0's PEM_bytes_read_bio reads it: line by line, each line's
// trailing white space ignored; a BEGIN line must start its line; every
// block up to the one wanted must be well formed (its END line names it,
// its base64 decodes); lines before the first empty line of a block are
// its RFC 1421 header, which must say Proc-Type and (encrypted) DEK-Info.
// tlskit reads no encrypted session: one fails as an unsupported cipher
// would. The DER is not looked at.
func readPEM(text []byte, name string) ([]byte, error) {
	lines := strings.Split(string(text), "\n")
	for i := 0; i < len(lines); i++ {
		l := trimLine(lines[i])
		if !strings.HasPrefix(l, "-----BEGIN ") || !strings.HasSuffix(l, "-----") || len(l) < len("-----BEGIN -----") {
			continue
		}
		blk := strings.TrimSuffix(strings.TrimPrefix(l, "-----BEGIN "), "-----")
		var header, data []string
		blank, colon, ended := 0, false, false
		for i++; i < len(lines); i++ {
			l := trimLine(lines[i])
			if strings.HasPrefix(l, "-----END ") {
				if l != "-----END "+blk+"-----" {
					return nil, &Error{Entries: []sslerr.Entry{pemBadEndLine}}
				}
				ended = true
				break
			}
			if l == "" {
				if blank++; blank > 1 {
					return nil, &Error{Entries: []sslerr.Entry{pemBadEndLine}}
				}
				header, data = data, nil
				continue
			}
			if blank == 0 && strings.Contains(l, ":") {
				colon = true
			}
			data = append(data, l)
		}
		if !ended {
			return nil, &Error{Entries: []sslerr.Entry{pemBadEndLine}}
		}
		if colon && blank == 0 {
			// A header line with no empty line after it: openssl
			// reads no data from the block, and says nothing.
			header, data = nil, nil
		}
		der, ok := decodeBase64(data)
		if !ok {
			return nil, &Error{Entries: []sslerr.Entry{pemBadBase64}}
		}
		if blk != name {
			continue
		}
		if err := checkHeader(header); err != nil {
			return nil, err
		}
		return der, nil
	}
	return nil, &Error{Entries: []sslerr.Entry{sslerr.PEMNoStartLine(name)}}
}

// trimLine drops a line's trailing white space and control characters
// (a CR of CRLF files among them), as openssl's PEM reader does.
func trimLine(l string) string {
	return strings.TrimRightFunc(l, func(r rune) bool { return r <= ' ' })
}

// decodeBase64 decodes a block's lines, padding optional.
func decodeBase64(lines []string) ([]byte, bool) {
	s := strings.Join(lines, "")
	s = strings.TrimRight(s, "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

// checkHeader checks a block's RFC 1421 header (RFC 1421 §4.6.1.1,
// §4.6.1.3) as openssl's PEM_get_EVP_CIPHER_INFO does: none is fine;
// otherwise it must start with Proc-Type 4 ENCRYPTED and DEK-Info.
func checkHeader(header []string) error {
	if len(header) == 0 {
		return nil
	}
	proc, ok := strings.CutPrefix(header[0], "Proc-Type: ")
	if !ok {
		return &Error{Entries: []sslerr.Entry{pemNotProcType}}
	}
	if !strings.HasPrefix(proc, "4,") {
		// openssl fails on another Proc-Type version without a word.
		return &Error{}
	}
	if strings.TrimSpace(proc[2:]) != "ENCRYPTED" {
		return &Error{Entries: []sslerr.Entry{pemNotEncrypted}}
	}
	if len(header) < 2 || !strings.HasPrefix(header[1], "DEK-Info: ") {
		return &Error{Entries: []sslerr.Entry{pemNotDEKInfo}}
	}
	return &Error{Entries: []sslerr.Entry{pemUnsupported}}
}
