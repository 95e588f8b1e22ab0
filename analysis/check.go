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
	"unsafe"

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
	ignored := globalIgnores(f)
	byName := make(map[string]*Rule, len(rules))
	for _, r := range rules {
		byName[r.Name] = r
	}
	var keep func(d Diagnostic)
	keep = func(d Diagnostic) {
		r := byName[d.Rule]
		if ignored.matches(r, d.Rule) {
			return
		}
		if d.Instruction != nil && (instructionSkips(d.Instruction, d.Rule) || instructionIgnores(d.Instruction, r, d.Rule)) {
			return
		}
		if s, ok := cfg.Severity[d.Rule]; ok {
			d.Severity = s
		} else if fileCheck.ReturnAsError && r != nil && r.BuildKit {
			d.Severity = SeverityError
		}
		out = append(out, d)
	}

	var local, whole []*Rule
	for _, r := range rules {
		if !enabled(r) {
			continue
		}
		if r.Check != nil {
			local = append(local, r)
		} else if r.Run != nil {
			whole = append(whole, r)
		}
	}
	wholeOut, runWholeRules := wholeRunner(f, whole, opts.Context)
	if !warm(f, rules, runWholeRules) {
		runWhole(f, whole, runWholeRules)
	}
	for _, ds := range wholeOut {
		for _, d := range ds {
			keep(d)
		}
	}
	if len(local) > 0 {
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

// wholeRunner returns where the whole-file rules' diagnostics go, one
// slice per rule, and work, which takes what is left to do until nothing
// is: first the rules' Stage calls, one stage of one rule at a time, then
// the rules' Runs. Several goroutines may call work at once: the rules
// only read the file, its semantic model and the build context, which are
// safe for concurrent use.
func wholeRunner(f *File, rules []*Rule, ctx *BuildContext) (out [][]Diagnostic, work func()) {
	out = make([][]Diagnostic, len(rules))
	var staged []*Pass // a Pass per rule with a Stage func, shared by its calls (they only read it)
	for _, r := range rules {
		if r.Stage != nil {
			staged = append(staged, &Pass{File: f, Rule: r, Context: ctx, report: func(Diagnostic) {}})
		}
	}
	var next atomic.Int64
	work = func() {
		var stages []*Stage
		if len(staged) > 0 {
			stages = f.Semantics().Stages
		}
		nStaged := len(staged) * len(stages)
		for {
			i := int(next.Add(1)) - 1
			if i < nStaged {
				warmStage(staged[i%len(staged)], stages[i/len(staged)])
				continue
			}
			i -= nStaged
			if i >= len(rules) {
				return
			}
			r := rules[i]
			p := &Pass{File: f, Rule: r, Context: ctx, report: func(d Diagnostic) { out[i] = append(out[i], d) }}
			runSafely(p, func() { r.Run(p) })
		}
	}
	return out, work
}

// warmStage runs p.Rule's Stage for s. A panic is dropped: the rule's
// Run meets the same one and reports it.
func warmStage(p *Pass, s *Stage) {
	defer func() { _ = recover() }()
	p.Rule.Stage(p, s)
}

// runWhole runs the whole-file rules with work (see wholeRunner): on a
// large file on all cores.
func runWhole(f *File, rules []*Rule, work func()) {
	workers := runtime.GOMAXPROCS(0)
	if len(f.insts) < 256 || workers < 2 || len(rules) < 2 {
		work()
		return
	}
	f.Semantics() // built once, before the rules race for it
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(work)
	}
	wg.Wait()
}

// warm computes the cached per-instruction data of a file parsed whole on
// all cores, then runs then on all of them, and reports whether it did:
// only a large file parsed whole is warmed, as every instruction needs the
// data then, while after an incremental edit only the re-parsed ones do.
// First the typed commands and plans, which the semantic model needs; then
// one worker builds the model while the others run the instruction-local
// rules and read the RUN scripts, and joins them when the model is done;
// each worker goes on to then when no instruction is left (so a worker
// does not wait for the others between the two, and then's work may find
// a RUN's commands not computed yet: it computes them itself).
func warm(f *File, rules []*Rule, then func()) bool {
	workers := runtime.GOMAXPROCS(0)
	if !f.whole || len(f.insts) < 256 || workers < 2 {
		return false
	}
	const batch = 64
	each := func(work func([]*Instruction)) func() {
		var next atomic.Int64
		return func() {
			for {
				i := int(next.Add(batch)) - batch
				if i >= len(f.insts) {
					return
				}
				work(f.insts[i:min(i+batch, len(f.insts))])
			}
		}
	}
	var wg sync.WaitGroup
	plans := each(func(insts []*Instruction) {
		for _, in := range insts {
			in.plan()
		}
	})
	for w := 0; w < workers; w++ {
		wg.Go(plans)
	}
	wg.Wait()
	rest := each(func(insts []*Instruction) {
		commandsTogether(insts)
		for _, in := range insts {
			in.computeLocal(rules)
			if in.Is("run") {
				in.Commands(nil) // the RUN's shell script and commands (its mounts come with its plan)
			}
		}
	})
	wg.Go(func() {
		f.Semantics()
		rest()
		then()
	})
	for w := 1; w < workers; w++ {
		wg.Go(func() {
			rest()
			then()
		})
	}
	wg.Wait()
	return true
}

