// This file defines verification: before an action is offered, its edits
// are applied to a copy of the file, which is checked again. The action is
// dropped when the finding it targets is still there, when a parse error
// appears, or when an error-severity finding appears.
package codeactions

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockwise/dockwise/analysis"
)

// VerifyError is an action that failed verification. It is a bug in the
// code that made the action: callers log it.
type VerifyError struct {
	Title  string
	Rules  []string // the rules of the diagnostics the action targets
	Reason string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("code action %q (%v) failed verification: %s", e.Title, e.Rules, e.Reason)
}

// Verify applies the action's edits to a copy of the input's file, checks
// the result with the input's rules and options, and returns a
// *VerifyError when the action does not do what it says.
func Verify(in *Input, a *Action) error {
	_, err := verify(in, a, false)
	return err
}

// verified is the outcome of a successful verification: the new file and
// (when all rules ran) its diagnostics.
type verified struct {
	file  *analysis.File
	diags []analysis.Diagnostic
}

// verify verifies a. With all set it checks the new file with every rule
// and returns its diagnostics; otherwise it runs only the rules whose
// findings the verification looks at, which gives the same verdict: the
// targets' rules, and those that can report an error (by default, by the
// user's configuration, or as BuildKit checks under `# check=error=true`
// in the old or the new file).
func verify(in *Input, a *Action, all bool) (res *verified, err error) {
	fail := func(format string, args ...any) error {
		var rules []string
		for _, d := range a.Diagnostics {
			rules = append(rules, d.Rule)
		}
		return &VerifyError{Title: a.Title, Rules: rules, Reason: fmt.Sprintf(format, args...)}
	}
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fail("panic: %v\n%s", r, debug.Stack())
		}
	}()
	if len(a.Edits) == 0 && len(a.Files) == 0 {
		return nil, fail("the action changes nothing")
	}
	es, err := sortedEdits(a.Edits, len(in.File.Text))
	if err != nil {
		return nil, fail("bad edits: %v", err)
	}
	nf, err := applyFile(in.File, es)
	if err != nil {
		return nil, fail("bad edits: %v", err)
	}
	if nf.Text == in.File.Text && len(a.Files) == 0 {
		return nil, fail("the edits leave the text as it was")
	}
	// Files the action creates are in the context the result is checked
	// with.
	opts := in.Options
	if len(a.Files) > 0 {
		if opts, err = withFiles(in.Options, a.Files); err != nil {
			return nil, fail("%v", err)
		}
	}
	rs := in.Rules
	if !all {
		rs = verifyRules(in, a, nf)
	}
	after := analysis.Check(nf, rs, opts)
	before := in.Diagnostics()

	// No parse error and no error-severity finding may appear. An error
	// of the result is one the file had if an error of the same rule had
	// the same message (less BuildKit's random "did you mean"), or a
	// range that the edits move onto it (messages quote source text that
	// fixes change, such as a keyword's case).
	type bad struct {
		d      analysis.Diagnostic
		msg    string
		s, e   int // mapped
		paired bool
	}
	isBad := func(d analysis.Diagnostic) bool {
		return d.Severity == analysis.SeverityError || d.Rule == analysis.ParseErrorRule
	}
	msgOf := func(d analysis.Diagnostic) string {
		// BuildKit picks its "did you mean" suggestion for an unknown
		// instruction at random among equally close names.
		msg, _, _ := strings.Cut(d.Message, " (did you mean")
		return msg
	}
	var old []*bad
	for _, d := range before {
		if isBad(d) {
			s, e := mapOffset(es, d.Start, false), mapOffset(es, d.End, true)
			old = append(old, &bad{d: d, msg: msgOf(d), s: s, e: max(e, s)})
		}
	}
	// Pair by position first, then by message.
	var unpaired []analysis.Diagnostic
	for _, d := range after {
		if !isBad(d) {
			continue
		}
		paired := false
		for _, o := range old {
			if !o.paired && o.d.Rule == d.Rule && overlaps(d.Start, d.End, o.s, o.e) {
				o.paired, paired = true, true
				break
			}
		}
		if !paired {
			unpaired = append(unpaired, d)
		}
	}
	for _, d := range unpaired {
		paired := false
		for _, o := range old {
			if !o.paired && o.d.Rule == d.Rule && o.msg == msgOf(d) {
				o.paired, paired = true, true
				break
			}
		}
		if paired {
			continue
		}
		line := nf.LineOf(d.Start) + 1
		if d.Rule == analysis.ParseErrorRule {
			return nil, fail("line %d no longer parses: %s", line, d.Message)
		}
		return nil, fail("line %d gains an error: %s: %s", line, d.Rule, d.Message)
	}

	// The targets must be gone: no finding of the same rule where the
	// target's range is after the edits.
	for _, t := range a.Diagnostics {
		s, e := mapOffset(es, t.Start, false), mapOffset(es, t.End, true)
		e = max(e, s)
		for _, d := range after {
			if d.Rule != t.Rule {
				continue
			}
			// A target whose text was deleted maps to the point of the
			// deletion, where the next finding may start: that one is
			// another finding.
			if s == e && t.End > t.Start && d.Start == s && d.End > d.Start {
				continue
			}
			if overlaps(d.Start, d.End, s, e) {
				return nil, fail("line %d still has %s: %s", nf.LineOf(d.Start)+1, d.Rule, d.Message)
			}
		}
	}
	if !all {
		after = nil
	}
	return &verified{file: nf, diags: after}, nil
}

