// This file defines the semantic model of a File: stages, the stage graph,
// ARG/ENV scopes with resolved values, USER and WORKDIR per stage, and the
// facts BuildKit's dispatcher establishes about each instruction (which
// variables it expands and whether they are defined, COPY sources, ENV and
// ARG keys, ...). It follows dockerfile2llb's toDispatchState with all
// stages selected, as `docker build --check` does.
//
// The model is rebuilt for every File, that is after every edit, so it is
// built from memoized parts: the dispatch of a stage depends only on its
// chunks, the global scope and its parent stage, and is cached with its
// FROM chunk. An edit re-dispatches the stage it touches (and the stages
// built FROM it); positions in cached results are relative to chunks and
// are made absolute when the model is read.
package analysis

import (
	"iter"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/util/suggest"
	"github.com/moby/buildkit/util/system"
)

type semOnce struct {
	once  sync.Once
	model *Model
}

// Semantics returns the file's semantic model, computed on first use. If
// building it panics (a bug), the panic reaches the first caller and later
// callers get an empty model.
func (f *File) Semantics() *Model {
	f.sem.once.Do(func() {
		defer func() {
			if f.sem.model == nil {
				f.sem.model = &Model{File: f, Globals: newScope(0)}
			}
		}()
		f.sem.model = buildModel(f)
	})
	return f.sem.model
}

// Value is a string that may be unknown: it can depend on a base image the
// model knows nothing about.
type Value struct {
	S     string
	Known bool
}

// VarKind says where a variable comes from.
type VarKind uint8

const (
	BuiltinArg VarKind = iota + 1 // predefined by BuildKit (TARGETPLATFORM, BUILDARCH, ...)
	GlobalArg                     // an ARG before the first FROM
	StageArg                      // an ARG inside a stage
	EnvVar                        // an ENV
	ImageEnv                      // defined by the base image's configuration
)

// Var is a variable in scope: an ARG with a value, an ENV, or an
// environment variable of the base image. Model.Definition returns the
// instruction that defines it.
type Var struct {
	Name  string
	Value Value
	Kind  VarKind

	seq      int32
	defK     int32        // the defining instruction: index in its stage (after FROM), or in the file for global ARGs
	defStage *stageResult // the stage of a StageArg or EnvVar
}

// Scope is a set of variables, as BuildKit's expansion sees them at one
// point of the build. Scopes in a Model are not modified.
type Scope struct {
	vars map[string]Var
	open bool
	seq  int32
}

func newScope(n int) *Scope { return &Scope{vars: make(map[string]Var, n)} }

// Lookup returns the variable named name.
func (s *Scope) Lookup(name string) (Var, bool) {
	v, ok := s.vars[name]
	return v, ok
}

// Open reports whether the scope comes from a base image the model knows
// nothing about, which may define variables the model cannot see.
func (s *Scope) Open() bool { return s.open }

// Names returns the names of the variables in the order BuildKit lists
// them (by when they were last set).
func (s *Scope) Names() []string {
	vs := make([]Var, 0, len(s.vars))
	for _, v := range s.vars {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b Var) int { return int(a.seq - b.seq) })
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}

// Len returns the number of variables.
func (s *Scope) Len() int { return len(s.vars) }

func (s *Scope) set(v Var) {
	s.seq++
	v.seq = s.seq
	s.vars[v.Name] = v
}

func (s *Scope) clone() *Scope {
	c := &Scope{vars: make(map[string]Var, len(s.vars)+8), open: s.open, seq: s.seq}
	for k, v := range s.vars {
		c.vars[k] = v
	}
	return c
}

func (s *Scope) equal(o *Scope) bool {
	if len(s.vars) != len(o.vars) || s.open != o.open {
		return false
	}
	for k, v := range s.vars {
		if w, ok := o.vars[k]; !ok || v != w {
			return false
		}
	}
	return true
}

// Model is the semantic model of a File.
type Model struct {
	File   *File
	Stages []*Stage
	// Globals is the global scope FROM lines expand in: BuildKit's
	// built-in ARGs and the global ARGs that have a value.
	Globals *Scope
	// GlobalArgs are the names of all ARGs before the first FROM.
	GlobalArgs []string

	prefix int // instructions before the first FROM
}

// Stage is one build stage: a FROM instruction and what follows it.
type Stage struct {
	Index int
	// Name is the stage name, lowercased as BuildKit normalizes it; "" for
	// an unnamed stage.
	Name string
	From *Instruction
	// Instructions are the stage's instructions after FROM, in order.
	Instructions []*Instruction

	// BaseName is the base as written; BaseValue is it expanded through
	// the global ARGs' default values.
	BaseName  string
	BaseValue Value
	// Base is the parsed base image reference (zero when the base is
	// another stage or scratch). BaseErr is the error parsing BaseValue as
	// an image reference, set whatever the base is (BuildKit checks FROM
	// that way before it resolves stage names).
	Base    ImageRef
	BaseErr error
	// Parent is the earlier stage this one is built FROM, or nil.
	Parent *Stage
	// BaseKnown reports whether the model knows the base's configuration:
	// scratch, an image in the image table, or a stage whose base is known.
	BaseKnown bool
	// BaseRefs are the variables the base name uses.
	BaseRefs []VarRef

	// Platform is the --platform value as written ("" without the flag);
	// PlatformValue is it expanded; PlatformRefs the variables it uses.
	Platform      string
	PlatformValue Value
	PlatformRefs  []VarRef
	// PlatformStart and PlatformEnd locate the --platform flag, NameStart
	// and NameEnd the stage name, BaseStart and BaseEnd the base name.
	PlatformStart, PlatformEnd, NameStart, NameEnd, BaseStart, BaseEnd int

	// Deps are the stage's references to other stages and images: COPY
	// --from and RUN --mount from=.
	Deps []Dep

	// Env is the scope at the end of the stage: base image variables,
	// ENV, and ARGs with a value. Args are the names of the ARGs the stage
	// declared (those of its parent stages included).
	Env  *Scope
	Args []string
	// User and Workdir are in effect at the end of the stage ("" when
	// never set); Shell is the SHELL in effect (nil for the default).
	User, Workdir Value
	Shell         []string

	m     *Model
	fr    *fromResult
	r     *stageResult
	first int // index of From in File.Instructions()
}

