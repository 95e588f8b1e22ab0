// This file holds the corpus report: every rule run over the real-world
// Dockerfiles of ../shared/corpus/real, with the number of findings per
// rule and every finding written out when asked, so that people can read a
// sample and judge true and false alarms.
package rules

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
)

var corpusReport = flag.String("corpus-report", os.Getenv("DOCKWISE_CORPUS_REPORT"),
	"write the corpus findings to this file, and the per-rule counts to testdata/corpus-rule-counts.txt")

// countsFile holds the per-rule counts of the last report.
const countsFile = "testdata/corpus-rule-counts.txt"

// TestCorpusReport checks every corpus file with all rules as a user sees
// them (default configuration, no build context: the corpus holds
// Dockerfiles only). Every finding must come from a registered rule, with a
// message and a range inside the file. With -corpus-report PATH (or
// DOCKWISE_CORPUS_REPORT=PATH) it writes the counts and findings to PATH
// and the counts to testdata/corpus-rule-counts.txt.
func TestCorpusReport(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("no corpus: %v", err)
	}
	counts := map[string]int{}
	var findings []string
	files := 0
	for _, e := range entries {
		if e.IsDir() || e.Name() == "SOURCES.tsv" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(corpusDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files++
		f := analysis.Parse(string(data))
		for _, d := range analysis.Check(f, All, analysis.Options{}) {
			if d.Rule != analysis.ParseErrorRule && ByName(d.Rule) == nil {
				t.Errorf("%s: diagnostic of unknown rule %q", e.Name(), d.Rule)
			}
			if d.Message == "" || strings.HasPrefix(d.Message, "internal error") {
				t.Errorf("%s: %s: bad message %q", e.Name(), d.Rule, d.Message)
			}
			if d.Start < 0 || d.End < d.Start || d.End > len(f.Text) {
				t.Errorf("%s: %s range [%d,%d) out of the file", e.Name(), d.Rule, d.Start, d.End)
				continue
			}
			counts[d.Rule]++
			findings = append(findings, fmt.Sprintf("%s:%d %s %s", e.Name(), f.LineOf(d.Start)+1, d.Rule,
				strings.ReplaceAll(d.Message, "\n", " ")))
		}
	}
	if files == 0 {
		t.Skip("empty corpus")
	}
	if *corpusReport == "" {
		return
	}
	var c strings.Builder
	names := make([]string, 0, len(All)+1)
	for _, r := range All {
		names = append(names, r.Name)
	}
	names = append(names, analysis.ParseErrorRule)
	slices.Sort(names)
	total := 0
	for _, n := range names {
		fmt.Fprintf(&c, "%-34s %d\n", n, counts[n])
		total += counts[n]
	}
	header := fmt.Sprintf("# dockwise corpus report: %d files, %d findings (default configuration, no build context)\n", files, total)
	report := header + "\n## counts\n\n" + c.String() + "\n## findings\n\n" + strings.Join(findings, "\n") + "\n"
	if err := os.WriteFile(*corpusReport, []byte(report), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(countsFile, []byte(header+c.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s and %s", *corpusReport, countsFile)
}

// TestCorpusWithContext checks every corpus file against a made-up build
// context holding the well-known files of many ecosystems, twice (without
// and with a .dockerignore), so that the rules' context paths meet real
// Dockerfiles: no rule may panic or report a range outside the file.
func TestCorpusWithContext(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("no corpus: %v", err)
	}
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json", "go.mod", "go.sum", "requirements.txt",
		"pom.xml", "Cargo.toml", "Gemfile", "composer.json", "pyproject.toml", "App.csproj", ".env", "id_rsa",
		".git/HEAD", "node_modules/x/package.json", "target/app.jar", "dist/index.html", "src/main.go",
		"web/package.json", "web/yarn.lock", "app/requirements.txt", "build/libs/app.jar"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, ignore := range []string{"", "node_modules\n*.md\n!README.md\n"} {
		if ignore != "" {
			if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(ignore), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		ctx, err := analysis.NewBuildContext(dir, filepath.Join(dir, "Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		fired := map[string]int{}
		for _, e := range entries {
			if e.IsDir() || e.Name() == "SOURCES.tsv" {
				continue
			}
			data, err := os.ReadFile(filepath.Join(corpusDir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			f := analysis.Parse(string(data))
			for _, d := range analysis.Check(f, All, analysis.Options{Context: ctx}) {
				if strings.HasPrefix(d.Message, "internal error") {
					t.Errorf("%s: %s", e.Name(), d.Message)
				}
				if d.Start < 0 || d.End < d.Start || d.End > len(f.Text) {
					t.Errorf("%s: %s range [%d,%d) out of the file", e.Name(), d.Rule, d.Start, d.End)
				}
				fired[d.Rule]++
			}
		}
		// The context rules meet the corpus's whole-context copies.
		if ignore == "" && fired["MissingDockerignore"] == 0 || ignore != "" && fired["DockerignoreMissingEntries"] == 0 {
			t.Errorf("with ignore file %q: the context rules never fired: %v", ignore, fired)
		}
	}
}
