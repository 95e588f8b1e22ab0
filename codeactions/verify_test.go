// This file tests verification with deliberately broken actions, the edit
// helpers (overlap, application, offset mapping) and Diff.
package codeactions

import (
	"errors"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

// noFooRule reports, as an error, every RUN that runs foo.
var noFooRule = &analysis.Rule{
	Name: "TestNoFoo", Category: analysis.Correctness, Severity: analysis.SeverityError,
	Check: func(p *analysis.Pass, in *analysis.Instruction) {
		if in.Is("run") && strings.Contains(in.Source(), "foo") {
			p.Reportf(in, in.Start(), in.End(), "foo is forbidden")
		}
	},
}

const brokenSrc = "FROM alpine:3.20 AS Build\nRUN echo hi\nCOPY a /a\n"

func brokenInput(t *testing.T) (*Input, analysis.Diagnostic) {
	t.Helper()
	in := NewInput(analysis.Parse(brokenSrc), append(slices.Clone(rules.All), noFooRule), analysis.Options{}, nil)
	for _, d := range in.Diagnostics() {
		if d.Rule == "StageNameCasing" {
			return in, d
		}
	}
	t.Fatal("no StageNameCasing finding")
	return nil, analysis.Diagnostic{}
}

func TestVerifyRejectsBrokenActions(t *testing.T) {
	in, d := brokenInput(t)
	at := func(s string) int { return strings.Index(brokenSrc, s) }
	for _, tc := range []struct {
		name  string
		edits []Edit
		want  string // in the reason
	}{
		{"does not fix", []Edit{{Start: at("hi"), End: at("hi") + 2, NewText: "ho"}}, "still has StageNameCasing"},
		{"parse error", []Edit{{Start: d.Start, End: d.End, NewText: "build"}, {Start: at("COPY"), End: at("COPY") + 4, NewText: "COPPY"}}, "no longer parses"},
		{"breaks the directive", []Edit{{Start: d.Start, End: d.End, NewText: "build"}, {Start: 0, End: 0, NewText: "# escape=x\n"}}, "no longer parses"},
		{"new error", []Edit{{Start: d.Start, End: d.End, NewText: "build"}, {Start: at("hi"), End: at("hi") + 2, NewText: "foo"}}, "gains an error: TestNoFoo"},
		{"overlap", []Edit{{Start: d.Start, End: d.End, NewText: "build"}, {Start: d.Start + 1, End: d.End + 1, NewText: "x"}}, "overlap"},
		{"same insertion point", []Edit{{Start: 0, End: 0, NewText: "a"}, {Start: 0, End: 0, NewText: "b"}}, "overlap"},
		{"out of range", []Edit{{Start: len(brokenSrc), End: len(brokenSrc) + 1}}, "out of range"},
		{"nothing", nil, "changes nothing"},
		{"no change", []Edit{{Start: d.Start, End: d.End, NewText: "Build"}}, "leave the text as it was"},
	} {
		a := &Action{Title: tc.name, Edits: tc.edits, Diagnostics: []analysis.Diagnostic{d}}
		err := Verify(in, a)
		var ve *VerifyError
		if !errors.As(err, &ve) || !strings.Contains(ve.Reason, tc.want) {
			t.Errorf("%s: got %v, want a VerifyError saying %q", tc.name, err, tc.want)
		}
	}
	good := &Action{Title: "good", Edits: []Edit{{Start: d.Start, End: d.End, NewText: "build"}}, Diagnostics: []analysis.Diagnostic{d}}
	if err := Verify(in, good); err != nil {
		t.Errorf("a correct fix fails verification: %v", err)
	}
}

// TestBrokenFixerIsNotOffered registers a fixer that makes a broken fix
// and one that panics: neither is offered, both are reported.
func TestBrokenFixerIsNotOffered(t *testing.T) {
	in, _ := brokenInput(t)
	var foo analysis.Diagnostic
	in2 := NewInput(analysis.Parse("FROM alpine:3.20\nRUN foo\n"), in.Rules, in.Options, nil)
	for _, d := range in2.Diagnostics() {
		if d.Rule == noFooRule.Name {
			foo = d
		}
	}
	fixers[noFooRule.Name] = func(in *Input, d analysis.Diagnostic) []*Action {
		return []*Action{
			{Title: "Rename foo to bar", Edits: []Edit{{Start: d.End - 3, End: d.End, NewText: "bar"}}, Safe: true},
			{Title: "Break it", Edits: []Edit{{Start: d.Start, End: d.Start + 3, NewText: "RUNN"}}, Safe: true},
			{Title: "Do nothing useful", Edits: []Edit{{Start: d.End, End: d.End, NewText: " # foo"}}, Safe: true},
		}
	}
	t.Cleanup(func() { delete(fixers, noFooRule.Name) })
	acts, errs := ForDiagnostics(in2, []analysis.Diagnostic{foo})
	var titles []string
	for _, a := range acts {
		titles = append(titles, a.Title)
	}
	if !slices.Contains(titles, "Rename foo to bar") || slices.Contains(titles, "Break it") || slices.Contains(titles, "Do nothing useful") {
		t.Errorf("offered %q", titles)
	}
	if len(errs) != 2 {
		t.Errorf("want 2 verification errors, got %v", errs)
	}

	fixers[noFooRule.Name] = func(in *Input, d analysis.Diagnostic) []*Action { panic("boom") }
	acts, errs = ForDiagnostics(in2, []analysis.Diagnostic{foo})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "boom") {
		t.Errorf("a panicking fixer: errors %v", errs)
	}
	for _, a := range acts {
		if !a.Suppress {
			t.Errorf("a panicking fixer: offered %q", a.Title)
		}
	}

	// Fix all skips the broken fix and reports it.
	fixers[noFooRule.Name] = func(in *Input, d analysis.Diagnostic) []*Action {
		return []*Action{{Title: "Break it", Edits: []Edit{{Start: d.Start, End: d.Start + 3, NewText: "RUNN"}}, Safe: true}}
	}
	res := FixAll(in2, FixOptions{})
	if res.Action != nil || len(res.Errors) == 0 || len(res.Remaining) != 1 {
		t.Errorf("fix all with a broken fixer: action %v, remaining %v, errors %v", res.Action, res.Remaining, res.Errors)
	}
}