// verifyRules returns the rules whose findings decide the verification of
// a, whose result is nf.
func verifyRules(in *Input, a *Action, nf *analysis.File) []*analysis.Rule {
	asErrors := checkErrors(in.File) || checkErrors(nf)
	var sev map[string]analysis.Severity
	if c := in.Options.Config; c != nil {
		sev = c.Severity
	}
	var out []*analysis.Rule
	for _, r := range in.Rules {
		s, ok := sev[r.Name]
		if !ok {
			s = r.Severity
		}
		target := false
		for _, d := range a.Diagnostics {
			target = target || d.Rule == r.Name
		}
		if target || s == analysis.SeverityError || asErrors && r.BuildKit {
			out = append(out, r)
		}
	}
	return out
}

// checkErrors reports whether the file's `# check=` directive turns
// BuildKit's warnings into errors (error=true).
func checkErrors(f *analysis.File) bool {
	for _, d := range f.Directives {
		if d.Name == "check" {
			v, _, _ := strings.Cut(d.Value, " ")
			c, err := linter.ParseLintOptions(v)
			return err == nil && c.ReturnAsError
		}
	}
	return false
}

// overlaps reports whether [s1, e1) and [s2, e2) overlap; an empty range
// overlaps a range it touches.
func overlaps(s1, e1, s2, e2 int) bool {
	if s1 == e1 || s2 == e2 {
		return s1 <= e2 && s2 <= e1
	}
	return s1 < e2 && s2 < e1
}

// withFiles returns the options with a build context that holds the files
// an action creates or extends. Only the ignore file the context reads (or
// a new .dockerignore in the context directory) can be checked so; other
// files are an error.
func withFiles(opts analysis.Options, files []NewFile) (analysis.Options, error) {
	for _, nf := range files {
		if opts.Context == nil || opts.Context.Dir == "" {
			return opts, fmt.Errorf("no build context to write %s in", nf.Path)
		}
		content := nf.Content
		p := filepath.Join(opts.Context.Dir, filepath.FromSlash(nf.Path))
		switch {
		case nf.Append && p == opts.Context.DockerignorePath():
			old, err := os.ReadFile(p)
			if err != nil {
				return opts, err
			}
			content = string(old) + content
		case nf.Append || nf.Path != DockerignoreName:
			return opts, fmt.Errorf("cannot check the creation of %s", nf.Path)
		}
		ctx, err := opts.Context.WithDockerignore(nf.Path, content)
		if err != nil {
			return opts, err
		}
		opts.Context = ctx
	}
	return opts, nil
}
