package opt

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

var testTable = &Table{Prog: "t_cmd", Usage: "[options] [host:port]", MaxParams: 1, Options: []Option{
	Section("General options"),
	{Name: "help", Kind: None, Help: "Display this summary"},
	{Name: "connect", Kind: String, Help: "Where to connect"},
	{Name: "port", Kind: PosInt, Help: "Port"},
	{Name: "depth", Kind: Int, Help: "Depth"},
	{Name: "form", Kind: PEMDER, Help: "Format"},
	{Name: "async", Kind: None, Help: "Be async", NoEffect: true},
	{Name: "engine", Kind: String, Help: "Engine", Unsupported: "no engines"},
	{Name: "proxy", Kind: String, Help: "Proxy"},
	More("Second line of help"),
	Section("Other options"),
	{Name: "a_very_long_option_name", Kind: String, Help: "Long"},
	Section("Parameters"),
	Param("host:port", "Where to connect"),
}}

func TestParseGrammar(t *testing.T) {
	v, err := testTable.Parse([]string{"-connect", "a:1", "--port=5", "-depth=-2", "h:2", "-form", "der"})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Str("connect", ""); got != "a:1" {
		t.Errorf("connect = %q", got)
	}
	if got := v.Int("port", 0); got != 5 {
		t.Errorf("port = %d", got)
	}
	if got := v.Int("depth", 0); got != -2 {
		t.Errorf("depth = %d", got)
	}
	if len(v.Params) != 1 || v.Params[0] != "h:2" {
		t.Errorf("params = %q", v.Params)
	}
	if v.Last("connect", "port") != "port" {
		t.Errorf("Last = %q", v.Last("connect", "port"))
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-x"}, "t_cmd: Unknown option: -x\nt_cmd: Use -help for summary.\n"},
		{[]string{"--x=1"}, "t_cmd: Unknown option: --x=1\nt_cmd: Use -help for summary.\n"},
		{[]string{"-connect"}, "t_cmd: Option -connect needs a value\nt_cmd: Use -help for summary.\n"},
		{[]string{"-port", "abc"}, "t_cmd: Can't parse \"abc\" as a number\nt_cmd: Use -help for summary.\n"},
		{[]string{"-port", "0"}, "t_cmd: Non-positive number \"0\" for option -port\nt_cmd: Use -help for summary.\n"},
		{[]string{"-port", "99999999999"}, "t_cmd: Can't parse \"99999999999\" as a number\nt_cmd: Use -help for summary.\n"},
		{[]string{"-async=1"}, "t_cmd: Option -async does not take a value\nt_cmd: Use -help for summary.\n"},
		{[]string{"-form", "XYZ"}, "t_cmd: Bad format \"XYZ\"\nt_cmd: Invalid format \"XYZ\" for option -form\nt_cmd: Use -help for summary.\n"},
		{[]string{"a:1", "b:2"}, "t_cmd: Use -help for summary.\n"},
		{[]string{"-engine", "x"}, "t_cmd: -engine is not supported by tlskit: no engines\n"},
		// A typo after an unsupported option is reported first, as a usage error.
		{[]string{"-engine", "x", "-typo"}, "t_cmd: Unknown option: -typo\nt_cmd: Use -help for summary.\n"},
	} {
		var w bytes.Buffer
		_, code, ok := testTable.ParseArgs(tc.args, &w)
		if ok || code != 1 {
			t.Errorf("%q: ok=%v code=%d, want failure with exit 1", tc.args, ok, code)
		}
		if w.String() != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.args, w.String(), tc.want)
		}
	}
}

func TestHelpLayout(t *testing.T) {
	var w bytes.Buffer
	_, code, ok := testTable.ParseArgs([]string{"-connect", "x", "-help"}, &w)
	if ok || code != 0 {
		t.Fatalf("-help: ok=%v code=%d, want exit 0", ok, code)
	}
	want := `Usage: t_cmd [options] [host:port]

General options:
 -help                      Display this summary
 -connect val               Where to connect
 -port +int                 Port
 -depth int                 Depth
 -form PEM|DER              Format
 -async                     Be async (no effect in tlskit)
 -engine val                Engine
 -proxy val                 Proxy
                            Second line of help

Other options:
 -a_very_long_option_name val
                            Long

Parameters:
 host:port                  Where to connect
`
	if w.String() != want {
		t.Errorf("help:\n%s\nwant:\n%s", w.String(), want)
	}
}

func TestOneOf(t *testing.T) {
	if err := OneOf("b", []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	err := OneOf("z", []string{"a", "b"})
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v", err)
	}
	var w bytes.Buffer
	ue.Print(&w, "s_client")
	if got := w.String(); got != "s_client: Value must be one of:\n\ta\n\tb\n" {
		t.Errorf("got %q", got)
	}
}

// FuzzParse feeds arbitrary command lines to the parser: it must never
// panic, and any value it accepts for a numeric option must be a number.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"-connect a:1", "--port=5", "-form der -depth -3", "-x", "-=", "--", "- -", "-port=", "-help"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		v, err := testTable.Parse(strings.Fields(line))
		if err != nil {
			return
		}
		if s, ok := v.Get("port"); ok && v.Int("port", -1) <= 0 {
			t.Fatalf("accepted -port %q", s)
		}
	})
}

func TestDirOption(t *testing.T) {
	tab := &Table{Prog: "t_cmd", Options: []Option{{Name: "CApath", Kind: Dir, Help: "dir"}}}
	dir := t.TempDir()
	if _, err := tab.Parse([]string{"-CApath", dir}); err != nil {
		t.Errorf("a directory: %v", err)
	}
	file := dir + "/f"
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{file, dir + "/missing"} {
		var b bytes.Buffer
		_, code, ok := tab.ParseArgs([]string{"-CApath", bad}, &b)
		want := "t_cmd: Not a directory: " + bad + "\nt_cmd: Use -help for summary.\n"
		if ok || code != 1 || b.String() != want {
			t.Errorf("-CApath %s: ok %v code %d stderr %q, want %q", bad, ok, code, b.String(), want)
		}
	}
}
