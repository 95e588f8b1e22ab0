// This file runs every action on every Dockerfile at hand: the rule
// fixtures of analysis/rules/testdata and the real-world corpus
// (../shared/corpus/real from the repository root). Every candidate must
// pass verification, every offered action must pass the independent
// check, the result must still parse in BuildKit when the original did,
// and "fix all" must hold the same.
package codeactions

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"golang.org/x/tools/txtar"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

// corpusDir holds real-world Dockerfiles.
const corpusDir = "../../shared/corpus/real"

// fixture is one Dockerfile with its build context files.
type fixture struct {
	name  string
	files map[string][]byte // relative to the context; "Dockerfile" among them
}

func ruleFixtures(t *testing.T) []fixture {
	paths, err := filepath.Glob("../analysis/rules/testdata/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no rule fixtures: %v", err)
	}
	scenarios, _ := filepath.Glob("../analysis/rules/testdata/scenarios/*.txtar")
	var out []fixture
	for _, path := range append(paths, scenarios...) {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		byCase := map[string]*fixture{}
		var order []string
		for _, f := range ar.Files {
			dir, rest, ok := strings.Cut(f.Name, "/")
			if !ok {
				dir, rest = ".", f.Name
			}
			fx := byCase[dir]
			if fx == nil {
				fx = &fixture{name: filepath.Base(path) + ":" + dir, files: map[string][]byte{}}
				byCase[dir] = fx
				order = append(order, dir)
			}
			fx.files[rest] = f.Data
		}
		for _, dir := range order {
			if _, ok := byCase[dir].files["Dockerfile"]; ok {
				out = append(out, *byCase[dir])
			}
		}
	}
	return out
}

func corpusFixtures(t *testing.T) []fixture {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		return nil
	}
	var out []fixture
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".tsv") || strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(corpusDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fixture{name: e.Name(), files: map[string][]byte{"Dockerfile": data}})
	}
	return out
}

func TestEveryActionOnEveryFixture(t *testing.T) {
	fixtures := ruleFixtures(t)
	corpus := corpusFixtures(t)
	if len(corpus) == 0 {
		t.Logf("no corpus at %s", corpusDir)
	}
	fixtures = append(fixtures, corpus...)
	offered := map[string]int{} // fixes offered, by rule
	suppressions := 0
	for _, fx := range fixtures {
		c := &goldenCase{name: fx.name, files: fx.files}
		text := string(fx.files["Dockerfile"])
		in := caseInput(t, c, text)
		parsedBefore := buildKitParse([]byte(text)) == nil

		acts, errs := ForDiagnostics(in, in.Diagnostics())
		for _, err := range errs {
			t.Errorf("%s: %v", fx.name, err)
		}
		sameVerdicts(t, fx.name, in)
		for _, a := range acts {
			if a.Suppress {
				suppressions++
			} else {
				offered[a.Diagnostics[0].Rule]++
			}
			out, err := Apply(text, a.Edits)
			if err != nil {
				t.Fatalf("%s: %q: %v", fx.name, a.Title, err)
			}
			checkIndependently(t, fx.name, in, a, out)
			if parsedBefore {
				if err := buildKitParse([]byte(out)); err != nil {
					t.Errorf("%s: %q: BuildKit no longer parses the file: %v", fx.name, a.Title, err)
				}
			}
		}

		res := FixAll(in, FixOptions{})
		fa, remaining := res.Action, res.Remaining
		for _, err := range res.Errors {
			t.Errorf("%s: fix all: %v", fx.name, err)
		}
		if fa == nil {
			continue
		}
		if !fa.Safe || fa.Kind != SourceFixAll {
			t.Errorf("%s: fix all: safe %v, kind %s", fx.name, fa.Safe, fa.Kind)
		}
		out, err := Apply(text, fa.Edits)
		if err != nil {
			t.Fatalf("%s: fix all: %v", fx.name, err)
		}
		checkIndependently(t, fx.name, in, &Action{Title: fa.Title}, out)
		if parsedBefore {
			if err := buildKitParse([]byte(out)); err != nil {
				t.Errorf("%s: fix all: BuildKit no longer parses the file: %v", fx.name, err)
			}
		}
		// What fix all leaves is what it cannot fix: running it again
		// on its result does nothing.
		again := NewInput(analysis.Parse(out), in.Rules, in.Options, nil)
		if fa2 := FixAll(again, FixOptions{}).Action; fa2 != nil {
			t.Errorf("%s: fix all is not idempotent: a second run offers %q", fx.name, fa2.Title)
		}
		for _, d := range remaining {
			t.Errorf("%s: fix all leaves %s at line %d, which has a safe fix", fx.name, d.Rule, analysis.Parse(out).LineOf(d.Start)+1)
		}
	}
	var names []string
	for _, r := range FixableRules() {
		names = append(names, fmt.Sprintf("%s=%d", r, offered[r]))
		if offered[r] == 0 {
			t.Errorf("no fix of %s offered on any fixture", r)
		}
	}
	sort.Strings(names)
	t.Logf("%d fixtures (%d real); fixes offered: %s; suppressions: %d", len(fixtures), len(corpus), strings.Join(names, " "), suppressions)
}

