// This file tests `dockwise check`: the four formats, fail levels and exit
// codes, discovery in directories, standard input, unreadable files, rule
// flags, the build context and columns on lines with multi-byte characters.
package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/dockwise/dockwise/analysis"
)

// checkJSON runs check with --format json and decodes the report.
func checkJSON(t *testing.T, stdin string, args ...string) (jsonReport, result) {
	t.Helper()
	r := dockwise(t, stdin, append([]string{"check", "--format", "json"}, args...)...)
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("check %v: output is not JSON (%v):\n%s\nstderr: %s", args, err, r.stdout, r.stderr)
	}
	return rep, r
}

func paths(rep jsonReport) []string {
	var ps []string
	for _, f := range rep.Files {
		ps = append(ps, f.Path)
	}
	return ps
}

func TestTextFormat(t *testing.T) {
	useRules(t, testRules()...)
	dir := writeTree(t, map[string]string{
		"bad/Dockerfile":  "FROM\n",
		"good/Dockerfile": "FROM alpine:3.20\n\tEXPOSE 80\n",
	})
	t.Chdir(dir)
	r := dockwise(t, "", "check", ".")
	want := "bad/Dockerfile:1:1: error: FROM requires either one or three arguments [ParseError]\n" +
		"1 | FROM\n" +
		"  | ^^^^\n" +
		"good/Dockerfile:2:2: warning: found EXPOSE [TestWarning]\n" +
		"2 | \tEXPOSE 80\n" +
		"  | \t^^^^^^^^^\n" +
		"2 files checked: 1 error, 1 warning, 0 infos, 0 hints\n"
	if r.stdout != want {
		t.Errorf("text report:\n%s\nwant:\n%s", r.stdout, want)
	}
	if r.code != 1 || r.stderr != "" {
		t.Errorf("exit %d, stderr %q; want 1 and nothing", r.code, r.stderr)
	}
}

func TestTextSnippetLongLineAndControlCharacters(t *testing.T) {
	useRules(t, testRules()...)
	long := "FROM scratch\nLABEL " + strings.Repeat("a", 300) + " x\x1b[31m\n"
	r := dockwise(t, long, "check", "-")
	lines := strings.Split(r.stdout, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "<stdin>:2:1: info: found LABEL [TestInfo]") {
		t.Fatalf("unexpected report:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("an escape character of the file reached the report: %q", r.stdout)
	}
	if n := len([]rune(lines[1])); n > snippetWidth+10 {
		t.Errorf("source line of %d code points not shortened: %q", n, lines[1])
	}
	if !strings.HasSuffix(lines[1], "…") || !strings.HasPrefix(lines[2], "  | ^^^") {
		t.Errorf("window of a long line:\n%s\n%s", lines[1], lines[2])
	}
}

func TestJSONFormat(t *testing.T) {
	useRules(t, testRules()...)
	dir := writeTree(t, map[string]string{
		"a/Dockerfile": "FROM alpine:3.20\nLABEL a=b\nEXPOSE 80\nUSER app\nWORKDIR /app\n",
		// No finding: the file still appears.
		"b/Dockerfile": "FROM scratch\n",
	})
	t.Chdir(dir)
	rep, r := checkJSON(t, "", "a", "b")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if got := paths(rep); !slices.Equal(got, []string{"a/Dockerfile", "b/Dockerfile"}) {
		t.Fatalf("files %v", got)
	}
	if d := rep.Files[1].Diagnostics; d == nil || len(d) != 0 {
		t.Errorf("clean file: diagnostics %#v, want []", d)
	}
	want := []jsonDiagnostic{
		{"TestInfo", "info", "found LABEL", "https://example.com/TestInfo", jsonRange{position{2, 1}, position{2, 10}}},
		{"TestWarning", "warning", "found EXPOSE", "https://example.com/TestWarning", jsonRange{position{3, 1}, position{3, 10}}},
		{"TestError", "error", "found USER", "https://example.com/TestError", jsonRange{position{4, 1}, position{4, 9}}},
		{"TestHint", "hint", "found WORKDIR", "https://example.com/TestHint", jsonRange{position{5, 1}, position{5, 13}}},
	}
	if !slices.Equal(rep.Files[0].Diagnostics, want) {
		t.Errorf("diagnostics:\n%+v\nwant:\n%+v", rep.Files[0].Diagnostics, want)
	}
	if want := (summary{Files: 2, Errors: 1, Warnings: 1, Infos: 1, Hints: 1}); rep.Summary != want {
		t.Errorf("summary %+v, want %+v", rep.Summary, want)
	}
	// The exact member names of the format.
	var raw map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatal(err)
	}
	f0 := raw["files"].([]any)[0].(map[string]any)
	d0 := f0["diagnostics"].([]any)[0].(map[string]any)
	for _, k := range []string{"rule", "severity", "message", "url", "range"} {
		if _, ok := d0[k]; !ok {
			t.Errorf("diagnostic lacks %q: %v", k, d0)
		}
	}
	if _, ok := f0["error"]; ok {
		t.Errorf("a readable file has an error member: %v", f0)
	}
	for _, k := range []string{"files", "errors", "warnings", "infos", "hints"} {
		if _, ok := raw["summary"].(map[string]any)[k]; !ok {
			t.Errorf("summary lacks %q", k)
		}
	}
}

