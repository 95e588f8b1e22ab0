package analysis

import (
	"fmt"
	"strings"
	"testing"
)

// testRules: EveryRun reports each RUN (instruction-local, a BuildKit-style
// rule with a hadolint code); Exp is experimental; Ours is a file-level
// dockwise rule reporting each CMD.
func testRules() []*Rule {
	return []*Rule{
		{Name: "EveryRun", Severity: SeverityWarning, BuildKit: true, Hadolint: []string{"DL9999"},
			Check: func(p *Pass, in *Instruction) {
				if in.Is("run") {
					p.Reportf(in, in.Start(), in.Start()+3, "a run")
				}
			}},
		{Name: "Exp", Severity: SeverityInfo, BuildKit: true, Experimental: true,
			Check: func(p *Pass, in *Instruction) {
				if in.Is("run") {
					p.Reportf(in, in.Start(), in.Start()+3, "experimental")
				}
			}},
		{Name: "Ours", Severity: SeverityWarning,
			Run: func(p *Pass) {
				for _, in := range p.File.Instructions() {
					if in.Is("cmd") {
						p.Reportf(in, in.Start(), in.End(), "a cmd")
					}
				}
			}},
	}
}

// summary renders diagnostics as "line:rule:severity" for comparison.
func summary(f *File, ds []Diagnostic) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprintf("%d:%s:%s", f.LineOf(d.Start)+1, d.Rule, d.Severity))
	}
	return strings.Join(parts, " ")
}

func TestCheckSuppression(t *testing.T) {
	tests := []struct {
		name, text string
		cfg        *Config
		want       string
	}{
		{"plain", "FROM a\nRUN x\nCMD y\n", nil, "2:EveryRun:warning 3:Ours:warning"},
		{"skip directive", "# check=skip=EveryRun\nFROM a\nRUN x\nCMD y\n", nil, "4:Ours:warning"},
		{"skip all", "# check=skip=all\nFROM a\nRUN x\nCMD y\n", nil, ""},
		{"skip ours by name", "# check=skip=Ours\nFROM a\nRUN x\nCMD y\n", nil, "3:EveryRun:warning"},
		{"error=true raises BuildKit rules only", "# check=error=true\nFROM a\nRUN x\nCMD y\n", nil, "3:EveryRun:error 4:Ours:warning"},
		{"experimental", "# check=experimental=Exp\nFROM a\nRUN x\n", nil, "3:EveryRun:warning 3:Exp:info"},
		{"skip comment above", "FROM a\n# check=skip=EveryRun\nRUN x\nRUN z\n", nil, "4:EveryRun:warning"},
		{"dockwise ignore", "FROM a\n# dockwise ignore=EveryRun,Ours\nRUN x\nRUN z\n# dockwise ignore=Ours\nCMD y\n", nil, "4:EveryRun:warning"},
		{"hadolint ignore", "FROM a\n# hadolint ignore=DL3000,DL9999\nRUN x\nRUN z\n", nil, "4:EveryRun:warning"},
		{"global ignore at the end", "FROM a\nRUN x\nCMD y\n# dockwise global ignore=Ours\n", nil, "2:EveryRun:warning"},
		{"hadolint global ignore", "FROM a\n# hadolint global ignore=DL9999\nRUN x\nCMD y\n", nil, "4:Ours:warning"},
		{"empty ignore lists", "FROM a\n# dockwise ignore=\n# hadolint global ignore=  \nRUN x\n", nil, "4:EveryRun:warning"},
		{"not a comment", "FROM a\nRUN echo dockwise global ignore=Ours\nCMD y\n", nil, "2:EveryRun:warning 3:Ours:warning"},
		{"config off and severity", "FROM a\nRUN x\nCMD y\n", &Config{Disabled: map[string]bool{"Ours": true}, Severity: map[string]Severity{"EveryRun": SeverityHint}}, "2:EveryRun:hint"},
		{"config enables experimental", "FROM a\nRUN x\n", &Config{Enabled: map[string]bool{"Exp": true}}, "2:EveryRun:warning 2:Exp:info"},
		{"parse errors", "FROM a\nRUN <<EOF\nx\n", nil, "2:ParseError:error"},
		{"before FROM", "RUN x\nFROM a\n", nil, "1:EveryRun:warning 1:ParseError:error"},
		{"no instructions", "# nothing\n", nil, "1:ParseError:error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse(tt.text)
			if got := summary(f, Check(f, testRules(), Options{Config: tt.cfg})); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A rule that panics is reported, not fatal.
func TestCheckRulePanics(t *testing.T) {
	f := Parse("FROM a\n")
	ds := Check(f, []*Rule{{Name: "Boom", Severity: SeverityWarning, Run: func(*Pass) { panic("boom") }}}, Options{})
	if len(ds) != 1 || !strings.Contains(ds[0].Message, "boom") {
		t.Errorf("got %+v", ds)
	}
}

// An instruction-local rule that panics is reported (at the start of the
// file, as whole-file rules' panics are) for each instruction it panics on,
// and the rules after it still run there.
func TestCheckLocalRulePanics(t *testing.T) {
	f := Parse("FROM a\nRUN x\n")
	mark := func(name string) *Rule {
		return &Rule{Name: name, Severity: SeverityWarning, Check: func(p *Pass, in *Instruction) {
			p.Report(Diagnostic{Start: in.Start(), End: in.End(), Message: name})
		}}
	}
	boom := &Rule{Name: "Boom", Severity: SeverityWarning, Check: func(p *Pass, in *Instruction) {
		if in.Is("run") {
			panic("boom")
		}
	}}
	ds := Check(f, []*Rule{mark("Before"), boom, mark("After")}, Options{})
	var got []string
	for _, d := range ds {
		got = append(got, fmt.Sprintf("%d:%s:%s", f.LineOf(d.Start)+1, d.Rule, d.Message))
	}
	want := []string{"1:After:After", "1:Before:Before", "1:Boom:internal error in rule Boom: boom", "2:After:After", "2:Before:Before"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// Cached local diagnostics follow their instruction when lines move.
func TestCheckLocalCacheAfterEdit(t *testing.T) {
	f := Parse("FROM a\nRUN x\nCMD y\nRUN z\n")
	rules := testRules()
	Check(f, rules, Options{})
	nf, _ := f.Edit(0, 0, "# c\n\n")
	if got, want := summary(nf, Check(nf, rules, Options{})), "4:EveryRun:warning 5:Ours:warning 6:EveryRun:warning"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// The per-instruction cache serves the rule set it was computed for; a
// check with other rules is not answered from it.
func TestCheckLocalCacheRuleSets(t *testing.T) {
	f := Parse("FROM a\nRUN x\n")
	if got := summary(f, Check(f, nil, Options{})); got != "" {
		t.Errorf("no rules: got %q", got)
	}
	if got, want := summary(f, Check(f, testRules(), Options{})), "2:EveryRun:warning"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
