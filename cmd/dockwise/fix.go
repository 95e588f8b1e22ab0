// This file defines `dockwise fix`: it applies the verified fixes of
// package codeactions to Dockerfiles and prints the fixed file, prints a
// unified diff, or writes the files in place (atomically, keeping their
// mode).
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/codeactions"
)

const fixUsage = "dockwise fix [--rule Rule]... [--diff | --write] [--context DIR] PATH..."

const fixHelp = `
Fix applies dockwise's automatic fixes. Without --rule it applies the safe
fixes, those that keep what the image does: a stage renamed in lowercase
with every reference to it, MAINTAINER as the OCI authors label, the exec
form of a CMD that uses nothing of the shell, and so on. With --rule it
applies the fixes of the named rules, safe or not. Every fix is checked
before it is applied: the fixed file is parsed and checked again, and a fix
that leaves its finding, breaks the parse or adds an error is not applied.
Fixes never suppress findings. --rule SingleStageBuild also splits a
single-stage toolchain build on which the rule does not fire (dependencies
installed, nothing built) into builder and runtime stages, when the split
can be verified.

Each PATH is a Dockerfile, a directory searched for Dockerfiles as check
does, or "-" for standard input. The fixed file is printed to standard
output (one PATH only); --diff prints a unified diff of each file instead,
and --write rewrites each file in place. The findings that could not be
fixed are listed on standard error.

The fixes of MissingDockerignore and DockerignoreMissingEntries write the
ignore file instead of the Dockerfile: with --write they create
.dockerignore beside the Dockerfile (never over an existing file) or append
the missing entries to it, and --diff shows the change. They apply only
when the build context is the Dockerfile's directory, where the builder
reads the file.

Exit codes: 0 when every finding meant to be fixed was fixed (the safe
fixes, or every finding of the rules given with --rule), 1 when one
remains, 2 for a usage error or a file that could not be read or written.`