func TestParseErrorDiagnostics(t *testing.T) {
	useRules(t) // parse errors need no rule
	dir := writeTree(t, map[string]string{
		"from/Dockerfile":    "FROM\n",
		"heredoc/Dockerfile": "FROM alpine\nRUN <<EOF\necho hi\n",
	})
	t.Chdir(dir)
	rep, r := checkJSON(t, "", ".")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, f := range rep.Files {
		if len(f.Diagnostics) == 0 {
			t.Errorf("%s: no diagnostic", f.Path)
			continue
		}
		d := f.Diagnostics[0]
		if d.Rule != analysis.ParseErrorRule || d.Severity != "error" {
			t.Errorf("%s: %+v, want a ParseError error", f.Path, d)
		}
	}
	if len(rep.Files) != 2 || rep.Files[1].Diagnostics[0].Range.Start.Line != 2 {
		t.Errorf("heredoc error not on line 2: %+v", rep.Files)
	}
}

func TestColumnsCountCodePoints(t *testing.T) {
	// "FROM ä b" has two arguments: a parse error over the whole line,
	// whose end is column 9 in code points (10 in bytes).
	rep, _ := checkJSON(t, "FROM ä b\n", "-")
	d := rep.Files[0].Diagnostics
	if len(d) == 0 || d[0].Rule != analysis.ParseErrorRule || d[0].Range != (jsonRange{position{1, 1}, position{1, 9}}) {
		t.Errorf("diagnostics %+v, want a ParseError on 1:1-1:9", d)
	}

	// A range that starts after multi-byte characters: "b=x" is the 24th
	// code point of its line and the 37th byte.
	useRules(t, &analysis.Rule{Name: "LastWord", Severity: analysis.SeverityWarning,
		Check: func(p *analysis.Pass, in *analysis.Instruction) {
			if in.Is("LABEL") {
				src := in.Source()
				i := strings.LastIndexByte(src, ' ') + 1
				p.Reportf(in, in.Start()+i, in.End(), "last word")
			}
		}})
	text := "FROM scratch\nLABEL 名前=\"日本語\" emoji=😀 b=x\n"
	rep, _ = checkJSON(t, text, "-")
	want := jsonRange{position{2, 24}, position{2, 27}}
	if d := rep.Files[0].Diagnostics; len(d) != 1 || d[0].Range != want {
		t.Errorf("diagnostics %+v, want one on %+v", d, want)
	}
	r := dockwise(t, text, "check", "--format", "sarif", "-")
	var log sarifLog
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatal(err)
	}
	reg := log.Runs[0].Results[0].Locations[0].PhysicalLocation.Region
	if *reg != (sarifRegion{StartLine: 2, StartColumn: 24, EndLine: 2, EndColumn: 27}) {
		t.Errorf("SARIF region %+v", *reg)
	}
	r = dockwise(t, text, "check", "--format", "github", "-")
	if !strings.Contains(r.stdout, "line=2,col=24,endLine=2,endColumn=27,") {
		t.Errorf("github: %s", r.stdout)
	}
	r = dockwise(t, text, "check", "-")
	if !strings.HasPrefix(r.stdout, "<stdin>:2:24: warning: last word [LastWord]\n"+
		"2 | LABEL 名前=\"日本語\" emoji=😀 b=x\n"+
		"  |                        ^^^\n") {
		t.Errorf("text:\n%s", r.stdout)
	}
}

