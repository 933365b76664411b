// Command summarize reads the BoGo runner's -json-output file and prints
// pass/fail/unimplemented counts per test group (the test name up to its
// first '-'), as a Markdown table. With -failures it also lists each
// failed test and the first line of its error, for triage.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

type result struct {
	Actual string `json:"actual"`
	Error  string `json:"error"`
}

type results struct {
	Tests map[string]result `json:"tests"`
}

type counts struct{ pass, fail, unimpl int }

func main() {
	failures := flag.Bool("failures", false, "list failed tests with their first error line")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: summarize [-failures] results.json")
		os.Exit(2)
	}
	b, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var r results
	if err := json.Unmarshal(b, &r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	groups := map[string]*counts{}
	var total counts
	var failed []string
	for name, t := range r.Tests {
		g, _, _ := strings.Cut(name, "-")
		c := groups[g]
		if c == nil {
			c = &counts{}
			groups[g] = c
		}
		switch t.Actual {
		case "PASS":
			c.pass++
			total.pass++
		case "SKIP":
			c.unimpl++
			total.unimpl++
		default:
			c.fail++
			total.fail++
			failed = append(failed, name)
		}
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	fmt.Println("| group | pass | fail | unimplemented |")
	fmt.Println("|---|---:|---:|---:|")
	for _, g := range names {
		c := groups[g]
		fmt.Printf("| %s | %d | %d | %d |\n", g, c.pass, c.fail, c.unimpl)
	}
	fmt.Printf("| **total** | %d | %d | %d |\n", total.pass, total.fail, total.unimpl)
	if *failures {
		sort.Strings(failed)
		fmt.Println()
		for _, name := range failed {
			fmt.Printf("%s: %s\n", name, firstLines(r.Tests[name].Error))
		}
	}
}

// firstLines squeezes an error report into one line.
func firstLines(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}
