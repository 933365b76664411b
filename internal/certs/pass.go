package certs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// passMax mirrors OpenSSL's pass phrase buffer: it keeps at most 1023 bytes of the line, so a
// long pass phrase read here decrypts the same files that openssl itself wrote from that source.
const passMax = 1023

// stdin is where ReadPass("stdin") reads; tests replace it with testOnlySetStdin.
var stdin io.Reader = os.Stdin

// testOnlySetStdin swaps the reader behind the "stdin" pass source and returns a restore func.
func testOnlySetStdin(r io.Reader) (restore func()) {
	old := stdin
	stdin = r
	return func() { stdin = old }
}

// ReadPass resolves a pass phrase argument (-pass, -passin, -dpass, -proxy_pass) as openssl does:
// pass:TEXT, env:VAR, file:PATH, fd:N or stdin. From files, descriptors and stdin only the first
// line is used, without its "\n" (a "\r" is kept, as openssl keeps it). An empty spec gives "".
//
// The spec itself never appears in an error for an unknown form, because a user who forgot the
// "pass:" prefix has just typed the secret.
func ReadPass(spec string) (string, error) {
	switch {
	case spec == "":
		return "", nil
	case strings.HasPrefix(spec, "pass:"):
		return spec[len("pass:"):], nil
	case strings.HasPrefix(spec, "env:"):
		name := spec[len("env:"):]
		v, ok := os.LookupEnv(name)
		if !ok {
			return "", passError(spec, fmt.Errorf("environment variable %s is not set", name))
		}
		return v, nil
	case strings.HasPrefix(spec, "file:"):
		path := spec[len("file:"):]
		f, err := os.Open(path)
		if err != nil {
			return "", passError(spec, fileReason(err))
		}
		defer f.Close()
		p, err := readPassLine(f)
		if err != nil {
			return "", passError(spec, err)
		}
		return p, nil
	case strings.HasPrefix(spec, "fd:"):
		n, err := strconv.Atoi(spec[len("fd:"):])
		if err != nil || n < 0 {
			return "", passError(spec, errors.New("not a file descriptor number"))
		}
		p, err := readPassFD(n)
		if err != nil {
			return "", passError(spec, err)
		}
		return p, nil
	case spec == "stdin":
		p, err := readPassLine(stdin)
		if err != nil {
			return "", passError(spec, err)
		}
		return p, nil
	}
	return "", &LoadError{What: "pass phrase", Err: errors.New("invalid pass phrase argument: use pass:TEXT, env:VAR, file:PATH, fd:N or stdin")}
}

func passError(spec string, err error) error {
	return &LoadError{What: "pass phrase", Path: spec, Err: err}
}

// readPassLine reads one byte at a time so that nothing after the first line is consumed: with
// -pass stdin the rest of stdin is the session's input.
func readPassLine(r io.Reader) (string, error) {
	var line []byte
	var b [1]byte
	sawAny := false
	for len(line) < passMax {
		n, err := r.Read(b[:])
		if n == 1 {
			sawAny = true
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fileReason(err)
		}
	}
	if !sawAny {
		return "", errors.New("no pass phrase: input is empty")
	}
	return string(line), nil
}
