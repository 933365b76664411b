// Package opt is the OpenSSL option engine: option records, OpenSSL's
// command-line grammar, value checking, -help rendering and OpenSSL-worded errors.
package opt

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Kind is the type of an option's value, after OpenSSL's option letters.
type Kind int

// The value kinds. The comment gives OpenSSL's letter and the word -help shows.
const (
	None         Kind = iota // '-'  no value
	String                   // 's'  val
	PosInt                   // 'p'  +int
	Int                      // 'n'  int
	IntMax                   // 'M'  intmax
	Long                     // 'l'  long
	ULong                    // 'u'  ulong
	InFile                   // '<'  infile
	OutFile                  // '>'  outfile
	Dir                      // '/'  dir
	URI                      // ':'  uri
	PEMDER                   // 'F'  PEM|DER
	PEMDEREngine             // 'E'  PEM|DER|ENGINE
	Format                   // 'f'  format
)

// word is what -help prints after the option name for each kind, indexed
// by it (an array: nothing to build at start-up).
var word = [...]string{
	None: "", String: "val", PosInt: "+int", Int: "int", IntMax: "intmax", Long: "long",
	ULong: "ulong", InFile: "infile", OutFile: "outfile", Dir: "dir", URI: "uri",
	PEMDER: "PEM|DER", PEMDEREngine: "PEM|DER|ENGINE", Format: "format",
}

func kindWord(k Kind) string {
	if k >= 0 && int(k) < len(word) {
		return word[k]
	}
	return ""
}

// Option is one record of a command's option table. A record whose Name is
// empty is a section header (Section), a continuation line of the previous
// record's help (More) or a positional parameter (Param).
type Option struct {
	Name string
	Kind Kind
	Help string

	// NoEffect marks an option that only tunes OpenSSL internals: it is
	// accepted, and -help says that it has no effect in tlskit.
	NoEffect bool
	// Unsupported, when set, is why tlskit cannot honour the option yet;
	// giving the option is an error at start-up.
	Unsupported string
	// Hidden options are accepted but not listed by -help: they appear in
	// OpenSSL's manual but not in the -help of the openssl build we mirror.
	Hidden bool

	section string // header text, for a section record
	more    string // continuation help text
	param   string // positional parameter name
}

// Section returns a section header record ("Network options").
func Section(title string) Option { return Option{section: title} }

// More returns a record that continues the previous record's help on a new line.
func More(text string) Option { return Option{more: text} }

// Param returns a record describing a positional parameter; tables put
// it under a "Parameters" section, as openssl does.
func Param(name, help string) Option { return Option{param: name, Help: help} }

// IsSection reports whether o is a section header, and its title.
func (o Option) IsSection() (string, bool) { return o.section, o.section != "" }

// IsParam reports whether o describes a positional parameter, and its name.
func (o Option) IsParam() (string, bool) { return o.param, o.param != "" }

// Table is a command's ordered option table.
type Table struct {
	Prog  string // "s_client"
	Usage string // what follows "Usage: prog " on the usage line
	// Options are the records; read them with List. When Build is set,
	// List makes them with it on first use, so that a run of tlskit pays
	// only for the table of the command it runs.
	Options []Option
	Build   func() []Option
	once    sync.Once
	// MaxParams is how many positional parameters the command takes.
	MaxParams int
}

// List returns the table's records, built on first use when Build is set.
func (t *Table) List() []Option {
	t.once.Do(func() {
		if t.Options == nil && t.Build != nil {
			t.Options = t.Build()
		}
	})
	return t.Options
}

// Lookup finds the record for an option name (without its dash).
func (t *Table) Lookup(name string) (*Option, bool) {
	opts := t.List()
	for i := range opts {
		if opts[i].Name == name {
			return &opts[i], true
		}
	}
	return nil, false
}

// Value is one option as given on the command line, in order.
type Value struct {
	Name  string
	Value string
	Opt   *Option
	// Config is the -ssl_config section that set the option through an
	// SSL_CONF file command, "" for an option given on the command line.
	Config string
	// Loaded is what applying such a command read from the files its
	// value names, kept so that they are not read again (a pointer, so
	// that Values stay comparable); nil for other options.
	Loaded any
}

// Values is the result of parsing a command line.
type Values struct {
	List   []Value  // every option given, in command-line order
	Params []string // positional parameters
}

// Has reports whether the option was given at least once.
func (v *Values) Has(name string) bool {
	for _, x := range v.List {
		if x.Name == name {
			return true
		}
	}
	return false
}

