// This file tests `dockwise fix --rule MissingDockerignore`: --write
// creates the .dockerignore beside the Dockerfile (never over an existing
// one), --diff shows it as a new file, and printing the Dockerfile alone
// leaves the finding unfixed.
package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const ignoreSrc = "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nUSER node\nCMD [\"node\", \"index.js\"]\n"

func TestFixCreatesDockerignore(t *testing.T) {
	tree := map[string]string{
		"Dockerfile":                 ignoreSrc,
		"index.js":                   "1\n",
		"package.json":               "{}\n",
		"node_modules/left/index.js": "1\n",
	}
	dir := writeTree(t, tree)
	path := filepath.Join(dir, "Dockerfile")
	ignore := filepath.Join(dir, ".dockerignore")

	// --diff: the new file as a diff from /dev/null; nothing written.
	r := dockwise(t, "", "fix", "--rule", "MissingDockerignore", "--diff", path)
	if r.code != exitOK || !strings.Contains(r.stdout, "--- /dev/null") || !strings.Contains(r.stdout, "+node_modules\n") {
		t.Fatalf("--diff: code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(ignore); err == nil {
		t.Fatalf("--diff wrote %s", ignore)
	}
	// Printing the Dockerfile cannot create the file: the finding stays.
	if r := dockwise(t, "", "fix", "--rule", "MissingDockerignore", path); r.code != exitFindings || r.stdout != ignoreSrc || !strings.Contains(r.stderr, "MissingDockerignore") {
		t.Errorf("print: code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}

	// --write creates it; the Dockerfile is left as it is.
	r = dockwise(t, "", "fix", "--rule", "MissingDockerignore", "--write", path)
	if r.code != exitOK || !strings.Contains(r.stderr, "created "+ignore) {
		t.Fatalf("--write: code %d\nstderr:\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(ignore)
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range []string{".git", ".env*", "*.pem", "Dockerfile*", ".dockerignore", "node_modules"} {
		if !strings.Contains(string(data), "\n"+entry+"\n") {
			t.Errorf("%s lacks %s:\n%s", ignore, entry, data)
		}
	}
	if got, _ := os.ReadFile(path); string(got) != ignoreSrc {
		t.Errorf("the Dockerfile changed:\n%s", got)
	}
	// With the file there, the finding is gone and nothing is written.
	if r := dockwise(t, "", "fix", "--rule", "MissingDockerignore", "--write", path); r.code != exitOK || r.stderr != "" {
		t.Errorf("second --write: code %d\n%s", r.code, r.stderr)
	}

	// A context elsewhere: the builder would not read a file beside the
	// Dockerfile, so none is created and the finding stays.
	ctx := writeTree(t, tree)
	other := writeTree(t, map[string]string{"Dockerfile": ignoreSrc})
	r = dockwise(t, "", "fix", "--rule", "MissingDockerignore", "--context", ctx, "--write", filepath.Join(other, "Dockerfile"))
	if r.code != exitFindings || strings.Contains(r.stderr, "created") {
		t.Errorf("context elsewhere: code %d\n%s", r.code, r.stderr)
	}
	for _, d := range []string{ctx, other} {
		if _, err := os.Stat(filepath.Join(d, ".dockerignore")); err == nil {
			t.Errorf("a .dockerignore was created in %s", d)
		}
	}
}

func TestFixAppendsDockerignoreEntries(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Dockerfile":                 ignoreSrc,
		".dockerignore":              ".git\n*.log",
		"index.js":                   "1\n",
		"package.json":               "{}\n",
		"node_modules/left/index.js": "1\n",
	})
	path := filepath.Join(dir, "Dockerfile")
	ignore := filepath.Join(dir, ".dockerignore")
	r := dockwise(t, "", "fix", "--rule", "DockerignoreMissingEntries", "--diff", path)
	if r.code != exitOK || !strings.Contains(r.stdout, "+node_modules\n") || strings.Contains(r.stdout, "+.git\n") {
		t.Fatalf("--diff: code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	r = dockwise(t, "", "fix", "--rule", "DockerignoreMissingEntries", "--write", path)
	if r.code != exitOK || !strings.Contains(r.stderr, "added to "+ignore) {
		t.Fatalf("--write: code %d\nstderr:\n%s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(ignore)
	if !strings.HasPrefix(string(data), ".git\n*.log\n") || !strings.HasSuffix(string(data), "\nnode_modules\n") {
		t.Errorf("%s holds:\n%s", ignore, data)
	}
	if r := dockwise(t, "", "fix", "--rule", "DockerignoreMissingEntries", "--write", path); r.code != exitOK || r.stderr != "" {
		t.Errorf("second --write: code %d\n%s", r.code, r.stderr)
	}
}
