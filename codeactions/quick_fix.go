// This file defines ForDiagnostics, the verified quick fixes and
// suppressions of a set of diagnostics, and what it shares with FixAll:
// calling fixers safely and verifying candidates concurrently.
package codeactions

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/dockwise/dockwise/analysis"
)

// ForDiagnostics returns the actions offered for the diagnostics (which
// must be diagnostics of in's file): for each, its fixes, then its
// suppressions. Only verified actions are returned; errs holds the
// candidates that failed verification, bugs the caller logs.
func ForDiagnostics(in *Input, diags []analysis.Diagnostic) (actions []*Action, errs []error) {
	return forDiagnostics(in, diags, false)
}

// forDiagnostics is ForDiagnostics; with lazy set, heavy actions (see
// Heavy) are returned unverified, marked Unverified.
func forDiagnostics(in *Input, diags []analysis.Diagnostic, lazy bool) (actions []*Action, errs []error) {
	var cands []*Action
	for _, d := range diags {
		fixes, err := fixesOf(in, d)
		if err != nil {
			errs = append(errs, err)
		}
		cands = append(cands, fixes...)
	}
	for _, d := range diags {
		sup, err := suppressionsOf(in, d)
		if err != nil {
			errs = append(errs, err)
		}
		cands = append(cands, sup...)
	}
	cands = dedupe(cands)
	actions, verrs := verifyCandidates(in, cands, lazy)
	return actions, append(errs, verrs...)
}

// verifyCandidates returns the candidates that pass verification (with
// lazy set, the heavy ones unverified, marked so) and the errors of those
// that fail.
func verifyCandidates(in *Input, cands []*Action, lazy bool) (actions []*Action, errs []error) {
	var now []*Action
	for _, a := range cands {
		if lazy && Heavy(a) {
			a.Unverified = true
		} else {
			now = append(now, a)
		}
	}
	results := verifyAll(in, now)
	failed := map[*Action]bool{}
	for i, a := range now {
		if results[i] != nil {
			errs = append(errs, results[i])
			failed[a] = true
		}
	}
	for _, a := range cands {
		if !failed[a] {
			actions = append(actions, a)
		}
	}
	return actions, errs
}

// fixesOf returns the candidate fixes of d from its rule's fixer, with
// Kind and Diagnostics filled in. A fixer that panics is an error.
func fixesOf(in *Input, d analysis.Diagnostic) (out []*Action, err error) {
	fx := fixers[d.Rule]
	if fx == nil {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("fixer of %s panicked: %v\n%s", d.Rule, r, debug.Stack())
		}
	}()
	for _, a := range fx(in, d) {
		if a == nil {
			continue
		}
		if a.Kind == "" {
			a.Kind = QuickFix
		}
		if a.Diagnostics == nil {
			a.Diagnostics = []analysis.Diagnostic{d}
		}
		out = append(out, a)
	}
	return out, nil
}

// suppressionsOf returns the suppression candidates of d; a panic is an
// error.
func suppressionsOf(in *Input, d analysis.Diagnostic) (out []*Action, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("suppressions of %s panicked: %v\n%s", d.Rule, r, debug.Stack())
		}
	}()
	return suppressions(in, d), nil
}

// dedupe merges candidates with the same title and edits (the same
// suppression offered for two diagnostics), keeping the first's place and
// the diagnostics of both.
func dedupe(cands []*Action) []*Action {
	var out []*Action
	for _, a := range cands {
		dup := false
		for _, b := range out {
			if a.Title == b.Title && slices.Equal(a.Edits, b.Edits) && slices.Equal(a.Files, b.Files) {
				for _, d := range a.Diagnostics {
					if !slices.Contains(b.Diagnostics, d) {
						b.Diagnostics = append(b.Diagnostics, d)
					}
				}
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, a)
		}
	}
	return out
}

// verifyAll verifies the candidates on all processors and returns the
// error of each (nil when it passed).
func verifyAll(in *Input, cands []*Action) []error {
	errs := make([]error, len(cands))
	if len(cands) == 0 {
		return errs
	}
	in.Diagnostics() // once, before the workers share it
	workers := min(runtime.GOMAXPROCS(0), len(cands))
	if workers <= 1 {
		for i, a := range cands {
			errs[i] = Verify(in, a)
		}
		return errs
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				errs[i] = Verify(in, cands[i])
			}
		})
	}
	for i := range cands {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}
