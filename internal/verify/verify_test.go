package verify

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// optionsFromArgs maps openssl verify arguments onto Options, so each test
// case states its inputs once and both implementations see the same.
func optionsFromArgs(t *testing.T, dir string, args []string) Options {
	t.Helper()
	o := Options{Depth: -1}
	for i := 0; i < len(args); i++ {
		val := func() string { i++; return args[i] }
		switch args[i] {
		case "-CAfile":
			o.Roots = append(o.Roots, readPEM(t, dir, val())...)
		case "-untrusted":
			o.Intermediates = append(o.Intermediates, readPEM(t, dir, val())...)
		case "-CRLfile":
			o.CRLs = append(o.CRLs, readCRLs(t, dir, val())...)
		case "-crl_check":
			o.CRLCheck = true
		case "-crl_check_all":
			o.CRLCheckAll = true
		case "-verify_depth":
			o.Depth, _ = strconv.Atoi(val())
		case "-verify_hostname":
			o.Hostname = val()
		case "-verify_email":
			o.Email = val()
		case "-verify_ip":
			o.IP = val()
		case "-attime":
			n, _ := strconv.ParseInt(val(), 10, 64)
			o.AtTime = time.Unix(n, 0)
		case "-partial_chain":
			o.PartialChain = true
		case "-purpose":
			o.Purpose = val()
		case "-x509_strict":
			o.X509Strict = true
		case "-auth_level":
			o.AuthLevel, _ = strconv.Atoi(val())
		case "-no_check_time":
			o.NoCheckTime = true
		case "-check_ss_sig":
			o.CheckSSSig = true
		case "-ignore_critical":
			o.IgnoreCritical = true
		default:
			t.Fatalf("optionsFromArgs: unhandled %q", args[i])
		}
	}
	return o
}

var verifyErrLine = regexp.MustCompile(`(?m)^error (\d+) at (\d+) depth lookup: (.*)$`)

