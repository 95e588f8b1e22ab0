// This file defines Check, which runs rules over a File and applies what
// decides which findings are shown: the user's configuration, BuildKit's
// `# check=` directive and comments, and parse errors.
package analysis

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Config is the user's rule configuration.
type Config struct {
	Disabled map[string]bool     // rules turned off
	Enabled  map[string]bool     // rules turned on (experimental rules included)
	Severity map[string]Severity // per-rule severity overrides
}

// Options are the inputs of Check besides the file and the rules.
type Options struct {
	Config  *Config
	Context *BuildContext // nil when unknown
}

// Check runs rules over f and returns the diagnostics to show, sorted by
// position. Parse errors come first in their position order like any other.
func Check(f *File, rules []*Rule, opts Options) []Diagnostic {
	cfg := opts.Config
	if cfg == nil {
		cfg = &Config{}
	}
	fileCheck := fileCheckConfig(f)
	var out []Diagnostic
	out = append(out, parseErrors(f)...)

	enabled := func(r *Rule) bool {
		if cfg.Disabled[r.Name] {
			return false
		}
		if r.Experimental {
			return cfg.Enabled[r.Name] || fileCheck.ExperimentalAll || slices.Contains(fileCheck.ExperimentalRules, r.Name)
		}
		return !fileCheck.SkipAll && !slices.Contains(fileCheck.SkipRules, r.Name)
	}
	var keep func(d Diagnostic)
	keep = func(d Diagnostic) {
		if d.Instruction != nil && instructionSkips(d.Instruction, d.Rule) {
			return
		}
		if s, ok := cfg.Severity[d.Rule]; ok {
			d.Severity = s
		} else if fileCheck.ReturnAsError && isBuildKit(rules, d.Rule) {
			d.Severity = SeverityError
		}
		out = append(out, d)
	}

	var local []*Rule
	for _, r := range rules {
		if !enabled(r) {
			continue
		}
		if r.Check != nil {
			local = append(local, r)
			continue
		}
		if r.Run != nil {
			p := &Pass{File: f, Rule: r, Context: opts.Context, report: keep}
			runSafely(p, func() { r.Run(p) })
		}
	}
	if len(local) > 0 {
		warmLocal(f, rules)
		names := make(map[string]bool, len(local))
		for _, r := range local {
			names[r.Name] = true
		}
		for _, in := range f.insts {
			for _, d := range in.localDiagnostics(rules) {
				if names[d.Rule] {
					keep(d)
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Diagnostic) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	return out
}

// warmLocal computes the cached per-instruction data of a file parsed whole
// on all cores: then every instruction needs it, while after an incremental
// edit only the re-parsed ones do.
func warmLocal(f *File, rules []*Rule) {
	workers := runtime.GOMAXPROCS(0)
	if !f.whole || len(f.insts) < 256 || workers < 2 {
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for {
				i := int(next.Add(64)) - 64
				if i >= len(f.insts) {
					return
				}
				for _, in := range f.insts[i:min(i+64, len(f.insts))] {
					in.computeLocal(rules)
				}
			}
		})
	}
	wg.Wait()
}

// localDiagnostics returns the diagnostics of all instruction-local rules
// for in, computing them once per chunk. They are cached with offsets
// relative to the chunk, so they survive edits elsewhere.
func (in *Instruction) localDiagnostics(rules []*Rule) []Diagnostic {
	s := in.computeLocal(rules)
	if len(s.local) == 0 {
		return nil
	}
	out := make([]Diagnostic, len(s.local))
	for i, d := range s.local {
		d.Start += in.ref.off
		d.End += in.ref.off
		d.Instruction = in
		out[i] = d
	}
	return out
}

// computeLocal runs the instruction-local rules once per chunk.
func (in *Instruction) computeLocal(rules []*Rule) *instSemantics {
	s := in.sem()
	s.localOnce.Do(func() {
		base := in.ref.off
		for _, r := range rules {
			if r.Check == nil {
				continue
			}
			p := &Pass{File: in.file, Rule: r, report: func(d Diagnostic) {
				d.Start -= base
				d.End -= base
				d.Instruction = nil
				s.local = append(s.local, d)
			}}
			runSafely(p, func() { r.Check(p, in) })
		}
	})
	return s
}

// runSafely runs a rule; a rule that panics reports the panic as a
// diagnostic at the start of the file instead of taking the caller down.
func runSafely(p *Pass, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			p.report(Diagnostic{Rule: p.Rule.Name, Severity: SeverityHint,
				Message: fmt.Sprintf("internal error in rule %s: %v", p.Rule.Name, r)})
		}
	}()
	fn()
}

func isBuildKit(rules []*Rule, name string) bool {
	for _, r := range rules {
		if r.Name == name {
			return r.BuildKit
		}
	}
	return false
}

// fileCheckConfig returns the configuration of the file's `# check=`
// parser directive (BuildKit reads the value up to the first space).
func fileCheckConfig(f *File) *linter.Config {
	for _, d := range f.Directives {
		if d.Name == "check" {
			v, _, _ := strings.Cut(d.Value, " ")
			if c, err := linter.ParseLintOptions(v); err == nil {
				return c
			}
		}
	}
	return &linter.Config{}
}

// instructionSkips reports whether a `# check=skip=...` comment directly
// above the instruction turns off rule for it, as BuildKit's
// WithMergedConfigFromComments does: the first check comment counts.
func instructionSkips(in *Instruction, rule string) bool {
	for _, comment := range in.Comments() {
		var p parser.DirectiveParser
		p.SetComment("")
		d, _ := p.ParseLine([]byte(comment))
		if d == nil || d.Name != "check" {
			continue
		}
		v, _, _ := strings.Cut(d.Value, " ")
		c, err := linter.ParseLintOptions(v)
		if err != nil {
			return false
		}
		return c.SkipAll || slices.Contains(c.SkipRules, rule)
	}
	return false
}

// parseErrors returns an Error diagnostic for every instruction that does
// not parse, with BuildKit's message, on the instruction's lines.
func parseErrors(f *File) []Diagnostic {
	var out []Diagnostic
	sawFrom := false
	for _, in := range f.insts {
		err := in.ParseError()
		if err == nil && !sawFrom && !in.Is("from") && !in.Is("arg") {
			err = fmt.Errorf("no build stage in current context")
		}
		if in.Is("from") {
			sawFrom = true
		}
		if err == nil {
			continue
		}
		start, end := in.Start(), in.End()
		if in.Node() != nil {
			// Point at the keyword line, not the whole body.
			end = min(end, in.file.LineEnd(in.StartLine()))
		}
		out = append(out, Diagnostic{Rule: ParseErrorRule, Severity: SeverityError, Message: err.Error(),
			Start: start, End: end})
	}
	if len(f.insts) == 0 {
		out = append(out, Diagnostic{Rule: ParseErrorRule, Severity: SeverityError,
			Message: "file with no instructions", Start: 0, End: f.LineEnd(0)})
	} else if !sawFrom {
		in := f.insts[0]
		out = append(out, Diagnostic{Rule: ParseErrorRule, Severity: SeverityError,
			Message: "dockerfile contains no stages to build", Start: in.Start(), End: in.file.LineEnd(in.StartLine())})
	}
	return out
}
