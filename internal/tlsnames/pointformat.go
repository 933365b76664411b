package tlsnames

import (
	"fmt"
	"strings"
)

// PointFormats lists EC point formats (RFC 8422 section 5.1.2) as openssl
// prints them in "Supported Elliptic Curve Point Formats:", colon-separated.
func PointFormats(formats []uint8) string {
	names := make([]string, 0, len(formats))
	for _, f := range formats {
		switch f {
		case 0:
			names = append(names, "uncompressed")
		case 1:
			names = append(names, "ansiX962_compressed_prime")
		case 2:
			names = append(names, "ansiX962_compressed_char2")
		default:
			names = append(names, fmt.Sprintf("unknown(%d)", f))
		}
	}
	return strings.Join(names, ":")
}
