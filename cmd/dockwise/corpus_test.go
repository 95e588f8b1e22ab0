// This file runs `dockwise check` over the shared corpus of real
// Dockerfiles and over the examples of testdata/examples, and runs the
// built binary once to see main and its build information at work.
package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

// repoRoot is the repository root, seen from this package's directory.
var repoRoot = filepath.Join("..", "..")

func TestCorpus(t *testing.T) {
	corpus := filepath.Join(repoRoot, "..", "shared", "corpus", "real")
	sources, err := os.Open(filepath.Join(corpus, "SOURCES.tsv"))
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	defer sources.Close()
	var want []string
	sc := bufio.NewScanner(sources)
	for sc.Scan() {
		name, _, _ := strings.Cut(sc.Text(), "\t")
		if name != "" && name != "file" {
			want = append(want, filepath.Join(corpus, name))
		}
	}
	if err := sc.Err(); err != nil || len(want) == 0 {
		t.Fatalf("read SOURCES.tsv: %v (%d files)", err, len(want))
	}
	slices.Sort(want)

	rep, r := checkJSON(t, "", corpus)
	if r.code == 2 {
		t.Errorf("exit 2; stderr:\n%s", r.stderr)
	}
	if got := paths(rep); !slices.Equal(got, want) {
		var missing []string
		for _, w := range want {
			if !slices.Contains(got, w) {
				missing = append(missing, w)
			}
		}
		t.Errorf("%d files reported, %d in the corpus; missing: %v", len(got), len(want), missing)
	}
	for _, f := range rep.Files {
		if f.Error != "" {
			t.Errorf("%s: %s", f.Path, f.Error)
		}
		for _, d := range f.Diagnostics {
			if d.Range.Start.Line < 1 || d.Range.Start.Column < 1 || d.Range.End.Line < d.Range.Start.Line ||
				d.Range.End.Line == d.Range.Start.Line && d.Range.End.Column < d.Range.Start.Column {
				t.Errorf("%s: bad range %+v", f.Path, d)
			}
		}
	}
	// Every format copes with the whole corpus.
	for _, format := range []string{"text", "sarif", "github"} {
		if r := dockwise(t, "", "check", "--format", format, corpus); r.code == 2 || r.stdout == "" {
			t.Errorf("--format %s: exit %d, %d bytes", format, r.code, len(r.stdout))
		}
	}
}

// TestExamples checks that the examples of testdata/examples have findings
// from the real rules, as the README promises, and no parse error.
func TestExamples(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(repoRoot, "testdata", "examples", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, ".dockerignore")); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
		rep, r := checkJSON(t, "", dir)
		if r.code != 1 || len(rep.Files) == 0 {
			t.Errorf("%s: exit %d, %d files; want 1 and findings", dir, r.code, len(rep.Files))
		}
		for _, f := range rep.Files {
			found := map[string]bool{}
			for _, d := range f.Diagnostics {
				if d.Rule == analysis.ParseErrorRule {
					t.Errorf("%s: %s", f.Path, d.Message)
				}
				found[d.Rule] = true
			}
			if len(found) < 3 {
				t.Errorf("%s: findings of %d rules, want several: %v", f.Path, len(found), found)
			}
		}
	}

	// The example the README runs shows these BuildKit checks, and the
	// .dockerignore beside it is read.
	rep, _ := checkJSON(t, "", filepath.Join(repoRoot, "testdata", "examples", "go-service"))
	found := map[string]bool{}
	for _, f := range rep.Files {
		for _, d := range f.Diagnostics {
			found[d.Rule] = true
		}
	}
	want := []string{"FromAsCasing", "JSONArgsRecommended", "LegacyKeyValueFormat", "MaintainerDeprecated",
		"SecretsUsedInArgOrEnv", "UndefinedVar"}
	if r := rules.ByName("CopyIgnoredFile"); r != nil && !r.Experimental {
		want = append(want, r.Name)
	}
	for _, name := range want {
		if !found[name] {
			t.Errorf("go-service: no %s finding; found %v", name, found)
		}
	}
}

// TestBinary builds dockwise and runs it: main's exit code, and the BuildKit
// version read from the binary's build information.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "dockwise")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(buildkitModule) + `\s+(\S+)`).FindSubmatch(mod)
	if m == nil || !strings.Contains(string(out), "BuildKit parser "+string(m[1])+"\n") {
		t.Errorf("version output %q does not name go.mod's BuildKit version", out)
	}

	dir := writeTree(t, map[string]string{"Dockerfile": "FROM\n"})
	cmd := exec.Command(bin, "check", "--format", "json", dir)
	out, err = cmd.Output()
	var rep jsonReport
	if jerr := json.Unmarshal(out, &rep); jerr != nil || rep.Summary.Errors != 1 {
		t.Errorf("check output %s (%v)", out, jerr)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("check exit: %v, want exit status 1", err)
	}
	if err := exec.Command(bin, "check", "--format", "bogus").Run(); err == nil || err.(*exec.ExitError).ExitCode() != 2 {
		t.Errorf("usage error exit: %v, want exit status 2", err)
	}
}

// BenchmarkCheckCorpus measures `dockwise check` over the whole corpus, in
// one process, with the text report.
func BenchmarkCheckCorpus(b *testing.B) {
	corpus := filepath.Join(repoRoot, "..", "shared", "corpus", "real")
	if _, err := os.Stat(corpus); err != nil {
		b.Skipf("corpus not available: %v", err)
	}
	for b.Loop() {
		if code := run([]string{"check", corpus}, strings.NewReader(""), io.Discard, io.Discard); code == 2 {
			b.Fatalf("exit %d", code)
		}
	}
}