func runFix(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("fix", stderr)
	var ruleNames []string
	var ruleErr error
	fs.Func("rule", "fix the findings of `RULE` only, safe fixes or not (repeatable, or comma-separated)", func(v string) error {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			r := ruleByName(name)
			switch {
			case r == nil:
				if ruleErr == nil {
					ruleErr = unknownRuleError(name)
				}
			case !codeactions.HasFix(r.Name):
				if ruleErr == nil {
					ruleErr = fmt.Errorf("rule %s has no automatic fix (rules with one: %s)", r.Name, strings.Join(fixableRules(), ", "))
				}
			case !slices.Contains(ruleNames, r.Name):
				ruleNames = append(ruleNames, r.Name)
			}
		}
		return nil
	})
	diff := fs.Bool("diff", false, "print a unified diff instead of the fixed file")
	write := fs.Bool("write", false, "write the fixed files in place")
	contextDir := fs.String("context", "", "build context `DIR` for every Dockerfile (default: the Dockerfile's directory)")

	paths, err := parseArgs(fs, args)
	if err == errHelp {
		printHelp(stdout, fs, fixUsage, fixHelp)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "fix", err)
	}
	switch {
	case ruleErr != nil:
		return usageError(stderr, "fix", ruleErr)
	case *diff && *write:
		return usageError(stderr, "fix", fmt.Errorf("--diff and --write exclude each other"))
	case len(paths) == 0:
		return usageError(stderr, "fix", fmt.Errorf("no PATH given"))
	}
	if *contextDir != "" {
		if info, err := os.Stat(*contextDir); err != nil || !info.IsDir() {
			return usageError(stderr, "fix", fmt.Errorf("--context: %s is not a directory", *contextDir))
		}
	}
	targets := discover(paths)
	if len(targets) == 0 {
		fmt.Fprintf(stderr, "dockwise fix: no Dockerfile found in %s\n", strings.Join(paths, " "))
		return exitUsage
	}
	if !*diff && !*write && len(targets) != 1 {
		return usageError(stderr, "fix", fmt.Errorf("%d Dockerfiles found: printing the fixed file takes one; use --diff or --write", len(targets)))
	}
	if *write {
		for _, t := range targets {
			if t.stdin {
				return usageError(stderr, "fix", fmt.Errorf("--write cannot write standard input"))
			}
		}
	}

	ioFailed, unfixed := false, false
	for _, t := range targets {
		res, err := fixOne(t, stdin, *contextDir, ruleNames, *write || *diff)
		if err != nil {
			fmt.Fprintf(stderr, "dockwise fix: %v\n", err)
			ioFailed = true
			continue
		}
		if res.warning != "" {
			fmt.Fprintf(stderr, "dockwise fix: warning: %s\n", res.warning)
		}
		for _, e := range res.bugs {
			fmt.Fprintf(stderr, "dockwise fix: internal error (the fix was not applied): %v\n", e)
		}
		switch {
		case *write:
			if res.newText != res.oldText {
				if err := writeAtomic(t.path, res.newText); err != nil {
					fmt.Fprintf(stderr, "dockwise fix: %v\n", err)
					ioFailed = true
					continue
				}
			}
			for _, nf := range res.files {
				verb := "created"
				write := codeactions.WriteNewFile
				if nf.Append {
					verb, write = "added to", appendTo
				}
				if err := write(nf.Path, nf.Content); err != nil {
					fmt.Fprintf(stderr, "dockwise fix: %v\n", err)
					ioFailed = true
					continue
				}
				fmt.Fprintf(stderr, "dockwise fix: %s %s\n", verb, nf.Path)
			}
			if res.newText != res.oldText || len(res.files) > 0 {
				if len(res.refactors) == 0 || len(res.fixed) > 0 {
					fmt.Fprintf(stderr, "dockwise fix: %s: %s\n", t.path, describeFixed(res.fixed))
				}
				for _, title := range res.refactors {
					fmt.Fprintf(stderr, "dockwise fix: %s: refactored: %s\n", t.path, title)
				}
			}
		case *diff:
			oldName, newName := t.path, t.path
			if !t.stdin && !filepath.IsAbs(t.path) {
				// As git writes them, for `git apply` and `patch -p1`.
				oldName, newName = "a/"+filepath.ToSlash(t.path), "b/"+filepath.ToSlash(t.path)
			}
			if _, err := io.WriteString(stdout, unifiedDiff(oldName, newName, res.oldText, res.newText)); err != nil {
				fmt.Fprintf(stderr, "dockwise fix: write: %v\n", err)
				return exitUsage
			}
			for _, nf := range res.files {
				oldName, newName, old := "/dev/null", nf.Path, ""
				if !filepath.IsAbs(newName) {
					newName = "b/" + filepath.ToSlash(newName)
				}
				if nf.Append {
					data, err := os.ReadFile(nf.Path)
					if err != nil {
						fmt.Fprintf(stderr, "dockwise fix: %v\n", err)
						ioFailed = true
						continue
					}
					old, oldName = string(data), nf.Path
					if !filepath.IsAbs(oldName) {
						oldName = "a/" + filepath.ToSlash(oldName)
					}
				}
				if _, err := io.WriteString(stdout, unifiedDiff(oldName, newName, old, old+nf.Content)); err != nil {
					fmt.Fprintf(stderr, "dockwise fix: write: %v\n", err)
					return exitUsage
				}
			}
		default:
			if _, err := io.WriteString(stdout, res.newText); err != nil {
				fmt.Fprintf(stderr, "dockwise fix: write: %v\n", err)
				return exitUsage
			}
		}
		if len(res.remaining) > 0 {
			unfixed = true
			f := analysis.Parse(res.newText)
			for _, d := range res.remaining {
				line := f.LineOf(d.Start)
				col := len([]rune(f.Text[f.LineStart(line):d.Start])) + 1
				fmt.Fprintf(stderr, "%s:%d:%d: not fixed: %s [%s]\n", t.path, line+1, col, d.Message, d.Rule)
			}
		}
	}
	switch {
	case ioFailed:
		return exitUsage
	case unfixed:
		return exitFindings
	}
	return exitOK
}

// fixResult is the outcome of fixing one file.
type fixResult struct {
	oldText, newText string
	fixed            map[string]int
	remaining        []analysis.Diagnostic // in newText
	files            []codeactions.NewFile // files to create, Path relative to the working directory or absolute
	bugs             []error
	warning          string
	refactors        []string // titles of the refactors applied
}

