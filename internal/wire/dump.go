package wire

import (
	"fmt"
	"strings"
)

// writeDump appends OpenSSL's BIO_dump_indent layout of b to sb: an offset,
// hex bytes with a dash after the eighth, and the printable ASCII. The
// number of bytes per line shrinks as the indent grows, as OpenSSL's does.
func writeDump(sb *strings.Builder, b []byte, indent int) {
	width := 16 - (indent-min(indent, 6)+3)/4
	if width < 1 {
		width = 1
	}
	pad := strings.Repeat(" ", indent)
	for off := 0; off < len(b); off += width {
		line := b[off:min(off+width, len(b))]
		fmt.Fprintf(sb, "%s%04x - ", pad, off)
		for j := 0; j < width; j++ {
			if j < len(line) {
				sep := byte(' ')
				if j == 7 {
					sep = '-'
				}
				fmt.Fprintf(sb, "%02x%c", line[j], sep)
			} else {
				sb.WriteString("   ")
			}
		}
		sb.WriteString("  ")
		for _, c := range line {
			if c < ' ' || c > '~' {
				c = '.'
			}
			sb.WriteByte(c)
		}
		sb.WriteByte('\n')
	}
}

// writeMsgHex appends the -msg layout: four spaces, then up to sixteen
// lower-case hex bytes separated by single spaces.
func writeMsgHex(sb *strings.Builder, b []byte) {
	const digits = "0123456789abcdef"
	for off := 0; off < len(b); off += 16 {
		sb.WriteString("   ")
		for _, c := range b[off:min(off+16, len(b))] {
			sb.WriteByte(' ')
			sb.WriteByte(digits[c>>4])
			sb.WriteByte(digits[c&15])
		}
		sb.WriteByte('\n')
	}
}

// upperHex is -trace's spelling of opaque fields.
func upperHex(b []byte) string {
	return strings.ToUpper(fmt.Sprintf("%x", b))
}
