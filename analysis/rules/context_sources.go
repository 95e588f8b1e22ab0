// This file holds what the build-context rules share: which COPY and ADD
// sources send the whole context, the context directories the Dockerfile
// names, and the entries a .dockerignore should exclude for the files the
// context holds.
package rules

import (
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/dockwise/dockwise/analysis"
)

// isWholeContext reports whether a cleaned COPY/ADD source copies the whole
// build context: `.`, `./`, `/` or `*`.
func isWholeContext(src string) bool { return src == "." || src == "/" || src == "*" }

// stageSources is what one stage copies from the build context.
type stageSources struct {
	whole []int    // Arg indices of the sources that copy the whole context
	paths []string // every known context source, cleaned, without a leading slash
}

type stageSourcesKey struct{}

// sourcesOf returns the context sources of a stage, computed once per
// stage dispatch.
func sourcesOf(s *analysis.Stage) *stageSources {
	return s.Cached(stageSourcesKey{}, func(s *analysis.Stage) any {
		ss := &stageSources{}
		for a := range s.ArgsOf(analysis.RoleSource) {
			if !a.Value.Known || isRemoteSource(a.Value.S) {
				continue
			}
			src := cleanSource(a.Value.S)
			if isWholeContext(src) {
				ss.whole = append(ss.whole, a.Index)
				continue
			}
			ss.paths = append(ss.paths, strings.TrimPrefix(src, "/"))
		}
		return ss
	}).(*stageSources)
}

// firstWholeContextCopy returns the first source in the file that copies
// the whole build context.
func firstWholeContextCopy(m *analysis.Model) (analysis.Arg, bool) {
	for _, s := range m.Stages {
		if ss := sourcesOf(s); len(ss.whole) > 0 {
			return s.ArgAt(ss.whole[0]), true
		}
	}
	return analysis.Arg{}, false
}

