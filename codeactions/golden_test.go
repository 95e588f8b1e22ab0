// This file holds the golden tests: each testdata/*.txtar archive holds
// Dockerfiles (one per case directory, or one at the top) and, for each
// action offered, the Dockerfile that results, in a section named
// `[case/]@<title>/Dockerfile`, and the files it creates in sections
// `[case/]@<title>/<file>`. `go test -update` rewrites those sections.
//
// The archive's comment may set, in lines of the form `key: value`:
//
//	rules: A,B        the rules whose findings get actions (default: the
//	                  archive's name when it is a rule, else every rule)
//	actions: fixes,suppressions,fixall,refactors   which actions to show
//	                  (default: fixes; refactors: the refactor.rewrite
//	                  actions of the whole file)
//	split-clean: A,B  the rules that must not fire on the result of a
//	                  split (a refactor or a fix of SingleStageBuild)
//	split: required   every case must be offered a split
//	split-as-root: T  splits whose title contains T run as root by design
//	                  (nginx:alpine): RootRuntimeUser is not checked on them
//	crlf: true        the Dockerfile is tested with CRLF line ends
package codeactions

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

var update = flag.Bool("update", false, "rewrite the golden sections of testdata/*.txtar")

// goldenCase is one Dockerfile of an archive with its context files and
// expected results.
type goldenCase struct {
	name   string            // the case directory, "" at the top
	files  map[string][]byte // the Dockerfile and context files, relative to the case
	order  []string          // file names in archive order
	golden map[string]string // title -> resulting Dockerfile
	// created holds the files the actions create: title -> path -> content.
	created map[string]map[string]string
	titles  []string // the titles offered, in order (for -update)
}

// goldenPrefix returns the archive name prefix of a case's files.
func (c *goldenCase) prefix() string {
	if c.name == "" {
		return ""
	}
	return c.name + "/"
}

func parseGolden(t *testing.T, ar *txtar.Archive) []*goldenCase {
	t.Helper()
	byName := map[string]*goldenCase{}
	var cases []*goldenCase
	get := func(name string) *goldenCase {
		c := byName[name]
		if c == nil {
			c = &goldenCase{name: name, files: map[string][]byte{}, golden: map[string]string{}}
			byName[name] = c
			cases = append(cases, c)
		}
		return c
	}
	for _, f := range ar.Files {
		if i := strings.Index(f.Name, "@"); i >= 0 {
			c := get(strings.TrimSuffix(f.Name[:i], "/"))
			title, ok := strings.CutSuffix(f.Name[i+1:], "/Dockerfile")
			if !ok {
				j := strings.LastIndex(f.Name, "/")
				if j <= i {
					t.Fatalf("golden section %q names no file", f.Name)
				}
				title = f.Name[i+1 : j]
				if c.created == nil {
					c.created = map[string]map[string]string{}
				}
				if c.created[title] == nil {
					c.created[title] = map[string]string{}
				}
				c.created[title][f.Name[j+1:]] = string(f.Data)
				continue
			}
			c.golden[title] = string(f.Data)
			continue
		}
		dir, rest, ok := strings.Cut(f.Name, "/")
		if !ok {
			dir, rest = "", f.Name
		}
		c := get(dir)
		c.files[rest] = f.Data
		c.order = append(c.order, rest)
	}
	return cases
}

// header reads the `key: value` lines of an archive's comment.
func header(comment []byte) map[string]string {
	h := map[string]string{}
	for _, line := range strings.Split(string(comment), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && !strings.ContainsAny(k, " \t") && k != "" {
			h[k] = strings.TrimSpace(v)
		}
	}
	return h
}

