// This file computes, once per stage dispatch, what the rules about the
// final image need to know about the commands a stage runs: its builds,
// its `go build`s and whether cgo is on for them, and where it installs
// or prunes node_modules. The facts are cached with Stage.Cached and so
// hold no absolute positions: an instruction is its index in the stage
// and a range is relative to the instruction's chunk.
package rules

import (
	"path"
	"strings"

	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// stageFacts is what a stage's commands show.
type stageFacts struct {
	// build is the first command that compiles or bundles the
	// application, if any (`./configure && make && make install`, which
	// installs software into the image, is not counted).
	build *factCmd
	// distroPackages is set when the stage installs packages with apt or
	// dnf: an Alpine variant of its image would need other packages.
	distroPackages bool
	// privDrop is set when the stage installs or uses gosu or su-exec,
	// the tools entrypoint scripts use to drop root privileges.
	privDrop bool
	// goBuilds are the stage's `go build` and `go install ./...`.
	goBuilds []goBuild
	// compiler is set when the stage installs a C compiler (gcc,
	// build-base, clang, ...).
	compiler bool
	// staticVerified is set when the stage checks that a binary is
	// static (`xx-verify --static`).
	staticVerified bool
	// node are the installs, prunes and removals of node_modules, in order.
	node []nodeEvent
	// langPackages is set when the stage installs language packages that
	// may compile native code as they install (pip, npm, gem, ...).
	langPackages bool
}

// factCmd locates a command: instruction k of the stage, and the range
// relative to that instruction's chunk.
type factCmd struct {
	k          int
	start, end int
	text       string // for messages: "npm run build"
}

// goBuild is a `go build` and the cgo setting in effect for it.
type goBuild struct {
	factCmd
	cgo    cgoState
	static bool // linked statically by flags (-extldflags -static), or flags not known
	cross  bool // a cross-compilation wrapper (xx-go) decides cgo itself
	// envWrite marks `go env -w CGO_ENABLED=0`, not a build: it turns
	// cgo off for the builds after it.
	envWrite bool
}

// staticFlags reports whether a go build's flags may link statically:
// -ldflags with -extldflags -static, the netgo tag, or flags whose value
// is not known.
func staticFlags(c *analysis.Command) bool {
	for i, a := range c.Args {
		name, val, hasVal := strings.Cut(strings.TrimPrefix(a.Text, "-"), "=")
		if !a.Literal {
			continue
		}
		switch name {
		case "-ldflags", "ldflags", "-tags", "tags":
		default:
			continue
		}
		v := analysis.Word{Text: val, Literal: true}
		if !hasVal {
			if i+1 >= len(c.Args) {
				return false
			}
			v = c.Args[i+1]
		}
		if !v.Literal || strings.Contains(v.Text, "static") || strings.Contains(v.Text, "netgo") {
			return true
		}
	}
	return false
}

type cgoState uint8

const (
	cgoDefault cgoState = iota // CGO_ENABLED unset: on when a C compiler is found
	cgoOff
	cgoOn
	cgoUnknown
)

// nodeEventKind says what a command did to a node_modules directory.
type nodeEventKind uint8

const (
	nodeInstallDev  nodeEventKind = iota + 1 // an install that keeps devDependencies
	nodeInstallProd                          // a production-only install, or a prune
	nodeUnknown                              // an install whose mode is not known (NODE_ENV unknown)
	nodeRemoved                              // rm -rf node_modules
)

type nodeEvent struct {
	factCmd
	kind nodeEventKind
	dir  string // the absolute project directory; "" when not known
	eco  analysis.Ecosystem
}

type factsKey struct{}

// factsOf returns the stage's facts, computed once per stage dispatch.
func factsOf(s *analysis.Stage) *stageFacts {
	return s.Cached(factsKey{}, computeFacts).(*stageFacts)
}

func computeFacts(s *analysis.Stage) any {
	f := &stageFacts{}
	var shell []string
	if s.Parent != nil {
		shell = s.Parent.Shell
	}
	workdirs := map[*analysis.Instruction]analysis.Value{}
	for a := range s.ArgsOf(analysis.RoleWorkdir) {
		workdirs[a.Instruction] = a.Value
	}
	wd := startWorkdir(s, len(workdirs) > 0)
	for k, in := range s.Instructions {
		switch c := in.Command().(type) {
		case *instructions.ShellCommand:
			shell = c.Shell
		case *instructions.WorkdirCommand:
			if v, ok := workdirs[in]; ok && v.Known && wd != "?" {
				wd = joinPath(wd, v.S)
			} else if ok && v.Known && path.IsAbs(v.S) {
				wd = path.Clean(v.S)
			} else {
				wd = "?"
			}
		case *instructions.RunCommand:
			cmds := in.Commands(shell)
			base := in.ChunkStart()
			installs := makesInstall(cmds)
			for i := range cmds {
				f.add(s, in, k, base, wd, &cmds[i], installs)
			}
		}
	}
	return f
}

// startWorkdir returns the working directory a stage starts in, "?" when
// it is not known. It reads only what the stage's dispatch depends on.
func startWorkdir(s *analysis.Stage, hasWorkdir bool) string {
	var v analysis.Value
	switch {
	case s.Parent != nil:
		v = s.Parent.Workdir
	case !hasWorkdir:
		v = s.Workdir
	default:
		return "/" // replaced by the stage's first absolute WORKDIR
	}
	if !v.Known {
		return "?"
	}
	if v.S == "" {
		return "/"
	}
	return v.S
}

// joinPath resolves p against dir ("?" for unknown).
func joinPath(dir, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	if dir == "?" {
		return "?"
	}
	return path.Join(dir, p)
}

// makesInstall reports whether a RUN's commands include `make install`
// (or altinstall): the RUN builds software from source and installs it
// into the image, as images that provide a language runtime do.
func makesInstall(cmds []analysis.Command) bool {
	for _, c := range cmds {
		if (c.Name == "make" || c.Name == "gmake") && strings.Contains(c.Sub, "install") {
			return true
		}
	}
	return false
}

func (f *stageFacts) add(s *analysis.Stage, in *analysis.Instruction, k, base int, wd string, c *analysis.Command, makesInstall bool) {
	fc := factCmd{k: k, start: c.Prog.Start - base, end: max(c.SubEnd, c.Prog.End) - base, text: c.Name}
	if c.Sub != "" {
		fc.text += " " + c.Sub
	}
	if c.Op == analysis.OpBuild && f.build == nil && !c.Conditional && !(makesInstall && c.Eco == analysis.EcoMake) {
		f.build = &fc
	}
	if c.Op == analysis.OpInstallPkgs && (c.Eco == analysis.EcoApt || c.Eco == analysis.EcoDnf) {
		f.distroPackages = true
	}
	if c.Op == analysis.OpInstallDeps || c.Op == analysis.OpInstallPkgs {
		switch c.Eco {
		case analysis.EcoPip, analysis.EcoPipenv, analysis.EcoPoetry, analysis.EcoUv,
			analysis.EcoNpm, analysis.EcoYarn, analysis.EcoPnpm, analysis.EcoBundler:
			f.langPackages = true
		}
	}
	if !f.privDrop {
		f.privDrop = isPrivDrop(c.Prog.Text)
		for _, a := range c.Args {
			f.privDrop = f.privDrop || isPrivDrop(a.Text)
		}
	}
	if c.Op == analysis.OpInstallPkgs {
		for _, t := range c.Targets {
			if isCompilerPackage(t.Text) {
				f.compiler = true
			}
		}
	}
	if c.Name == "xx-verify" {
		if _, ok := c.Flag("--static"); ok {
			f.staticVerified = true
		}
	}
	if c.Name == "go" && len(c.Args) > 1 && c.Args[0].Text == "env" {
		// `go env -w CGO_ENABLED=0` sets it for the builds that follow.
		for _, a := range c.Args[1:] {
			if a.Text == "CGO_ENABLED=0" {
				f.goBuilds = append(f.goBuilds, goBuild{factCmd: fc, cgo: cgoOff, envWrite: true})
			}
		}
	}
	if c.Eco == analysis.EcoGo && c.Op == analysis.OpBuild && !c.Conditional {
		g := goBuild{factCmd: fc, cross: strings.HasPrefix(c.Name, "xx-"), static: staticFlags(c)}
		switch v, ok := c.Lookup(s, in, "CGO_ENABLED"); {
		case !ok:
			g.cgo = cgoDefault
		case !v.Known:
			g.cgo = cgoUnknown
		case v.S == "0":
			g.cgo = cgoOff
		default:
			g.cgo = cgoOn
		}
		f.goBuilds = append(f.goBuilds, g)
	}
	f.node = appendNodeEvent(f.node, s, in, fc, wd, c)
}

// appendNodeEvent records what the command does to node_modules.
func appendNodeEvent(evs []nodeEvent, s *analysis.Stage, in *analysis.Instruction, fc factCmd, wd string, c *analysis.Command) []nodeEvent {
	dir := wd
	switch {
	case c.DirUnknown:
		dir = "?"
	case c.Dir != "":
		dir = joinPath(wd, c.Dir)
	}
	if dir == "?" {
		dir = ""
	}
	ev := nodeEvent{factCmd: fc, dir: dir, eco: c.Eco}
	switch {
	case c.Op == analysis.OpCleanup && c.Name == "rm":
		for _, t := range c.Targets {
			if t.Literal && path.Base(t.Text) == "node_modules" {
				e := ev
				e.kind, e.dir = nodeRemoved, path.Dir(joinPath(dir, t.Text))
				if dir == "" && !path.IsAbs(t.Text) {
					e.dir = ""
				}
				evs = append(evs, e)
			}
		}
		return evs
	case c.Op == analysis.OpPrune && (c.Eco == analysis.EcoNpm || c.Eco == analysis.EcoPnpm):
		ev.kind = nodeInstallProd
		if _, ok := prodFlag(c); !ok && !nodeEnvProduction(s, in, c) {
			// `npm prune` alone removes extraneous packages only.
			return evs
		}
	case c.Op != analysis.OpInstallDeps:
		return evs
	case c.Eco == analysis.EcoNpm, c.Eco == analysis.EcoYarn:
		ev.kind = installKind(s, in, c)
	case c.Eco == analysis.EcoPnpm:
		if c.Sub == "fetch" || c.Sub == "deploy" {
			return evs // fills the store, or deploys to another directory
		}
		ev.kind = installKind(s, in, c)
	default:
		return evs
	}
	if c.Conditional {
		ev.kind = nodeUnknown
	}
	return append(evs, ev)
}

// installKind says whether an npm, yarn or pnpm install keeps
// devDependencies.
func installKind(s *analysis.Stage, in *analysis.Instruction, c *analysis.Command) nodeEventKind {
	if _, ok := prodFlag(c); ok {
		return nodeInstallProd
	}
	v, ok := c.Lookup(s, in, "NODE_ENV")
	switch {
	case ok && !v.Known:
		return nodeUnknown
	case ok && v.S == "production":
		return nodeInstallProd
	}
	for _, name := range []string{"NPM_CONFIG_PRODUCTION", "npm_config_production", "YARN_PRODUCTION"} {
		if v, ok := c.Lookup(s, in, name); ok {
			if !v.Known {
				return nodeUnknown
			}
			if v.S == "true" || v.S == "1" {
				return nodeInstallProd
			}
		}
	}
	for _, name := range []string{"NPM_CONFIG_OMIT", "npm_config_omit"} {
		if v, ok := c.Lookup(s, in, name); ok {
			if !v.Known {
				return nodeUnknown
			}
			if strings.Contains(v.S, "dev") {
				return nodeInstallProd
			}
		}
	}
	return nodeInstallDev
}

// prodFlag returns the flag that makes an install or prune production-only.
func prodFlag(c *analysis.Command) (analysis.Word, bool) {
	if w, ok := c.Flag("--production", "--prod", "-P", "--only=prod", "--only=production", "--omit=dev"); ok {
		if w.Text == "--production=false" || w.Text == "--prod=false" {
			return w, false
		}
		return w, true
	}
	if w, ok := c.FlagValue("--omit"); ok && w.Text == "dev" {
		return w, true
	}
	if w, ok := c.FlagValue("--only"); ok && strings.HasPrefix(w.Text, "prod") {
		return w, true
	}
	return analysis.Word{}, false
}

func nodeEnvProduction(s *analysis.Stage, in *analysis.Instruction, c *analysis.Command) bool {
	v, ok := c.Lookup(s, in, "NODE_ENV")
	return ok && v.Known && v.S == "production"
}

// isPrivDrop reports whether a word names gosu or su-exec (a package, a
// path, the program).
func isPrivDrop(w string) bool {
	switch path.Base(w) {
	case "gosu", "su-exec":
		return true
	}
	return false
}

// isCompilerPackage reports whether an OS package provides a C compiler.
func isCompilerPackage(p string) bool {
	p, _, _ = strings.Cut(p, "=")
	switch p {
	case "gcc", "build-base", "clang", "g++", "build-essential", "alpine-sdk", "musl-gcc", "gcc-c++", "cc", "clang-dev":
		return true
	}
	return strings.HasPrefix(p, "gcc-") && !strings.HasPrefix(p, "gcc-doc")
}

// chainFacts returns the facts of s and the stages it is built FROM, the
// stage that names the image first.
func chainFacts(s *analysis.Stage) []*analysis.Stage {
	chain := s.Chain()
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return chain
}

// at returns the instruction of a command recorded in the facts of s and
// the command's absolute start.
func (c factCmd) at(s *analysis.Stage) (*analysis.Instruction, int) {
	in := s.Instructions[c.k]
	return in, in.ChunkStart() + c.start
}

// span returns the absolute range of a command recorded in the facts of s.
func (c factCmd) span(s *analysis.Stage) (int, int) {
	base := s.Instructions[c.k].ChunkStart()
	return base + c.start, base + c.end
}