// Get returns the last value given for the option and whether it was given.
func (v *Values) Get(name string) (string, bool) {
	val, ok := "", false
	for _, x := range v.List {
		if x.Name == name {
			val, ok = x.Value, true
		}
	}
	return val, ok
}

// Str returns the last value given for the option, or def.
func (v *Values) Str(name, def string) string {
	if s, ok := v.Get(name); ok {
		return s
	}
	return def
}

// Int returns the last value of a numeric option, or def. Parse has checked it.
func (v *Values) Int(name string, def int64) int64 {
	if s, ok := v.Get(name); ok {
		n, err := strconv.ParseInt(s, 0, 64)
		if err == nil {
			return n
		}
	}
	return def
}

// All returns every value given for a repeatable option, in order.
func (v *Values) All(name string) []string {
	var out []string
	for _, x := range v.List {
		if x.Name == name {
			out = append(out, x.Value)
		}
	}
	return out
}

// Last returns which of names was given last on the command line, or "".
func (v *Values) Last(names ...string) string {
	last := ""
	for _, x := range v.List {
		for _, n := range names {
			if x.Name == n {
				last = n
			}
		}
	}
	return last
}

// ErrHelp is returned by Parse when -help was given; the caller prints the
// usage to stderr and exits 0, as openssl does.
var ErrHelp = errors.New("help requested")

// UsageError is a command-line error worded as OpenSSL words it. Lines are
// printed to stderr each prefixed by "prog: " unless Raw; Hint adds
// "prog: Use -help for summary.".
type UsageError struct {
	Lines []string
	Hint  bool
}

func (e *UsageError) Error() string { return strings.Join(e.Lines, "; ") }

// Print writes the error as openssl does, on w (stderr).
func (e *UsageError) Print(w io.Writer, prog string) {
	for _, l := range e.Lines {
		fmt.Fprintf(w, "%s: %s\n", prog, l)
	}
	if e.Hint {
		fmt.Fprintf(w, "%s: Use -help for summary.\n", prog)
	}
}

func usagef(format string, a ...any) *UsageError {
	return &UsageError{Lines: []string{fmt.Sprintf(format, a...)}, Hint: true}
}

// Parse parses args (without the program and command names) against the
// table, with OpenSSL's grammar: "-name value", "-name=value", "--name", and
// positional parameters. Options marked Unsupported are reported after the
// whole line parsed, so a plain typo is reported first, as openssl would.
func (t *Table) Parse(args []string) (*Values, error) {
	v := &Values{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			v.Params = append(v.Params, a)
			continue
		}
		name := a[1:]
		if strings.HasPrefix(name, "-") && len(name) > 1 {
			name = name[1:]
		}
		val, hasVal := "", false
		if k := strings.IndexByte(name, '='); k >= 0 {
			name, val, hasVal = name[:k], name[k+1:], true
		}
		o, ok := t.Lookup(name)
		if !ok && name == "h" {
			o, ok = t.Lookup("help") // openssl takes -h for -help without listing it
		}
		if !ok || name == "" {
			return nil, usagef("Unknown option: %s", a)
		}
		if o.Kind == None {
			if hasVal {
				return nil, usagef("Option -%s does not take a value", name)
			}
		} else if !hasVal {
			if i+1 >= len(args) {
				return nil, usagef("Option -%s needs a value", name)
			}
			i++
			val = args[i]
		}
		if err := checkValue(o, val); err != nil {
			return nil, err
		}
		if o.Name == "help" {
			return nil, ErrHelp
		}
		v.List = append(v.List, Value{Name: name, Value: val, Opt: o})
	}
	if len(v.Params) > t.MaxParams {
		return nil, &UsageError{Hint: true}
	}
	for _, x := range v.List {
		if x.Opt.Unsupported != "" {
			return nil, &UsageError{Lines: []string{fmt.Sprintf("-%s is not supported by tlskit: %s", x.Name, x.Opt.Unsupported)}}
		}
	}
	return v, nil
}