// DepKind says how a stage refers to another stage or an image.
type DepKind uint8

const (
	CopyFrom  DepKind = iota + 1 // COPY --from=
	MountFrom                    // RUN --mount=from=
)

// Dep is a reference from an instruction to another stage or an image.
type Dep struct {
	Kind        DepKind
	Instruction *Instruction
	Ref         string // as written: a stage name, a stage index or an image
	Stage       *Stage // the stage referred to; nil for an image
	Start, End  int    // the reference in the source
}

// VarRef is a use of a variable in text BuildKit expands.
type VarRef struct {
	Instruction *Instruction
	Name        string
	Start, End  int // the reference in the source, e.g. `$FOO` or `${FOO:-x}`
	State       RefState
	Var         Var    // the definition, when State is RefDefined
	Suggest     string // for an undefined variable, the nearest defined name, or ""
}

// ArgRole says what an argument of an instruction is.
type ArgRole uint8

const (
	RoleSource  ArgRole = iota + 1 // a COPY (without --from) or ADD source
	RoleEnvKey                     // an ENV key
	RoleArgKey                     // an ARG key (in a stage)
	RolePort                       // an EXPOSE port, after expansion
	RoleWorkdir                    // a WORKDIR path
	RoleUser                       // a USER
)

// Arg is an argument of an instruction with its expanded value.
type Arg struct {
	Instruction *Instruction
	Role        ArgRole
	Text        string // as BuildKit parsed it, before expansion
	Value       Value
	Start, End  int // in the source
	Index       int // its index among the stage's arguments (see Stage.ArgAt)
}

// Override is a CMD, ENTRYPOINT or HEALTHCHECK (Earlier) that a later one
// of the same kind in the same stage replaces.
type Override struct {
	Earlier, Later *Instruction
}

// fromResult is the memoized outcome of reading a FROM line in the global
// scope. Offsets are relative to the FROM's chunk.
type fromResult struct {
	globalDeps

	name                       string
	baseValue, platformValue   Value
	base                       ImageRef // when baseValue is an image reference
	baseErr                    error
	baseRefs, platformRefs     []relRef
	nameSpan, baseSpan, flagSp [2]int32
	requested                  *Platform
	windows                    bool // the base names a Windows image or platform
}

// bodyInit is what the dispatch of a stage's body starts from. Stages
// whose FROM lines differ (say, in an image tag) but start from the same
// state share the dispatch of an unchanged body.
type bodyInit struct {
	parent    *stageResult
	image     string // the image table's entry, "scratch", or "" for an unknown base
	windows   bool
	requested Platform
	hasReq    bool
}

// stageResult is the memoized outcome of dispatching the body of one stage
// (the FROM line's keyword facts included). Offsets are relative to the
// chunk of the instruction they belong to; k indexes the stage's
// instructions after FROM (-1 is the FROM).
type stageResult struct {
	// What the result depends on: its chunks, the state it starts from
	// and the global ARGs it looked up.
	chunks []*chunk
	init   bodyInit
	globalDeps

	baseKnown, windows bool
	platform           *Platform

	env           *Scope
	args          []string
	user, workdir Value
	shell         []string
	workdirSet    bool

	refs         []relRef
	iargs        []relArg
	deps         []relDep
	firstWorkdir int32
	shellForm    []int32
	overrides    [][2]int32
	lower, upper int
	notLower     []int32 // keywords not all lowercase (k; -1 is FROM)
	notUpper     []int32
	emptyCont    []int32

	cache sync.Map // Stage.Cached
}

type relRef struct {
	k          int32
	start, end int32
	name       string
	state      RefState
	v          Var
	suggest    string
}

type relArg struct {
	k          int32
	role       ArgRole
	start, end int32
	text       string
	value      Value
}

type relDep struct {
	kind       DepKind
	k          int32
	start, end int32
	ref        string
}

// globalDep is a lookup of a name in the global scope and what it found.
type globalDep struct {
	name     string
	v        Var
	ok       bool
	declared bool
}

// globalDeps records the lookups a result made in the global scope.
type globalDeps struct {
	globals    *globalsResult
	gdeps      []globalDep
	allGlobals bool // it depends on the whole scope
}

// global looks a name up in the global scope g, recording the lookup.
func (r *globalDeps) global(g *globalsResult, name string) (Var, bool) {
	v, ok := g.scope.vars[name]
	for _, d := range r.gdeps {
		if d.name == name {
			return v, ok
		}
	}
	r.gdeps = append(r.gdeps, globalDep{name: name, v: v, ok: ok, declared: g.isDeclared(name)})
	return v, ok
}

