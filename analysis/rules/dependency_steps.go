// This file holds what the layer-order rules share: the dependency
// ecosystems with their manifests and lockfiles, and, per stage, the
// context copies and the dependency installs in instruction order.
package rules

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dockwise/dockwise/analysis"
)

// depGroup is a dependency ecosystem: the tools that install from the same
// manifests and lockfiles.
type depGroup struct {
	name      string
	ecos      []analysis.Ecosystem
	manifests []string // path.Match patterns on base names
	locks     []string // lockfile names; empty when the tool has none
	// fetchOnBuild is set when the ecosystem's build downloads the
	// dependencies it lacks (go build, cargo build, mvn package ...).
	fetchOnBuild bool
	// first is what to copy before installing, for messages; download is
	// the subcommand that only downloads (for groups that fetch on build).
	first, download string
}

var depGroups = []*depGroup{
	{name: "node", ecos: []analysis.Ecosystem{analysis.EcoNpm, analysis.EcoYarn, analysis.EcoPnpm},
		manifests: []string{"package.json"},
		locks:     []string{"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock"},
		first:     "package.json and its lockfile"},
	{name: "pip", ecos: []analysis.Ecosystem{analysis.EcoPip},
		manifests: []string{"requirements*.txt", "pyproject.toml", "setup.py", "setup.cfg"},
		first:     "the requirements file"},
	{name: "pipenv", ecos: []analysis.Ecosystem{analysis.EcoPipenv},
		manifests: []string{"Pipfile"}, locks: []string{"Pipfile.lock"}, first: "Pipfile and Pipfile.lock"},
	{name: "poetry", ecos: []analysis.Ecosystem{analysis.EcoPoetry},
		manifests: []string{"pyproject.toml"}, locks: []string{"poetry.lock"}, first: "pyproject.toml and poetry.lock"},
	{name: "uv", ecos: []analysis.Ecosystem{analysis.EcoUv},
		manifests: []string{"pyproject.toml", "requirements*.txt"}, locks: []string{"uv.lock"},
		first: "pyproject.toml and uv.lock"},
	{name: "go", ecos: []analysis.Ecosystem{analysis.EcoGo}, fetchOnBuild: true,
		manifests: []string{"go.mod", "go.work"}, locks: []string{"go.sum"}, first: "go.mod and go.sum", download: "mod download"},
	{name: "cargo", ecos: []analysis.Ecosystem{analysis.EcoCargo}, fetchOnBuild: true,
		manifests: []string{"Cargo.toml"}, locks: []string{"Cargo.lock"}, first: "Cargo.toml and Cargo.lock", download: "fetch"},
	{name: "maven", ecos: []analysis.Ecosystem{analysis.EcoMaven}, fetchOnBuild: true,
		manifests: []string{"pom.xml"}, first: "pom.xml", download: "dependency:go-offline"},
	{name: "gradle", ecos: []analysis.Ecosystem{analysis.EcoGradle}, fetchOnBuild: true,
		manifests: []string{"build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties", "libs.versions.toml"},
		first:     "the Gradle build files", download: "dependencies"},
	{name: "bundler", ecos: []analysis.Ecosystem{analysis.EcoBundler},
		manifests: []string{"Gemfile", "*.gemspec"}, locks: []string{"Gemfile.lock"}, first: "Gemfile and Gemfile.lock"},
	{name: "composer", ecos: []analysis.Ecosystem{analysis.EcoComposer},
		manifests: []string{"composer.json"}, locks: []string{"composer.lock"}, first: "composer.json and composer.lock"},
	{name: "dotnet", ecos: []analysis.Ecosystem{analysis.EcoDotnet}, fetchOnBuild: true,
		manifests: []string{"*.csproj", "*.fsproj", "*.vbproj", "*.sln", "*.slnx", "Directory.Packages.props", "Directory.Build.props", "packages.lock.json", "nuget.config", "NuGet.Config"},
		first:     "the project files", download: "restore"},
}

// groupOf returns the dependency group of a command's ecosystem, or nil.
func groupOf(e analysis.Ecosystem) *depGroup {
	for _, g := range depGroups {
		if slices.Contains(g.ecos, e) {
			return g
		}
	}
	return nil
}

// namesMatch reports whether a source's base name and a file name pattern
// can name the same file: either may be a glob (`package*.json`,
// `*.csproj`).
func namesMatch(src, pattern string) bool {
	if src == pattern {
		return true
	}
	if ok, _ := path.Match(pattern, src); ok {
		return true
	}
	ok, _ := path.Match(src, pattern)
	return ok
}

// isManifest reports whether the base name of a source names a manifest of
// the group.
func (g *depGroup) isManifest(base string) bool {
	for _, m := range g.manifests {
		if namesMatch(base, m) {
			return true
		}
	}
	return false
}

