// This file defines BuildContext: the directory a Dockerfile is built from,
// which files it holds and what its .dockerignore excludes.
package analysis

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// BuildContext describes the build context of a Dockerfile. A nil
// *BuildContext means the context is unknown; rules that need it stay quiet.
// Its methods are safe for concurrent use.
type BuildContext struct {
	// Dir is the context directory ("" when unknown).
	Dir string

	ignorePath string // the ignore file read, "" if none
	patterns   []string

	mu      sync.Mutex // guards matcher (it compiles lazily) and exists
	matcher *patternmatcher.PatternMatcher
	exists  map[string]bool
}

// NewBuildContext describes the context dir of the Dockerfile at
// dockerfilePath. Like BuildKit it reads `<Dockerfile>.dockerignore` beside
// the Dockerfile if there is one, else `<dir>/.dockerignore`. A missing
// directory or ignore file is not an error. An ignore file that cannot be
// read or holds an invalid pattern is: the context is still returned,
// without ignore patterns.
func NewBuildContext(dir, dockerfilePath string) (*BuildContext, error) {
	bc := &BuildContext{Dir: dir, exists: map[string]bool{}}
	var candidates []string
	if dockerfilePath != "" {
		candidates = append(candidates, dockerfilePath+".dockerignore")
	}
	if dir != "" {
		candidates = append(candidates, filepath.Join(dir, ".dockerignore"))
	}
	for _, p := range candidates {
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return bc, fmt.Errorf("read %s: %w", p, err)
		}
		patterns, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return bc, fmt.Errorf("read %s: %w", p, err)
		}
		bc.ignorePath = p
		if len(patterns) == 0 {
			return bc, nil
		}
		m, err := patternmatcher.New(patterns)
		if err != nil {
			return bc, fmt.Errorf("parse %s: %w", p, err)
		}
		bc.patterns, bc.matcher = patterns, m
		return bc, nil
	}
	return bc, nil
}

// HasDockerignore reports whether an ignore file was found.
func (bc *BuildContext) HasDockerignore() bool { return bc != nil && bc.ignorePath != "" }

// DockerignorePath returns the path of the ignore file read, or "".
func (bc *BuildContext) DockerignorePath() string {
	if bc == nil {
		return ""
	}
	return bc.ignorePath
}

// Patterns returns the ignore patterns, as BuildKit reads them (comments
// dropped, paths cleaned, `!` exceptions kept).
func (bc *BuildContext) Patterns() []string {
	if bc == nil {
		return nil
	}
	return append([]string(nil), bc.patterns...)
}

// HasExclusions reports whether the patterns hold `!` exceptions.
func (bc *BuildContext) HasExclusions() bool {
	return bc != nil && bc.matcher != nil && bc.matcher.Exclusions()
}

// IgnoresRoot reports whether a pattern excludes every entry of the context
// root (`*`, `**` or `**/*`), so that copying the root copies nothing.
func (bc *BuildContext) IgnoresRoot() bool {
	if bc == nil || bc.matcher == nil {
		return false
	}
	for _, p := range bc.matcher.Patterns() {
		if p.Exclusion() {
			continue
		}
		switch p.String() {
		case "*", "**", "**/*":
			return true
		}
	}
	return false
}

// cleanContextPath cleans a context-relative path as BuildKit does before
// matching it (filepath.Clean, forward slashes).
func cleanContextPath(p string) string { return filepath.ToSlash(filepath.Clean(p)) }

// Ignored reports whether the ignore file excludes path, or a directory
// holding it, taking `!` exceptions into account. The path is relative to
// the context and cleaned as BuildKit cleans COPY sources before matching
// them (filepath.Clean, forward slashes; a leading slash is kept, and then
// only patterns that match it apply, as in BuildKit).
func (bc *BuildContext) Ignored(path string) bool {
	if bc == nil || bc.matcher == nil {
		return false
	}
	p := cleanContextPath(path)
	bc.mu.Lock()
	defer bc.mu.Unlock()
	ok, err := bc.matcher.MatchesOrParentMatches(p)
	return err == nil && ok
}

// Exists reports whether a path relative to the context exists. Results are
// cached for the life of the BuildContext. It is false when Dir is unknown.
func (bc *BuildContext) Exists(rel string) bool {
	if bc == nil || bc.Dir == "" {
		return false
	}
	rel = cleanContextPath(rel)
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if v, ok := bc.exists[rel]; ok {
		return v
	}
	_, err := os.Stat(filepath.Join(bc.Dir, filepath.FromSlash(rel)))
	bc.exists[rel] = err == nil
	return err == nil
}