// localDiagnostics returns the diagnostics of all instruction-local rules
// for in, computing them once per chunk. They are cached with offsets
// relative to the chunk, so they survive edits elsewhere.
func (in *Instruction) localDiagnostics(rules []*Rule) []Diagnostic {
	local := in.computeLocal(rules)
	if len(local) == 0 {
		return nil
	}
	out := make([]Diagnostic, len(local))
	for i, d := range local {
		d.Start += in.ref.off
		d.End += in.ref.off
		d.Instruction = in
		out[i] = d
	}
	return out
}

// ruleSet identifies a slice of rules, so that the per-chunk cache serves
// only the rule set it was computed for (in practice rules.All).
type ruleSet struct {
	first **Rule
	n     int
}

func ruleSetOf(rules []*Rule) ruleSet { return ruleSet{unsafe.SliceData(rules), len(rules)} }

// computeLocal runs the instruction-local rules, once per chunk for the
// first rule set it is asked for, and returns their diagnostics with
// offsets relative to the chunk.
func (in *Instruction) computeLocal(rules []*Rule) []Diagnostic {
	s := in.sem()
	s.localOnce.Do(func() {
		s.localSet = ruleSetOf(rules)
		s.local = in.runLocal(rules)
	})
	if s.localSet == ruleSetOf(rules) {
		return s.local
	}
	return in.runLocal(rules)
}

func (in *Instruction) runLocal(rules []*Rule) []Diagnostic {
	// One Pass for all the rules, reused from one instruction to the
	// next: this runs for every instruction, and most report nothing.
	lp := localPasses.Get().(*localPass)
	lp.Pass = Pass{File: in.file, report: lp.addFn}
	lp.base = in.ref.off
	for i := 0; i < len(rules); {
		i = in.runChecks(&lp.Pass, rules, i)
	}
	var out []Diagnostic
	if len(lp.out) > 0 {
		out = slices.Clone(lp.out)
	}
	clear(lp.out)
	lp.out = lp.out[:0]
	lp.Pass = Pass{}
	localPasses.Put(lp)
	return out
}

// localPass is the Pass of instruction-local rules, with the diagnostics
// they report made relative to the instruction's chunk.
type localPass struct {
	Pass
	base  int
	out   []Diagnostic
	addFn func(Diagnostic) // lp.add, bound once
}

var localPasses = sync.Pool{New: func() any {
	lp := &localPass{}
	lp.addFn = lp.add
	return lp
}}

func (lp *localPass) add(d Diagnostic) {
	d.Start -= lp.base
	d.End -= lp.base
	d.Instruction = nil
	lp.out = append(lp.out, d)
}

// runChecks runs the Check of rules[i:] on in until one panics, which it
// reports as runSafely does, and returns the index to go on from. One
// deferred recover for all the rules: this runs for every instruction.
func (in *Instruction) runChecks(p *Pass, rules []*Rule, i int) (next int) {
	defer func() {
		if r := recover(); r != nil {
			p.report(Diagnostic{Rule: p.Rule.Name, Severity: SeverityHint,
				Message: fmt.Sprintf("internal error in rule %s: %v", p.Rule.Name, r)})
			next = i + 1
		}
	}()
	for ; i < len(rules); i++ {
		if r := rules[i]; r.Check != nil {
			p.Rule = r
			r.Check(p, in)
		}
	}
	return i
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

// ignoreSet is a set of rules named by ignore comments: our rule names and
// hadolint codes.
type ignoreSet map[string]bool

func (s ignoreSet) matches(r *Rule, name string) bool {
	if len(s) == 0 {
		return false
	}
	if s[name] {
		return true
	}
	if r != nil {
		for _, code := range r.Hadolint {
			if s[code] {
				return true
			}
		}
	}
	return false
}

// addIgnoreComment adds the rules of an ignore comment (the text after '#')
// of the given kind, "ignore" or "global ignore", to s. It accepts
// `dockwise <kind>=A,B` and hadolint's `hadolint <kind>=DL3025,...`.
func (s ignoreSet) addIgnoreComment(comment, kind string) ignoreSet {
	c := strings.TrimSpace(comment)
	for _, tool := range []string{"dockwise", "hadolint"} {
		rest, ok := strings.CutPrefix(c, tool)
		if !ok {
			continue
		}
		rest, ok = strings.CutPrefix(strings.TrimSpace(rest), kind)
		if !ok {
			continue
		}
		rest, ok = strings.CutPrefix(strings.TrimSpace(rest), "=")
		if !ok {
			continue
		}
		if s == nil {
			s = ignoreSet{}
		}
		list, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
		for _, name := range strings.Split(list, ",") {
			if name = strings.TrimSpace(name); name != "" {
				s[name] = true
			}
		}
	}
	return s
}

// globalIgnores collects `# dockwise global ignore=` and `# hadolint global
// ignore=` comments anywhere in the file.
func globalIgnores(f *File) ignoreSet {
	var s ignoreSet
	text := f.Text
	for off := 0; ; {
		i := strings.Index(text[off:], "global ignore")
		if i < 0 {
			return s
		}
		l := f.lineOf(off + i)
		line := strings.TrimSpace(f.Line(l))
		if c, ok := strings.CutPrefix(line, "#"); ok {
			s = s.addIgnoreComment(c, "global ignore")
		}
		off = max(f.LineStart(l+1), off+i+1)
	}
}

// instructionIgnores reports whether a `# dockwise ignore=` (or `# hadolint
// ignore=`) comment above the instruction names the rule.
func instructionIgnores(in *Instruction, r *Rule, name string) bool {
	var s ignoreSet
	for _, c := range in.Comments() {
		s = s.addIgnoreComment(c, "ignore")
	}
	return s.matches(r, name)
}