// fixOne reads and fixes one target. With files set, the fixes that
// create or extend files (a .dockerignore) are included when --rule names their
// rule and the build context is the Dockerfile's directory, where the
// builder reads the file.
func fixOne(t target, stdin io.Reader, contextDir string, ruleNames []string, files bool) (*fixResult, error) {
	if t.err != nil {
		return nil, t.err
	}
	data, err := readTarget(t, stdin)
	if err != nil {
		return nil, err
	}
	res := &fixResult{oldText: string(data), newText: string(data)}
	bctx, err := buildContextFor(t, contextDir)
	if err != nil {
		res.warning = fmt.Sprintf("build context: %v", err)
	}
	in := codeactions.NewInput(analysis.Parse(res.oldText), registry, analysis.Options{Context: bctx}, nil)
	fr := codeactions.FixAll(in, codeactions.FixOptions{Rules: ruleNames, Unsafe: len(ruleNames) > 0})
	res.fixed, res.remaining, res.bugs = fr.Fixed, fr.Remaining, fr.Errors
	if fr.Action != nil {
		if res.newText, err = codeactions.Apply(res.oldText, fr.Action.Edits); err != nil {
			return nil, fmt.Errorf("fix %s: %w", t.path, err)
		}
	}
	// The input for res.newText, parsed and checked once for what follows.
	var out *codeactions.Input
	outInput := func() *codeactions.Input {
		if out == nil {
			if res.newText == res.oldText {
				out = in
			} else {
				out = codeactions.NewInput(analysis.Parse(res.newText), registry, analysis.Options{Context: bctx}, nil)
			}
		}
		return out
	}
	if slices.Contains(ruleNames, "SingleStageBuild") && res.fixed["SingleStageBuild"] == 0 {
		if err := refactorSplit(res, outInput()); err != nil {
			return nil, fmt.Errorf("fix %s: %w", t.path, err)
		}
		if len(res.refactors) > 0 {
			// The findings of the rules asked for, in the split file.
			out = nil
			res.remaining = nil
			for _, d := range outInput().Diagnostics() {
				if slices.Contains(ruleNames, d.Rule) {
					res.remaining = append(res.remaining, d)
				}
			}
		}
	}
	if files && len(ruleNames) > 0 && !t.stdin && bctx != nil && filepath.Clean(bctx.Dir) == filepath.Dir(filepath.Clean(t.path)) {
		actions, bugs := codeactions.FileFixes(outInput(), codeactions.FixOptions{Rules: ruleNames, Unsafe: true})
		res.bugs = append(res.bugs, bugs...)
		for _, a := range actions {
			for _, nf := range a.Files {
				res.files = append(res.files, codeactions.NewFile{
					Path: filepath.Join(filepath.Dir(t.path), filepath.FromSlash(nf.Path)), Content: nf.Content, Append: nf.Append})
			}
			for _, d := range a.Diagnostics {
				res.remaining = slices.DeleteFunc(res.remaining, func(r analysis.Diagnostic) bool {
					return r.Rule == d.Rule && r.Start == d.Start && r.End == d.End
				})
				if res.fixed == nil {
					res.fixed = map[string]int{}
				}
				res.fixed[d.Rule]++
			}
		}
	}
	return res, nil
}

// refactorSplit applies the split refactor (codeactions.Refactors) to
// res.newText, whose input is in, when --rule names SingleStageBuild and
// the rule has no finding left to fix there: a single-stage toolchain
// build on which the rule does not fire (a plain `pip install`, no build
// step) is split all the same, with the first (preferred) verified split.
// A file the split is not offered on is left as it is.
func refactorSplit(res *fixResult, in *codeactions.Input) error {
	for _, d := range res.remaining {
		if d.Rule == "SingleStageBuild" {
			return nil // a finding the fix could not fix: reported as such
		}
	}
	actions, bugs := codeactions.Refactors(in, 0, len(res.newText), true)
	res.bugs = append(res.bugs, bugs...)
	var best *codeactions.Action
	for _, a := range actions {
		if best == nil || a.Preferred && !best.Preferred {
			best = a
		}
	}
	if best == nil {
		return nil
	}
	text, err := codeactions.Apply(res.newText, best.Edits)
	if err != nil {
		return err
	}
	res.newText = text
	res.refactors = append(res.refactors, best.Title)
	return nil
}

// describeFixed says how many findings of which rules were fixed.
func describeFixed(fixed map[string]int) string {
	var parts []string
	n := 0
	for r, k := range fixed {
		parts = append(parts, fmt.Sprintf("%s %d", r, k))
		n += k
	}
	sort.Strings(parts)
	noun := "findings"
	if n == 1 {
		noun = "finding"
	}
	return fmt.Sprintf("fixed %d %s (%s)", n, noun, strings.Join(parts, ", "))
}

// fixableRules returns the rules of the registry that have a fix.
func fixableRules() []string {
	var out []string
	for _, r := range registry {
		if codeactions.HasFix(r.Name) {
			out = append(out, r.Name)
		}
	}
	return out
}

// appendTo adds text at the end of the existing file at path.
func appendTo(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("append to %s: %w", path, err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("append to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("append to %s: %w", path, err)
	}
	return nil
}

// writeAtomic replaces the file at path (a symbolic link is followed)
// with text: it writes a temporary file in the same directory with the
// file's mode and renames it over the file, so that the file is never
// seen half written.
func writeAtomic(path, text string) error {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	info, err := os.Stat(real)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(real), "."+filepath.Base(real)+".dockwise-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.WriteString(text); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), real); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	return nil
}
