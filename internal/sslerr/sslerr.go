// Package sslerr words tlskit's failures as OpenSSL 3.0's error queue does
// on stderr, one line per entry:
//
//	<thread>:error:<code>:<library>:<function>:<reason>:<file>:<line>:<data>
//
// Scripts grep these lines (`Connection refused`, `alert handshake failure`,
// `wrong version number`), so the code, library, function and reason are
// openssl's, taken from one table (see table.go); the thread id, source
// file and line are tlskit's own. Errors reach the table three ways: a
// typed error that names its Kind (Reasoner) or its alert (Alerter), which
// is how tlskit's engine reports; other errors without a type, mapped by
// their text; and the network's errors, mapped by errno.
package sslerr

import (
	"fmt"
	"io"
	"strings"
)

// Entry is one line of OpenSSL's error queue.
type Entry struct {
	Code   uint32 // ERR_PACK(library, 0, reason), printed as %08X
	Lib    string // "SSL routines", "BIO routines", "system library"
	Func   string // the OpenSSL function that raised it
	Reason string
	Data   string // text after the location, e.g. "SSL alert number 40"
}

// Thread, File and Line fill the fields of a line that name openssl's
// thread and source position; tlskit's are fixed so that output is stable.
const (
	Thread = "0000000000000000"
	File   = "tlskit"
	Line   = 0
)

// String is the entry as openssl prints it, without a newline.
func (e Entry) String() string {
	return fmt.Sprintf("%s:error:%08X:%s:%s:%s:%s:%d:%s", Thread, e.Code, e.Lib, e.Func, e.Reason, File, Line, e.Data)
}

// Report is what openssl prints on stderr for one failure: its queue
// entries, then any plain lines after them (s_client's
// "connect:errno=111").
type Report struct {
	Entries []Entry
	Tail    []string
}

// Write prints r, one line each.
func (r Report) Write(w io.Writer) {
	var b strings.Builder
	for _, e := range r.Entries {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	for _, l := range r.Tail {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
}

// Lines returns r's lines without newlines.
func (r Report) Lines() []string {
	var out []string
	for _, e := range r.Entries {
		out = append(out, e.String())
	}
	return append(out, r.Tail...)
}
