// This file holds the rule tests: a txtar-driven harness (one archive per
// rule in testdata/, several cases per archive), checks of the registry,
// and a run over the real-world corpus.
package rules

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/internal/bigfile"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/*.txtar")

// expectation is one line of a `-- want --` section:
//
//	<case>/Dockerfile:LINE "text covered by the range" RuleName `message substring`
type expectation struct {
	file    string
	line    int
	text    string
	rule    string
	message string
	raw     string
}

var wantLineRe = regexp.MustCompile("^(\\S+):(\\d+) (\"(?:[^\"\\\\]|\\\\.)*\") (\\w+) `([^`]*)`$")

func parseWant(t *testing.T, data []byte) []expectation {
	var out []expectation
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := wantLineRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("bad want line %q", line)
		}
		n, _ := strconv.Atoi(m[2])
		text, err := strconv.Unquote(m[3])
		if err != nil {
			t.Fatalf("bad quoted text in %q: %v", line, err)
		}
		out = append(out, expectation{file: m[1], line: n, text: text, rule: m[4], message: m[5], raw: line})
	}
	return out
}

// testCase is one Dockerfile of an archive with its context files.
type testCase struct {
	name  string            // the directory in the archive
	files map[string][]byte // relative to the case directory
}

func casesOf(ar *txtar.Archive) []*testCase {
	byName := map[string]*testCase{}
	var order []*testCase
	for _, f := range ar.Files {
		if f.Name == "want" {
			continue
		}
		dir, rest, ok := strings.Cut(f.Name, "/")
		if !ok {
			dir, rest = ".", f.Name
		}
		c := byName[dir]
		if c == nil {
			c = &testCase{name: dir, files: map[string][]byte{}}
			byName[dir] = c
			order = append(order, c)
		}
		c.files[rest] = f.Data
	}
	return order
}

// runCase checks a case's Dockerfile with all rules and returns the
// diagnostics of rule (and parse errors); all of them when rule is "".
func runCase(t *testing.T, c *testCase, rule string) (*analysis.File, []analysis.Diagnostic) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), c.name)
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
		t.Fatalf("%s: %v", c.name, err)
	}
	f := analysis.Parse(string(c.files["Dockerfile"]))
	var out []analysis.Diagnostic
	for _, d := range analysis.Check(f, All, analysis.Options{Context: ctx}) {
		if rule == "" || d.Rule == rule || d.Rule == analysis.ParseErrorRule {
			out = append(out, d)
		}
	}
	return f, out
}

func TestRules(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, path := range paths {
		rule := strings.TrimSuffix(filepath.Base(path), ".txtar")
		seen[rule] = true
		t.Run(rule, func(t *testing.T) {
			if ByName(rule) == nil {
				t.Fatalf("no rule %s", rule)
			}
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var wantData []byte
			for _, f := range ar.Files {
				if f.Name == "want" {
					wantData = f.Data
				}
			}
			var want []expectation
			if !*update {
				want = parseWant(t, wantData)
			}
			var got []string
			fired, quiet := 0, 0
			for _, c := range casesOf(ar) {
				if _, ok := c.files["Dockerfile"]; !ok {
					continue
				}
				f, ds := runCase(t, c, rule)
				n := 0
				for _, d := range ds {
					msg, _, _ := strings.Cut(d.Message, "`") // the want format cannot hold a backquote
					line := fmt.Sprintf("%s/Dockerfile:%d %s %s `%s`", c.name, f.LineOf(d.Start)+1,
						strconv.Quote(f.Text[d.Start:d.End]), d.Rule, msg)
					got = append(got, line)
					if d.Rule == rule {
						n++
					}
					if !matchOne(&want, c.name, f, d) && !*update {
						t.Errorf("unexpected diagnostic: %s", line)
					}
				}
				if n > 0 {
					fired++
				} else {
					quiet++
				}
			}
			if *update {
				writeWant(t, path, ar, got)
				return
			}
			for _, w := range want {
				t.Errorf("missing diagnostic: %s", w.raw)
			}
			if fired < 3 || quiet < 3 {
				t.Errorf("%d cases fire and %d stay quiet; want at least 3 of each", fired, quiet)
			}
		})
	}
	for _, r := range All {
		if !seen[r.Name] {
			t.Errorf("rule %s has no testdata/%s.txtar", r.Name, r.Name)
		}
	}
}

// matchOne removes from want the expectation d satisfies, if any.
func matchOne(want *[]expectation, caseName string, f *analysis.File, d analysis.Diagnostic) bool {
	for i, w := range *want {
		if w.file == caseName+"/Dockerfile" && w.line == f.LineOf(d.Start)+1 && w.rule == d.Rule &&
			w.text == f.Text[d.Start:d.End] && strings.Contains(d.Message, w.message) {
			*want = slices.Delete(*want, i, i+1)
			return true
		}
	}
	return false
}

