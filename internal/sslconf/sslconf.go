// Package sslconf reads the system TLS defaults from openssl.cnf as
// OpenSSL 3.0 does: the file named by OPENSSL_CONF, else OPENSSLDIR's
// openssl.cnf; the default section's openssl_conf names the init section,
// whose ssl_conf names the SSL section, whose system_default names the
// section of SSL_CONF commands applied under the command line's options.
package sslconf

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tlskit/tlskit/internal/lazy"
)

// DefaultPath is openssl.cnf in the OPENSSLDIR of Debian's and Ubuntu's
// openssl 3.0 (`openssl version -d`).
const DefaultPath = "/usr/lib/ssl/openssl.cnf"

// Defaults are the system_default section's SSL_CONF commands, in file
// order: what openssl applies to every SSL_CTX as it is made, under the
// command line.
type Defaults struct {
	Commands []Command
}

// Path returns the configuration file openssl would read.
func Path() string {
	if p := os.Getenv("OPENSSL_CONF"); p != "" {
		return p
	}
	return DefaultPath
}

// System returns the defaults of the system's openssl.cnf, read once on
// first use. A missing or unreadable file gives empty defaults, as openssl
// then runs on its built-in ones.
func System() *Defaults { return system.Get() }

var system = lazy.Value[*Defaults]{Build: func() *Defaults {
	d, _ := Load(Path())
	return d
}}

// maxSize bounds what is read of a configuration file.
const maxSize = 1 << 20

// Load reads the defaults from the named file.
func Load(path string) (*Defaults, error) {
	f, err := os.Open(path)
	if err != nil {
		return &Defaults{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return &Defaults{}, err
	}
	secs := sections{}
	cur := "default"
	parseInto(bufio.NewScanner(&limitedReader{f: f, n: maxSize}), secs, &cur, 0)
	return fromSections(secs), nil
}

type limitedReader struct {
	f *os.File
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, os.ErrClosed
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}

// sections maps a section name to its name = value pairs, in file order.
type sections map[string][]pair

type pair struct{ name, value string }

func (s sections) get(sec, name string) (string, bool) {
	v, ok := "", false
	for _, p := range s[sec] {
		if p.name == name {
			v, ok = p.value, true // the last one wins
		}
	}
	return v, ok
}

// parse reads a configuration text on its own (no includes followed).
func parse(sc *bufio.Scanner) sections {
	secs := sections{}
	cur := "default"
	parseInto(sc, secs, &cur, maxIncludeDepth)
	return secs
}

// maxIncludeDepth bounds nested .include directives.
const maxIncludeDepth = 8

// parseInto reads OpenSSL's configuration syntax (config(5)) into secs:
// "[ section ]" headers, "name = value" lines, '#' comments, quoted
// values, backslash line continuations, $name / ${name} / $(name)
// references to earlier values in the same section or the default one,
// and ".include [=] path" (a file, or a directory's *.cnf and *.conf
// files), which is how distributions plug in their crypto policies.
// Other directives (.pragma) are skipped.
func parseInto(sc *bufio.Scanner, secs sections, curp *string, depth int) {
	cur := *curp
	defer func() { *curp = cur }()
	var cont strings.Builder
	for sc.Scan() {
		line := sc.Text()
		if strings.HasSuffix(line, "\\") && !strings.HasSuffix(line, "\\\\") {
			cont.WriteString(strings.TrimSuffix(line, "\\"))
			continue
		}
		if cont.Len() > 0 {
			line = cont.String() + line
			cont.Reset()
		}
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, ".include") && depth < maxIncludeDepth {
			path := strings.TrimSpace(strings.TrimPrefix(line, ".include"))
			path = strings.TrimSpace(strings.TrimPrefix(path, "="))
			include(unquote(path, func(string) string { return "" }), secs, &cur, depth+1)
			continue
		}
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '.' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end > 0 {
				cur = strings.TrimSpace(line[1:end])
			}
			continue
		}
		eq := strings.IndexByte(line, '=')
		if eq <= 0 {
			continue
		}
		name := strings.TrimSpace(line[:eq])
		if i := strings.Index(name, "::"); i >= 0 {
			name = name[i+2:]
		}
		value := unquote(strings.TrimSpace(line[eq+1:]), func(ref string) string {
			if v, ok := secs.get(cur, ref); ok {
				return v
			}
			v, _ := secs.get("default", ref)
			return v
		})
		// A name given again in a section replaces the earlier line,
		// which leaves its place: the section's lines are in the order
		// of their last settings (openssl's NCONF, measured with 3.0.22:
		// "MinProtocol = TLSv9" then "MinProtocol = TLSv1.2" does not
		// fail; names differing in case are two lines).
		secs[cur] = append(slices.DeleteFunc(secs[cur], func(p pair) bool { return p.name == name }), pair{name, value})
	}
}