// validFor reports whether a result built with the global scope it
// recorded is valid with g: every global it looked up is the same.
func (r *globalDeps) validFor(g *globalsResult) bool {
	if r.globals == g {
		return true
	}
	if r.allGlobals {
		return g.equal(r.globals)
	}
	for _, d := range r.gdeps {
		v, ok := g.scope.vars[d.name]
		if ok != d.ok || v != d.v || g.isDeclared(d.name) != d.declared {
			return false
		}
	}
	return true
}

// globalsResult is the global scope and what it was built from.
type globalsResult struct {
	scope    *Scope
	declared []string // every ARG name before the first FROM, in order
	target   string
}

func (g *globalsResult) equal(o *globalsResult) bool {
	return o != nil && g.target == o.target && slices.Equal(g.declared, o.declared) && g.scope.equal(o.scope)
}

func (g *globalsResult) isDeclared(name string) bool { return slices.Contains(g.declared, name) }

// stageMemo is the cached results kept with a FROM chunk.
type stageMemo struct {
	from  atomic.Pointer[fromResult]
	stage atomic.Pointer[stageResult]
}

// semOf is Instruction.sem for a chunk.
func semOf(c *chunk) *instSemantics {
	c.semOnce.Do(func() { computeSemantics(c) })
	return &c.sem
}

func isFromChunk(c *chunk) bool {
	_, ok := semOf(c).cmd.(*instructions.Stage)
	return ok
}

// nonEnvArgs are ARGs BuildKit never puts in the environment.
var nonEnvArgs = map[string]bool{"BUILDKIT_SBOM_SCAN_CONTEXT": true, "BUILDKIT_SBOM_SCAN_STAGE": true}

// builtinArgs returns BuildKit's predefined ARGs (dockerfile2llb's
// defaultArgs) for the assumed platform.
func builtinArgs(target string) [][2]string {
	p := DefaultTargetPlatform
	plat := p.OS + "/" + p.Arch
	if p.Variant != "" {
		plat += "/" + p.Variant
	}
	if target == "" {
		target = "default"
	}
	return [][2]string{
		{"BUILDPLATFORM", plat}, {"BUILDOS", p.OS}, {"BUILDOSVERSION", p.OSVersion}, {"BUILDARCH", p.Arch},
		{"BUILDVARIANT", p.Variant}, {"TARGETPLATFORM", plat}, {"TARGETOS", p.OS},
		{"TARGETOSVERSION", p.OSVersion}, {"TARGETARCH", p.Arch}, {"TARGETVARIANT", p.Variant},
		{"TARGETSTAGE", target},
	}
}

// BuiltinArgNames are the ARGs BuildKit predefines in the global scope.
var BuiltinArgNames = func() []string {
	var out []string
	for _, kv := range builtinArgs("") {
		out = append(out, kv[0])
	}
	return out
}()

// Suggest returns the name nearest to name among options (BuildKit's "did
// you mean" rule), or "".
func Suggest(name string, options []string) string {
	s, _ := suggest.Search(name, options, true)
	return s
}

func buildModel(f *File) *Model {
	m := &Model{File: f}
	starts := stageStarts(f)
	m.prefix = len(f.insts)
	target := ""
	if len(starts) > 0 {
		m.prefix = starts[0]
		target = semOf(f.refs[starts[len(starts)-1]].c).cmd.(*instructions.Stage).Name
	}
	g := computeGlobals(f, m.prefix, target)
	m.Globals, m.GlobalArgs = g.scope, g.declared

	byName := map[string]*stageResult{}
	stageOf := map[*stageResult]*Stage{}
	for i, st := range starts {
		end := len(f.insts)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		mm := semOf(f.refs[st].c).memo
		fr := mm.from.Load()
		if fr == nil || !fr.validFor(g) {
			fr = computeFrom(f.insts[st], g)
			mm.from.Store(fr)
		}
		init := initOf(fr, byName)
		r := mm.stage.Load()
		if r == nil || r.init != init || !chunksEqual(f.refs[st+1:end], r.chunks) || !r.validFor(g) {
			r = computeStage(f, st, end, g, init)
			mm.stage.Store(r)
		}
		if fr.name != "" {
			byName[fr.name] = r
		}
		s := m.newStage(fr, r, i, st, end)
		s.Parent = stageOf[r.init.parent]
		stageOf[r] = s
		m.Stages = append(m.Stages, s)
	}
	for _, s := range m.Stages {
		s.Deps = m.deps(s, byName, stageOf)
	}
	return m
}

func parentOf(base Value, byName map[string]*stageResult) *stageResult {
	if !base.Known {
		return nil
	}
	return byName[base.S]
}

func chunksEqual(refs []chunkRef, cs []*chunk) bool {
	if len(refs) != len(cs) {
		return false
	}
	for i := range refs {
		if refs[i].c != cs[i] {
			return false
		}
	}
	return true
}