func writeWant(t *testing.T, path string, ar *txtar.Archive, got []string) {
	data := []byte(strings.Join(got, "\n") + "\n")
	if len(got) == 0 {
		data = nil
	}
	found := false
	for i := range ar.Files {
		if ar.Files[i].Name == "want" {
			ar.Files[i].Data, found = data, true
		}
	}
	if !found {
		ar.Files = append(ar.Files, txtar.File{Name: "want", Data: data})
	}
	if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRegistry(t *testing.T) {
	if !slices.IsSortedFunc(All, func(a, b *analysis.Rule) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("All is not sorted by name")
	}
	names := map[string]bool{}
	fencedRe := regexp.MustCompile("(?s)Bad:\\s*```dockerfile\\n.+?\\n```.*Good:\\s*```dockerfile\\n.+?\\n```")
	for _, r := range All {
		if names[r.Name] {
			t.Errorf("duplicate rule %s", r.Name)
		}
		names[r.Name] = true
		if ByName(r.Name) != r {
			t.Errorf("ByName(%q) does not return the rule", r.Name)
		}
		if r.Name == "" || r.URL == "" || r.Description == "" || r.Category == "" || r.Severity == 0 {
			t.Errorf("%s: missing Name, URL, Description, Category or Severity", r.Name)
		}
		if !strings.HasPrefix(r.URL, "https://") {
			t.Errorf("%s: URL %q is not https", r.Name, r.URL)
		}
		if !fencedRe.MatchString(r.Doc) {
			t.Errorf("%s: Doc lacks a bad and a good example", r.Name)
		}
		if (r.Run == nil) == (r.Check == nil) {
			t.Errorf("%s: exactly one of Run and Check must be set", r.Name)
		}
	}
}

// corpusDir holds real-world Dockerfiles (../shared/corpus/real from the
// repository root).
const corpusDir = "../../../shared/corpus/real"

func TestCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("no corpus: %v", err)
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(corpusDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n++
		f := analysis.Parse(string(data))
		ds := analysis.Check(f, All, analysis.Options{Config: &analysis.Config{Enabled: map[string]bool{"InvalidDefinitionDescription": true}}})
		parseErrors := 0
		for _, d := range ds {
			if strings.HasPrefix(d.Message, "internal error") {
				t.Errorf("%s: %s", e.Name(), d.Message)
			}
			if d.Rule == analysis.ParseErrorRule {
				parseErrors++
			}
			if d.Start < 0 || d.End < d.Start || d.End > len(f.Text) {
				t.Errorf("%s: %s range [%d,%d) out of the file", e.Name(), d.Rule, d.Start, d.End)
			}
		}
		if err := buildKitParse(data); err != nil && parseErrors == 0 {
			t.Errorf("%s: BuildKit fails (%v) but no ParseError is reported", e.Name(), err)
		}
	}
	if n == 0 {
		t.Skip("empty corpus")
	}
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
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return err
	}
	if len(stages) == 0 {
		return fmt.Errorf("dockerfile contains no stages to build")
	}
	return nil
}

// TestIncrementalMatchesFresh edits the test Dockerfiles at random and
// checks that the diagnostics of the edited file (computed from cached
// per-instruction and per-stage results) are those of the same text
// parsed anew.
func TestIncrementalMatchesFresh(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*.txtar")
	var texts []string
	for _, path := range paths {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, f := range ar.Files {
			if strings.HasSuffix(f.Name, "/Dockerfile") {
				b.Write(f.Data)
			}
		}
		texts = append(texts, b.String())
	}
	render := func(f *analysis.File) string {
		var b strings.Builder
		for _, d := range analysis.Check(f, All, analysis.Options{}) {
			msg := d.Message
			if d.Rule == analysis.ParseErrorRule {
				// BuildKit picks among equally near suggestions for an
				// unknown instruction in map order.
				msg, _, _ = strings.Cut(msg, " (did you mean")
			}
			fmt.Fprintf(&b, "%s [%d,%d) %s\n", d.Rule, d.Start, d.End, msg)
		}
		return b.String()
	}
	snippets := []string{"x", "\n", "$A", "${TAG}", "FROM alpine AS Z\n", "ARG Q=1\n", "ENV A 2\n", " as c", "\\\n\n", "#", "=", " ", "CMD x\n"}
	rng := rand.New(rand.NewSource(2))
	for _, text := range texts {
		f := analysis.Parse(text)
		render(f)
		for i := 0; i < 30; i++ {
			start := rng.Intn(len(f.Text) + 1)
			end := min(start+rng.Intn(3), len(f.Text))
			nf, _ := f.Edit(start, end, snippets[rng.Intn(len(snippets))])
			if got, want := render(nf), render(analysis.Parse(nf.Text)); got != want {
				t.Fatalf("edit %d at %d of\n%s\nincremental diagnostics:\n%s\nfresh:\n%s", i, start, nf.Text, got, want)
			}
			f = nf
		}
	}
}

