// This file defines the flag handling shared by the subcommands: flags may
// come before, between or after the positional arguments, -h prints the
// command's help to stdout, and a bad flag is a usage error (exit 2).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// newFlagSet returns a flag set that reports errors to stderr and prints
// nothing else: parseArgs decides where help goes.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("dockwise "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	return fs
}

// errHelp is returned by parseArgs when -h or -help was given.
var errHelp = flag.ErrHelp

// parseArgs parses args with fs, letting flags and positional arguments
// mix, and returns the positional arguments. After "--" everything is
// positional. A lone "-" is positional (it means standard input).
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// fs.Parse stops at the first positional argument, or after "--"
		// (which it consumes): tell the two apart by what it left.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// printHelp writes a command's usage line, description and flags to w.
func printHelp(w io.Writer, fs *flag.FlagSet, usageLine, description string) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", usageLine, strings.TrimSpace(description))
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags:")
		out := fs.Output()
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(out)
	}
}

// usageError reports a usage error of a subcommand on stderr and returns
// exit code 2.
func usageError(stderr io.Writer, cmd string, err error) int {
	if !errors.Is(err, flag.ErrHelp) && err != nil {
		msg := err.Error()
		// The flag package has already printed its own errors.
		if !isFlagPackageError(msg) {
			fmt.Fprintf(stderr, "dockwise %s: %s\n", cmd, msg)
		}
	}
	fmt.Fprintf(stderr, "Run 'dockwise help %s' for usage.\n", cmd)
	return exitUsage
}

// isFlagPackageError reports whether msg is an error the flag package
// prints itself before returning it.
func isFlagPackageError(msg string) bool {
	for _, p := range []string{"flag provided but not defined", "flag needs an argument", "invalid value", "invalid boolean", "bad flag syntax"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// choice returns a flag.Value that accepts one of the given words.
func choice(p *string, def string, words ...string) flag.Value {
	*p = def
	return &choiceValue{p: p, words: words}
}

type choiceValue struct {
	p     *string
	words []string
}

func (c *choiceValue) String() string {
	if c.p == nil {
		return ""
	}
	return *c.p
}

func (c *choiceValue) Set(s string) error {
	s = strings.ToLower(strings.TrimSpace(s))
	if !slices.Contains(c.words, s) {
		return fmt.Errorf("want one of %s", strings.Join(c.words, ", "))
	}
	*c.p = s
	return nil
}

// didYouMean returns ` (did you mean "x"?)` naming the candidates closest
// to s, or "" when none is close.
func didYouMean(s string, candidates []string) string {
	near := closest(s, candidates, 3)
	if len(near) == 0 {
		return ""
	}
	quoted := make([]string, len(near))
	for i, c := range near {
		quoted[i] = fmt.Sprintf("%q", c)
	}
	return " (did you mean " + strings.Join(quoted, " or ") + "?)"
}

// closest returns up to limit candidates nearest to s by case-insensitive
// edit distance, best first, leaving out those too far to be a typo.
func closest(s string, candidates []string, limit int) []string {
	type scored struct {
		name string
		d    int
	}
	var ss []scored
	ls := strings.ToLower(s)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := editDistance(ls, lc)
		if strings.Contains(lc, ls) || strings.Contains(ls, lc) {
			d = min(d, 1) // a substring is as good as one typo
		}
		if d <= max(2, len([]rune(s))/3) {
			ss = append(ss, scored{c, d})
		}
	}
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].d != ss[j].d {
			return ss[i].d < ss[j].d
		}
		return ss[i].name < ss[j].name
	})
	var out []string
	for i := 0; i < len(ss) && i < limit; i++ {
		out = append(out, ss[i].name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
