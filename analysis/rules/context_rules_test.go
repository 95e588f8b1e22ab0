// This file tests that the build-context and layer-order rules give the
// same findings after incremental edits as on a fresh parse, with a build
// context (their per-stage caches must not keep what depends on it).
package rules

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/internal/bigfile"
	"golang.org/x/tools/txtar"
)

// contextOf writes a case's files to a directory and returns its build
// context.
func contextOf(t *testing.T, c *testCase) *analysis.BuildContext {
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
		t.Fatal(err)
	}
	return ctx
}

func TestContextRulesIncremental(t *testing.T) {
	var paths []string
	for _, r := range []string{"MissingDockerignore", "DockerignoreMissingEntries", "SourceCopiedBeforeDependencies", "ManifestWithoutLockfile"} {
		paths = append(paths, filepath.Join("testdata", r+".txtar"))
	}
	scenarios, _ := filepath.Glob("testdata/scenarios/*.txtar")
	paths = append(paths, scenarios...)
	snippets := []string{"COPY . .\n", "RUN npm ci\n", "COPY package.json ./\n", "RUN go build .\n", "FROM node:20 AS x\n",
		"\n", "x", " ", "RUN pip install -r requirements.txt\n", "COPY go.mod go.sum ./\n", "#"}
	rng := rand.New(rand.NewSource(3))
	render := func(f *analysis.File, ctx *analysis.BuildContext) string {
		var b strings.Builder
		for _, d := range analysis.Check(f, All, analysis.Options{Context: ctx}) {
			msg, _, _ := strings.Cut(d.Message, " (did you mean") // picked in map order
			fmt.Fprintf(&b, "%s [%d,%d) %s\n", d.Rule, d.Start, d.End, msg)
		}
		return b.String()
	}
	for _, path := range paths {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range casesOf(ar) {
			text, ok := c.files["Dockerfile"]
			if !ok {
				continue
			}
			ctx := contextOf(t, c)
			f := analysis.Parse(string(text))
			render(f, ctx)
			for i := 0; i < 12; i++ {
				start := rng.Intn(len(f.Text) + 1)
				for start > 0 && f.Text[start-1] != '\n' && rng.Intn(2) == 0 {
					start-- // mostly insert whole lines
				}
				end := min(start+rng.Intn(2), len(f.Text))
				nf, _ := f.Edit(start, end, snippets[rng.Intn(len(snippets))])
				if got, want := render(nf, ctx), render(analysis.Parse(nf.Text), ctx); got != want {
					t.Fatalf("%s %s: edit %d at %d of\n%s\nincremental:\n%s\nfresh:\n%s", path, c.name, i, start, nf.Text, got, want)
				}
				f = nf
			}
		}
	}
}

// BenchmarkContextRulesEdit runs the build-context and layer-order rules
// alone after a one-line edit of the benchmark file, whose stages here
// also copy manifests and the whole context and install dependencies,
// with a build context: their share of the edit-to-diagnostics budget
// (the edit and the semantic model, which all rules share, are not
// timed).
func BenchmarkContextRulesEdit(b *testing.B) {
	dir := b.TempDir()
	for name, data := range map[string]string{".dockerignore": "*.md\n", "package.json": "{}", "package-lock.json": "{}",
		"go.mod": "module x\n", "go.sum": "", ".git/HEAD": "ref"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	ctx, err := analysis.NewBuildContext(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		b.Fatal(err)
	}
	var rules []*analysis.Rule
	for _, r := range []string{"MissingDockerignore", "DockerignoreMissingEntries", "SourceCopiedBeforeDependencies", "ManifestWithoutLockfile"} {
		rules = append(rules, ByName(r))
	}
	text := strings.ReplaceAll(bigfile.Generate(), "WORKDIR /app\n",
		"WORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\nRUN go build -o /out/app .\n")
	opts := analysis.Options{Context: ctx}
	f := analysis.Parse(text)
	analysis.Check(f, rules, opts)
	off := f.LineEnd(f.NumLines() / 2)
	n := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		if i%2 == 0 {
			f, _ = f.Edit(off, off, "x")
		} else {
			f, _ = f.Edit(off, off+1, "")
		}
		f.Semantics() // shared by all rules: not theirs to count
		b.StartTimer()
		n += len(analysis.Check(f, rules, opts))
	}
	b.ReportMetric(float64(n)/float64(b.N), "diags/op")
}
