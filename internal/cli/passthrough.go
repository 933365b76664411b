package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// skipEnv lists, colon-separated, the resolved paths of the tlskit
// binaries a passthrough has already gone through, so that two copies of
// tlskit installed as openssl never exec each other in a loop.
const skipEnv = "TLSKIT_OPENSSL_SKIP"

// ours reports whether tlskit answers command itself when it runs under
// the name openssl: only s_client and s_server. Everything else (x509,
// verify, req, version…) belongs to the real openssl, so that
// `s_client -showcerts | openssl x509 -noout -dates` keeps working when
// openssl is a symlink to tlskit.
func ours(command string) bool {
	return command == "s_client" || command == "s_server"
}

// realOpenSSL finds the first openssl on PATH that is not tlskit itself
// (nor a tlskit that handed over to this one), following symlinks. It
// returns "" when there is none.
func realOpenSSL(self []string) string {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		cand := filepath.Join(dir, "openssl")
		fi, err := os.Stat(cand)
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			continue
		}
		if isSelf(cand, fi, self) {
			continue
		}
		return cand
	}
	return ""
}

// isSelf reports whether cand (already stat'ed) is one of the binaries in
// self, by path after resolving symlinks or by file identity.
func isSelf(cand string, fi fs.FileInfo, self []string) bool {
	resolved, err := filepath.EvalSymlinks(cand)
	if err != nil {
		return true // cannot tell: never risk exec'ing ourselves
	}
	for _, s := range self {
		if resolved == s {
			return true
		}
		if sfi, err := os.Stat(s); err == nil && os.SameFile(fi, sfi) {
			return true
		}
	}
	return false
}

// selfPaths is this binary's resolved path plus those the passthrough
// went through before it.
func selfPaths() []string {
	var self []string
	if exe, err := os.Executable(); err == nil {
		if r, err := filepath.EvalSymlinks(exe); err == nil {
			exe = r
		}
		self = append(self, exe)
	}
	for _, p := range filepath.SplitList(os.Getenv(skipEnv)) {
		if p != "" {
			self = append(self, p)
		}
	}
	return self
}

// passThrough runs the real openssl with args (args[0] included) and the
// same standard streams, for a command tlskit does not implement. With the
// process's own streams it replaces tlskit (exec: no child, openssl's exit
// status is tlskit's); with others (tests) it runs openssl as a child.
func passThrough(args []string, s Stdio) int {
	self := selfPaths()
	prog := realOpenSSL(self)
	if prog == "" {
		fmt.Fprintf(s.Err, "openssl: '%s' is not a tlskit command (tlskit implements s_client and s_server), and no other openssl was found on PATH to run it\n", commandName(args))
		return 1
	}
	env := append(os.Environ(), skipEnv+"="+strings.Join(self, string(filepath.ListSeparator)))
	argv := append([]string{prog}, args[1:]...)
	if s.In == os.Stdin && s.Out == os.Stdout && s.Err == os.Stderr {
		err := execProgram(prog, argv, env)
		// Only reached when exec is unavailable or failed: run a child.
		if !errors.Is(err, errNoExec) {
			fmt.Fprintf(s.Err, "openssl: cannot run %s: %v\n", prog, err)
			return 1
		}
	}
	cmd := exec.Command(prog, argv[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s.In, s.Out, s.Err
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if code := ee.ExitCode(); code >= 0 {
			return code
		}
		return 1 // killed by a signal
	}
	fmt.Fprintf(s.Err, "openssl: cannot run %s: %v\n", prog, err)
	return 1
}

func commandName(args []string) string {
	if len(args) > 1 {
		return args[1]
	}
	return ""
}

var errNoExec = errors.New("exec is not available on this system")
