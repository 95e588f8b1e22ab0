// This file tests lazy actions: on the golden cases of the heavy rules,
// ForDiagnosticsLazy offers the titles ForDiagnostics offers, the heavy
// ones unverified, and Resolve returns each with the eager edits; a broken
// candidate is refused by Resolve; a target that is gone is ErrNotOffered.
package codeactions

import (
	"errors"
	"slices"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

func TestResolveEqualsEager(t *testing.T) {
	resolved := 0
	for _, rule := range []string{"SingleStageBuild", "SingleStageBuild_python", "SourceCopiedBeforeDependencies", "MissingDockerignore", "DockerignoreMissingEntries", "MissingCacheMount"} {
		ar, err := txtar.ParseFile("testdata/" + rule + ".txtar")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range parseGolden(t, ar) {
			text, ok := c.files["Dockerfile"]
			if !ok {
				continue
			}
			t.Run(rule+"/"+c.name, func(t *testing.T) {
				in := caseInput(t, c, string(text))
				eager, errs := ForDiagnostics(in, in.Diagnostics())
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				lazy, errs := ForDiagnosticsLazy(in, in.Diagnostics())
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				if len(lazy) != len(eager) {
					t.Fatalf("lazy: %d actions, eager: %d", len(lazy), len(eager))
				}
				for i, e := range eager {
					l := lazy[i]
					if l.Title != e.Title {
						t.Fatalf("action %d: lazy %q, eager %q", i, l.Title, e.Title)
					}
					if l.Unverified != Heavy(e) || e.Unverified {
						t.Errorf("%q: unverified %v, heavy %v", l.Title, l.Unverified, Heavy(e))
					}
					if !l.Unverified {
						continue
					}
					d := l.Diagnostics[0]
					r, err := Resolve(in, l.Kind, d.Rule, d.Start, d.End, l.Title)
					if err != nil {
						t.Fatalf("resolve %q: %v", l.Title, err)
					}
					if !slices.Equal(r.Edits, e.Edits) || !slices.Equal(r.Files, e.Files) || r.Unverified {
						t.Errorf("resolved %q differs from the eager action", l.Title)
					}
					resolved++
				}
			})
		}
	}
	if resolved == 0 {
		t.Fatal("nothing was resolved")
	}
}

func TestResolveRefactorAndGone(t *testing.T) {
	text := "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n"
	off := &analysis.Config{Disabled: map[string]bool{"SingleStageBuild": true}}
	in := NewInput(analysis.Parse(text), rules.All, analysis.Options{Config: off}, nil)
	eager, errs := Refactors(in, 0, 0, false)
	lazy, lerrs := RefactorsLazy(in, 0, 0, false)
	if len(eager) == 0 || len(errs)+len(lerrs) > 0 || len(lazy) != len(eager) {
		t.Fatalf("eager %d, lazy %d, errors %v %v", len(eager), len(lazy), errs, lerrs)
	}
	for i, l := range lazy {
		if !l.Unverified || l.Title != eager[i].Title {
			t.Fatalf("lazy %q (unverified %v), eager %q", l.Title, l.Unverified, eager[i].Title)
		}
		r, err := Resolve(in, RefactorRewrite, "SingleStageBuild", 0, 0, l.Title)
		if err != nil || !slices.Equal(r.Edits, eager[i].Edits) {
			t.Fatalf("resolve %q: %v", l.Title, err)
		}
	}
	// The target is gone from a file that no longer builds in one stage.
	two := NewInput(analysis.Parse(text+"FROM scratch\nCOPY --from=0 /app /app\n"), rules.All, analysis.Options{}, nil)
	if _, err := Resolve(two, RefactorRewrite, "SingleStageBuild", 0, 0, lazy[0].Title); !errors.Is(err, ErrNotOffered) {
		t.Errorf("refactor of a two-stage file: %v", err)
	}
	if _, err := Resolve(in, QuickFix, "SingleStageBuild", 5, 16, lazy[0].Title); !errors.Is(err, ErrNotOffered) {
		t.Errorf("quick fix of a finding that is turned off: %v", err)
	}
	if _, err := Resolve(in, RefactorRewrite, "SingleStageBuild", 0, 0, "no such title"); !errors.Is(err, ErrNotOffered) {
		t.Errorf("unknown title: %v", err)
	}
}

// TestResolveRefusesBrokenFix: a heavy fix that breaks the file is
// offered lazily by title, and refused when it is resolved.
func TestResolveRefusesBrokenFix(t *testing.T) {
	in, _ := brokenInput(t)
	in2 := NewInput(analysis.Parse("FROM alpine:3.20\nRUN foo\n"), in.Rules, in.Options, nil)
	var foo analysis.Diagnostic
	for _, d := range in2.Diagnostics() {
		if d.Rule == noFooRule.Name {
			foo = d
		}
	}
	heavyRules[noFooRule.Name] = true
	fixers[noFooRule.Name] = func(in *Input, d analysis.Diagnostic) []*Action {
		return []*Action{{Title: "Break it", Edits: []Edit{{Start: d.Start, End: d.Start + 3, NewText: "RUNN"}}}}
	}
	t.Cleanup(func() { delete(fixers, noFooRule.Name); delete(heavyRules, noFooRule.Name) })
	acts, errs := ForDiagnosticsLazy(in2, []analysis.Diagnostic{foo})
	if len(errs) != 0 || len(acts) == 0 || acts[0].Title != "Break it" || !acts[0].Unverified {
		t.Fatalf("lazy: %v, errors %v", acts, errs)
	}
	_, err := Resolve(in2, QuickFix, foo.Rule, foo.Start, foo.End, "Break it")
	if _, ok := errors.AsType[*VerifyError](err); !ok {
		t.Errorf("resolve of a broken fix: %v, want a VerifyError", err)
	}
}