// buildKitParse parses a whole file with BuildKit's parser and
// instructions package, as a build does before anything else.
func buildKitParse(data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return err
	}
	_, _, err = instructions.Parse(res.AST, linter.New(&linter.Config{}))
	return err
}

// TestMutatedFixtures runs every action on mutations of the golden
// fixtures (lines deleted, duplicated, continued, cased differently,
// directives and comments added): nothing panics, every candidate passes
// verification, and every result passes the independent check.
func TestMutatedFixtures(t *testing.T) {
	seed, iterations := int64(4), 400
	if v := os.Getenv("DOCKWISE_MUTATIONS"); v != "" {
		// DOCKWISE_MUTATIONS=seed:iterations explores further.
		fmt.Sscanf(v, "%d:%d", &seed, &iterations)
	}
	paths, _ := filepath.Glob("testdata/*.txtar")
	var texts []string
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if strings.HasSuffix(f.Name, "Dockerfile") && !strings.Contains(f.Name, "@") {
				texts = append(texts, string(f.Data))
			}
		}
	}
	rnd := rand.New(rand.NewSource(seed))
	inserts := []string{"\\\n", "\n", "# check=skip=StageNameCasing\n", "# syntax=docker/dockerfile:1\n", "#\n",
		"# dockwise ignore=JSONArgsRecommended\n", "FROM alpine AS Other\n", "COPY --from=Other /a /a\n", "<<EOF\n", "EOF\n",
		"\r\n", "ENV A b c\n", "CMD run it\n", "\t", "`", "# escape=`\n", "# check=error=true\n"}
	n := 0
	for i := 0; i < iterations; i++ {
		text := texts[rnd.Intn(len(texts))]
		for range 1 + rnd.Intn(3) {
			lines := strings.SplitAfter(text, "\n")
			l := rnd.Intn(len(lines))
			switch rnd.Intn(4) {
			case 0:
				lines = append(lines[:l], lines[l+1:]...)
			case 1:
				lines = append(lines[:l+1], lines[l:]...)
			case 2:
				lines[l] = strings.ToLower(lines[l])
			default:
				lines = append(lines[:l], append([]string{inserts[rnd.Intn(len(inserts))]}, lines[l:]...)...)
			}
			text = strings.Join(lines, "")
		}
		opts := analysis.Options{}
		if i%3 == 0 {
			// Configured severities change which findings are errors.
			opts.Config = &analysis.Config{Severity: map[string]analysis.Severity{
				"StageNameCasing": analysis.SeverityError, "MaintainerDeprecated": analysis.SeverityError}}
		}
		in := NewInput(analysis.Parse(text), rules.All, opts, nil)
		acts, errs := ForDiagnostics(in, in.Diagnostics())
		for _, err := range errs {
			t.Errorf("%q: %v", text, err)
		}
		sameVerdicts(t, fmt.Sprintf("%q", text), in)
		for _, a := range acts {
			out, err := Apply(text, a.Edits)
			if err != nil {
				t.Fatalf("%q: %q: %v", text, a.Title, err)
			}
			checkIndependently(t, fmt.Sprintf("%q", text), in, a, out)
			n++
		}
		res := FixAll(in, FixOptions{})
		for _, err := range res.Errors {
			t.Errorf("%q: fix all: %v", text, err)
		}
	}
	t.Logf("%d actions checked", n)
}

// sameVerdicts checks that verifying every candidate of the input with the
// rules that decide the verdict gives the verdict of verifying it with
// every rule.
func sameVerdicts(t *testing.T, name string, in *Input) {
	t.Helper()
	for _, d := range in.Diagnostics() {
		fixes, _ := fixesOf(in, d)
		sups, _ := suppressionsOf(in, d)
		for _, a := range append(fixes, sups...) {
			_, errSome := verify(in, a, false)
			_, errAll := verify(in, a, true)
			if (errSome == nil) != (errAll == nil) {
				t.Errorf("%s: %q: verified with the deciding rules: %v; with every rule: %v", name, a.Title, errSome, errAll)
			}
		}
	}
}
