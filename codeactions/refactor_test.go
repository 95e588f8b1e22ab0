// This file tests Refactors: the split is offered as refactor.rewrite on
// the FROM line of every golden SingleStageBuild case that has a split
// (Python's and static front ends' included),
// with the same edits as the quick fix, when the rule is turned off too;
// not elsewhere, not on files the rule does not apply to.
package codeactions

import (
	"slices"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

func TestRefactorsMatchSplitFixes(t *testing.T) {
	var cases []*goldenCase
	for _, p := range []string{"testdata/SingleStageBuild.txtar", "testdata/SingleStageBuild_python.txtar", "testdata/SingleStageBuild_static.txtar"} {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, parseGolden(t, ar)...)
	}
	offered := 0
	for _, c := range cases {
		text, ok := c.files["Dockerfile"]
		if !ok {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			in := caseInput(t, c, string(text))
			var want []*Action
			for _, d := range in.Diagnostics() {
				if d.Rule == "SingleStageBuild" {
					acts, errs := ForDiagnostics(in, []analysis.Diagnostic{d})
					if len(errs) > 0 {
						t.Fatal(errs)
					}
					for _, a := range acts {
						if !a.Suppress {
							want = append(want, a)
						}
					}
				}
			}
			// The same file with the rule turned off in the configuration.
			off := NewInput(in.File, in.Rules, analysis.Options{
				Config:  &analysis.Config{Disabled: map[string]bool{"SingleStageBuild": true}},
				Context: in.Options.Context,
			}, nil)
			m := in.File.Semantics()
			var from *analysis.Instruction
			if len(m.Stages) > 0 {
				from = m.Stages[len(m.Stages)-1].From
			}
			if from == nil {
				return
			}
			at := from.Start() + 1
			got, errs := Refactors(off, at, at, false)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if len(got) != len(want) {
				t.Fatalf("refactors: %d actions, quick fixes: %d", len(got), len(want))
			}
			for i := range got {
				if got[i].Title != want[i].Title || !slices.Equal(got[i].Edits, want[i].Edits) {
					t.Errorf("refactor %q differs from quick fix %q", got[i].Title, want[i].Title)
				}
				if got[i].Kind != RefactorRewrite || len(got[i].Diagnostics) != 0 {
					t.Errorf("refactor %q: kind %q, %d diagnostics", got[i].Title, got[i].Kind, len(got[i].Diagnostics))
				}
				// Applied, the rule no longer fires.
				out, err := Apply(in.File.Text, got[i].Edits)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range analysis.Check(analysis.Parse(out), in.Rules, in.Options) {
					if d.Rule == "SingleStageBuild" {
						t.Errorf("%q: SingleStageBuild still fires: %s", got[i].Title, d.Message)
					}
				}
				offered++
			}
			// Not on a line after the FROM unless asked for by kind.
			last := len(in.File.Text) - 1
			if in.File.LineOf(last) > from.EndLine() {
				if got, _ := Refactors(off, last, last, false); len(got) != 0 {
					t.Errorf("offered away from the FROM line: %q", got[0].Title)
				}
				if got, _ := Refactors(off, last, last, true); len(got) != len(want) {
					t.Errorf("asked for by kind: %d actions, want %d", len(got), len(want))
				}
			}
		})
	}
	if offered == 0 {
		t.Fatal("no golden case was split")
	}
}

func TestRefactorsNotOffered(t *testing.T) {
	// The file the "suppressed" case suppresses the rule in is split.
	split := "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n"
	if got, errs := Refactors(NewInput(analysis.Parse(split), rules.All, analysis.Options{}, nil), 0, 0, false); len(got) == 0 || len(errs) > 0 {
		t.Fatalf("no split of %q (%v)", split, errs)
	}
	for name, text := range map[string]string{
		"runtime base":   "FROM alpine:3.20\nRUN echo hi\nCMD [\"sh\"]\n",
		"two stages":     "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n",
		"no build":       "FROM golang:1.22\nCMD [\"go\", \"version\"]\n",
		"suppressed":     "# check=skip=SingleStageBuild\nFROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n",
		"does not parse": "FROM golang:1.22\nRUN go build -o /app .\nCMD [\"/app\"\n\\",
	} {
		in := NewInput(analysis.Parse(text), rules.All, analysis.Options{}, nil)
		if got, _ := Refactors(in, 0, len(text), true); len(got) != 0 {
			t.Errorf("%s: offered %q", name, got[0].Title)
		}
	}
}