func TestApplyAndMapOffset(t *testing.T) {
	text := "0123456789"
	es := []Edit{{Start: 2, End: 4, NewText: "ab"}, {Start: 6, End: 6, NewText: "XYZ"}, {Start: 8, End: 10}}
	got, err := Apply(text, es)
	if err != nil || got != "01ab45XYZ67" {
		t.Fatalf("Apply = %q, %v", got, err)
	}
	sorted, _ := sortedEdits(es, len(text))
	for _, tc := range []struct {
		off      int
		end      bool
		want     int
		describe string
	}{
		{1, false, 1, "before every edit"},
		{2, false, 2, "start of a replacement"},
		{3, false, 2, "inside a replacement, as a start"},
		{3, true, 4, "inside a replacement, as an end"},
		{4, false, 4, "just after a replacement"},
		{6, false, 9, "at an insertion, as a start"},
		{6, true, 6, "at an insertion, as an end"},
		{9, true, 11, "inside a deletion, as an end"},
		{10, false, 11, "at the end"},
	} {
		if got := mapOffset(sorted, tc.off, tc.end); got != tc.want {
			t.Errorf("%s: mapOffset(%d, %v) = %d, want %d", tc.describe, tc.off, tc.end, got, tc.want)
		}
	}
}

func TestDiff(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	words := []string{"FROM a\n", "RUN b\n", "COPY c d\n", "\n", "# x\n", "ENV e=f\r\n", "CMD g"}
	gen := func() string {
		var b strings.Builder
		for range rnd.Intn(12) {
			b.WriteString(words[rnd.Intn(len(words))])
		}
		return b.String()
	}
	for i := 0; i < 2000; i++ {
		a, b := gen(), gen()
		es := Diff(a, b)
		got, err := Apply(a, es)
		if err != nil || got != b {
			t.Fatalf("Diff(%q, %q) = %v: applies to %q, %v", a, b, es, got, err)
		}
		for _, e := range es {
			if e.Start > 0 && a[e.Start-1] != '\n' || e.End < len(a) && e.End > 0 && a[e.End-1] != '\n' {
				t.Fatalf("Diff(%q, %q): edit %v does not cover whole lines", a, b, e)
			}
		}
	}
	// One changed line in a long text is one small edit.
	var lines []string
	for i := range 5000 {
		lines = append(lines, strings.Repeat("x", i%7)+"\n")
	}
	a := strings.Join(lines, "")
	lines[2500] = "changed\n"
	lines[100] = "also\n"
	es := Diff(a, strings.Join(lines, ""))
	if len(es) != 2 || es[0].NewText != "also\n" || es[1].NewText != "changed\n" {
		t.Errorf("Diff of two changed lines = %v", es)
	}
	if Diff(a, a) != nil {
		t.Error("Diff of equal texts is not empty")
	}
}
