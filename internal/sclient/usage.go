package sclient

import (
	"errors"
	"strings"

	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/transport"
)

// checkArgs finds, in the raw arguments, the combination errors openssl
// reports for options tlskit's parser refuses on their own as
// unsupported: openssl's words must win, as a script sees them first.
func checkArgs(args []string) error {
	has := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") {
			break
		}
		name, _, withValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		has[name] = true
		if o, ok := Table.Lookup(name); ok && o.Kind != opt.None && !withValue {
			i++ // skip its value
		}
	}
	if has["dane_tlsa_domain"] && has["noservername"] {
		return &opt.UsageError{Lines: []string{"Can't use -dane_tlsa_domain and -noservername together"}, Hint: true}
	}
	return nil
}

// checkUsage finds the errors openssl's s_client reports for a command
// line whose options parse but do not go together, with its words,
// streams and exit code (1), each run with openssl 3.0 side by side.
func checkUsage(v *opt.Values) error {
	target := ""
	if len(v.Params) > 0 {
		target = v.Params[0]
	}
	if c, ok := v.Get("connect"); ok {
		target = c
	}
	if _, _, err := transport.SplitHostPort(target, "localhost", "4433"); errors.Is(err, transport.ErrMalformed) {
		return &configError{[]string{"s_client: -connect argument or target parameter malformed or ambiguous"}}
	}
	if p, ok := v.Get("proxy"); ok {
		// -host names the target too; over -unix the proxy is not used.
		if target == "" && !v.Has("host") && !v.Has("unix") {
			return &opt.UsageError{Lines: []string{"-proxy requires use of -connect or target parameter"}, Hint: true}
		}
		if _, _, err := transport.SplitHostPort(p, "", ""); errors.Is(err, transport.ErrMalformed) {
			return &configError{[]string{"s_client: -proxy argument malformed or ambiguous"}}
		}
	}
	// An empty SNI cannot be set (RFC 6066 3: a host_name is at least one
	// byte); with -noservername the combination error comes first.
	if sni, ok := v.Get("servername"); ok && sni == "" && !v.Has("noservername") {
		return &configError{[]string{
			"Unable to set TLS servername extension.",
			sslerr.Entry{Code: 0x0A00013F, Lib: "SSL routines", Func: "ssl3_ctrl", Reason: "ssl3 ext invalid servername"}.String(),
		}}
	}
	return nil
}