// TestLazyAndRefactorsOnEveryFixture runs the refactors (with
// SingleStageBuild turned off) and the lazy actions on every fixture and
// corpus file: every refactor passes verification, leaves no
// SingleStageBuild finding and still parses in BuildKit; every lazy action
// resolves to the eager one.
func TestLazyAndRefactorsOnEveryFixture(t *testing.T) {
	fixtures := append(ruleFixtures(t), corpusFixtures(t)...)
	refactored, resolved := 0, 0
	off := &analysis.Config{Disabled: map[string]bool{"SingleStageBuild": true}}
	for _, fx := range fixtures {
		c := &goldenCase{name: fx.name, files: fx.files}
		text := string(fx.files["Dockerfile"])
		in := caseInput(t, c, text)
		parsedBefore := buildKitParse([]byte(text)) == nil

		offIn := NewInput(in.File, in.Rules, analysis.Options{Config: off, Context: in.Options.Context}, nil)
		acts, errs := Refactors(offIn, 0, 0, true)
		for _, err := range errs {
			t.Errorf("%s: %v", fx.name, err)
		}
		for _, a := range acts {
			out, err := Apply(text, a.Edits)
			if err != nil {
				t.Fatalf("%s: %q: %v", fx.name, a.Title, err)
			}
			for _, d := range analysis.Check(analysis.Parse(out), in.Rules, in.Options) {
				if d.Rule == "SingleStageBuild" {
					t.Errorf("%s: %q leaves SingleStageBuild", fx.name, a.Title)
				}
			}
			if parsedBefore {
				if err := buildKitParse([]byte(out)); err != nil {
					t.Errorf("%s: %q: BuildKit no longer parses the file: %v", fx.name, a.Title, err)
				}
			}
			refactored++
		}

		eager, _ := ForDiagnostics(in, in.Diagnostics())
		lazy, _ := ForDiagnosticsLazy(in, in.Diagnostics())
		if len(lazy) != len(eager) {
			t.Errorf("%s: %d lazy actions, %d eager", fx.name, len(lazy), len(eager))
			continue
		}
		for i, l := range lazy {
			if l.Title != eager[i].Title {
				t.Errorf("%s: lazy %q, eager %q", fx.name, l.Title, eager[i].Title)
				continue
			}
			if !l.Unverified {
				continue
			}
			d := l.Diagnostics[0]
			r, err := Resolve(in, l.Kind, d.Rule, d.Start, d.End, l.Title)
			if err != nil || !slices.Equal(r.Edits, eager[i].Edits) || !slices.Equal(r.Files, eager[i].Files) {
				t.Errorf("%s: %q resolves differently (%v)", fx.name, l.Title, err)
			}
			resolved++
		}
	}
	if refactored == 0 || resolved == 0 {
		t.Errorf("refactored %d, resolved %d", refactored, resolved)
	}
	t.Logf("%d fixtures: %d refactors, %d lazy actions resolved", len(fixtures), refactored, resolved)
}

// plainPython is a single-stage toolchain file on which SingleStageBuild
// does not fire: it installs dependencies and builds nothing.
const plainPython = "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"

func TestRefactorsWithoutFinding(t *testing.T) {
	in := NewInput(analysis.Parse(plainPython), rules.All, analysis.Options{}, nil)
	for _, d := range in.Diagnostics() {
		if d.Rule == "SingleStageBuild" {
			t.Fatalf("SingleStageBuild fires on the plain file: %s", d.Message)
		}
	}
	got, errs := Refactors(in, 0, 0, false)
	if len(errs) > 0 || len(got) != 1 {
		t.Fatalf("refactors: %d (%v), want 1", len(got), errs)
	}
	out, err := Apply(plainPython, got[0].Edits)
	if err != nil {
		t.Fatal(err)
	}
	nf := analysis.Parse(out)
	st := nf.Semantics().Stages
	if len(st) != 2 || st[1].Image().Toolchain {
		t.Fatalf("not split onto a runtime image:\n%s", out)
	}
	for _, d := range analysis.Check(nf, rules.All, analysis.Options{}) {
		if d.Rule == "SingleStageBuild" || d.Rule == "RuntimeBaseNotMinimal" || d.Rule == analysis.ParseErrorRule || d.Severity == analysis.SeverityError {
			t.Errorf("the result has %s: %s", d.Rule, d.Message)
		}
	}
	// Lazily offered, it resolves to the same edits.
	lazy, _ := RefactorsLazy(in, 0, 0, false)
	if len(lazy) != 1 || !lazy[0].Unverified {
		t.Fatalf("lazy: %d actions", len(lazy))
	}
	r, err := Resolve(in, RefactorRewrite, "SingleStageBuild", 0, 0, lazy[0].Title)
	if err != nil || !slices.Equal(r.Edits, got[0].Edits) {
		t.Errorf("resolve: %v", err)
	}
	// Suppressed in the file: nothing.
	for _, text := range []string{"# check=skip=SingleStageBuild\n" + plainPython, "# dockwise global ignore=SingleStageBuild\n" + plainPython} {
		in := NewInput(analysis.Parse(text), rules.All, analysis.Options{}, nil)
		if got, _ := Refactors(in, 0, len(text), true); len(got) != 0 {
			t.Errorf("suppressed: offered %q", got[0].Title)
		}
	}
}

// TestVerifyRuntimeFails checks that the criterion of a split offered
// without a finding rejects a result that still runs on the toolchain.
func TestVerifyRuntimeFails(t *testing.T) {
	in := NewInput(analysis.Parse(plainPython), rules.All, analysis.Options{}, nil)
	for _, a := range []*Action{
		{Title: "comment", Edits: []Edit{{Start: 0, End: 0, NewText: "# x\n"}}},
		{Title: "full runtime", Edits: []Edit{{Start: len(plainPython), End: len(plainPython), NewText: "FROM python:3.12\nCMD [\"python\"]\n"}}},
	} {
		if err := verifyRuntime(in, a); err == nil {
			t.Errorf("%q passes", a.Title)
		}
	}
	ok := &Action{Title: "slim", Edits: []Edit{{Start: len(plainPython), End: len(plainPython), NewText: "FROM python:3.12-slim\nUSER 1000\nCMD [\"python\"]\n"}}}
	if err := verifyRuntime(in, ok); err != nil {
		t.Errorf("%q: %v", ok.Title, err)
	}
}