// stageStarts returns the indices of the FROM instructions that start
// stages, skipping over the stages whose chunks are unchanged.
func stageStarts(f *File) []int {
	var starts []int
	n := len(f.insts)
	for i := 0; i < n; {
		c := f.refs[i].c
		if !isFromChunk(c) {
			i++
			continue
		}
		starts = append(starts, i)
		if r := semOf(c).memo.stage.Load(); r != nil {
			j := i + 1 + len(r.chunks)
			if j <= n && chunksEqual(f.refs[i+1:j], r.chunks) && (j == n || isFromChunk(f.refs[j].c)) {
				i = j
				continue
			}
		}
		i++
	}
	return starts
}

// computeGlobals builds the global scope from the ARGs before the first
// FROM (buildMetaArgs with no build arguments).
func computeGlobals(f *File, prefix int, target string) *globalsResult {
	g := &globalsResult{scope: newScope(16), target: target}
	for _, kv := range builtinArgs(target) {
		g.scope.set(Var{Name: kv[0], Value: Value{S: kv[1], Known: true}, Kind: BuiltinArg})
	}
	get := func(name string) (Value, RefState) {
		if v, ok := g.scope.vars[name]; ok {
			return v.Value, RefDefined
		}
		return Value{}, RefUndefined
	}
	for i := 0; i < prefix; i++ {
		in := f.insts[i]
		a, ok := in.Command().(*instructions.ArgCommand)
		if !ok {
			continue
		}
		p := in.plan()
		for j, kv := range a.Args {
			if !slices.Contains(g.declared, kv.Key) {
				g.declared = append(g.declared, kv.Key)
			}
			if kv.Value == nil || j >= len(p.args) || p.args[j].def == nil {
				continue
			}
			v := p.args[j].def.evaluate(get)
			g.scope.set(Var{Name: kv.Key, Value: v, Kind: GlobalArg, defK: int32(i)})
		}
	}
	return g
}

// computeFrom reads a FROM line in the global scope: the base and the
// platform, expanded, and the variables they use.
func computeFrom(in *Instruction, g *globalsResult) *fromResult {
	fr := &fromResult{globalDeps: globalDeps{globals: g}}
	st := in.Command().(*instructions.Stage)
	fr.name = st.Name
	p := in.plan()
	get := func(name string) (Value, RefState) {
		if v, ok := fr.global(g, name); ok {
			return v.Value, RefDefined
		}
		return Value{}, RefUndefined
	}
	var options []string // the names UndefinedArgInFrom suggests from
	refs := func(w *word) []relRef {
		var out []relRef
		for _, n := range w.names() {
			s, e := w.refFor(n)
			r := relRef{k: -1, name: n, start: int32(s), end: int32(e)}
			if v, ok := fr.global(g, n); ok {
				r.state, r.v = RefDefined, v
			} else if g.isDeclared(n) {
				r.state = RefDeclared
			} else {
				if options == nil {
					options = fromOptions(g)
					fr.allGlobals = true
				}
				r.suggest = Suggest(n, options)
			}
			out = append(out, r)
		}
		return out
	}
	if fp := p.from; fp != nil {
		fr.baseValue = fp.base.evaluate(get)
		fr.baseRefs = refs(fp.base)
		fr.baseSpan = [2]int32{int32(fp.base.start), int32(fp.base.end)}
		fr.nameSpan = [2]int32{int32(fp.nameStart), int32(fp.nameEnd)}
		if fp.platform != nil {
			fr.platformValue = fp.platform.evaluate(get)
			fr.platformRefs = refs(fp.platform)
			fr.flagSp = [2]int32{int32(fp.flagStart), int32(fp.flagEnd)}
			if fr.platformValue.Known && len(fr.platformRefs) == 0 {
				if pl, err := ParsePlatform(fr.platformValue.S); err == nil {
					fr.requested = &pl
				}
			}
		}
	}
	if fr.baseValue.Known {
		ref, err := ParseImageRef(fr.baseValue.S)
		fr.baseErr = err
		if err == nil && fr.baseValue.S != "scratch" {
			fr.base = ref
		}
	}
	fr.windows = fr.requested != nil && fr.requested.OS == "windows" || fr.requested == nil && isWindowsImage(fr.base)
	return fr
}

// initOf returns the state a stage's body starts from: its parent stage,
// or what the image table knows of its base image.
func initOf(fr *fromResult, byName map[string]*stageResult) bodyInit {
	if parent := parentOf(fr.baseValue, byName); parent != nil {
		return bodyInit{parent: parent}
	}
	init := bodyInit{windows: fr.windows}
	if fr.requested != nil {
		init.requested, init.hasReq = *fr.requested, true
	}
	switch {
	case !fr.baseValue.Known:
	case fr.baseValue.S == "scratch":
		init.image = "scratch"
	case fr.baseErr == nil:
		if key, ok := lookupImage(fr.base); ok {
			init.image = key
		}
	}
	return init
}

// stageBuilder dispatches the body of one stage.
type stageBuilder struct {
	f     *File
	r     *stageResult
	g     *globalsResult
	k     int32
	in    *Instruction
	cmd   any
	last  [3]int32                       // the last CMD, ENTRYPOINT, HEALTHCHECK (k+1; 0 for none)
	getFn func(string) (Value, RefState) // b.get, made once (a method value allocates)
}

