// This file holds the helpers of the CLI tests, which run the command
// in-process through run, and the tests of dispatch, help and usage errors.
package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
)

// result is what one run of the CLI produced.
type result struct {
	stdout, stderr string
	code           int
}

// dockwise runs the CLI with the given standard input and arguments.
func dockwise(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return result{out.String(), errOut.String(), code}
}

// writeTree creates files (path -> content, slash-separated) under a new
// temporary directory and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// useRules replaces the registry with rs, sorted by name like rules.All,
// for the rest of the test.
func useRules(t *testing.T, rs ...*analysis.Rule) {
	t.Helper()
	saved := registry
	registry = slices.SortedFunc(slices.Values(rs), func(a, b *analysis.Rule) int { return strings.Compare(a.Name, b.Name) })
	t.Cleanup(func() { registry = saved })
}

// keywordRule returns a rule of the given severity that reports every
// instruction with keyword kw over the instruction's whole source.
func keywordRule(name string, sev analysis.Severity, kw string) *analysis.Rule {
	return &analysis.Rule{
		Name: name, Category: analysis.BestPractice, Severity: sev,
		Description: "reports " + kw, URL: "https://example.com/" + name,
		Check: func(p *analysis.Pass, in *analysis.Instruction) {
			if in.Is(kw) {
				p.Reportf(in, in.Start(), in.End(), "found %s", kw)
			}
		},
	}
}

// The test rules: one of each severity, each firing on its own keyword.
var (
	errorRule   = keywordRule("TestError", analysis.SeverityError, "USER")
	warningRule = keywordRule("TestWarning", analysis.SeverityWarning, "EXPOSE")
	infoRule    = keywordRule("TestInfo", analysis.SeverityInfo, "LABEL")
	hintRule    = keywordRule("TestHint", analysis.SeverityHint, "WORKDIR")
)

func testRules() []*analysis.Rule {
	return []*analysis.Rule{errorRule, hintRule, infoRule, warningRule}
}

func TestNoArgumentsIsUsageError(t *testing.T) {
	r := dockwise(t, "")
	if r.code != 2 || !strings.Contains(r.stderr, "Usage:") || r.stdout != "" {
		t.Errorf("got %+v; want exit 2 and usage on stderr", r)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"help", "help"}} {
		r := dockwise(t, "", args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Commands:") || !strings.Contains(r.stdout, "check") {
			t.Errorf("%v: got %+v; want exit 0 and the command list on stdout", args, r)
		}
	}
	for _, args := range [][]string{{"help", "check"}, {"check", "-h"}, {"check", "--help"}} {
		r := dockwise(t, "", args...)
		for _, want := range []string{"Usage: dockwise check", "-format", "-fail-level", "-disable", "-enable", "-context", "Exit codes"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v: stdout lacks %q:\n%s", args, want, r.stdout)
			}
		}
		if r.code != 0 {
			t.Errorf("%v: exit %d, want 0", args, r.code)
		}
	}
	for _, args := range [][]string{{"help", "rules"}, {"help", "version"}} {
		if r := dockwise(t, "", args...); r.code != 0 || !strings.Contains(r.stdout, "Usage: dockwise "+args[1]) {
			t.Errorf("%v: got %+v", args, r)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	df := filepath.Join(dir, "Dockerfile")
	useRules(t, testRules()...)
	tests := []struct {
		args []string
		want string // on stderr
	}{
		{[]string{"lint"}, `unknown command "lint"`},
		{[]string{"chek"}, `did you mean "check"`},
		{[]string{"--format", "json"}, "must follow a command"},
		{[]string{"help", "nope"}, `unknown command "nope"`},
		{[]string{"help", "a", "b"}, "usage: dockwise help"},
		{[]string{"check", "--nope", df}, "flag provided but not defined: -nope"},
		{[]string{"check", "--format", "xml", df}, "want one of text, json, sarif, github"},
		{[]string{"check", "--format"}, "flag needs an argument"},
		{[]string{"check", "--fail-level", "fatal", df}, "want one of error, warning, info, hint, none"},
		{[]string{"check", "--disable", "TestWarnig", df}, `unknown rule "TestWarnig"; closest names: TestWarning`},
		{[]string{"check", "--enable", "TestInfo,Bogus", df}, `unknown rule "Bogus"`},
		{[]string{"check", "--context", filepath.Join(dir, "missing"), df}, "--context"},
		{[]string{"check", "--context", df, df}, "is not a directory"},
		{[]string{"rules", "extra"}, `unexpected argument "extra"`},
		{[]string{"rules", "--format", "yaml"}, "want one of text, json, markdown"},
		{[]string{"version", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		r := dockwise(t, "", tt.args...)
		if r.code != 2 {
			t.Errorf("%q: exit %d, want 2", tt.args, r.code)
		}
		if !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%q: stderr %q lacks %q", tt.args, r.stderr, tt.want)
		}
		if tt.args[0] == "check" && r.stdout != "" {
			t.Errorf("%q: a usage error printed a report: %q", tt.args, r.stdout)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"MaintainerDeprecated", "JSONArgsRecommended", "FromAsCasing", "StageNameCasing"}
	if got := closest("maintainerdeprecated", names, 3); len(got) == 0 || got[0] != "MaintainerDeprecated" {
		t.Errorf("closest(case-insensitive) = %v", got)
	}
	if got := closest("Casing", names, 3); strings.Join(got, ",") != "FromAsCasing,StageNameCasing" {
		t.Errorf("closest(substring) = %v", got)
	}
	if got := closest("Zzzzzzzz", names, 3); len(got) != 0 {
		t.Errorf("closest(unrelated) = %v, want none", got)
	}
}
