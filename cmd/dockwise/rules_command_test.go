// This file tests `dockwise rules` and keeps docs/RULES.md in step with the
// registry: `go test ./cmd/dockwise -update` rewrites it.
package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

var update = flag.Bool("update", false, "rewrite docs/RULES.md from the rule registry")

func TestRulesText(t *testing.T) {
	exp := keywordRule("TestExperimental", analysis.SeverityWarning, "ONBUILD")
	exp.Experimental = true
	useRules(t, append(testRules(), exp)...)
	r := dockwise(t, "", "rules")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if r.code != 0 || len(lines) != 6 {
		t.Fatalf("exit %d, %d lines:\n%s", r.code, len(lines), r.stdout)
	}
	if f := strings.Fields(lines[0]); strings.Join(f, " ") != "NAME CATEGORY SEVERITY DESCRIPTION URL" {
		t.Errorf("header %q", lines[0])
	}
	for i, want := range []string{
		"TestError best-practice error reports USER https://example.com/TestError",
		"TestExperimental best-practice warning (experimental) reports ONBUILD https://example.com/TestExperimental",
	} {
		if got := strings.Join(strings.Fields(lines[i+1]), " "); got != want {
			t.Errorf("line %d: %q, want %q", i+1, got, want)
		}
	}
}

func TestRulesJSON(t *testing.T) {
	r := dockwise(t, "", "rules", "--format", "json")
	var got []jsonRule
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v:\n%s", r.code, err, r.stdout)
	}
	if len(got) != len(rules.All) {
		t.Fatalf("%d rules, the registry has %d", len(got), len(rules.All))
	}
	for i, r := range rules.All {
		g := got[i]
		if g.Name != r.Name || g.Category != string(r.Category) || g.Severity != r.Severity.String() ||
			g.Description != r.Description || g.URL != r.URL || g.Doc != r.Doc {
			t.Errorf("rule %d: %+v, want %s", i, g, r.Name)
		}
	}
}

func TestRulesMarkdown(t *testing.T) {
	useRules(t, testRules()...)
	r := dockwise(t, "", "rules", "--format", "markdown")
	for _, want := range []string{
		"| [TestError](#testerror) | best-practice | error | reports USER |",
		"\n## TestWarning\n\nCategory: best-practice · default severity: warning · [reference](https://example.com/TestWarning)\n\nreports EXPOSE\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("markdown lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestRulesDoc fails when docs/RULES.md is not what the registry makes.
func TestRulesDoc(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "RULES.md")
	want := rulesMarkdown(rules.All)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./cmd/dockwise -update`)", err)
	}
	if string(got) != want {
		t.Errorf("docs/RULES.md is stale: run `go test ./cmd/dockwise -update`")
	}
}
