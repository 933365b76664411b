package consumers

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sclient"
	"github.com/tlskit/tlskit/internal/sserver"
)

var update = flag.Bool("update", false, "re-record openssl's verdicts into testdata")

// probesFile records, for every option name probed, whether the openssl
// 3.0 here answers "unknown option" to `openssl CMD -NAME </dev/null`.
const probesFile = "testdata/option_probes.txt"

// probeExtras are option names a script may probe for that openssl 3.0's
// -help does not list: options of older and newer releases, of other
// builds, and spellings of help. Recording (-update) probes them together
// with every name in openssl's -help and in tlskit's tables.
var probeExtras = []string{
	"-ssl2", "-ssl3", "-no_ssl2", "-sctp", "-sctp_label_bug", "-dtls1_3", "-krb5svc",
	"-ktls", "-enable_ktls", "-enable_kernel_tls", "-enable_client_rpk", "-enable_server_rpk",
	"-ech", "-ech_config_list", "-quic", "-tfo", "-adv", "-prefer_no_dhe_kex", "-no_ems",
	"-no_ecdhe", "-ocsp", "-chain", "-dchainCAfile", "-allow_unsafe_legacy_renegotiation",
	"-hack", "-bugs", "-no_tmp_rsa", "-pause", "-CRLForm", "-crlform",
	"-h", "-H", "--help", "-?", "-v", "-version", "-unknownthing",
}

var helpOption = regexp.MustCompile(`(?m)^ (-\S+)`)

// TestOptionProbes compares, for s_client and s_server and every option
// name in the recording and in tlskit's tables, whether tlskit answers
// "unknown option" exactly when openssl does (issue 9, item 5). With the
// openssl 3.0 here, openssl is asked live too, so the recording cannot
// drift; -update re-records it.
func TestOptionProbes(t *testing.T) {
	recorded := readProbes(t)
	var osslPath string
	if *update {
		osslPath = needOpenSSL(t)
	} else if p, err := findOpenSSL30(); err == nil {
		osslPath = p
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: %v", err)
	} else {
		t.Logf("%v: checking tlskit against the recording only", err)
	}
	hold4433(t)

	type probe struct{ cmd, name string }
	var probes []probe
	names := map[string]map[string]bool{}
	for _, tab := range []*opt.Table{sclient.Table, sserver.Table} {
		set := map[string]bool{}
		for n := range recorded[tab.Prog] {
			set[n] = true
		}
		for _, o := range tab.List() {
			if o.Name != "" {
				set["-"+o.Name] = true
			}
		}
		if *update {
			r := runProg(10*time.Second, env(false), "", "", osslPath, tab.Prog, "-help")
			for _, m := range helpOption.FindAllStringSubmatch(r.Stderr, -1) {
				set[m[1]] = true
			}
			for _, n := range probeExtras {
				set[n] = true
			}
		}
		names[tab.Prog] = set
		for n := range set {
			probes = append(probes, probe{tab.Prog, n})
		}
	}
	slices.SortFunc(probes, func(a, b probe) int { return strings.Compare(a.cmd+" "+a.name, b.cmd+" "+b.name) })
	if n := len(probes); n < 400 && !*update {
		t.Fatalf("only %d option names to probe; the recording looks wrong", n)
	}

	type verdict struct{ tlskit, openssl, live bool }
	got := make([]verdict, len(probes))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, p := range probes {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			got[i].tlskit = unknownOption(tlskitBin, p.cmd, p.name)
			if osslPath != "" {
				got[i].openssl, got[i].live = unknownOption(osslPath, p.cmd, p.name), true
			}
		}()
	}
	wg.Wait()

	if *update {
		var b strings.Builder
		b.WriteString("# `openssl CMD -NAME </dev/null 2>&1 | grep -i 'unknown option'` with OpenSSL 3.0;\n# re-record with: go test ./internal/consumers -run TestOptionProbes -update\n")
		for i, p := range probes {
			v := "known"
			if got[i].openssl {
				v = "unknown"
			}
			fmt.Fprintf(&b, "%s %s %s\n", p.cmd, p.name, v)
		}
		if err := os.WriteFile(probesFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		recorded = readProbes(t)
	}
	for i, p := range probes {
		want, ok := recorded[p.cmd][p.name]
		switch {
		case !ok && got[i].live:
			want = got[i].openssl
			t.Errorf("%s %s: not in %s (openssl says unknown=%v); run -update", p.cmd, p.name, probesFile, want)
		case !ok:
			t.Errorf("%s %s: in tlskit's table but not in %s; run -update with openssl 3.0", p.cmd, p.name, probesFile)
			continue
		case got[i].live && got[i].openssl != want:
			t.Errorf("%s %s: openssl now says unknown=%v, the recording %v; run -update", p.cmd, p.name, got[i].openssl, want)
			want = got[i].openssl
		}
		if got[i].tlskit != want {
			t.Errorf("%s %s </dev/null: tlskit says unknown option=%v, openssl %v", p.cmd, p.name, got[i].tlskit, want)
		}
	}
	t.Logf("%d probes compared (openssl live: %v)", len(probes), osslPath != "")
}

// unknownOption runs `prog cmd name </dev/null` as a probing script does
// and reports whether its output says "unknown option". The verdict is
// printed while the command line is parsed; a command that went on to
// serve or connect is stopped after a few seconds.
func unknownOption(prog, cmd, name string) bool {
	r := runProg(5*time.Second, env(false), os.TempDir(), "", prog, cmd, name)
	return strings.Contains(strings.ToLower(r.Stdout+r.Stderr), "unknown option")
}

// hold4433 keeps openssl's default port busy while options are probed, so
// an s_server probe fails to bind at once instead of serving, and an
// s_client probe's connection is closed at once. When another program
// holds the port, that program plays the same role.
func hold4433(t *testing.T) {
	l, err := net.Listen("tcp", ":4433")
	if err != nil {
		t.Logf("port 4433 is taken (%v): probes that get past parsing meet its holder", err)
	} else {
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	}
	if u, err := net.ListenPacket("udp", ":4433"); err == nil {
		t.Cleanup(func() { u.Close() })
	}
}

func readProbes(t *testing.T) map[string]map[string]bool {
	t.Helper()
	m := map[string]map[string]bool{}
	f, err := os.Open(probesFile)
	if os.IsNotExist(err) && *update {
		return m
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[2] != "known" && f[2] != "unknown" {
			t.Fatalf("%s: bad line %q", probesFile, line)
		}
		if m[f[0]] == nil {
			m[f[0]] = map[string]bool{}
		}
		m[f[0]][f[1]] = f[2] == "unknown"
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// findOpenSSL30 returns the real openssl when it is OpenSSL 3.0.x.
func findOpenSSL30() (string, error) {
	p, err := exec.LookPath("openssl")
	if err != nil {
		return "", err
	}
	r := runProg(10*time.Second, env(false), "", "", p, "version")
	if !strings.HasPrefix(r.Stdout, "OpenSSL 3.0.") {
		return "", fmt.Errorf("openssl here is %q, not OpenSSL 3.0", strings.TrimSpace(r.Stdout))
	}
	return p, nil
}
