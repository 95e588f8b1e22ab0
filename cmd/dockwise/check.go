// This file defines `dockwise check`: it finds the Dockerfiles named on the
// command line, checks them concurrently with the rules of the registry and
// writes one report in the chosen format.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

const checkUsage = "dockwise check [flags] [PATH...]"

const checkHelp = `
Check lints Dockerfiles. Each PATH is a Dockerfile, a directory to search
recursively for Dockerfiles (Dockerfile, Dockerfile.*, *.Dockerfile,
*.dockerfile, Containerfile, Containerfile.*, names such as Dockerfile-dev or
app_Dockerfile; .git and node_modules are skipped), or "-" for standard
input. Without PATH, the current directory is searched.

The build context of a Dockerfile is the directory given by --context, else
the Dockerfile's own directory (standard input has none unless --context is
given).

Exit codes: 0 when no finding reaches --fail-level, 1 when one does, 2 for a
usage error or when a file or directory could not be read (2 wins over 1:
the report is incomplete).`

// registry is the rules dockwise runs and lists: rules.All, which tests
// replace with rules of their own to exercise the CLI apart from the real
// rules.
var registry = rules.All

// ruleByName returns the rule of the registry with the given name, or nil.
func ruleByName(name string) *analysis.Rule {
	for _, r := range registry {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// checkConfig is what the flags of `dockwise check` set.
type checkConfig struct {
	format     string
	failLevel  string
	contextDir string
	rules      analysis.Config
}

// fileResult is the outcome of checking one target.
type fileResult struct {
	path  string
	file  *analysis.File // nil when err is set
	diags []analysis.Diagnostic
	err   error // the file could not be read

	warning string // a problem with the build context, for stderr
}

func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cc := checkConfig{rules: analysis.Config{Disabled: map[string]bool{}, Enabled: map[string]bool{}}}
	fs := newFlagSet("check", stderr)
	fs.Var(choice(&cc.format, "text", "text", "json", "sarif", "github"), "format", "output `format`: text, json, sarif or github")
	fs.Var(choice(&cc.failLevel, "warning", "error", "warning", "info", "hint", "none"), "fail-level",
		"exit 1 when a finding has this `severity` or a higher one: error, warning, info, hint or none")
	fs.StringVar(&cc.contextDir, "context", "", "build context `DIR` for every Dockerfile (default: the Dockerfile's directory)")
	var ruleErr error
	ruleList := func(set, unset map[string]bool) func(string) error {
		return func(v string) error {
			for _, name := range strings.Split(v, ",") {
				name = strings.TrimSpace(name)
				if name == "" {
					continue
				}
				r := ruleByName(name)
				if r == nil {
					if ruleErr == nil {
						ruleErr = unknownRuleError(name)
					}
					continue
				}
				set[r.Name] = true
				delete(unset, r.Name)
			}
			return nil
		}
	}
	fs.Func("disable", "turn off the comma-separated `RULES` (repeatable)", ruleList(cc.rules.Disabled, cc.rules.Enabled))
	fs.Func("enable", "turn on the comma-separated `RULES`, experimental ones included (repeatable)", ruleList(cc.rules.Enabled, cc.rules.Disabled))

	paths, err := parseArgs(fs, args)
	if err == errHelp {
		printHelp(stdout, fs, checkUsage, checkHelp)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "check", err)
	}
	if ruleErr != nil {
		return usageError(stderr, "check", ruleErr)
	}
	if cc.contextDir != "" {
		info, err := os.Stat(cc.contextDir)
		if err != nil {
			return usageError(stderr, "check", fmt.Errorf("--context: %w", err))
		}
		if !info.IsDir() {
			return usageError(stderr, "check", fmt.Errorf("--context: %s is not a directory", cc.contextDir))
		}
	}

	targets := discover(paths)
	if len(targets) == 0 {
		fmt.Fprintf(stderr, "dockwise check: no Dockerfile found in %s\n", strings.Join(orDot(paths), " "))
	}
	results := checkAll(targets, stdin, &cc)

	ioFailed := false
	warned := map[string]bool{}
	for _, r := range results {
		if r.err != nil {
			ioFailed = true
			fmt.Fprintf(stderr, "dockwise check: %v\n", r.err)
		}
		if r.warning != "" && !warned[r.warning] {
			warned[r.warning] = true
			fmt.Fprintf(stderr, "dockwise check: warning: %s\n", r.warning)
		}
	}
	if err := writeReport(stdout, cc.format, results); err != nil {
		fmt.Fprintf(stderr, "dockwise check: write report: %v\n", err)
		return exitUsage
	}
	if ioFailed {
		return exitUsage
	}
	if reachesFailLevel(results, cc.failLevel) {
		return exitFindings
	}
	return exitOK
}

