// This file defines lazy actions: the heavy rewrites (stage splits,
// manifests first, .dockerignore, cache mounts) can be offered by title
// before they are verified, and Resolve computes and verifies the one the
// user picks. An action is still never applied unverified.
package codeactions

import (
	"errors"
	"fmt"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

// heavyRules are the rules whose fixes are costly rewrites.
var heavyRules = map[string]bool{
	"SingleStageBuild":               true,
	"SourceCopiedBeforeDependencies": true,
	"MissingDockerignore":            true,
	"DockerignoreMissingEntries":     true,
	"MissingCacheMount":              true,
}

// Heavy reports whether a is a heavy rewrite, worth verifying only when
// it is chosen: a refactor or a fix (not a suppression) of a heavy rule.
func Heavy(a *Action) bool {
	if a.Suppress {
		return false
	}
	if a.Kind == RefactorRewrite {
		return true
	}
	for _, d := range a.Diagnostics {
		if heavyRules[d.Rule] {
			return true
		}
	}
	return false
}

// ForDiagnosticsLazy is ForDiagnostics, but returns the heavy actions
// unverified, marked Unverified, for the caller to Resolve when they are
// chosen.
func ForDiagnosticsLazy(in *Input, diags []analysis.Diagnostic) (actions []*Action, errs []error) {
	return forDiagnostics(in, diags, true)
}

// ErrNotOffered is the error of Resolve when the action is no longer
// offered for its target.
var ErrNotOffered = errors.New("the action is no longer offered")

// Resolve returns, verified, the action titled title among those of the
// given kind for a target: for QuickFix, the fixes of the finding of rule
// at [start, end); for RefactorRewrite, the refactors of the file (rule
// SingleStageBuild; the range is that of the request). The error is
// ErrNotOffered, or the *VerifyError of an action that fails verification.
func Resolve(in *Input, kind Kind, rule string, start, end int, title string) (*Action, error) {
	switch kind {
	case RefactorRewrite:
		if rule != rules.SingleStageBuild.Name {
			return nil, ErrNotOffered
		}
		acts, errs := refactors(in, start, end, true, false, title)
		for _, a := range acts {
			if a.Title == title {
				return a, nil
			}
		}
		for _, err := range errs {
			if ve, ok := errors.AsType[*VerifyError](err); ok && ve.Title == title {
				return nil, err
			}
		}
		return nil, ErrNotOffered
	case QuickFix:
		d, ok := in.Find(rule, start, end)
		if !ok {
			return nil, ErrNotOffered
		}
		fixes, err := fixesOf(in, d)
		if err != nil {
			return nil, fmt.Errorf("resolve %q: %w", title, err)
		}
		for _, a := range fixes {
			if a.Title != title || a.Suppress {
				continue
			}
			if err := Verify(in, a); err != nil {
				return nil, err
			}
			return a, nil
		}
	}
	return nil, ErrNotOffered
}