func computeStage(f *File, st, end int, g *globalsResult, init bodyInit) *stageResult {
	r := &stageResult{init: init, globalDeps: globalDeps{globals: g}, firstWorkdir: -1}
	r.chunks = make([]*chunk, end-st-1)
	for j := range r.chunks {
		r.chunks[j] = f.refs[st+1+j].c
	}
	r.iargs = make([]relArg, 0, len(r.chunks)/2+1)
	b := &stageBuilder{f: f, r: r, g: g}
	b.getFn = b.get
	b.start(f.insts[st])
	for j := st + 1; j < end; j++ {
		b.k = int32(j - st - 1)
		b.in = f.insts[j]
		b.cmd = b.in.Command()
		b.facts()
		if b.cmd != nil {
			b.dispatch()
		}
	}
	return r
}

// start begins the body from its parent stage or base image.
func (b *stageBuilder) start(from *Instruction) {
	r := b.r
	b.k, b.in, b.cmd = -1, from, from.Command()
	b.facts()
	if parent := r.init.parent; parent != nil {
		r.env = parent.env.clone()
		r.args = parent.args[:len(parent.args):len(parent.args)]
		r.user, r.workdir, r.shell = parent.user, parent.workdir, parent.shell
		r.workdirSet, r.baseKnown, r.platform, r.windows = parent.workdirSet, parent.baseKnown, parent.platform, parent.windows
		return
	}
	r.windows = r.init.windows
	if r.init.hasReq {
		p := r.init.requested
		r.platform = &p
	}
	r.env = newScope(32)
	pathVar := func(v Value) Var { return Var{Name: "PATH", Value: v, Kind: ImageEnv} }
	switch r.init.image {
	case "":
		r.env.open = true
		r.env.set(pathVar(Value{}))
		return
	case "scratch":
		r.baseKnown = true
		r.env.set(pathVar(Value{S: system.DefaultPathEnvUnix, Known: true}))
		r.workdir = Value{S: "/", Known: true}
		r.user = Value{Known: true}
		return
	}
	cfg := knownImages[r.init.image]
	r.baseKnown = true
	r.user = Value{Known: true}
	r.workdir = Value{S: cfg.workdir, Known: true}
	for _, e := range cfg.env {
		k, v, ok := strings.Cut(e, "=")
		r.env.set(Var{Name: k, Value: Value{S: v, Known: ok}, Kind: ImageEnv})
	}
	if _, ok := r.env.vars["PATH"]; !ok {
		r.env.set(pathVar(Value{S: system.DefaultPathEnvUnix, Known: true}))
	}
}

