package sclient

import (
	"fmt"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/report"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// preHandshakeFailure is a configuration that openssl's client accepts at
// start-up and finds unusable only as its handshake starts (no protocol
// version left, no cipher suite for the highest version): it has
// connected by then, so it prints CONNECTED, sends a fatal alert, prints
// its error on stderr and the short report of a handshake that never
// began, and exits 1.
func (c *client) preHandshakeFailure(he *optgroups.HandshakeError) int {
	nc, err := c.dial()
	if err != nil {
		c.dialFailure(err)
		return 1
	}
	defer nc.Close()
	n, _ := nc.Write(he.Record())
	for _, l := range he.Lines {
		fmt.Fprintln(c.errw, l)
	}
	if !c.set.quiet && !c.set.brief {
		rs := &report.Session{NameOpt: c.set.nameOpt, BytesWritten: int64(n), Timeout: 7200}
		if o := c.set.engine; o != nil && o.hi < engine.VersionTLS13 {
			// Below TLS 1.3 openssl's report shows the empty session.
			rs.NoneVersion, rs.StartTime = tlsnames.VersionName(o.hi), time.Now()
		}
		report.WriteConnection(c.info, rs)
	}
	return 1
}