func checkValue(o *Option, val string) error {
	switch o.Kind {
	case PosInt, Int, Long:
		n, err := strconv.ParseInt(val, 0, 64)
		if err != nil || n < math.MinInt32 || n > math.MaxInt32 && o.Kind != Long {
			return usagef("Can't parse %q as a number", val)
		}
		if o.Kind == PosInt && n <= 0 {
			return usagef("Non-positive number %q for option -%s", val, o.Name)
		}
	case IntMax:
		if _, err := strconv.ParseInt(val, 0, 64); err != nil {
			return usagef("Can't parse %q as a number", val)
		}
	case ULong:
		if _, err := strconv.ParseUint(val, 0, 64); err != nil {
			return usagef("Can't parse %q as a number", val)
		}
	case Dir:
		// openssl checks a directory option as it parses it.
		if fi, err := os.Stat(val); err != nil || !fi.IsDir() {
			return usagef("Not a directory: %s", val)
		}
	case PEMDER, PEMDEREngine, Format:
		if _, err := ParseFormat(val, o.Kind); err != nil {
			return &UsageError{Lines: []string{
				fmt.Sprintf("Bad format %q", val),
				fmt.Sprintf("Invalid format %q for option -%s", val, o.Name),
			}, Hint: true}
		}
	}
	return nil
}

// ParseFormat returns the canonical format name ("PEM", "DER", "P12",
// "ENGINE") for a format option's value. Like openssl, it accepts any case.
func ParseFormat(val string, k Kind) (string, error) {
	switch strings.ToUpper(val) {
	case "PEM":
		return "PEM", nil
	case "DER":
		return "DER", nil
	case "P12", "PKCS12":
		return "P12", nil
	case "ENGINE":
		if k == PEMDEREngine || k == Format {
			return "ENGINE", nil
		}
	}
	return "", fmt.Errorf("opt: bad format %q", val)
}

// helpColumn is where help text starts in -help output, as in openssl 3.0.
const helpColumn = 28

// WriteHelp prints the sectioned usage summary as openssl does.
func (t *Table) WriteHelp(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s %s\n", t.Prog, t.Usage)
	for _, o := range t.List() {
		switch {
		case o.Hidden:
		case o.section != "":
			fmt.Fprintf(&b, "\n%s:\n", o.section)
		case o.more != "":
			fmt.Fprintf(&b, "%s%s\n", strings.Repeat(" ", helpColumn), o.more)
		case o.param != "":
			writeHelpLine(&b, " "+o.param, o.Help)
		default:
			start := " -" + o.Name
			if wd := kindWord(o.Kind); wd != "" {
				start += " " + wd
			}
			h := o.Help
			if o.NoEffect {
				h += " (no effect in tlskit)"
			}
			writeHelpLine(&b, start, h)
		}
	}
	io.WriteString(w, b.String())
}

func writeHelpLine(b *strings.Builder, start, help string) {
	b.WriteString(start)
	if len(start) >= helpColumn-1 {
		b.WriteString("\n")
		b.WriteString(strings.Repeat(" ", helpColumn))
	} else {
		b.WriteString(strings.Repeat(" ", helpColumn-len(start)))
	}
	b.WriteString(help)
	b.WriteString("\n")
}

// OneOf checks val against the allowed values and, when it is not among
// them, returns openssl's "Value must be one of:" error with the
// tab-indented list.
func OneOf(val string, allowed []string) error {
	for _, a := range allowed {
		if a == val {
			return nil
		}
	}
	lines := []string{"Value must be one of:"}
	e := &UsageError{Lines: lines}
	e.Lines[0] += "\n\t" + strings.Join(allowed, "\n\t")
	return e
}

// ParseArgs parses args and handles the outcomes every command treats
// alike: -help prints the usage to w and the caller exits 0; a usage error
// is printed to w and the caller exits 1. ok is true when the command should
// go on with v.
func (t *Table) ParseArgs(args []string, w io.Writer) (v *Values, code int, ok bool) {
	v, err := t.Parse(args)
	switch {
	case err == nil:
		return v, 0, true
	case errors.Is(err, ErrHelp):
		t.WriteHelp(w)
		return nil, 0, false
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		ue.Print(w, t.Prog)
	} else {
		fmt.Fprintf(w, "%s: %v\n", t.Prog, err)
	}
	return nil, 1, false
}

// Status is what an option record says about tlskit's support for it.
type Status struct {
	NoEffect    bool
	Unsupported string
}

// Override returns group with the status of the named options replaced,
// for a shared group whose support differs between commands.
func Override(group []Option, status map[string]Status) []Option {
	out := append([]Option(nil), group...)
	for i := range out {
		if st, ok := status[out[i].Name]; ok {
			out[i].NoEffect, out[i].Unsupported = st.NoEffect, st.Unsupported
		}
	}
	return out
}

// Concat joins option lists into one table.
func Concat(lists ...[]Option) []Option {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]Option, 0, n) // one allocation: the tables are built at every start
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