// FuzzCheck runs every rule on arbitrary text, then on the text after an
// edit: no rule may panic (a panic shows as an "internal error"
// diagnostic) or report a range outside the file.
func FuzzCheck(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.txtar")
	for _, path := range paths {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			if strings.HasSuffix(file.Name, "/Dockerfile") {
				f.Add(string(file.Data), 3, "x")
			}
		}
	}
	f.Fuzz(func(t *testing.T, text string, at int, insert string) {
		check := func(f *analysis.File) {
			for _, d := range analysis.Check(f, All, analysis.Options{Config: &analysis.Config{Enabled: map[string]bool{"InvalidDefinitionDescription": true}}}) {
				if strings.HasPrefix(d.Message, "internal error") {
					t.Fatalf("%s\n%q", d.Message, f.Text)
				}
				if d.Start < 0 || d.End < d.Start || d.End > len(f.Text) {
					t.Fatalf("%s: range [%d,%d) outside the file %q", d.Rule, d.Start, d.End, f.Text)
				}
			}
		}
		file := analysis.Parse(text)
		check(file)
		if at < 0 {
			at = -at
		}
		at %= len(text) + 1
		edited, _ := file.Edit(at, at, insert)
		check(edited)
	})
}

// TestConcurrentChecks checks files that share chunks (an original and its
// edits) from several goroutines at once, as a server checking a document
// while the user types does: the caches must not race.
func TestConcurrentChecks(t *testing.T) {
	base := analysis.Parse(bigfile.Generate()[:30000])
	var files []*analysis.File
	for i := 0; i < 8; i++ {
		insts := base.Instructions()
		off := insts[len(insts)*i/8+5].ChunkStart()
		f, _ := base.Edit(off, off, "ENV legacy $UNDEFINED_X\n")
		files = append(files, f)
	}
	want := make([]int, len(files))
	done := make(chan struct{})
	for i, f := range files {
		go func() {
			defer func() { done <- struct{}{} }()
			want[i] = len(analysis.Check(f, All, analysis.Options{}))
		}()
	}
	for range files {
		<-done
	}
	for i, f := range files {
		if want[i] == 0 {
			t.Errorf("file %d: no diagnostics", i)
		}
		if got := len(analysis.Check(analysis.Parse(f.Text), All, analysis.Options{})); got != want[i] {
			t.Errorf("file %d: %d diagnostics checked concurrently, %d alone", i, want[i], got)
		}
	}
}

// TestWarmMatchesLazy checks the benchmark file's diagnostics when it is
// opened (parsed whole: the per-instruction data is computed on all cores
// up front and the whole-file rules run on the same workers, see
// analysis.warm) against those of the same text whose data is computed
// lazily, as after an edit, and against those of rules without their Stage
// calls.
func TestWarmMatchesLazy(t *testing.T) {
	text := bigfile.Generate()
	render := func(ds []analysis.Diagnostic) string {
		var b strings.Builder
		for _, d := range ds {
			fmt.Fprintf(&b, "%s [%d,%d) %s\n", d.Rule, d.Start, d.End, d.Message)
		}
		return b.String()
	}
	lazy, _ := analysis.Parse(text).Edit(len(text), len(text), "")
	want := render(analysis.Check(lazy, All, analysis.Options{}))
	got := render(analysis.Check(analysis.Parse(text), All, analysis.Options{}))
	if got != want {
		t.Errorf("diagnostics of the file opened differ from those computed lazily:\n%s", cmp.Diff(want, got))
	}
	// The rules' Stage calls only compute ahead what Run needs.
	var noStage []*analysis.Rule
	staged := 0
	for _, r := range All {
		c := *r
		if c.Stage != nil {
			staged++
		}
		c.Stage = nil
		noStage = append(noStage, &c)
	}
	if got := render(analysis.Check(analysis.Parse(text), noStage, analysis.Options{})); got != want || staged == 0 {
		t.Errorf("diagnostics without the rules' Stage calls (%d rules have one) differ:\n%s", staged, cmp.Diff(want, got))
	}
	if n := strings.Count(want, "\n"); n < 300 {
		t.Errorf("only %d diagnostics", n)
	}
}
