// This file tests WithDockerignore: the context as it will be once an
// ignore file is written, the original left as it is.
package analysis

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWithDockerignore(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "node_modules", "left"), 0o755); err != nil {
		t.Fatal(err)
	}
	bc, err := NewBuildContext(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if bc.Scan(".") == nil {
		t.Fatal("no scan")
	}
	nb, err := bc.WithDockerignore(".dockerignore", "# comment\n.git\nnode_modules\n!node_modules/keep\n")
	if err != nil {
		t.Fatal(err)
	}
	if !nb.HasDockerignore() || nb.DockerignorePath() != filepath.Join(dir, ".dockerignore") {
		t.Errorf("ignore file %q", nb.DockerignorePath())
	}
	if !nb.Ignored("node_modules/left/index.js") || !nb.Ignored(".git") || nb.Ignored("node_modules/keep") || nb.Ignored("src/a.js") {
		t.Errorf("patterns %v applied wrongly", nb.Patterns())
	}
	if !nb.HasExclusions() || !nb.Exists(".dockerignore") || nb.Scan(".") == nil {
		t.Errorf("exclusions %v, exists %v", nb.HasExclusions(), nb.Exists(".dockerignore"))
	}
	// The original is unchanged.
	if bc.HasDockerignore() || bc.Ignored("node_modules") || bc.Exists(".dockerignore") {
		t.Errorf("the original context changed")
	}
	if _, err := bc.WithDockerignore(".dockerignore", "[\n"); err == nil {
		t.Errorf("an invalid pattern was accepted")
	}
	var nilCtx *BuildContext
	if _, err := nilCtx.WithDockerignore(".dockerignore", ".git\n"); err == nil {
		t.Errorf("a nil context was extended")
	}
}