// namedPaths returns every context path the file's COPY and ADD sources
// name, other than the whole context, each once.
func namedPaths(m *analysis.Model) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range m.Stages {
		for _, p := range sourcesOf(s).paths {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// namedDirs returns the context directories worth scanning besides the
// root: those the COPY and ADD sources name or lie in (`web/`,
// `web/package.json`), one level deep, never through a wildcard.
func namedDirs(ctx *analysis.BuildContext, named []string) []string {
	var out []string
	add := func(d string) {
		if d != "" && d != "." && !strings.ContainsAny(d, "*?[\\") && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	for _, p := range named {
		if e, ok := ctx.Scan(path.Dir(p)).Lookup(path.Base(p)); ok && e.Dir {
			add(p)
		} else {
			add(path.Dir(p))
		}
	}
	return out
}

// copiedExplicitly reports whether a source of the file names the context
// path p or something inside it, or is a pattern matching it: then the
// Dockerfile needs it and the ignore file must let it through. (Copying a
// directory that holds p does not count: `COPY web/ .` needs no
// web/node_modules.)
func copiedExplicitly(paths []string, p string) bool {
	for _, src := range paths {
		if src == p || strings.HasPrefix(src, p+"/") {
			return true
		}
		if ok, _ := path.Match(src, p); ok {
			return true
		}
	}
	return false
}

// wantIgnored returns the paths of the context a .dockerignore should
// exclude when the whole context is copied: .git (unless the file reads
// it: see needsGitDir); node_modules
// beside a package.json; .env files and key material found; the build
// outputs and caches of the ecosystems found (target/ for Maven and Cargo,
// build/ and .gradle/ for Gradle, __pycache__/ and the virtual environment
// for Python, bin/ and obj/ for .NET; dist/, build/ and .next/ beside a
// package.json when they exist), the outputs only when the Dockerfile runs
// that ecosystem's build (otherwise they may be what it ships). Paths the
// Dockerfile copies by name are left out. It looks at the context root and
// the directories the file's sources name, one level each.
func wantIgnored(ctx *analysis.BuildContext, m *analysis.Model) []string {
	root := ctx.Scan(".")
	if root == nil {
		return nil
	}
	// What the answer depends on besides the context: the paths each
	// stage copies and the ecosystems it builds. An edit rarely changes
	// them, so the last answer is kept.
	key := make([]any, 0, 4*len(m.Stages))
	for _, s := range m.Stages {
		f := depFactsOf(s)
		key = append(key, sourcesOf(s).paths, f.builds, f.gitRuns, f.contextMounts)
	}
	wantMemo.Lock()
	defer wantMemo.Unlock()
	if wantMemo.ctx == ctx && sameInputs(wantMemo.key, key) {
		return wantMemo.want
	}
	want := computeWantIgnored(ctx, m)
	wantMemo.ctx, wantMemo.key, wantMemo.want = ctx, key, want
	return want
}

// wantMemo is the last answer of wantIgnored (one file at a time).
var wantMemo struct {
	sync.Mutex
	ctx  *analysis.BuildContext
	key  []any
	want []string
}

// sameInputs compares wantIgnored keys by value.
func sameInputs(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		switch x := a[i].(type) {
		case []string:
			if !slices.Equal(x, b[i].([]string)) {
				return false
			}
		case []analysis.Ecosystem:
			if !slices.Equal(x, b[i].([]analysis.Ecosystem)) {
				return false
			}
		case []int:
			if !slices.Equal(x, b[i].([]int)) {
				return false
			}
		}
	}
	return true
}

func computeWantIgnored(ctx *analysis.BuildContext, m *analysis.Model) []string {
	named := namedPaths(m)
	built := fileBuilds(m)
	builds := func(ecos ...analysis.Ecosystem) bool {
		for _, e := range ecos {
			if slices.Contains(built, e) {
				return true
			}
		}
		return false
	}
	var out []string
	add := func(p string) {
		p = strings.TrimPrefix(p, "./")
		if !copiedExplicitly(named, p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if !needsGitDir(m) {
		add(".git")
	}
	nodeBuild := builds(analysis.EcoNpm, analysis.EcoYarn, analysis.EcoPnpm, analysis.EcoNode)
	dirs := append([]string{"."}, namedDirs(ctx, named)...)
	for _, d := range dirs {
		s := ctx.Scan(d)
		if s == nil {
			continue
		}
		in := func(name string) string { return path.Join(d, name) }
		for _, k := range []analysis.Known{analysis.KnownEnvFile, analysis.KnownKeyFile} {
			for _, n := range s.Names(k) {
				add(in(n))
			}
		}
		if s.Has(analysis.KnownPackageJSON) {
			add(in("node_modules"))
		}
		if s.Has(analysis.KnownPackageJSON) && nodeBuild {
			for _, k := range []analysis.Known{analysis.KnownDist, analysis.KnownBuildDir, analysis.KnownNextDir} {
				for _, n := range s.Names(k) {
					add(in(n))
				}
			}
		}
		if s.Has(analysis.KnownPomXML) && builds(analysis.EcoMaven) ||
			s.Has(analysis.KnownCargoToml) && builds(analysis.EcoCargo) {
			add(in("target"))
		}
		if s.Has(analysis.KnownBuildGradle) || s.Has(analysis.KnownSettingsGradle) {
			if builds(analysis.EcoGradle) {
				add(in("build"))
			}
			add(in(".gradle"))
		}
		if s.Has(analysis.KnownRequirements) || s.Has(analysis.KnownPyproject) || s.Has(analysis.KnownPipfile) ||
			s.Has(analysis.KnownSetupPy) {
			add(in("__pycache__"))
			venvs := s.Names(analysis.KnownVenv)
			if len(venvs) == 0 {
				venvs = []string{".venv"}
			}
			for _, n := range venvs {
				add(in(n))
			}
		}
		if s.Has(analysis.KnownDotnetProject) && builds(analysis.EcoDotnet) {
			add(in("bin"))
			add(in("obj"))
		}
	}
	return out
}

// existing returns the paths the context holds.
func existing(ctx *analysis.BuildContext, paths []string) []string {
	var out []string
	for _, p := range paths {
		if _, ok := ctx.Scan(path.Dir(p)).Lookup(path.Base(p)); ok {
			out = append(out, p)
		}
	}
	return out
}

// copyText renders a whole-context source for a message: "COPY .".
func copyText(a analysis.Arg) string { return strings.ToUpper(a.Instruction.Keyword()) + " " + a.Text }

// list renders names as "a, b and c".
func list(q []string) string {
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// onlyDockerfiles reports whether the context root holds nothing but
// Dockerfiles and ignore files (or templates of them): then it is not the
// directory the file is really built from (a Dockerfile kept in a
// subdirectory and built with `-f`, a template), and what it lacks says
// nothing.
func onlyDockerfiles(root *analysis.DirScan) bool {
	for _, e := range root.Entries {
		n := strings.ToLower(e.Name)
		if e.Dir || !(strings.Contains(n, "dockerfile") || strings.Contains(n, "containerfile") || strings.Contains(n, "dockerignore")) {
			return false
		}
	}
	return true
}
