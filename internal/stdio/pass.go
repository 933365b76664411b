package stdio

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// AskPass asks for the pass phrase of the encrypted key in path, as
// openssl does when no -pass was given: "Enter pass phrase for PATH:" on
// the controlling terminal, the answer typed without echo. Without a
// terminal (a script, a pipeline) openssl prompts on stderr and reads the
// line from stdin instead, and so does AskPass, reading s.In a byte at a
// time so that nothing after the line is taken from the session's input.
func AskPass(path string, s Stdio) (string, error) {
	prompt := "Enter pass phrase for " + path + ":"
	if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		defer tty.Close()
		return askTerminal(tty, prompt)
	}
	if s.Err != nil {
		io.WriteString(s.Err, prompt)
		defer io.WriteString(s.Err, "\n")
	}
	if s.In == nil {
		return "", errNoPass
	}
	return readLine(s.In)
}

var errNoPass = errors.New("no pass phrase was entered")

// askTerminal prompts on tty and reads the answer with echo turned off
// (restored before returning), then ends the prompt's line, since the
// user's Enter was not echoed.
func askTerminal(tty *os.File, prompt string) (string, error) {
	if _, err := io.WriteString(tty, prompt); err != nil {
		return "", err
	}
	restore, err := echoOff(tty)
	if err != nil {
		return "", fmt.Errorf("cannot turn off the terminal's echo: %w", err)
	}
	line, rerr := readLine(tty)
	restore()
	io.WriteString(tty, "\n")
	return line, rerr
}

// maxPass bounds a pass phrase line; openssl keeps at most 1023 bytes.
const maxPass = 1023

// readLine reads up to a newline, a byte at a time, and returns the line
// without its CR LF. End of input before any byte is an error.
func readLine(r io.Reader) (string, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			if len(line) < maxPass {
				line = append(line, b[0])
			}
			continue
		}
		if err != nil {
			if len(line) == 0 {
				return "", errNoPass
			}
			break
		}
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return string(line), nil
}
