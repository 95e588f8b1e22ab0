// This file defines WithDockerignore: the build context as it will be once
// an ignore file has been written, for checking an action that creates or
// extends one before it is applied.
package analysis

import (
	"fmt"
	"maps"
	"path/filepath"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// WithDockerignore returns a copy of bc whose ignore file is the one at
// path (absolute, or relative to bc.Dir) holding content, as if it had been
// written: its patterns are the content's, and path exists. Directory
// scans and package.json reads are shared with bc (an ignore file changes
// neither). It returns an error when the content holds an invalid pattern.
func (bc *BuildContext) WithDockerignore(path, content string) (*BuildContext, error) {
	if bc == nil {
		return nil, fmt.Errorf("no build context")
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(bc.Dir, filepath.FromSlash(path))
	}
	patterns, err := ignorefile.ReadAll(strings.NewReader(content))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	nb := &BuildContext{Dir: bc.Dir, ignorePath: path, exists: map[string]bool{}}
	bc.mu.Lock()
	nb.scans = maps.Clone(bc.scans)
	nb.pkgs = maps.Clone(bc.pkgs)
	maps.Copy(nb.exists, bc.exists)
	bc.mu.Unlock()
	if rel, err := filepath.Rel(bc.Dir, path); err == nil && bc.Dir != "" && !strings.HasPrefix(rel, "..") {
		nb.exists[cleanContextPath(rel)] = true
	}
	if len(patterns) > 0 {
		m, err := patternmatcher.New(patterns)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		nb.patterns, nb.matcher = patterns, m
	}
	return nb, nil
}
