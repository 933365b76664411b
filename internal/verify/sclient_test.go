package verify

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/dn"
)

// startServer runs "openssl s_server -www" for one connection on an
// OS-picked loopback port and returns the port once it printed ACCEPT.
func startServer(t *testing.T, dir string, args ...string) string {
	t.Helper()
	args = append([]string{"s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-www"}, args...)
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() // by PID: only the server this test started
		cmd.Wait()
	})
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "ACCEPT") {
				port <- line[strings.LastIndexByte(line, ':')+1:]
				break
			}
		}
		close(port)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case p, ok := <-port:
		if !ok || p == "" {
			t.Fatalf("s_server exited without ACCEPT: %s", stderr.String())
		}
		return p
	case <-time.After(15 * time.Second):
		t.Fatalf("s_server printed no ACCEPT line in time: %s", stderr.String())
	}
	return ""
}

// stderrNoise matches s_client's stderr lines that are not the verify
// callback's; everything else must be reproduced by WriteCallbackLines.
var stderrNoise = regexp.MustCompile(`^(Can't use SSL_get_servername|DONE|verify depth is [0-9]+|[0-9A-F]+:error:.*|)$`)
var verifyReturn = regexp.MustCompile(`Verify return code: (\d+) `)

// runClient connects openssl s_client to port and returns its verify
// callback lines (stderr) and the first "Verify return code".
func runClient(t *testing.T, dir, port string, args ...string) (string, int) {
	t.Helper()
	var lines []string
	code := -1
	for attempt := 0; attempt < 5; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, "openssl", append([]string{"s_client", "-connect", "127.0.0.1:" + port}, args...)...)
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.Run()
		cancel()
		if strings.Contains(stderr.String(), "connect:errno") {
			continue // the listener may not be ready yet: dial again
		}
		for _, l := range strings.Split(stderr.String(), "\n") {
			if !stderrNoise.MatchString(l) {
				lines = append(lines, l)
			}
		}
		if m := verifyReturn.FindStringSubmatch(stdout.String()); m != nil {
			code, _ = strconv.Atoi(m[1])
		}
		return strings.Join(lines, "\n") + "\n", code
	}
	t.Fatal("s_client could not connect")
	return "", 0
}

func TestCallbackLinesMatchSClient(t *testing.T) {
	dir := pki(t)
	later := strconv.FormatInt(time.Now().Add(60*24*time.Hour).Unix(), 10)
	cases := []struct {
		name     string
		served   []string // certificate files the server sends, leaf first
		client   []string // s_client verify arguments
		wantCode int
	}{
		{"good", []string{"leaf.pem", "int.pem"}, []string{"-CAfile", "root.pem"}, 0},
		{"self-signed", []string{"ss.pem"}, []string{"-CAfile", "root.pem"}, 18},
		{"missing-root", []string{"leaf.pem", "int.pem"}, []string{"-CAfile", "ss.pem"}, 20},
		{"leaf-only", []string{"leaf.pem"}, []string{"-CAfile", "root.pem"}, 21},
		{"intermediate-anchor", []string{"leaf.pem"}, []string{"-CAfile", "int.pem"}, 2},
		{"expired", []string{"leaf.pem", "int.pem"}, []string{"-CAfile", "root.pem", "-attime", later}, 10},
		{"hostname", []string{"leaf.pem", "int.pem"}, []string{"-CAfile", "root.pem", "-verify_hostname", "other.example"}, 62},
		{"quiet-several", []string{"leaf.pem", "int.pem"}, []string{"-CAfile", "root.pem", "-verify_hostname", "other.example", "-attime", later, "-verify_quiet"}, 10},
		{"return-error", []string{"leaf.pem", "int.pem"}, []string{"-CAfile", "root.pem", "-verify_hostname", "other.example", "-verify_return_error"}, 62},
		{"sha1-at-level-1", []string{"sha1.pem", "int.pem"}, []string{"-CAfile", "root.pem"}, 68},
		{"verify-depth-0", []string{"leaf.pem", "int.pem"}, []string{"-CAfile", "root.pem", "-verify_depth", "0"}, 20},
		{"nameopt-compat", []string{"leaf.pem", "int.pem"}, []string{"-CAfile", "root.pem", "-nameopt", "compat"}, 0},
		{"nameopt-multiline", []string{"leaf.pem", "int.pem"}, []string{"-CAfile", "ss.pem", "-nameopt", "multiline"}, 20},
		{"verify-arg-1", []string{"leaf.pem", "int.pem"}, []string{"-CAfile", "root.pem", "-verify", "1", "-attime", later}, 10},
		{"client-only-eku", []string{"clientonly.pem", "int.pem"}, []string{"-CAfile", "root.pem"}, 26},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sargs := []string{"-cert", tc.served[0], "-key", strings.TrimSuffix(tc.served[0], ".pem") + ".key"}
			if len(tc.served) > 1 {
				sargs = append(sargs, "-cert_chain", tc.served[1])
			}
			if tc.name == "sha1-at-level-1" {
				sargs = append(sargs, "-auth_level", "0", "-cipher", "DEFAULT:@SECLEVEL=0")
			}
			port := startServer(t, dir, sargs...)
			want, code := runClient(t, dir, port, tc.client...)
			if code != tc.wantCode {
				t.Errorf("openssl s_client returned %d, the case expects %d:\n%s", code, tc.wantCode, want)
			}

			// s_client verifies a server with purpose sslserver at the
			// default security level 1; s_client only keeps its own flags.
			o := Options{Depth: 100, Purpose: "sslserver", AuthLevel: 1}
			quiet := false
			nameopt := dn.Default()
			for i := 0; i < len(tc.client); i++ {
				switch tc.client[i] {
				case "-CAfile":
					i++
					o.Roots = readPEM(t, dir, tc.client[i])
				case "-attime":
					i++
					n, _ := strconv.ParseInt(tc.client[i], 10, 64)
					o.AtTime = time.Unix(n, 0)
				case "-verify_hostname":
					i++
					o.Hostname = tc.client[i]
				case "-verify_depth":
					i++
					o.Depth, _ = strconv.Atoi(tc.client[i])
				case "-nameopt":
					i++
					var err error
					if nameopt, err = dn.ParseOptions(tc.client[i]); err != nil {
						t.Fatal(err)
					}
				case "-verify":
					i++
					n, _ := strconv.Atoi(tc.client[i])
					o.Callback = SClientCallback(n, false)
				case "-verify_quiet":
					quiet = true
				case "-verify_return_error":
					o.StopOnError = true
				}
			}
			r := Verify(readPEM(t, dir, tc.served...), o)
			var got bytes.Buffer
			WriteCallbackLines(&got, r, nameopt, quiet)
			if got.String() != want {
				t.Errorf("callback lines differ\n got:\n%s\nwant:\n%s", got.String(), want)
			}
			if code >= 0 && r.Code != code {
				t.Errorf("Result.Code = %d, s_client Verify return code = %d", r.Code, code)
			}
		})
	}
}