// copyFact is one context source of a COPY or ADD.
type copyFact struct {
	k     int // the instruction's index in the stage
	arg   int // the source's Arg index
	src   string
	whole bool
}

// installFact is a command that installs a group's dependencies: an
// install from the manifest, or a build that fetches what it lacks.
type installFact struct {
	k        int
	group    *depGroup
	eco      analysis.Ecosystem
	name     string   // the program: "npm", "mvnw"
	label    string   // "npm ci", "go build"
	explicit bool     // an install rather than a build
	strict   bool     // it fails without the lockfile (npm ci, --frozen-lockfile, --locked ...)
	cache    bool     // the RUN has a cache mount
	vendor   bool     // it fetches nothing: vendored modules (-mod=vendor), GOPATH mode
	recipe   bool     // `cargo chef cook`, which reads the lockfile from its recipe
	files    []string // the requirement files it reads (pip -r)
	mounts   []string // the RUN's bind-mount sources from the context
}

// depFacts are the copies and dependency installs of a stage, in order,
// and the ecosystems whose builds it runs.
type depFacts struct {
	copies   []copyFact
	installs []installFact
	builds   []analysis.Ecosystem
	// gitRuns are the RUNs (instruction indices) that run git on what they
	// have (not `git clone`) or install the git package; contextMounts the
	// RUNs that bind-mount the whole context.
	gitRuns, contextMounts []int
}

type depFactsKey struct{}

// depFactsOf returns the stage's copies and installs, computed once per
// stage dispatch.
func depFactsOf(s *analysis.Stage) *depFacts {
	return s.Cached(depFactsKey{}, computeDepFacts).(*depFacts)
}

func computeDepFacts(s *analysis.Stage) any {
	f := &depFacts{}
	index := make(map[*analysis.Instruction]int, len(s.Instructions))
	for k, in := range s.Instructions {
		index[in] = k
	}
	for a := range s.ArgsOf(analysis.RoleSource) {
		if !a.Value.Known || isRemoteSource(a.Value.S) {
			continue
		}
		src := cleanSource(a.Value.S)
		f.copies = append(f.copies, copyFact{k: index[a.Instruction], arg: a.Index,
			src: strings.TrimPrefix(src, "/"), whole: isWholeContext(src)})
	}
	for in, cmds := range s.Runs() {
		var mounts []string
		cache := false
		for _, m := range in.Mounts() {
			switch {
			case m.Type == "cache":
				cache = true
			case m.Type == "bind" && m.From == "" && (m.Source == "" || isWholeContext(cleanSource(m.Source))):
				f.contextMounts = append(f.contextMounts, index[in])
			case m.Type == "bind" && m.From == "" && m.Source != "":
				mounts = append(mounts, strings.TrimPrefix(cleanSource(m.Source), "/"))
			}
		}
		for i := range cmds {
			c := &cmds[i]
			if usesGit(c) && !slices.Contains(f.gitRuns, index[in]) {
				f.gitRuns = append(f.gitRuns, index[in])
			}
			if c.Subst || c.Eco == analysis.EcoNone {
				continue
			}
			if c.Op == analysis.OpBuild && !slices.Contains(f.builds, c.Eco) {
				f.builds = append(f.builds, c.Eco)
			}
			g := groupOf(c.Eco)
			if g == nil || c.Op != analysis.OpInstallDeps && !(c.Op == analysis.OpBuild && g.fetchOnBuild) {
				continue
			}
			if _, ok := c.Flag("--no-deps", "--no-index", "--offline"); ok {
				continue // installs the project alone, or from local files only
			}
			if c.Eco == analysis.EcoUv && strings.HasPrefix(c.Sub, "pip ") {
				g = groupOf(analysis.EcoPip) // uv's pip interface reads requirements, not uv.lock
			}
			label := c.Name
			if c.Sub != "" {
				label += " " + c.Sub
			}
			fact := installFact{k: index[in], group: g, eco: c.Eco, name: c.Name, label: label,
				explicit: c.Op == analysis.OpInstallDeps, cache: cache, mounts: mounts}
			if _, ok := c.Flag("--frozen-lockfile", "--immutable", "--locked", "--frozen", "--deploy", "--deployment"); ok {
				fact.strict = true
			}
			if c.Eco == analysis.EcoNpm && c.Op == analysis.OpInstallDeps && c.Sub != "install" && c.Sub != "i" && c.Sub != "" {
				fact.strict = true // npm ci and its aliases
			}
			if w, ok := c.FlagValue("-mod"); ok && w.Text == "vendor" {
				fact.vendor = true
			}
			if e, ok := c.Getenv("GOFLAGS"); ok && strings.Contains(e.Value.Text, "-mod=vendor") {
				fact.vendor = true
			}
			if v, ok := s.EnvAt(in, "GOFLAGS"); ok && strings.Contains(v.S, "-mod=vendor") {
				fact.vendor = true
			}
			if c.Eco == analysis.EcoGo && gopathMode(s, in, c) {
				fact.vendor = true
			}
			fact.recipe = c.Eco == analysis.EcoCargo && c.Sub == "chef cook"
			for _, flag := range []string{"-r", "--requirement", "-c", "--constraint"} {
				if w, ok := c.FlagValue(flag); ok && w.Literal {
					fact.files = append(fact.files, strings.TrimPrefix(path.Clean(w.Text), "./"))
				}
			}
			f.installs = append(f.installs, fact)
		}
	}
	slices.SortStableFunc(f.copies, func(a, b copyFact) int { return a.k - b.k })
	return f
}

