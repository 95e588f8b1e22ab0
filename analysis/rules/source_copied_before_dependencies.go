// This file defines SourceCopiedBeforeDependencies: the whole source tree
// is copied before the dependencies are installed, so every source edit
// installs them again.
package rules

import (
	"fmt"
	"iter"
	"path"
	"slices"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// SourceCopiedBeforeDependencies reports, in a stage, a COPY or ADD of the
// whole context (or of a directory holding the manifest) that comes before
// a dependency install (npm ci, pip install -r, go mod download, bundle
// install, mvn dependency:go-offline ...), or before a build that fetches
// dependencies itself (go build, cargo build, mvn package, gradle build,
// dotnet publish) with no cache mount and no earlier install, when no
// targeted copy of the manifest or earlier install precedes the COPY.
var SourceCopiedBeforeDependencies = &analysis.Rule{
	Name:        "SourceCopiedBeforeDependencies",
	Category:    analysis.Cache,
	Severity:    analysis.SeverityWarning,
	Description: "The source is copied before the dependencies are installed, so every edit reinstalls them",
	URL:         "https://github.com/dockwise/dockwise/blob/main/docs/RULES.md#sourcecopiedbeforedependencies",
	Doc: doc(`
The builder reuses a layer only while everything it was built from is
unchanged. When the whole source tree is copied before the dependencies are
installed, any edit to any source file invalidates the COPY, and the install
after it runs again and downloads every dependency again. Copy the manifest and
its lockfile first, install, and copy the rest of the source after: source
edits then reuse the dependency layer. Builds that fetch what they lack (go
build, cargo build, mvn package, gradle build, dotnet publish) count as installs
unless a cache mount keeps their downloads or an earlier step installed the
dependencies.`, `
FROM node:20-slim
WORKDIR /app
COPY . .
RUN npm ci
RUN npm run build`, `
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build`),
	Run: func(p *analysis.Pass) {
		for _, s := range p.File.Semantics().Stages {
			sourceBeforeDeps(p, s)
		}
	},
}

func sourceBeforeDeps(p *analysis.Pass, s *analysis.Stage) {
	f := depFactsOf(s)
	if len(f.installs) == 0 || len(f.copies) == 0 {
		return
	}
	ctx := p.Context
	reportArgs(p, s, findingsWith(p.Rule.Name, s, ctx, func() []argFinding {
		var out []argFinding
		for in, c := range sourceBeforeInstalls(s, f, ctx) {
			if !slices.ContainsFunc(out, func(x argFinding) bool { return x.arg == c.arg }) {
				out = append(out, argFinding{c.arg, sourceMessage(ctx, s.ArgAt(c.arg), c, in)})
			}
		}
		return out
	}))
}

// sourceBeforeInstalls yields each dependency install of the stage with the
// broad COPY the rule reports for it: the first COPY before it of the whole
// context or of a directory holding its manifest, unless a targeted
// manifest copy comes first. The rule and its fix both pair them so.
func sourceBeforeInstalls(s *analysis.Stage, f *depFacts, ctx *analysis.BuildContext) iter.Seq2[*installFact, copyFact] {
	return func(yield func(*installFact, copyFact) bool) {
		for i := range f.installs {
			in := &f.installs[i]
			if !in.explicit && (in.cache || in.vendor || installedBefore(s, f, in.group, in.k) || noGoModules(ctx, in)) {
				continue
			}
			for _, c := range f.copies {
				if c.k >= in.k {
					break
				}
				if !c.whole && !holdsManifest(ctx, c.src, in.group) {
					continue
				}
				if !manifestFirst(s, f, in, c.k) && !yield(in, c) {
					return
				}
				break
			}
		}
	}
}

// sourceMessage says what is wrong with copying source a before the
// install.
func sourceMessage(ctx *analysis.BuildContext, a analysis.Arg, c copyFact, in *installFact) string {
	kw := strings.ToUpper(a.Instruction.Keyword())
	if !in.explicit {
		return fmt.Sprintf("%s comes before %s, which downloads every dependency again after each source change; copy %s first and run %s before this %s",
			copyText(a), in.label, firstFiles(ctx, c.src, in.group), in.name+" "+in.group.download, kw)
	}
	return fmt.Sprintf("%s comes before %s, so every source change reruns it and downloads every dependency again; copy %s first and run %s before this %s",
		copyText(a), in.label, firstFiles(ctx, c.src, in.group), in.label, kw)
}

// installedBefore reports whether the stage, or a stage it is built FROM,
// installs the group's dependencies before instruction k of the stage.
func installedBefore(s *analysis.Stage, f *depFacts, g *depGroup, k int) bool {
	for _, in := range f.installs {
		if in.k < k && in.group == g && in.explicit {
			return true
		}
	}
	for p := s.Parent; p != nil; p = p.Parent {
		for _, in := range depFactsOf(p).installs {
			if in.group == g && in.explicit {
				return true
			}
		}
	}
	return false
}

// noGoModules reports whether a go build needs no module downloads: the
// context root holds go.mod but no go.sum (a module without requirements),
// or a vendor directory.
func noGoModules(ctx *analysis.BuildContext, in *installFact) bool {
	if in.eco != analysis.EcoGo {
		return false
	}
	root := ctx.Scan(".")
	if root == nil || !root.Has(analysis.KnownGoMod) {
		return false
	}
	if e, ok := root.Lookup("vendor"); ok && e.Dir {
		return true
	}
	return !root.Has(analysis.KnownGoSum)
}

// holdsManifest reports whether a copied context directory holds a
// manifest of the group (known only with the build context).
func holdsManifest(ctx *analysis.BuildContext, dir string, g *depGroup) bool {
	sc := ctx.Scan(dir)
	if sc == nil || dir == "." {
		return false
	}
	for _, e := range sc.Entries {
		if !e.Dir && g.isManifest(e.Name) {
			return true
		}
	}
	return false
}

// manifestFirst reports whether, before instruction k, the stage (or a
// stage it is built FROM) copies a manifest of the install's group (or the
// files it installs from) on its own, or already installs the group's
// dependencies.
func manifestFirst(s *analysis.Stage, f *depFacts, in *installFact, k int) bool {
	for _, c := range f.copies {
		if c.k >= k {
			break
		}
		if !c.whole && namesManifest(c.src, in) {
			return true
		}
	}
	for _, other := range f.installs {
		if other.k >= k {
			break
		}
		if other.group == in.group {
			return true
		}
	}
	// A stage built FROM one that installed the dependencies, or copied
	// the manifest, only adds to them.
	for p := s.Parent; p != nil; p = p.Parent {
		pf := depFactsOf(p)
		for _, c := range pf.copies {
			if !c.whole && namesManifest(c.src, in) {
				return true
			}
		}
		for _, other := range pf.installs {
			if other.group == in.group {
				return true
			}
		}
	}
	return false
}

// namesManifest reports whether a source names a manifest of the install's
// group or a file the install reads (`pip install -r reqs/prod.txt`), or
// the directory holding that file.
func namesManifest(src string, in *installFact) bool {
	if in.group.isManifest(path.Base(src)) {
		return true
	}
	for _, file := range in.files {
		if namesMatch(path.Base(src), path.Base(file)) || len(file) > len(src) && file[:len(src)+1] == src+"/" {
			return true
		}
	}
	return false
}

// firstFiles names what to copy before installing, with the lockfile the
// context holds (beside the copied directory, or at its root) when it is
// known.
func firstFiles(ctx *analysis.BuildContext, dir string, g *depGroup) string {
	for _, d := range []string{dir, "."} {
		sc := ctx.Scan(d)
		if sc == nil {
			continue
		}
		if g.name == "node" && sc.Has(analysis.KnownPackageJSON) {
			for _, l := range g.locks {
				if _, ok := sc.Lookup(l); ok {
					return "package.json and " + l
				}
			}
		}
		if g.name == "pip" {
			if names := sc.Names(analysis.KnownRequirements); len(names) == 1 {
				return names[0]
			}
		}
	}
	return g.first
}