// include reads an included file, or the *.cnf and *.conf files of an
// included directory in name order. A relative path is taken from
// OPENSSL_CONF_INCLUDE when set, as openssl does.
func include(path string, secs sections, cur *string, depth int) {
	if path == "" {
		return
	}
	if !filepath.IsAbs(path) {
		if dir := os.Getenv("OPENSSL_CONF_INCLUDE"); dir != "" {
			path = filepath.Join(dir, path)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	files := []string{path}
	if fi.IsDir() {
		files = nil
		entries, _ := os.ReadDir(path)
		for _, e := range entries {
			if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".cnf") || strings.HasSuffix(n, ".conf")) {
				files = append(files, filepath.Join(path, n))
			}
		}
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			parseInto(bufio.NewScanner(&limitedReader{f: f, n: maxSize}), secs, cur, depth)
		}
		f.Close()
	}
}

// unquote processes a value: quotes, escapes, variable references, and a
// trailing comment.
func unquote(s string, lookup func(string) string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '#':
			return strings.TrimSpace(b.String())
		case c == '"' || c == '\'':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				b.WriteString(s[i+1:])
				return b.String()
			}
			b.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(s[i])
			}
		case c == '$' && i+1 < len(s):
			rest := s[i+1:]
			var ref string
			switch rest[0] {
			case '{', '(':
				closer := byte('}')
				if rest[0] == '(' {
					closer = ')'
				}
				end := strings.IndexByte(rest, closer)
				if end < 0 {
					b.WriteByte(c)
					continue
				}
				ref, i = rest[1:end], i+1+end
			default:
				n := 0
				for n < len(rest) && isNameByte(rest[n]) {
					n++
				}
				if n == 0 {
					b.WriteByte(c)
					continue
				}
				ref, i = rest[:n], i+n
			}
			b.WriteString(lookup(ref))
		default:
			b.WriteByte(c)
		}
	}
	return strings.TrimSpace(b.String())
}

func isNameByte(c byte) bool {
	return c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// sslModule is the ssl_conf module's section: its name = section pairs,
// in file order. ok is false when there is none, or when openssl's module
// fails to load and so configures nothing: a section it names is missing
// or empty (measured with openssl 3.0: system_default is then dropped and
// every -ssl_config name is "invalid configuration name").
func sslModule(secs sections) (names []pair, ok bool) {
	init, ok := secs.get("default", "openssl_conf")
	if !ok {
		return nil, false
	}
	sslSect, ok := secs.get(init, "ssl_conf")
	if !ok {
		return nil, false
	}
	names, ok = secs[sslSect]
	if !ok {
		return nil, false
	}
	for _, p := range names {
		if len(secs[p.value]) == 0 {
			return nil, false
		}
	}
	return names, true
}

// commands returns the SSL_CONF commands of the module's entry name (the
// first of that name; names are matched case-sensitively, as openssl
// matches them).
func commands(secs sections, name string) ([]Command, bool) {
	names, ok := sslModule(secs)
	if !ok {
		return nil, false
	}
	for _, p := range names {
		if p.name == name {
			var cmds []Command
			for _, c := range secs[p.value] {
				cmds = append(cmds, Command{Name: c.name, Value: c.value})
			}
			return cmds, true
		}
	}
	return nil, false
}

// Command is one SSL_CONF file command: "MinProtocol = TLSv1.2".
type Command struct{ Name, Value string }

// Section returns the commands that SSL_CTX_config(ctx, name) applies,
// from the configuration file at path, in file order: those of the
// section that the ssl_conf module's entry name names. ok is false when
// openssl would say "invalid configuration name": the file cannot be
// read, it has no ssl_conf module, the module has no such entry, or the
// module does not load (see sslModule).
func Section(path, name string) (cmds []Command, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	secs := sections{}
	cur := "default"
	parseInto(bufio.NewScanner(&limitedReader{f: f, n: maxSize}), secs, &cur, 0)
	return commands(secs, name)
}

// fromSections follows openssl_conf → ssl_conf → system_default.
func fromSections(secs sections) *Defaults {
	cmds, _ := commands(secs, "system_default")
	return &Defaults{Commands: cmds}
}

// File is a file in openssl.cnf's syntax read on its own, for the other
// files openssl reads that way (the CT log list, ct_log_list.cnf).
type File struct{ secs sections }

// ReadFile reads the named file as Load does (bounded, includes followed).
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	secs := sections{}
	cur := "default"
	parseInto(bufio.NewScanner(&limitedReader{f: f, n: maxSize}), secs, &cur, 0)
	return &File{secs}, nil
}

// Get is the value of name in section ("default" before any header);
// the last one wins.
func (f *File) Get(section, name string) (string, bool) { return f.secs.get(section, name) }