// caseInput writes a case's files to a directory and returns the input
// for its Dockerfile, with that directory as the build context.
func caseInput(t *testing.T, c *goldenCase, text string) *Input {
	t.Helper()
	dir := t.TempDir()
	for name, data := range c.files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, err := analysis.NewBuildContext(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return NewInput(analysis.Parse(text), rules.All, analysis.Options{Context: ctx}, nil)
}

func TestGolden(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no testdata")
	}
	tested := map[string]bool{}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			h := header(ar.Comment)
			var ruleSet []string
			switch {
			case h["rules"] != "":
				ruleSet = strings.Split(h["rules"], ",")
			case rules.ByName(name) != nil:
				ruleSet = []string{name}
			}
			for _, r := range ruleSet {
				tested[r] = true
			}
			kinds := strings.Split(cmpOr(h["actions"], "fixes"), ",")
			crlf := h["crlf"] == "true"
			cases := parseGolden(t, ar)
			for _, c := range cases {
				src, ok := c.files["Dockerfile"]
				if !ok {
					t.Fatalf("case %q has no Dockerfile", c.name)
				}
				text := string(src)
				if crlf {
					text = strings.ReplaceAll(text, "\n", "\r\n")
				}
				in := caseInput(t, c, text)
				got := runActions(t, c.name, in, ruleSet, kinds)
				var results []string
				for _, a := range got {
					out, err := Apply(text, a.Edits)
					if err != nil {
						t.Fatalf("%s: %q: %v", c.name, a.Title, err)
					}
					if crlf {
						if strings.Count(out, "\n") != strings.Count(out, "\r\n") {
							t.Errorf("%s: %q: the result mixes line ends:\n%q", c.name, a.Title, out)
						}
						out = strings.ReplaceAll(out, "\r\n", "\n")
					}
					results = append(results, out)
					checkIndependently(t, c.name, in, a, out)
					if h["split-clean"] != "" && isSplit(a) {
						clean := strings.Split(h["split-clean"], ",")
						if r := h["split-as-root"]; r != "" && strings.Contains(a.Title, r) {
							clean = slices.DeleteFunc(clean, func(s string) bool { return s == "RootRuntimeUser" })
						}
						checkSplitClean(t, c.name, in, a, out, clean)
					}
				}
				if h["split"] == "required" && !slices.ContainsFunc(got, isSplit) {
					t.Errorf("%s: no split offered", c.name)
				}
				if *update {
					c.golden = map[string]string{}
					c.created = map[string]map[string]string{}
					for i, a := range got {
						c.golden[a.Title] = results[i]
						c.titles = append(c.titles, a.Title)
						for _, nf := range a.Files {
							if c.created[a.Title] == nil {
								c.created[a.Title] = map[string]string{}
							}
							c.created[a.Title][nf.Path] = nf.Content
						}
					}
					continue
				}
				seen := map[string]bool{}
				for i, a := range got {
					seen[a.Title] = true
					want, ok := c.golden[a.Title]
					if !ok {
						t.Errorf("%s: unexpected action %q; result:\n%s", c.name, a.Title, results[i])
						continue
					}
					if want != results[i] {
						t.Errorf("%s: %q:\ngot:\n%s\nwant:\n%s", c.name, a.Title, results[i], want)
					}
					files := map[string]string{}
					for _, nf := range a.Files {
						files[nf.Path] = nf.Content
					}
					if wantFiles := c.created[a.Title]; !maps.Equal(files, wantFiles) && (len(files) > 0 || len(wantFiles) > 0) {
						t.Errorf("%s: %q creates:\n%v\nwant:\n%v", c.name, a.Title, files, wantFiles)
					}
				}
				for title := range c.golden {
					if !seen[title] {
						t.Errorf("%s: action %q is not offered", c.name, title)
					}
				}
			}
			if *update {
				writeGolden(t, path, ar, cases)
			}
		})
	}
	for _, r := range FixableRules() {
		if !tested[r] {
			t.Errorf("the fixes of %s have no golden test", r)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// runActions returns the actions of the kinds asked for the case's
// findings of the rules (all when rules is empty), failing the test on
// verification errors. Every case must have a finding.
func runActions(t *testing.T, name string, in *Input, ruleSet, kinds []string) []*Action {
	t.Helper()
	var diags []analysis.Diagnostic
	for _, d := range in.Diagnostics() {
		if len(ruleSet) == 0 || slices.Contains(ruleSet, d.Rule) {
			diags = append(diags, d)
		}
	}
	if len(diags) == 0 && !slices.Contains(kinds, "refactors") {
		t.Errorf("%s: no finding of %v to act on", name, ruleSet)
	}
	var out []*Action
	if slices.Contains(kinds, "fixes") || slices.Contains(kinds, "suppressions") {
		acts, errs := ForDiagnostics(in, diags)
		for _, err := range errs {
			t.Errorf("%s: %v", name, err)
		}
		for _, a := range acts {
			if a.Suppress && a.Safe {
				t.Errorf("%s: suppression %q is marked safe", name, a.Title)
			}
			if a.Suppress && slices.Contains(kinds, "suppressions") || !a.Suppress && slices.Contains(kinds, "fixes") {
				out = append(out, a)
			}
		}
	}
	if slices.Contains(kinds, "fixall") {
		res := FixAll(in, FixOptions{Rules: ruleSet})
		for _, err := range res.Errors {
			t.Errorf("%s: fix all: %v", name, err)
		}
		if res.Action != nil {
			out = append(out, res.Action)
		}
	}
	if slices.Contains(kinds, "refactors") {
		acts, errs := Refactors(in, 0, 0, true)
		for _, err := range errs {
			t.Errorf("%s: refactor: %v", name, err)
		}
		// A refactor with the edits of a fix offered is that fix.
	refactors:
		for _, a := range acts {
			for _, b := range out {
				if slices.Equal(a.Edits, b.Edits) {
					continue refactors
				}
			}
			a.Title = "refactor: " + a.Title
			out = append(out, a)
		}
	}
	// Titles name the results: make repeated ones distinct.
	count := map[string]int{}
	for _, a := range out {
		if count[a.Title]++; count[a.Title] > 1 {
			a.Title = fmt.Sprintf("%s #%d", a.Title, count[a.Title])
		}
	}
	return out
}

// checkIndependently checks an action's result without the verification
// code: the whole new text is parsed and checked, and compared with the
// old one by counts. The action's rules have fewer findings (by at least
// the number it targets); parse errors and errors do not grow.
func checkIndependently(t *testing.T, name string, in *Input, a *Action, out string) {
	t.Helper()
	before := in.Diagnostics()
	opts := in.Options
	if len(a.Files) > 0 {
		var err error
		if opts, err = withFiles(opts, a.Files); err != nil {
			t.Errorf("%s: %q: %v", name, a.Title, err)
			return
		}
	}
	after := analysis.Check(analysis.Parse(out), in.Rules, opts)
	count := func(ds []analysis.Diagnostic, keep func(analysis.Diagnostic) bool) int {
		n := 0
		for _, d := range ds {
			if keep(d) {
				n++
			}
		}
		return n
	}
	targets := map[string]int{}
	for _, d := range a.Diagnostics {
		targets[d.Rule]++
	}
	for rule, n := range targets {
		is := func(d analysis.Diagnostic) bool { return d.Rule == rule }
		if b, e := count(before, is), count(after, is); e > b-n {
			t.Errorf("%s: %q: %s findings went from %d to %d, want at most %d", name, a.Title, rule, b, e, b-n)
		}
	}
	bad := func(d analysis.Diagnostic) bool {
		return d.Rule == analysis.ParseErrorRule || d.Severity == analysis.SeverityError
	}
	if b, e := count(before, bad), count(after, bad); e > b {
		t.Errorf("%s: %q: parse errors and errors went from %d to %d:\n%s", name, a.Title, b, e, out)
	}
}

// isSplit reports whether a splits the file into stages: a refactor or
// a fix of SingleStageBuild.
func isSplit(a *Action) bool {
	if a.Kind == RefactorRewrite {
		return true
	}
	for _, d := range a.Diagnostics {
		if d.Rule == rules.SingleStageBuild.Name {
			return !a.Suppress
		}
	}
	return false
}

// checkSplitClean checks the result of a split: it has more than one
// stage, its final stage does not run on a toolchain image, and none of
// the rules fires on it.
func checkSplitClean(t *testing.T, name string, in *Input, a *Action, out string, clean []string) {
	t.Helper()
	nf := analysis.Parse(out)
	st := nf.Semantics().Stages
	if len(st) < 2 || st[len(st)-1].Image().Toolchain {
		t.Errorf("%s: %q: the result is not split onto a runtime image:\n%s", name, a.Title, out)
	}
	for _, d := range analysis.Check(nf, in.Rules, in.Options) {
		if slices.Contains(clean, d.Rule) {
			t.Errorf("%s: %q: %s still fires on line %d: %s", name, a.Title, d.Rule, nf.LineOf(d.Start)+1, d.Message)
		}
	}
}

// writeGolden rewrites the archive with each case's golden sections after
// its files, in the order the actions were offered.
func writeGolden(t *testing.T, path string, ar *txtar.Archive, cases []*goldenCase) {
	t.Helper()
	out := &txtar.Archive{Comment: ar.Comment}
	for _, c := range cases {
		for _, name := range c.order {
			out.Files = append(out.Files, txtar.File{Name: c.prefix() + name, Data: c.files[name]})
		}
		for _, title := range c.titles {
			out.Files = append(out.Files, txtar.File{Name: c.prefix() + "@" + title + "/Dockerfile", Data: []byte(c.golden[title])})
			var names []string
			for name := range c.created[title] {
				names = append(names, name)
			}
			slices.Sort(names)
			for _, name := range names {
				out.Files = append(out.Files, txtar.File{Name: c.prefix() + "@" + title + "/" + name, Data: []byte(c.created[title][name])})
			}
		}
	}
	if err := os.WriteFile(path, txtar.Format(out), 0o644); err != nil {
		t.Fatal(err)
	}
}
