// Package corpus reads, for tests, the shared corpus of real Dockerfiles:
// ../shared/corpus/real beside the repository (CI puts ../shared there).
package corpus

import (
	"os"
	"path/filepath"
	"strings"
)

// Dir returns the corpus folder's path: ../shared/corpus/real from the
// repository's root, the first folder up from the working directory (a
// test's package folder) that holds go.mod.
func Dir() string {
	root, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(root)
		if up == root {
			break
		}
		root = up
	}
	return filepath.Join(root, "..", "shared", "corpus", "real")
}

// Files returns the text of every Dockerfile of the corpus by file name
// (the folder's other files, such as its .tsv index, are left out). It
// fails when the folder cannot be read.
func Files() (map[string]string, error) {
	dir := Dir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := make(map[string]string, len(entries))
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".tsv") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files[e.Name()] = string(b)
	}
	return files, nil
}