// fromOptions are the names UndefinedArgInFrom suggests from: the global
// ARGs and built-ins, sorted (BuildKit takes them from a map, in no order).
func fromOptions(g *globalsResult) []string {
	out := slices.Clone(g.declared)
	for n := range g.scope.vars {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// facts records what the instruction's text alone says: keyword case and
// empty continuation lines.
func (b *stageBuilder) facts() {
	r := b.r
	if b.cmd != nil {
		kw := b.in.Keyword()
		lower, upper := isCase(kw, false), isCase(kw, true)
		switch {
		case lower:
			r.lower++
			r.notUpper = append(r.notUpper, b.k)
		case upper:
			r.upper++
			r.notLower = append(r.notLower, b.k)
		default:
			r.notUpper = append(r.notUpper, b.k)
			r.notLower = append(r.notLower, b.k)
		}
	}
	for _, w := range b.in.ref.c.warnings() {
		if w.URL == linter.RuleNoEmptyContinuation.URL {
			r.emptyCont = append(r.emptyCont, b.k)
			break
		}
	}
}

// isCase reports whether s is all uppercase (upper) or all lowercase, as
// comparing it with strings.ToUpper or strings.ToLower does.
func isCase(s string, upper bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			if upper {
				return strings.ToUpper(s) == s
			}
			return strings.ToLower(s) == s
		}
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// get looks a name up in the stage's scope.
func (b *stageBuilder) get(name string) (Value, RefState) {
	if v, ok := b.r.env.vars[name]; ok {
		return v.Value, RefDefined
	}
	if b.r.env.open {
		return Value{}, RefUnknown
	}
	return Value{}, RefUndefined
}

// resolve records the references of a word BuildKit expands, as
// reportUnmatchedVariables judges them.
func (b *stageBuilder) resolve(w *word) {
	r := b.r
	for _, n := range w.names() {
		s, e := w.refFor(n)
		ref := relRef{k: b.k, name: n, start: int32(s), end: int32(e)}
		if v, ok := r.env.vars[n]; ok {
			ref.state, ref.v = RefDefined, v
		} else if slices.Contains(r.args, n) || nonEnvArgs[n] {
			ref.state = RefDeclared
		} else if r.env.open {
			ref.state = RefUnknown
		} else {
			ref.suggest = Suggest(n, r.env.Names())
		}
		r.refs = append(r.refs, ref)
	}
}

func (b *stageBuilder) arg(role ArgRole, text string, v Value, start, end int) {
	b.r.iargs = append(b.r.iargs, relArg{k: b.k, role: role, text: text, value: v, start: int32(start), end: int32(end)})
}

func (b *stageBuilder) setVar(name string, v Value, kind VarKind) {
	b.r.env.set(Var{Name: name, Value: v, Kind: kind, defK: b.k, defStage: b.r})
}

// dispatch applies one instruction, as dockerfile2llb's dispatch does.
func (b *stageBuilder) dispatch() {
	r := b.r
	p := b.in.plan()
	for _, w := range p.expand {
		if len(w.names()) > 0 {
			b.resolve(w)
		}
	}
	switch c := b.cmd.(type) {
	case *instructions.EnvCommand:
		// Every word is expanded before any variable is set.
		type kv struct {
			k, v Value
			pp   *pairPlan
		}
		var buf [4]kv
		kvs := buf[:0]
		for i := range p.pairs {
			pp := &p.pairs[i]
			kvs = append(kvs, kv{pp.key.evaluate(b.getFn), pp.value.evaluate(b.getFn), pp})
		}
		for _, e := range kvs {
			b.arg(RoleEnvKey, e.pp.key.text, e.k, e.pp.keyStart, e.pp.keyEnd)
			if e.k.Known {
				b.setVar(e.k.S, e.v, EnvVar)
			}
		}
	case *instructions.ArgCommand:
		for i, a := range c.Args {
			if i >= len(p.args) {
				break
			}
			ap := &p.args[i]
			b.arg(RoleArgKey, a.Key, Value{S: a.Key, Known: true}, ap.keyStart, ap.keyEnd)
			var v Value
			has := false
			if ap.def == nil {
				if gv, ok := r.global(b.g, a.Key); ok {
					v, has = gv.Value, true
				}
			} else {
				if len(ap.def.names()) > 0 {
					b.resolve(ap.def)
				}
				v, has = ap.def.evaluate(b.getFn), true
			}
			if has && !nonEnvArgs[a.Key] {
				b.setVar(a.Key, v, StageArg)
			}
			r.args = append(r.args, a.Key)
		}
	case *instructions.WorkdirCommand:
		v := p.path.evaluate(b.getFn)
		b.arg(RoleWorkdir, p.path.text, v, p.path.start, p.path.end)
		if !r.workdirSet {
			r.firstWorkdir = b.k
		}
		r.workdirSet = true
		if v.Known && r.workdir.Known {
			wd, err := system.NormalizeWorkdir(r.workdir.S, v.S, b.os())
			r.workdir = Value{S: wd, Known: err == nil}
		} else {
			r.workdir = Value{}
		}
	case *instructions.UserCommand:
		v := p.path.evaluate(b.getFn)
		b.arg(RoleUser, p.path.text, v, p.path.start, p.path.end)
		r.user = v
	case *instructions.ShellCommand:
		r.shell = c.Shell
	case *instructions.CmdCommand:
		b.usedOnce(0)
		if p.shellForm && len(r.shell) == 0 {
			r.shellForm = append(r.shellForm, b.k)
		}
	case *instructions.EntrypointCommand:
		b.usedOnce(1)
		if p.shellForm && len(r.shell) == 0 {
			r.shellForm = append(r.shellForm, b.k)
		}
	case *instructions.HealthCheckCommand:
		b.usedOnce(2)
	case *instructions.CopyCommand:
		if c.From != "" {
			cp := p.copyOf()
			r.deps = append(r.deps, relDep{kind: CopyFrom, k: b.k, ref: cp.fromRef, start: cp.fromStart, end: cp.fromEnd})
		} else {
			for _, w := range p.copyOf().sources {
				b.arg(RoleSource, w.text, w.evaluate(b.getFn), w.start, w.end)
			}
		}
	case *instructions.AddCommand:
		for _, w := range p.copyOf().sources {
			b.arg(RoleSource, w.text, w.evaluate(b.getFn), w.start, w.end)
		}
	case *instructions.RunCommand:
		for _, mp := range p.moreOf().mounts {
			r.deps = append(r.deps, relDep{kind: MountFrom, k: b.k, ref: mp.from, start: int32(mp.start), end: int32(mp.end)})
		}
	case *instructions.ExposeCommand:
		for _, w := range p.moreOf().ports {
			b.ports(w)
		}
	}
}

// usedOnce tracks CMD (0), ENTRYPOINT (1) and HEALTHCHECK (2), as
// validateUsedOnce does.
func (b *stageBuilder) usedOnce(i int) {
	if prev := b.last[i]; prev != 0 {
		b.r.overrides = append(b.r.overrides, [2]int32{prev - 1, b.k})
	}
	b.last[i] = b.k + 1
}

// ports expands an EXPOSE argument into ports, as dispatchExpose does
// (ProcessWords, which may split one argument into several).
func (b *stageBuilder) ports(w *word) {
	if w.err != nil {
		b.arg(RolePort, w.text, Value{}, w.start, w.end)
		return
	}
	if len(w.names()) == 0 && w.err == nil && !strings.ContainsAny(w.lit, " \t\n") {
		b.arg(RolePort, w.text, Value{S: w.lit, Known: true}, w.start, w.end)
		return
	}
	for _, n := range w.names() {
		if v, st := b.get(n); st == RefUnknown || st == RefDefined && !v.Known {
			b.arg(RolePort, w.text, Value{}, w.start, w.end)
			return
		}
	}
	words, err := newLex(w.esc, false).ProcessWords(w.text, &valueEnv{get: b.getFn})
	if err != nil {
		b.arg(RolePort, w.text, Value{}, w.start, w.end)
		return
	}
	for _, p := range words {
		b.arg(RolePort, w.text, Value{S: p, Known: true}, w.start, w.end)
	}
}

func (b *stageBuilder) os() string {
	if b.r.windows {
		return "windows"
	}
	return "linux"
}

// isWindowsImage reports whether a reference names a Windows base image.
func isWindowsImage(r ImageRef) bool {
	n := strings.ToLower(r.Repository + ":" + r.Tag)
	return strings.Contains(n, "windows") || strings.Contains(n, "nanoserver") || strings.Contains(n, "servercore")
}

// newStage makes the Stage of the model from the cached results: the
// instructions of this File, absolute positions.
func (m *Model) newStage(fr *fromResult, r *stageResult, index, first, end int) *Stage {
	f := m.File
	from := f.insts[first]
	o := f.refs[first].off
	s := &Stage{
		Index: index, Name: fr.name, From: from, Instructions: f.insts[first+1 : end],
		BaseValue: fr.baseValue, Base: fr.base, BaseErr: fr.baseErr, BaseKnown: r.baseKnown,
		PlatformValue: fr.platformValue,
		BaseStart:     o + int(fr.baseSpan[0]), BaseEnd: o + int(fr.baseSpan[1]),
		NameStart: o + int(fr.nameSpan[0]), NameEnd: o + int(fr.nameSpan[1]),
		PlatformStart: o + int(fr.flagSp[0]), PlatformEnd: o + int(fr.flagSp[1]),
		Env: r.env, Args: r.args, User: r.user, Workdir: r.workdir, Shell: r.shell,
		m: m, fr: fr, r: r, first: first,
	}
	if r.init.parent != nil {
		s.Base = ImageRef{}
	}
	if st, ok := from.Command().(*instructions.Stage); ok {
		s.BaseName, s.Platform = st.BaseName, st.Platform
	}
	s.BaseRefs = s.varRefs(fr.baseRefs, nil)
	s.PlatformRefs = s.varRefs(fr.platformRefs, nil)
	return s
}

// inst returns the stage's instruction k (-1 is the FROM).
func (s *Stage) inst(k int32) *Instruction { return s.m.File.insts[s.first+1+int(k)] }

// off returns the offset of the chunk of instruction k.
func (s *Stage) off(k int32) int { return s.m.File.refs[s.first+1+int(k)].off }

func (s *Stage) varRefs(rs []relRef, keep func(*relRef) bool) []VarRef {
	var out []VarRef
	for i := range rs {
		r := &rs[i]
		if keep != nil && !keep(r) {
			continue
		}
		o := s.off(r.k)
		out = append(out, VarRef{Instruction: s.inst(r.k), Name: r.name, Start: o + int(r.start), End: o + int(r.end),
			State: r.state, Var: r.v, Suggest: r.suggest})
	}
	return out
}

func (s *Stage) argsOf(keep func(*relArg) bool) []Arg {
	var out []Arg
	for i := range s.r.iargs {
		if keep(&s.r.iargs[i]) {
			out = append(out, s.ArgAt(i))
		}
	}
	return out
}

func (s *Stage) insts(ks []int32) []*Instruction {
	if len(ks) == 0 {
		return nil
	}
	out := make([]*Instruction, len(ks))
	for i, k := range ks {
		out[i] = s.inst(k)
	}
	return out
}

// VarRefs returns the variable references BuildKit expands in the stage's
// instructions (FROM excluded: see BaseRefs and PlatformRefs).
func (s *Stage) VarRefs() []VarRef { return s.varRefs(s.r.refs, nil) }

// UndefinedVars returns the references to variables nothing defines.
func (s *Stage) UndefinedVars() []VarRef {
	return s.varRefs(s.r.refs, func(r *relRef) bool { return r.state == RefUndefined })
}

// ArgsOf returns the arguments of the stage's instructions that have the
// role, in order.
func (s *Stage) ArgsOf(role ArgRole) iter.Seq[Arg] {
	return func(yield func(Arg) bool) {
		for i := range s.r.iargs {
			a := &s.r.iargs[i]
			if a.role != role {
				continue
			}
			if !yield(s.ArgAt(i)) {
				return
			}
		}
	}
}

// ArgAt returns the argument with the given Index.
func (s *Stage) ArgAt(i int) Arg {
	a := &s.r.iargs[i]
	o := s.off(a.k)
	return Arg{Instruction: s.inst(a.k), Role: a.role, Text: a.text, Value: a.value,
		Start: o + int(a.start), End: o + int(a.end), Index: i}
}

// Cached returns what compute returns for the stage, computed once and
// reused for as long as edits leave the stage's dispatch unchanged (its
// FROM and other instructions, the global ARGs and its parent stage; so the
// base image too, see Image): rules use it to
// avoid redoing per-stage work after every keystroke. key identifies the
// computation (a comparable value). The value must not hold positions or
// *Instruction values, which change with edits; Arg indices, instruction
// indices within the stage and strings are stable.
func (s *Stage) Cached(key any, compute func(*Stage) any) any {
	if v, ok := s.r.cache.Load(key); ok {
		return v
	}
	v, _ := s.r.cache.LoadOrStore(key, compute(s))
	return v
}

// FirstWorkdir returns the first WORKDIR of the stage when the stage's
// parents set none (the WORKDIR BuildKit checks for a relative path).
func (s *Stage) FirstWorkdir() *Instruction {
	if s.r.firstWorkdir < 0 {
		return nil
	}
	return s.inst(s.r.firstWorkdir)
}

// ShellFormCommands returns the CMD and ENTRYPOINT instructions in shell
// form that run with no SHELL in effect.
func (s *Stage) ShellFormCommands() []*Instruction { return s.insts(s.r.shellForm) }

// Overrides returns the CMD, ENTRYPOINT and HEALTHCHECK instructions that
// a later one of the same kind in the stage replaces.
func (s *Stage) Overrides() []Override {
	var out []Override
	for _, o := range s.r.overrides {
		out = append(out, Override{Earlier: s.inst(o[0]), Later: s.inst(o[1])})
	}
	return out
}

// KeywordCase returns how many of the stage's keywords (FROM included;
// instructions that do not parse excluded) are all lowercase and all
// uppercase.
func (s *Stage) KeywordCase() (lower, upper int) { return s.r.lower, s.r.upper }

// KeywordsNotIn returns the instructions (FROM included) whose keyword is
// not all lowercase (lower true) or not all uppercase.
func (s *Stage) KeywordsNotIn(lower bool) []*Instruction {
	if lower {
		return s.insts(s.r.notLower)
	}
	return s.insts(s.r.notUpper)
}

// EmptyContinuations returns the instructions (FROM included) that
// continue onto an empty line.
func (s *Stage) EmptyContinuations() []*Instruction { return s.insts(s.r.emptyCont) }

// PlatformOf returns the platform a stage builds for when the Dockerfile
// fixes it: a constant --platform, or for a stage built FROM another stage,
// that stage's platform (BuildKit ignores the child's --platform then).
func (s *Stage) PlatformOf() (Platform, bool) {
	if s.r.platform == nil {
		return Platform{}, false
	}
	return *s.r.platform, true
}

// RequestedPlatform returns the platform of the stage's own --platform
// flag when it is a constant.
func (s *Stage) RequestedPlatform() (Platform, bool) {
	if s.fr.requested == nil {
		return Platform{}, false
	}
	return *s.fr.requested, true
}

// OS returns the operating system the stage builds for: "windows" when its
// platform or base image says so, else "linux" (BuildKit learns it from the
// image; dockwise assumes Linux unless the file says otherwise).
func (s *Stage) OS() string {
	if s.r.windows {
		return "windows"
	}
	return "linux"
}

// deps resolves a stage's COPY --from and RUN --mount from= references, as
// BuildKit does once every stage is known: by name (the last stage of that
// name), or for COPY --from by index.
func (m *Model) deps(s *Stage, byName map[string]*stageResult, stageOf map[*stageResult]*Stage) []Dep {
	var out []Dep
	for _, d := range s.r.deps {
		o := s.off(d.k)
		dep := Dep{Kind: d.kind, Instruction: s.inst(d.k), Ref: d.ref, Start: o + int(d.start), End: o + int(d.end)}
		if i, err := strconv.Atoi(d.ref); err == nil && d.kind == CopyFrom {
			if i >= 0 && i < len(m.Stages) {
				dep.Stage = m.Stages[i]
			}
		} else {
			dep.Stage = stageOf[byName[strings.ToLower(d.ref)]]
		}
		out = append(out, dep)
	}
	return out
}

// StageOf returns the stage an instruction belongs to (the stage a FROM
// starts, for a FROM), or nil for instructions before the first FROM.
func (m *Model) StageOf(in *Instruction) *Stage {
	if in == nil || in.file != m.File {
		return nil
	}
	i := sort.Search(len(m.Stages), func(i int) bool { return m.Stages[i].first > in.Index }) - 1
	if i < 0 {
		return nil
	}
	return m.Stages[i]
}

// Refs returns the variable references BuildKit expands in an instruction
// of a stage, with what they resolve to (for a FROM, its base and platform
// references).
func (m *Model) Refs(in *Instruction) []VarRef {
	s := m.StageOf(in)
	if s == nil {
		return nil
	}
	k := int32(in.Index - s.first - 1)
	if k < 0 {
		return append(slices.Clone(s.BaseRefs), s.PlatformRefs...)
	}
	return s.varRefs(s.r.refs, func(r *relRef) bool { return r.k == k })
}

// Args returns the arguments of an instruction with their expanded values:
// COPY/ADD sources, ENV and ARG keys, EXPOSE ports, the WORKDIR path and
// the USER.
func (m *Model) Args(in *Instruction) []Arg {
	s := m.StageOf(in)
	if s == nil {
		return nil
	}
	k := int32(in.Index - s.first - 1)
	return s.argsOf(func(a *relArg) bool { return a.k == k })
}

// GlobalInstructions returns the instructions before the first FROM.
func (m *Model) GlobalInstructions() []*Instruction { return m.File.insts[:m.prefix] }

// StageByName returns the stage a name refers to, as BuildKit resolves
// names (case-insensitively; the last stage of that name), or nil.
func (m *Model) StageByName(name string) *Stage {
	name = strings.ToLower(name)
	for i := len(m.Stages) - 1; i >= 0; i-- {
		if name != "" && m.Stages[i].Name == name {
			return m.Stages[i]
		}
	}
	return nil
}

// Definition returns the ARG or ENV instruction that defines v, or nil for
// built-in and base image variables.
func (m *Model) Definition(v Var) *Instruction {
	switch v.Kind {
	case GlobalArg:
		if int(v.defK) < m.prefix {
			return m.File.insts[v.defK]
		}
	case StageArg, EnvVar:
		for _, s := range m.Stages {
			if s.r == v.defStage {
				return s.inst(v.defK)
			}
		}
	}
	return nil
}