func TestVerifyMatchesOpenSSLVerify(t *testing.T) {
	dir := pki(t)
	later := strconv.FormatInt(time.Now().Add(60*24*time.Hour).Unix(), 10)
	soon := strconv.FormatInt(time.Now().Add(3*24*time.Hour).Unix(), 10)
	earlier := strconv.FormatInt(time.Now().Add(-24*time.Hour).Unix(), 10)
	cases := []struct {
		name string
		args []string
		leaf string
		want []int // the error codes openssl is expected to print, to keep the test honest
	}{
		{"good", []string{"-CAfile", "root.pem", "-untrusted", "int.pem"}, "leaf.pem", nil},
		{"missing-intermediate", []string{"-CAfile", "root.pem"}, "leaf.pem", []int{20}},
		{"missing-root", []string{"-CAfile", "ss.pem", "-untrusted", "int.pem"}, "leaf.pem", []int{20}},
		{"intermediate-anchor", []string{"-CAfile", "int.pem"}, "leaf.pem", []int{2}},
		{"partial-chain", []string{"-CAfile", "int.pem", "-partial_chain"}, "leaf.pem", nil},
		{"self-signed", []string{"-CAfile", "root.pem"}, "ss.pem", []int{18}},
		{"self-signed-in-chain", []string{"-CAfile", "ss.pem", "-untrusted", "int.pem", "-untrusted", "root.pem"}, "leaf.pem", []int{19}},
		{"self-signed-trusted", []string{"-CAfile", "ss.pem"}, "ss.pem", nil},
		{"expired", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-attime", later}, "leaf.pem", []int{10, 10, 10}},
		{"not-yet-valid", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-attime", earlier}, "leaf.pem", []int{9}},
		// -attime wins over -no_check_time.
		{"attime-beats-no-check-time", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-attime", later, "-no_check_time"}, "leaf.pem", []int{10, 10, 10}},
		{"too-long", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-verify_depth", "0"}, "leaf.pem", []int{22}},
		{"depth-1", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-verify_depth", "1"}, "leaf.pem", nil},
		{"bad-signature", []string{"-CAfile", "root.pem", "-untrusted", "int.pem"}, "badsig.pem", []int{7}},
		{"purpose-ok", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-purpose", "sslserver"}, "leaf.pem", nil},
		{"purpose-client-only", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-purpose", "sslserver"}, "clientonly.pem", []int{26}},
		{"purpose-smime", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-purpose", "smimesign"}, "leaf.pem", []int{26}},
		{"not-a-ca", []string{"-CAfile", "root.pem", "-untrusted", "notca.pem"}, "undernotca.pem", []int{79}},
		{"path-length", []string{"-CAfile", "plroot.pem", "-untrusted", "plint.pem"}, "plleaf.pem", []int{25}},
		{"hostname-ok", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-verify_hostname", "LocalHost"}, "leaf.pem", nil},
		{"hostname", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-verify_hostname", "other.example"}, "leaf.pem", []int{62}},
		{"hostname-cn", []string{"-CAfile", "ss.pem", "-verify_hostname", "localhost"}, "ss.pem", nil},
		{"email", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-verify_email", "x@b.c"}, "leaf.pem", []int{63}},
		{"email-ok", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-verify_email", "a@B.C"}, "leaf.pem", nil},
		{"ip", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-verify_ip", "10.0.0.1"}, "leaf.pem", []int{64}},
		{"ip-ok", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-verify_ip", "127.0.0.1"}, "leaf.pem", nil},
		{"crl-missing", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-crl_check"}, "leaf.pem", []int{3}},
		{"crl-good", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-crl_check", "-CRLfile", "int.crl"}, "leaf.pem", nil},
		{"crl-revoked", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-crl_check", "-CRLfile", "int.crl"}, "revoked.pem", []int{23}},
		{"crl-all-missing-root", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-crl_check_all", "-CRLfile", "int.crl"}, "leaf.pem", []int{3}},
		{"crl-all", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-crl_check_all", "-CRLfile", "int.crl", "-CRLfile", "root.crl"}, "leaf.pem", nil},
		{"crl-expired", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-crl_check", "-CRLfile", "int.crl", "-attime", soon}, "leaf.pem", []int{12}},
		{"crl-not-yet-valid", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-crl_check", "-CRLfile", "int.crl", "-attime", earlier}, "leaf.pem", []int{11, 9}},
		{"auth-level-ee-key", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-auth_level", "2"}, "rsa1024.pem", []int{66}},
		{"auth-level-1-rsa1024", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-auth_level", "1"}, "rsa1024.pem", nil},
		{"auth-level-sha1", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-auth_level", "1"}, "sha1.pem", []int{68}},
		{"auth-level-0-sha1", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-auth_level", "0"}, "sha1.pem", nil},
		{"auth-level-ca-key", []string{"-CAfile", "root.pem", "-untrusted", "smallint.pem", "-auth_level", "2"}, "undersmall.pem", []int{67}},
		{"critical-extension", []string{"-CAfile", "root.pem", "-untrusted", "int.pem"}, "critext.pem", []int{34}},
		{"ignore-critical", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-ignore_critical"}, "critext.pem", nil},
		{"strict-ca-leaf", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-x509_strict"}, "caleaf.pem", []int{92}},
		{"strict-good", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-x509_strict"}, "leaf.pem", nil},
		{"lax-ca-leaf", []string{"-CAfile", "root.pem", "-untrusted", "int.pem"}, "caleaf.pem", nil},
		{"auth-level-4", []string{"-CAfile", "root.pem", "-untrusted", "int.pem", "-auth_level", "4"}, "leaf.pem", []int{66}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			args := append(append([]string{"verify"}, tc.args...), tc.leaf)
			out, runErr := ossl(ctx, dir, args...)
			var want []string
			var wantCodes []int
			for _, m := range verifyErrLine.FindAllStringSubmatch(out, -1) {
				want = append(want, fmt.Sprintf("error %s at %s depth lookup: %s", m[1], m[2], m[3]))
				n, _ := strconv.Atoi(m[1])
				wantCodes = append(wantCodes, n)
			}
			if fmt.Sprint(wantCodes) != fmt.Sprint(tc.want) {
				t.Errorf("openssl printed codes %v, the case expects %v:\n%s", wantCodes, tc.want, out)
			}
			o := optionsFromArgs(t, dir, tc.args)
			o.Callback = VerifyCommandCallback
			r := Verify(readPEM(t, dir, tc.leaf), o)
			var got []string
			for _, e := range r.Events {
				if !e.OK {
					got = append(got, fmt.Sprintf("error %d at %d depth lookup: %s", e.Code, e.Depth, ErrorString(e.Code)))
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("errors differ\n got: %q\nwant: %q\nopenssl output:\n%s", got, want, out)
			}
			if (r.Code == 0) != (runErr == nil) {
				t.Errorf("final code %d, openssl exit %v", r.Code, runErr)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	for code, want := range map[int]string{
		0: "ok", 18: "self-signed certificate", 20: "unable to get local issuer certificate",
		62: "hostname mismatch", 79: "invalid CA certificate", 1000: "unknown certificate verification error",
	} {
		if got := ErrorString(code); got != want {
			t.Errorf("ErrorString(%d) = %q, want %q", code, got, want)
		}
	}
}

// TestHostnameMatchesOpenSSL compares matchHost with openssl x509
// -checkhost, which uses the same matcher as -verify_hostname.
func TestHostnameMatchesOpenSSL(t *testing.T) {
	dir := pki(t)
	hosts := map[string][]string{
		"wild.pem": {"www.example.com", "example.com", "a.b.example.com", "foo.test.org", "x.com", "a.x.net",
			"www.xn--bcher-kva.ch", "xn--abc.idn.org", "exact.org", "EXACT.org.", "cn.example", ".example.com",
			"WWW.EXAMPLE.COM", "foo.pre.org", "f.pre.org", "ax.suf.org", "x.suf.org", "a.y.suf.org", ".org"},
		"ss.pem": {"localhost", "LOCALHOST", "other"},
	}
	for file, names := range hosts {
		cert := readPEM(t, dir, file)[0]
		for _, h := range names {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, err := ossl(ctx, dir, "x509", "-in", file, "-noout", "-checkhost", h)
			cancel()
			if err != nil {
				t.Fatalf("checkhost %s: %v %s", h, err, out)
			}
			want := strings.Contains(out, " does match")
			if _, got := matchHost(cert, h); got != want {
				t.Errorf("%s: matchHost(%q) = %v, openssl: %s", file, h, got, strings.TrimSpace(out))
			}
		}
	}
}

func TestASN1Time(t *testing.T) {
	for in, want := range map[time.Time]string{
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC):                       "Jan  2 03:04:05 2026 GMT",
		time.Date(2026, 12, 21, 10, 24, 19, 0, time.FixedZone("X", 3600)): "Dec 21 09:24:19 2026 GMT",
	} {
		if got := asn1Time(in); got != want {
			t.Errorf("asn1Time(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestVerifyEmptyPeer(t *testing.T) {
	if r := Verify(nil, Options{}); r.Code != ErrUnspecified || len(r.Events) != 0 {
		t.Fatalf("Verify(nil) = %+v", r)
	}
}