func TestSARIFFormat(t *testing.T) {
	exp := keywordRule("TestExperimental", analysis.SeverityWarning, "ONBUILD")
	exp.Experimental = true
	exp.Doc = "First paragraph.\n\nMore text."
	useRules(t, append(testRules(), exp)...)
	dir := writeTree(t, map[string]string{
		"a/Dockerfile": "FROM alpine:3.20\nLABEL a=b\nEXPOSE 80\n",
		"b/Dockerfile": "FROM\n",
		"c/Dockerfile": "FROM scratch\n",
	})
	t.Chdir(dir)
	r := dockwise(t, "", "check", "--format", "sarif", ".")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	var log sarifLog
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif") || len(log.Runs) != 1 {
		t.Fatalf("header: version %q schema %q runs %d", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.ColumnKind != "unicodeCodePoints" {
		t.Errorf("columnKind %q", run.ColumnKind)
	}
	d := run.Tool.Driver
	if d.Name != "dockwise" || d.Version == "" || d.InformationURI == "" {
		t.Errorf("driver %+v", d)
	}
	var ids []string
	for _, r := range d.Rules {
		ids = append(ids, r.ID)
	}
	if want := []string{"ParseError", "TestError", "TestExperimental", "TestHint", "TestInfo", "TestWarning"}; !slices.Equal(ids, want) {
		t.Errorf("rule ids %v, want %v", ids, want)
	}
	for _, r := range d.Rules {
		switch r.ID {
		case "TestExperimental":
			if r.FullDescription.Text != "First paragraph." || !strings.Contains(r.Help.Markdown, "More text.") ||
				r.DefaultConfiguration.Enabled || r.DefaultConfiguration.Level != "warning" || r.HelpURI != "https://example.com/TestExperimental" {
				t.Errorf("rule %+v", r)
			}
		case "TestHint", "TestInfo":
			if r.DefaultConfiguration.Level != "note" {
				t.Errorf("%s: level %q, want note", r.ID, r.DefaultConfiguration.Level)
			}
		}
		if r.ShortDescription.Text == "" {
			t.Errorf("%s: no short description", r.ID)
		}
	}
	type res struct {
		rule, level, uri string
		line, col        int
	}
	var got []res
	for _, x := range run.Results {
		loc := x.Locations[0].PhysicalLocation
		got = append(got, res{x.RuleID, x.Level, loc.ArtifactLocation.URI, loc.Region.StartLine, loc.Region.StartColumn})
		if x.RuleIndex == nil || d.Rules[*x.RuleIndex].ID != x.RuleID {
			t.Errorf("result %s: bad ruleIndex", x.RuleID)
		}
		if loc.ArtifactLocation.URIBaseID != srcRoot {
			t.Errorf("result %s: uriBaseId %q", x.RuleID, loc.ArtifactLocation.URIBaseID)
		}
	}
	want := []res{
		{"TestInfo", "note", "a/Dockerfile", 2, 1},
		{"TestWarning", "warning", "a/Dockerfile", 3, 1},
		{"ParseError", "error", "b/Dockerfile", 1, 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("results %+v\nwant %+v", got, want)
	}
	if len(run.Artifacts) != 3 || run.Artifacts[2].Location.URI != "c/Dockerfile" {
		t.Errorf("artifacts %+v", run.Artifacts)
	}
	if len(run.Invocations) != 1 || !run.Invocations[0].ExecutionSuccessful {
		t.Errorf("invocations %+v", run.Invocations)
	}
	if base := run.OriginalURIBaseIDs[srcRoot].URI; !strings.HasPrefix(base, "file:///") || !strings.HasSuffix(base, "/") {
		t.Errorf("%%SRCROOT%% = %q", base)
	}
}

func TestGitHubFormat(t *testing.T) {
	useRules(t, testRules()...)
	dir := writeTree(t, map[string]string{
		"we,ird:dir/Dockerfile": "FROM alpine:3.20\nLABEL a=b\nEXPOSE 80\nUSER x\nWORKDIR /\n",
	})
	t.Chdir(dir)
	r := dockwise(t, "", "check", "--format", "github")
	want := "::notice file=we%2Cird%3Adir/Dockerfile,line=2,col=1,endLine=2,endColumn=10,title=TestInfo::found LABEL\n" +
		"::warning file=we%2Cird%3Adir/Dockerfile,line=3,col=1,endLine=3,endColumn=10,title=TestWarning::found EXPOSE\n" +
		"::error file=we%2Cird%3Adir/Dockerfile,line=4,col=1,endLine=4,endColumn=7,title=TestError::found USER\n" +
		"::notice file=we%2Cird%3Adir/Dockerfile,line=5,col=1,endLine=5,endColumn=10,title=TestHint::found WORKDIR\n"
	if r.stdout != want {
		t.Errorf("github report:\n%s\nwant:\n%s", r.stdout, want)
	}
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
}

func TestGitHubEscaping(t *testing.T) {
	if got, want := ghData("100% done\r\nnext: a,b"), "100%25 done%0D%0Anext: a,b"; got != want {
		t.Errorf("ghData = %q, want %q", got, want)
	}
	if got, want := ghProperty("a%b\nc:d,e"), "a%25b%0Ac%3Ad%2Ce"; got != want {
		t.Errorf("ghProperty = %q, want %q", got, want)
	}
}

func TestFailLevels(t *testing.T) {
	useRules(t, testRules()...)
	dir := writeTree(t, map[string]string{
		"error/Dockerfile":   "FROM scratch\nUSER x\n",
		"warning/Dockerfile": "FROM scratch\nEXPOSE 80\n",
		"info/Dockerfile":    "FROM scratch\nLABEL a=b\n",
		"hint/Dockerfile":    "FROM scratch\nWORKDIR /\n",
		"clean/Dockerfile":   "FROM scratch\n",
		"parse/Dockerfile":   "FROM\n",
	})
	// want[file] is the exit code for fail levels error, warning (the
	// default), info, hint and none.
	want := map[string][5]int{
		"error":   {1, 1, 1, 1, 0},
		"warning": {0, 1, 1, 1, 0},
		"info":    {0, 0, 1, 1, 0},
		"hint":    {0, 0, 0, 1, 0},
		"clean":   {0, 0, 0, 0, 0},
		"parse":   {1, 1, 1, 1, 0},
	}
	levels := []string{"error", "warning", "info", "hint", "none"}
	for file, codes := range want {
		path := filepath.Join(dir, file, "Dockerfile")
		for i, level := range levels {
			if r := dockwise(t, "", "check", "--fail-level", level, path); r.code != codes[i] {
				t.Errorf("%s with --fail-level %s: exit %d, want %d", file, level, r.code, codes[i])
			}
		}
		if r := dockwise(t, "", "check", path); r.code != codes[1] {
			t.Errorf("%s with the default fail level: exit %d, want %d", file, r.code, codes[1])
		}
	}
}

func TestDiscovery(t *testing.T) {
	useRules(t)
	files := map[string]string{}
	for _, name := range []string{
		"Dockerfile", "Containerfile", "Dockerfile.dev", "Containerfile.prod", "api.Dockerfile",
		"web.dockerfile", "sub/deep/er/Dockerfile", "sub/Dockerfile-test", "sub/ci__Dockerfile.base",
		"sub/app_Dockerfile",
		// Not Dockerfiles.
		"Dockerfile.dockerignore", ".dockerignore", "README.md", "Dockerfile.md", "sub/dockerfile_test.go",
		"notes.txt", "MyDockerfiles", "sub/Containerfile.containerignore",
		// In skipped directories.
		".git/Dockerfile", "node_modules/pkg/Dockerfile", "sub/node_modules/Dockerfile",
	} {
		files[name] = "FROM scratch\n"
	}
	dir := writeTree(t, files)
	t.Chdir(dir)
	rep, r := checkJSON(t, "")
	want := []string{
		"Containerfile", "Containerfile.prod", "Dockerfile", "Dockerfile.dev", "api.Dockerfile",
		"sub/Dockerfile-test", "sub/app_Dockerfile", "sub/ci__Dockerfile.base", "sub/deep/er/Dockerfile",
		"web.dockerfile",
	}
	if got := paths(rep); !slices.Equal(got, want) {
		t.Errorf("discovered %v\nwant %v", got, want)
	}
	if r.code != 0 {
		t.Errorf("exit %d (stderr %q), want 0", r.code, r.stderr)
	}

	// Files named explicitly are checked whatever their names; the order
	// is by path whatever the order of the arguments; a file named twice,
	// or also found in a directory, is checked once.
	rep, _ = checkJSON(t, "", "notes.txt", "sub/deep", "Dockerfile", "./Dockerfile", "sub/deep/er/Dockerfile")
	if got, want := paths(rep), []string{"Dockerfile", "notes.txt", "sub/deep/er/Dockerfile"}; !slices.Equal(got, want) {
		t.Errorf("explicit files: %v, want %v", got, want)
	}
	// A skipped directory named as an argument is searched.
	rep, _ = checkJSON(t, "", "node_modules")
	if got, want := paths(rep), []string{"node_modules/pkg/Dockerfile"}; !slices.Equal(got, want) {
		t.Errorf("explicit node_modules: %v, want %v", got, want)
	}
}

func TestIsDockerfileName(t *testing.T) {
	for name, want := range map[string]bool{
		"Dockerfile": true, "Containerfile": true, "Dockerfile.alpine": true, "build.Dockerfile": true,
		"build.dockerfile": true, "x.containerfile": true, "Dockerfile_prod": true, "prod-Dockerfile": true,
		"owner__repo__Dockerfile.base": true, "Dockerfile.dockerignore": false,
		"build.Dockerfile.dockerignore": false, "dockerfile.go": false,
		"Dockerfile.yml": false, "Dockerfiles": false, "dockerfile-lint": false, ".dockerignore": false,
	} {
		if got := isDockerfileName(name); got != want {
			t.Errorf("isDockerfileName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestStdin(t *testing.T) {
	useRules(t, testRules()...)
	rep, r := checkJSON(t, "FROM scratch\nEXPOSE 80\n", "-")
	if got := paths(rep); !slices.Equal(got, []string{stdinPath}) {
		t.Fatalf("files %v", got)
	}
	if d := rep.Files[0].Diagnostics; len(d) != 1 || d[0].Rule != "TestWarning" || d[0].Range.Start.Line != 2 {
		t.Errorf("diagnostics %+v", d)
	}
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	// Standard input beside files, and named twice: read once.
	dir := writeTree(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	rep, _ = checkJSON(t, "FROM\n", "-", filepath.Join(dir, "Dockerfile"), "-")
	if len(rep.Files) != 2 || rep.Summary.Errors != 1 {
		t.Errorf("stdin and a file: %+v", rep)
	}
}

// TestUnreadableFiles checks that a file that cannot be read is reported and
// the others are still checked. Tests may run as root, where permissions do
// not stop reads, so the unreadable files are a broken symbolic link, a FIFO
// (which must be reported, not opened: opening it would block) and a path
// that does not exist.
func TestUnreadableFiles(t *testing.T) {
	useRules(t, testRules()...)
	dir := writeTree(t, map[string]string{
		"ok/Dockerfile": "FROM scratch\nEXPOSE 80\n",
	})
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "Dockerfile")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.Dockerfile"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	rep, r := checkJSON(t, "", ".", "missing/Dockerfile")
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	if got, want := paths(rep), []string{"Dockerfile", "fifo.Dockerfile", "missing/Dockerfile", "ok/Dockerfile"}; !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	for i, f := range rep.Files[:3] {
		if f.Error == "" || len(f.Diagnostics) != 0 {
			t.Errorf("file %d: %+v, want an error and no diagnostics", i, f)
		}
		if !strings.Contains(r.stderr, f.Path) {
			t.Errorf("stderr does not name %s: %q", f.Path, r.stderr)
		}
	}
	if f := rep.Files[3]; f.Error != "" || len(f.Diagnostics) != 1 {
		t.Errorf("readable file: %+v", f)
	}

	// The other formats report the failure too, and exit 2.
	r = dockwise(t, "", "check", "--format", "sarif", ".")
	var log sarifLog
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatal(err)
	}
	inv := log.Runs[0].Invocations[0]
	if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 2 || len(log.Runs[0].Results) != 1 || r.code != 2 {
		t.Errorf("sarif (exit %d): %+v, %d results", r.code, inv, len(log.Runs[0].Results))
	}
	r = dockwise(t, "", "check", "--format", "github", ".")
	if !strings.Contains(r.stdout, "::error file=Dockerfile,title=dockwise::cannot read file") ||
		!strings.Contains(r.stdout, "::warning file=ok/Dockerfile,") || r.code != 2 {
		t.Errorf("github (exit %d):\n%s", r.code, r.stdout)
	}
	r = dockwise(t, "", "check", ".")
	if !strings.Contains(r.stdout, "ok/Dockerfile:2:1: warning") ||
		!strings.Contains(r.stdout, "3 files checked (2 could not be read)") || r.code != 2 {
		t.Errorf("text (exit %d):\n%s", r.code, r.stdout)
	}
	// An unreadable file makes the exit code 2 even when nothing fails.
	if r := dockwise(t, "", "check", "--fail-level", "none", "."); r.code != 2 {
		t.Errorf("--fail-level none: exit %d, want 2", r.code)
	}
}

func TestDisableEnable(t *testing.T) {
	exp := keywordRule("TestExperimental", analysis.SeverityWarning, "EXPOSE")
	exp.Experimental = true
	useRules(t, append(testRules(), exp)...)
	text := "FROM scratch\nEXPOSE 80\nUSER x\n"
	rules := func(args ...string) []string {
		rep, _ := checkJSON(t, text, append(args, "-")...)
		var names []string
		for _, d := range rep.Files[0].Diagnostics {
			names = append(names, d.Rule)
		}
		return names
	}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"TestWarning", "TestError"}},
		{[]string{"--disable", "TestWarning"}, []string{"TestError"}},
		{[]string{"--disable", "TestWarning, TestError"}, nil},
		{[]string{"--disable", "TestWarning", "--disable", "TestError"}, nil},
		{[]string{"--enable", "TestExperimental"}, []string{"TestExperimental", "TestWarning", "TestError"}},
		{[]string{"--disable", "TestError", "--enable", "TestError"}, []string{"TestWarning", "TestError"}},
		{[]string{"--enable", "TestError", "--disable", "TestError"}, []string{"TestWarning"}},
	} {
		if got := rules(tt.args...); !slices.Equal(got, tt.want) {
			t.Errorf("%q: rules %v, want %v", tt.args, got, tt.want)
		}
	}
}

func TestFlagsAfterPaths(t *testing.T) {
	useRules(t, testRules()...)
	dir := writeTree(t, map[string]string{"Dockerfile": "FROM scratch\nEXPOSE 80\n"})
	df := filepath.Join(dir, "Dockerfile")
	if r := dockwise(t, "", "check", df, "--fail-level", "error"); r.code != 0 {
		t.Errorf("flag after the path ignored: exit %d", r.code)
	}
	if r := dockwise(t, "", "check", "--fail-level", "error", "--", df); r.code != 0 {
		t.Errorf("path after --: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestBuildContext(t *testing.T) {
	useRules(t, &analysis.Rule{Name: "ShowContext", Severity: analysis.SeverityInfo,
		Run: func(p *analysis.Pass) {
			dir := "none"
			if p.Context != nil {
				dir = p.Context.Dir
			}
			p.Report(analysis.Diagnostic{Message: "context " + dir})
		}})
	dir := writeTree(t, map[string]string{"app/Dockerfile": "FROM scratch\n", "ctx/file": ""})
	df := filepath.Join(dir, "app", "Dockerfile")
	ctx := filepath.Join(dir, "ctx")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{df}, "context " + filepath.Join(dir, "app")},
		{[]string{"--context", ctx, df}, "context " + ctx},
		{[]string{"-"}, "context none"},
		{[]string{"--context", ctx, "-"}, "context " + ctx},
	} {
		rep, _ := checkJSON(t, "FROM scratch\n", tt.args...)
		if d := rep.Files[0].Diagnostics; len(d) != 1 || d[0].Message != tt.want {
			t.Errorf("%q: %+v, want %q", tt.args, d, tt.want)
		}
	}
}

func TestLimits(t *testing.T) {
	useRules(t)
	saved := maxFileSize
	maxFileSize = 20
	t.Cleanup(func() { maxFileSize = saved })
	dir := writeTree(t, map[string]string{"big/Dockerfile": "FROM scratch\n# 20 bytes and more\n", "small/Dockerfile": "FROM scratch\n"})
	rep, r := checkJSON(t, "", dir)
	if r.code != 2 || len(rep.Files) != 2 || !strings.Contains(rep.Files[0].Error, "larger than") || rep.Files[1].Error != "" {
		t.Errorf("exit %d, %+v", r.code, rep.Files)
	}
	_, r = checkJSON(t, strings.Repeat("#", 21), "-")
	if r.code != 2 || !strings.Contains(r.stderr, "read standard input: larger than") {
		t.Errorf("stdin: exit %d, stderr %q", r.code, r.stderr)
	}

	// A directory without Dockerfiles: nothing to report, and a note.
	empty := t.TempDir()
	rep, r = checkJSON(t, "", empty)
	if r.code != 0 || len(rep.Files) != 0 || !strings.Contains(r.stderr, "no Dockerfile found") {
		t.Errorf("empty directory: exit %d, %+v, stderr %q", r.code, rep, r.stderr)
	}
}