// usesGit reports whether a command runs git on a work tree it has (not
// `git clone`) or installs the git package.
func usesGit(c *analysis.Command) bool {
	if c.Name == "git" && c.Prog.Literal {
		return len(c.Args) == 0 || c.Args[0].Text != "clone"
	}
	if c.Op == analysis.OpInstallPkgs {
		for _, t := range c.Targets {
			if t.Text == "git" || strings.HasPrefix(t.Text, "git=") {
				return true
			}
		}
	}
	return false
}

// needsGitDir reports whether the file reads the context's .git: a stage
// that copies the whole context (or is built FROM one that does), or a RUN
// that bind-mounts it, runs git or installs it (for git describe, or Go's
// version stamping).
func needsGitDir(m *analysis.Model) bool {
	for _, s := range m.Stages {
		f := depFactsOf(s)
		if len(f.gitRuns) == 0 {
			continue
		}
		whole := false
		for p := s; p != nil && !whole; p = p.Parent {
			whole = len(sourcesOf(p).whole) > 0
		}
		if whole {
			return true
		}
		for _, k := range f.gitRuns {
			if slices.Contains(f.contextMounts, k) {
				return true
			}
		}
	}
	return false
}

// fileBuilds returns the ecosystems whose builds some stage of the file
// runs.
func fileBuilds(m *analysis.Model) []analysis.Ecosystem {
	var out []analysis.Ecosystem
	for _, s := range m.Stages {
		for _, e := range depFactsOf(s).builds {
			if !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	return out
}

// argFinding is a finding on a stage argument (an Arg index), with its
// message.
type argFinding struct {
	arg int
	msg string
}

// contextMemo keeps a stage's findings for the last build context seen
// (one at a time, so memory stays bounded however many contexts are made).
type contextMemo struct {
	mu   sync.Mutex
	ctx  *analysis.BuildContext
	done bool
	out  []argFinding
}

type contextMemoKey struct{ rule string }

// findingsWith returns what compute finds in the stage with the build
// context, computed once per stage dispatch and context: compute may read
// the stage, its parent stages and the context.
func findingsWith(rule string, s *analysis.Stage, ctx *analysis.BuildContext, compute func() []argFinding) []argFinding {
	m := s.Cached(contextMemoKey{rule}, func(*analysis.Stage) any { return &contextMemo{} }).(*contextMemo)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.done || m.ctx != ctx {
		m.ctx, m.out, m.done = ctx, compute(), true
	}
	return m.out
}

// reportArgs reports findings on the stage's arguments.
func reportArgs(p *analysis.Pass, s *analysis.Stage, fs []argFinding) {
	for _, f := range fs {
		a := s.ArgAt(f.arg)
		p.Report(analysis.Diagnostic{Start: a.Start, End: a.End, Instruction: a.Instruction, Message: f.msg})
	}
}

// gopathMode reports whether a go command runs in GOPATH mode, where it
// downloads no modules: GO111MODULE=off, or a Go release before 1.13
// (whose default turned modules on only outside GOPATH) working under
// /go/src without GO111MODULE=on.
func gopathMode(s *analysis.Stage, in *analysis.Instruction, c *analysis.Command) bool {
	v, set := c.Lookup(s, in, "GO111MODULE")
	if set && v.Known && v.S == "off" {
		return true
	}
	if set && (!v.Known || v.S == "on") {
		return false
	}
	im := s.Image()
	if im.Family != analysis.FamilyGo || !goBefore113(im.Version) {
		return false
	}
	dir := c.Dir
	if !path.IsAbs(dir) && s.Workdir.Known {
		dir = path.Join(s.Workdir.S, dir)
	}
	return !c.DirUnknown && strings.HasPrefix(dir+"/", "/go/src/")
}

// goBefore113 reports whether a golang image version ("1.12", "1.12.7")
// is older than Go 1.13.
func goBefore113(v string) bool {
	major, rest, ok := strings.Cut(v, ".")
	if !ok || major != "1" {
		return false
	}
	minor, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(minor)
	return err == nil && n < 13
}
