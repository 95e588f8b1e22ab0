// This file tests `dockwise fix`: printing the fixed file, --diff (checked
// by applying the diff back), --write (in place, atomically, keeping the
// mode, through symbolic links), --rule, and the exit codes.
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

const fixSrc = `FROM golang:1.23 AS Build
RUN go build -o /app .
FROM alpine:3.20
MAINTAINER Jane
COPY --from=Build /app /app
CMD app $ARGS
`

const fixOut = `FROM golang:1.23 AS build
RUN go build -o /app .
FROM alpine:3.20
LABEL org.opencontainers.image.authors="Jane"
COPY --from=build /app /app
CMD app $ARGS
`

func TestFixPrint(t *testing.T) {
	dir := writeTree(t, map[string]string{"Dockerfile": fixSrc})
	r := dockwise(t, "", "fix", filepath.Join(dir, "Dockerfile"))
	if r.code != exitOK || r.stdout != fixOut || r.stderr != "" {
		t.Errorf("fix: code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	// Standard input, and a directory holding one Dockerfile.
	if r := dockwise(t, fixSrc, "fix", "-"); r.code != exitOK || r.stdout != fixOut {
		t.Errorf("fix -: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := dockwise(t, "", "fix", dir); r.code != exitOK || r.stdout != fixOut {
		t.Errorf("fix DIR: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Nothing to fix: the file as it is.
	clean := "FROM alpine:3.20\nUSER nobody\nCMD [\"true\"]\n"
	if r := dockwise(t, clean, "fix", "-"); r.code != exitOK || r.stdout != clean {
		t.Errorf("fix of a clean file: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The file is not written.
	if data, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(data) != fixSrc {
		t.Errorf("fix without --write changed the file")
	}
}

func TestFixRule(t *testing.T) {
	// Only the rule asked for; a finding of it that cannot be fixed makes
	// the exit code 1 and is listed.
	r := dockwise(t, fixSrc, "fix", "--rule", "StageNameCasing", "-")
	if want := strings.ReplaceAll(fixSrc, "Build", "build"); r.code != exitOK || r.stdout != want {
		t.Errorf("--rule StageNameCasing: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = dockwise(t, fixSrc, "fix", "--rule", "JSONArgsRecommended,MaintainerDeprecated", "-")
	want := strings.Replace(fixSrc, "MAINTAINER Jane", `LABEL org.opencontainers.image.authors="Jane"`, 1)
	if r.code != exitFindings || r.stdout != want || !strings.Contains(r.stderr, "<stdin>:6:5: not fixed: ") || !strings.Contains(r.stderr, "[JSONArgsRecommended]") {
		t.Errorf("--rule with an unfixable finding: code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{
		{"fix", "--rule", "NoSuchRule", "-"},
		{"fix", "--rule", "UndefinedVar", "-"}, // no fix
	} {
		if r := dockwise(t, fixSrc, args...); r.code != exitUsage || r.stdout != "" {
			t.Errorf("%v: code %d, stdout %q", args, r.code, r.stdout)
		}
	}
	if r := dockwise(t, fixSrc, "fix", "--rule", "UndefinedVar", "-"); !strings.Contains(r.stderr, "no automatic fix") {
		t.Errorf("a rule without a fix: %s", r.stderr)
	}
}

func TestFixDiff(t *testing.T) {
	dir := writeTree(t, map[string]string{"a/Dockerfile": fixSrc, "b/Dockerfile": "FROM alpine\nUSER nobody\nCMD [\"x\"]\n"})
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
	r := dockwise(t, "", "fix", "--diff", ".")
	want := `--- a/a/Dockerfile
+++ b/a/Dockerfile
@@ -1,6 +1,6 @@
-FROM golang:1.23 AS Build
+FROM golang:1.23 AS build
 RUN go build -o /app .
 FROM alpine:3.20
-MAINTAINER Jane
-COPY --from=Build /app /app
+LABEL org.opencontainers.image.authors="Jane"
+COPY --from=build /app /app
 CMD app $ARGS
`
	if r.code != exitOK || r.stdout != want {
		t.Errorf("--diff: code %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", r.code, r.stdout, want, r.stderr)
	}
}

// TestUnifiedDiff applies the diff of long texts with scattered changes
// back with an independent patcher.
func TestUnifiedDiff(t *testing.T) {
	var old, new []string
	for i := range 60 {
		l := "RUN step " + strconv.Itoa(i) + "\n"
		old = append(old, l)
		switch {
		case i == 2 || i == 30 || i == 31 || i == 50:
			new = append(new, "RUN changed "+strconv.Itoa(i)+"\n")
		case i == 10:
			new = append(new, l, "RUN added\n")
		case i == 40:
			// deleted
		default:
			new = append(new, l)
		}
	}
	o, n := strings.Join(old, ""), strings.Join(new, "")
	for _, tc := range [][2]string{{o, n}, {o, strings.TrimSuffix(n, "\n")}, {"", "FROM a\n"}, {"FROM a", "FROM b"}} {
		d := unifiedDiff("x", "y", tc[0], tc[1])
		if got := applyUnified(t, tc[0], d); got != tc[1] {
			t.Errorf("diff does not apply back:\n%s\ngot:\n%q\nwant:\n%q", d, got, tc[1])
		}
	}
	if strings.Count(unifiedDiff("x", "y", o, n), "@@ -") != 5 {
		t.Errorf("want 5 hunks (the changes at 30 and 31 share one):\n%s", unifiedDiff("x", "y", o, n))
	}
	if unifiedDiff("x", "y", o, o) != "" {
		t.Error("diff of equal texts is not empty")
	}
}

// applyUnified applies a unified diff to text.
func applyUnified(t *testing.T, text, diff string) string {
	t.Helper()
	src := lines(text)
	var out []string
	next := 0 // next source line to copy
	dl := strings.SplitAfter(diff, "\n")
	for i := 2; i < len(dl); i++ {
		l := dl[i]
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "@@ -") {
			f := strings.Fields(l)
			start, _ := strconv.Atoi(strings.Split(strings.TrimPrefix(f[1], "-"), ",")[0])
			n := 1
			if parts := strings.Split(f[1], ","); len(parts) == 2 {
				n, _ = strconv.Atoi(parts[1])
			}
			if n == 0 {
				start++
			}
			out = append(out, src[next:start-1]...)
			next = start - 1
			continue
		}
		if strings.HasPrefix(l, `\ No newline`) {
			last := len(out) - 1
			if dl[i-1][0] == '-' {
				continue
			}
			out[last] = strings.TrimSuffix(out[last], "\n")
			continue
		}
		switch l[0] {
		case ' ':
			out = append(out, src[next])
			next++
		case '-':
			next++
		case '+':
			out = append(out, l[1:])
		default:
			t.Fatalf("bad diff line %q", l)
		}
	}
	out = append(out, src[next:]...)
	return strings.Join(out, "")
}

func TestFixWrite(t *testing.T) {
	dir := writeTree(t, map[string]string{"Dockerfile": fixSrc, "crlf/Dockerfile": strings.ReplaceAll(fixSrc, "\n", "\r\n")})
	path := filepath.Join(dir, "Dockerfile")
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.Dockerfile")
	if err := os.Symlink("crlf/Dockerfile", link); err != nil {
		t.Fatal(err)
	}
	r := dockwise(t, "", "fix", "--write", path, link)
	if r.code != exitOK || r.stdout != "" || !strings.Contains(r.stderr, "fixed 2 findings (MaintainerDeprecated 1, StageNameCasing 1)") {
		t.Fatalf("--write: code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if data, _ := os.ReadFile(path); string(data) != fixOut {
		t.Errorf("written:\n%s", data)
	}
	if info, _ := os.Stat(path); runtime.GOOS != "windows" && info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", info.Mode().Perm())
	}
	// Through the link, the target is written and the link stays.
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "crlf/Dockerfile")); string(data) != strings.ReplaceAll(fixOut, "\n", "\r\n") {
		t.Errorf("CRLF file written as %q", data)
	}
	// No temporary file is left behind.
	for _, d := range []string{dir, filepath.Join(dir, "crlf")} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".dockwise-") {
				t.Errorf("temporary file %s left in %s", e.Name(), d)
			}
		}
	}
	// A second run has nothing to do and writes nothing.
	before, _ := os.Stat(path)
	if r := dockwise(t, "", "fix", "--write", path); r.code != exitOK || r.stderr != "" {
		t.Errorf("second --write: code %d\n%s", r.code, r.stderr)
	}
	if after, _ := os.Stat(path); !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("second --write rewrote the file")
	}
}

func TestFixUsageErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{"a/Dockerfile": fixSrc, "b/Dockerfile": fixSrc})
	for _, args := range [][]string{
		{"fix"},                           // no PATH
		{"fix", "--diff", "--write", dir}, // exclusive
		{"fix", dir},                      // two files to print
		{"fix", "--write", "-"},           // standard input cannot be written
		{"fix", "--bogus", dir},           // unknown flag
		{"fix", "--context", "/nonexistent", "-"},
	} {
		r := dockwise(t, fixSrc, args...)
		if r.code != exitUsage || r.stdout != "" || r.stderr == "" {
			t.Errorf("%v: code %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	// A path that cannot be read: 2, and the other files are still done.
	r := dockwise(t, "", "fix", "--diff", filepath.Join(dir, "missing"), filepath.Join(dir, "a/Dockerfile"))
	if r.code != exitUsage || !strings.Contains(r.stdout, "+FROM golang:1.23 AS build") {
		t.Errorf("missing path: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := dockwise(t, "", "help", "fix"); r.code != exitOK || !strings.Contains(r.stdout, "Usage: dockwise fix") {
		t.Errorf("help fix: code %d\n%s", r.code, r.stdout)
	}
}

// plainPython is a single-stage toolchain build on which SingleStageBuild
// does not fire: it installs dependencies and builds nothing.
const plainPython = "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"

func TestFixRuleAppliesSplitRefactor(t *testing.T) {
	dir := writeTree(t, map[string]string{"Dockerfile": plainPython, "requirements.txt": "flask\n", "app.py": "1\n"})
	path := filepath.Join(dir, "Dockerfile")
	r := dockwise(t, "", "fix", "--rule", "SingleStageBuild", path)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "FROM python:3.12 AS build\n") || !strings.Contains(r.stdout, "\nFROM python:3.12-slim") || !strings.Contains(r.stdout, "/opt/venv") {
		t.Fatalf("--rule SingleStageBuild: code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	// Without --rule the split is not applied: it is not safe.
	if r := dockwise(t, "", "fix", path); r.stdout != plainPython {
		t.Errorf("fix without --rule split the build:\n%s", r.stdout)
	}
	// --write rewrites the file and says which refactor it applied.
	w := dockwise(t, "", "fix", "--rule", "SingleStageBuild", "--write", path)
	data, _ := os.ReadFile(path)
	if w.code != exitOK || string(data) != r.stdout || !strings.Contains(w.stderr, "refactored: Split") {
		t.Errorf("--write: code %d, stderr %s, file:\n%s", w.code, w.stderr, data)
	}
	// Applied again: already split, nothing to do.
	if r2 := dockwise(t, "", "fix", "--rule", "SingleStageBuild", path); r2.code != exitOK || r2.stdout != string(data) {
		t.Errorf("second run: code %d\n%s%s", r2.code, r2.stdout, r2.stderr)
	}
	// A toolchain file the split is not offered on (no CMD to keep) is
	// left as it is; the rule has no finding there, so the exit code is 0.
	other := "FROM python:3.12\nRUN pip install flask\n"
	if r := dockwise(t, other, "fix", "--rule", "SingleStageBuild", "-"); r.code != exitOK || r.stdout != other {
		t.Errorf("no split offered: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestFixRuleSplitFindingUnfixed checks that a SingleStageBuild finding
// whose split cannot be computed still exits 1.
func TestFixRuleSplitFindingUnfixed(t *testing.T) {
	src := "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /app . && ./gen.sh\nCMD /app $FLAGS\n"
	r := dockwise(t, src, "fix", "--rule", "SingleStageBuild", "-")
	if !strings.Contains(r.stderr, "[SingleStageBuild]") || r.code != exitFindings || r.stdout != src {
		t.Errorf("unfixable finding: code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