func orDot(paths []string) []string {
	if len(paths) == 0 {
		return []string{"."}
	}
	return paths
}

// unknownRuleError names a rule that is not in the registry and the
// registered names closest to it.
func unknownRuleError(name string) error {
	var names []string
	for _, r := range registry {
		names = append(names, r.Name)
	}
	near := closest(name, names, 5)
	if len(near) == 0 {
		return fmt.Errorf("unknown rule %q (run 'dockwise rules' for the list)", name)
	}
	return fmt.Errorf("unknown rule %q; closest names: %s", name, strings.Join(near, ", "))
}

// reachesFailLevel reports whether any finding is at least as severe as
// level.
func reachesFailLevel(results []fileResult, level string) bool {
	if level == "none" {
		return false
	}
	limit, _ := analysis.ParseSeverity(level)
	for _, r := range results {
		for _, d := range r.diags {
			if d.Severity <= limit {
				return true
			}
		}
	}
	return false
}

// checkAll reads and checks the targets with one worker per processor and
// returns the results in the order of targets.
func checkAll(targets []target, stdin io.Reader, cc *checkConfig) []fileResult {
	results := make([]fileResult, len(targets))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(targets), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = checkOne(targets[i], stdin, cc)
			}
		}()
	}
	for i := range targets {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}

// checkOne reads and checks one target.
func checkOne(t target, stdin io.Reader, cc *checkConfig) fileResult {
	res := fileResult{path: t.path, err: t.err}
	if t.err != nil {
		return res
	}
	data, err := readTarget(t, stdin)
	if err != nil {
		res.err = err
		return res
	}
	res.file = analysis.Parse(string(data))
	bctx, err := buildContextFor(t, cc.contextDir)
	if err != nil {
		// An ignore file that cannot be used: the context comes without
		// ignore patterns and the Dockerfile is still checked in full, so
		// this is a warning, not an I/O error of the check.
		res.warning = fmt.Sprintf("build context: %v", err)
	}
	res.diags = analysis.Check(res.file, registry, analysis.Options{Config: &cc.rules, Context: bctx})
	return res
}

// maxFileSize bounds what check reads of one file, so that a path such as
// /dev/zero fails instead of filling memory. A variable for tests.
var maxFileSize = 64 << 20

// readTarget reads the file or standard input of t.
func readTarget(t target, stdin io.Reader) ([]byte, error) {
	name := t.path
	if t.stdin {
		name = "standard input"
	} else {
		f, err := os.Open(t.path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		stdin = f
	}
	data, err := io.ReadAll(io.LimitReader(stdin, int64(maxFileSize)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("read %s: larger than %d MiB", name, maxFileSize>>20)
	}
	return data, nil
}

// buildContextFor returns the build context of target t: --context if
// given, else the Dockerfile's directory; none for standard input without
// --context.
func buildContextFor(t target, contextDir string) (*analysis.BuildContext, error) {
	dockerfile := t.path
	if t.stdin {
		dockerfile = ""
	}
	switch {
	case contextDir != "":
		return analysis.NewBuildContext(contextDir, dockerfile)
	case t.stdin:
		return nil, nil
	}
	return analysis.NewBuildContext(filepath.Dir(t.path), dockerfile)
}
