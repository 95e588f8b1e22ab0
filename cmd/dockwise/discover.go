// This file defines how `dockwise check` turns its PATH arguments into the
// list of Dockerfiles to check: files as given, directories searched
// recursively for files named like Dockerfiles, "-" for standard input.
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// stdinPath is how standard input is shown in reports.
const stdinPath = "<stdin>"

// target is one Dockerfile to check, or one that cannot be.
type target struct {
	path  string // as shown in reports
	stdin bool
	err   error // set when the file cannot be checked (it is then reported, not read)
}

// skippedDirs are directories that discovery never enters.
var skippedDirs = map[string]bool{".git": true, "node_modules": true}

// discover returns the targets named by args, sorted by path, each once.
// No argument means the current directory.
func discover(args []string) []target {
	if len(args) == 0 {
		args = []string{"."}
	}
	seen := map[string]bool{}
	var out []target
	add := func(t target) {
		key := t.path
		if !t.stdin {
			key = filepath.Clean(t.path)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, t)
		}
	}
	for _, arg := range args {
		if arg == "-" {
			add(target{path: stdinPath, stdin: true})
			continue
		}
		info, err := os.Stat(arg)
		switch {
		case err != nil:
			add(target{path: arg, err: err})
		case info.IsDir():
			walk(arg, add)
		default:
			// A file named on the command line is checked whatever its
			// name, and read whatever its type (e.g. /dev/fd/N).
			add(target{path: arg})
		}
	}
	slices.SortStableFunc(out, func(a, b target) int { return strings.Compare(a.path, b.path) })
	return out
}

// walk adds every Dockerfile under root. Symbolic links to directories are
// not followed; a link or a special file with a Dockerfile's name that
// cannot be read as a regular file is reported, never opened (a FIFO would
// block).
func walk(root string, add func(target)) {
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			add(target{path: path, err: err})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != root && skippedDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		if !isDockerfileName(d.Name()) {
			return nil
		}
		mode := d.Type()
		if mode&fs.ModeSymlink != 0 {
			info, err := os.Stat(path)
			if err != nil {
				add(target{path: path, err: err})
				return nil
			}
			if info.IsDir() {
				return nil
			}
			mode = info.Mode().Type()
		}
		if !mode.IsRegular() {
			add(target{path: path, err: fmt.Errorf("%s: not a regular file", path)})
			return nil
		}
		add(target{path: path})
		return nil
	})
	if err != nil {
		add(target{path: root, err: err})
	}
}

// isDockerfileName reports whether a file found in a directory is taken for
// a Dockerfile. The name must be Dockerfile or Containerfile, start with
// "Dockerfile." or "Containerfile.", end with ".dockerfile" or
// ".containerfile" (any case), or more generally hold the word Dockerfile or
// Containerfile between the separators '.', '-' and '_' (as in
// "Dockerfile-dev", "app_Dockerfile" or "ci__Dockerfile.base"). Ignore
// files (Dockerfile.dockerignore) and names with an extension that marks
// documentation, data or code (Dockerfile.md, dockerfile_test.go) are not
// Dockerfiles.
func isDockerfileName(name string) bool {
	if name == "Dockerfile" || name == "Containerfile" {
		return true
	}
	lower := strings.ToLower(name)
	if ext := filepath.Ext(lower); ext != "" && notDockerfileExts[ext[1:]] {
		return false
	}
	if strings.HasSuffix(lower, ".dockerfile") || strings.HasSuffix(lower, ".containerfile") {
		return true
	}
	for _, word := range strings.FieldsFunc(name, func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
		if word == "Dockerfile" || word == "Containerfile" {
			return true
		}
	}
	return false
}

// notDockerfileExts are extensions of files that may carry "Dockerfile" in
// their name but are something else.
var notDockerfileExts = map[string]bool{
	"dockerignore": true, "containerignore": true,
	"md": true, "markdown": true, "rst": true, "txt": true, "adoc": true, "html": true,
	"json": true, "yaml": true, "yml": true, "toml": true, "xml": true, "tsv": true, "csv": true,
	"go": true, "py": true, "js": true, "ts": true, "rb": true, "rs": true, "java": true, "sh": true,
	"bash": true, "ps1": true, "bat": true, "cmd": true, "vim": true, "lua": true, "el": true,
	"sum": true, "mod": true, "lock": true, "png": true, "svg": true, "orig": true, "rej": true,
	"swp": true, "patch": true, "diff": true,
}
