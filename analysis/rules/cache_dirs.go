// This file holds what the cache-mount rules know about package managers'
// caches: the directories a command downloads into (adjusted to the user's
// home, the tool's cache variables and flags), whether the command turns
// its cache off, and whether a RUN's cache mounts cover a directory.
package rules

import (
	"path"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// cacheNeed is a directory a command wants cached.
type cacheNeed struct {
	dir string // absolute; may start with "~/" when the home is unknown
	// kws are substrings of a mount target (lowercased) that show it is
	// meant for this cache wherever the user put it.
	kws []string
}

// toolCache is what a command needs cached, or why it needs nothing.
type toolCache struct {
	tool string // names the tool in messages: "apt-get install", "npm ci"
	home string // the user's home ("~" when unknown)
	// owner is the mount options that give a non-root user the cache
	// ("uid=1000,gid=1000"); ownerOf names that user when its ids are
	// not known. Both are empty for root.
	owner, ownerOf string
	// apkLink is set for apk when nothing links /etc/apk/cache to the
	// cache yet: apk keeps the packages it downloads only there.
	apkLink bool
	needs   []cacheNeed
	// offFlag is the flag that turns the cache off (--no-cache-dir);
	// offEnv the variable that does (PIP_NO_CACHE_DIR). off is set when
	// either does; unsure when a variable may or may not.
	offFlag analysis.Word
	offEnv  string
	off     bool
	unsure  bool
}

// runEnv looks variables up for a command of a RUN: the script's, then the
// Dockerfile's at the RUN.
type runEnv struct {
	s  *analysis.Stage
	in *analysis.Instruction
}

// get returns the value of a variable, and whether it is defined. A
// defined variable with an unknown value has Known false.
func (e runEnv) get(c *analysis.Command, name string) (analysis.Value, bool) {
	return c.Lookup(e.s, e.in, name)
}

// truthy tells how a boolean variable reads: 1 true, 0 false or unset,
// -1 unknown.
func truthy(v analysis.Value, ok bool) int {
	if !ok {
		return 0
	}
	if !v.Known {
		return -1
	}
	switch strings.ToLower(strings.TrimSpace(v.S)) {
	case "", "0", "false", "no", "off":
		return 0
	}
	return 1
}

// homeFor returns the home directory of a user as written in USER ("" is
// root); "~" when it cannot be known.
func homeFor(user string, home analysis.Value, homeSet bool) string {
	if homeSet {
		if home.Known && strings.HasPrefix(home.S, "/") {
			return path.Clean(home.S)
		}
		return "~"
	}
	name, _, _ := strings.Cut(user, ":")
	switch {
	case name == "" || name == "root" || name == "0":
		return "/root"
	case strings.ContainsAny(name, "$") || name[0] >= '0' && name[0] <= '9':
		return "~" // a variable, or a UID without a name
	}
	return "/home/" + name
}

// dirVar returns a directory from a variable or flag value: ok is false
// when it is not set, unknown when it is set to something not known.
func dirValue(v analysis.Value, set bool) (dir string, ok, unknown bool) {
	if !set {
		return "", false, false
	}
	if !v.Known || !strings.HasPrefix(v.S, "/") {
		return "", true, true
	}
	return path.Clean(v.S), true, false
}

// cacheOf returns what a command needs cached; ok is false for commands
// that download nothing the rules know a cache for, or when the cache's
// location is not known (a variable without a known value).
func cacheOf(c *analysis.Command, env runEnv, user string) (tc toolCache, ok bool) {
	switch c.Eco {
	case analysis.EcoApt, analysis.EcoApk, analysis.EcoPip, analysis.EcoNpm, analysis.EcoYarn, analysis.EcoPnpm,
		analysis.EcoGo, analysis.EcoCargo, analysis.EcoMaven, analysis.EcoGradle, analysis.EcoBundler,
		analysis.EcoComposer, analysis.EcoUv, analysis.EcoPoetry:
	default:
		return tc, false // most commands: no lookups for them
	}
	homeV, homeSet := env.get(c, "HOME")
	home := homeFor(user, homeV, homeSet)
	rootHome := home == "/root"
	// pick returns the first set of the variables or flag values, else
	// def; isDefault tells need which it was.
	unknown, isDefault := false, false
	pick := func(vars []string, flags []string, def string) string {
		isDefault = false
		for _, f := range flags {
			if w, ok := c.FlagValue(f); ok {
				d, _, unk := dirValue(analysis.Value{S: w.Text, Known: w.Literal}, true)
				if unk {
					unknown = true
				}
				return d
			}
		}
		for _, n := range vars {
			v, set := env.get(c, n)
			if d, ok, unk := dirValue(v, set); ok {
				if unk {
					unknown = true
				}
				return d
			}
		}
		isDefault = true
		return def
	}
	xdgCache := pick([]string{"XDG_CACHE_HOME"}, nil, home+"/.cache")
	// need makes a cacheNeed; a directory the Dockerfile chose (with a
	// variable or a flag) must be mounted itself, while the default
	// location is also recognized in a target that names the tool.
	need := func(dir string, kws ...string) cacheNeed {
		if !isDefault {
			kws = nil
		}
		isDefault = true
		return cacheNeed{dir: dir, kws: kws}
	}
	tc.tool, tc.home = c.Name, home
	if c.Sub != "" {
		tc.tool += " " + c.Sub
	}
	offIf := func(flags []string, vars ...string) {
		if w, ok := c.Flag(flags...); ok && len(flags) > 0 {
			tc.off, tc.offFlag = true, w
			return
		}
		for _, n := range vars {
			switch truthy(env.get(c, n)) {
			case 1:
				tc.off, tc.offEnv = true, n
				return
			case -1:
				tc.unsure = true
			}
		}
	}
	install := c.Op == analysis.OpInstallDeps || c.Op == analysis.OpInstallPkgs
	switch c.Eco {
	case analysis.EcoApt:
		if c.Op != analysis.OpInstallPkgs {
			return tc, false
		}
		isDefault = true
		tc.needs = []cacheNeed{need("/var/cache/apt"), need("/var/lib/apt")}
	case analysis.EcoApk:
		if c.Op != analysis.OpInstallPkgs {
			return tc, false
		}
		isDefault = true
		tc.needs = []cacheNeed{need("/var/cache/apk", "apk")}
		offIf([]string{"--no-cache"})
	case analysis.EcoPip:
		if !install {
			return tc, false
		}
		tc.needs = []cacheNeed{need(pick([]string{"PIP_CACHE_DIR"}, []string{"--cache-dir"}, xdgCache+"/pip"), "pip")}
		offIf([]string{"--no-cache-dir"}, "PIP_NO_CACHE_DIR")
	case analysis.EcoNpm:
		if !install {
			return tc, false
		}
		tc.needs = []cacheNeed{need(pick([]string{"npm_config_cache", "NPM_CONFIG_CACHE"}, []string{"--cache"}, home+"/.npm"), "npm")}
	case analysis.EcoYarn:
		if !install {
			return tc, false
		}
		def := home + "/.cache/yarn"
		if rootHome {
			def = "/usr/local/share/.cache/yarn"
		}
		tc.needs = []cacheNeed{need(pick([]string{"YARN_CACHE_FOLDER"}, []string{"--cache-folder"}, def), "yarn")}
	case analysis.EcoPnpm:
		if !install {
			return tc, false
		}
		def := pick([]string{"XDG_DATA_HOME"}, nil, home+"/.local/share") + "/pnpm/store"
		chosen := false
		if v, set := env.get(c, "PNPM_HOME"); set {
			d, _, unk := dirValue(v, set)
			unknown = unknown || unk
			def, chosen = d+"/store", true
		}
		dir := pick([]string{"npm_config_store_dir", "NPM_CONFIG_STORE_DIR"}, []string{"--store-dir"}, def)
		isDefault = isDefault && !chosen
		tc.needs = []cacheNeed{need(dir, "pnpm")}
	case analysis.EcoGo:
		gopath := pick([]string{"GOPATH"}, nil, home+"/go")
		if i := strings.IndexByte(gopath, ':'); i >= 0 {
			gopath = gopath[:i]
		}
		modDir := pick([]string{"GOMODCACHE"}, nil, gopath+"/pkg/mod")
		mod := need(modDir, "pkg/mod", "gomod", "go-mod", "modcache", "go/mod")
		buildDir := pick([]string{"GOCACHE"}, nil, xdgCache+"/go-build")
		build := need(buildDir, "go-build", "gocache", "go-cache", "gobuild")
		vendor := false
		if _, ok := c.Flag("-mod=vendor"); ok {
			vendor = true
		}
		if v, ok := env.get(c, "GOFLAGS"); ok && (!v.Known || strings.Contains(v.S, "-mod=vendor")) {
			vendor = true
		}
		switch c.Op {
		case analysis.OpInstallDeps:
			if c.Sub == "mod vendor" {
				return tc, false
			}
			tc.needs = []cacheNeed{mod}
		case analysis.OpBuild, analysis.OpInstallPkgs:
			if !vendor {
				tc.needs = append(tc.needs, mod)
			}
			tc.needs = append(tc.needs, build)
		default:
			return tc, false
		}
		if v, ok := env.get(c, "GOCACHE"); ok && v.Known && v.S == "off" {
			return tc, false
		}
	case analysis.EcoCargo:
		if c.Op != analysis.OpBuild && c.Op != analysis.OpInstallDeps && c.Op != analysis.OpInstallPkgs {
			return tc, false
		}
		ch := pick([]string{"CARGO_HOME"}, nil, home+"/.cargo")
		def := isDefault
		registry := need(ch+"/registry", "registry")
		isDefault = def
		tc.needs = []cacheNeed{registry, need(ch+"/git", "cargo/git", "cargo-git", "/git")}
	case analysis.EcoMaven:
		if c.Op != analysis.OpBuild && c.Op != analysis.OpInstallDeps {
			return tc, false
		}
		repo := home + "/.m2"
		isDefault = true
		if w, ok := c.FlagValue("-Dmaven.repo.local"); ok {
			d, _, unk := dirValue(analysis.Value{S: w.Text, Known: w.Literal}, true)
			repo, unknown, isDefault = d, unknown || unk, false
		}
		tc.needs = []cacheNeed{need(repo, "m2", "maven")}
	case analysis.EcoGradle:
		if c.Op != analysis.OpBuild && c.Op != analysis.OpInstallDeps {
			return tc, false
		}
		tc.needs = []cacheNeed{need(pick([]string{"GRADLE_USER_HOME"}, []string{"-g", "--gradle-user-home"}, home+"/.gradle"), "gradle")}
	case analysis.EcoBundler:
		if c.Name == "gem" || c.Op != analysis.OpInstallDeps {
			return tc, false
		}
		def := home + "/.bundle/cache"
		if v, ok := env.get(c, "GEM_HOME"); ok {
			d, _, unk := dirValue(v, ok)
			unknown = unknown || unk
			def = d + "/cache"
		}
		isDefault = true
		tc.needs = []cacheNeed{need(def, "bundle", "gem")}
	case analysis.EcoComposer:
		if !install && c.Op != analysis.OpUpgradeDeps {
			return tc, false
		}
		def := xdgCache + "/composer"
		chosen := false
		if v, ok := env.get(c, "COMPOSER_HOME"); ok {
			d, _, unk := dirValue(v, ok)
			unknown = unknown || unk
			def, chosen = d+"/cache", true
		}
		dir := pick([]string{"COMPOSER_CACHE_DIR"}, nil, def)
		isDefault = isDefault && !chosen
		tc.needs = []cacheNeed{need(dir, "composer")}
		offIf([]string{"--no-cache"})
	case analysis.EcoUv:
		if !install {
			return tc, false
		}
		tc.needs = []cacheNeed{need(pick([]string{"UV_CACHE_DIR"}, []string{"--cache-dir"}, xdgCache+"/uv"), "/uv", "uv-cache", "uv_cache")}
		offIf([]string{"--no-cache", "-n"}, "UV_NO_CACHE")
	case analysis.EcoPoetry:
		if !install {
			return tc, false
		}
		tc.needs = []cacheNeed{need(pick([]string{"POETRY_CACHE_DIR"}, nil, xdgCache+"/pypoetry"), "poetry")}
		offIf([]string{"--no-cache"})
	default:
		return tc, false
	}
	if unknown || len(tc.needs) == 0 {
		return tc, false
	}
	return tc, true
}

// cacheTargets returns the targets of a RUN's cache mounts, with $HOME
// and ~ replaced by home and other variables looked up; a target that
// stays unknown is returned as "?".
func cacheTargets(ms []analysis.Mount, c *analysis.Command, env runEnv, home string) []string {
	var out []string
	for _, m := range ms {
		if m.Type != "cache" {
			continue
		}
		out = append(out, resolveTarget(m.Target, c, env, home))
	}
	return out
}

func resolveTarget(t string, c *analysis.Command, env runEnv, home string) string {
	if strings.HasPrefix(t, "~/") || t == "~" {
		t = home + t[1:]
	}
	if !strings.Contains(t, "$") {
		if t == "" {
			return "?"
		}
		if !strings.HasPrefix(t, "/") {
			return "?" // relative to the WORKDIR
		}
		return path.Clean(t)
	}
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		if t[i] != '$' {
			b.WriteByte(t[i])
			continue
		}
		j := i + 1
		brace := j < len(t) && t[j] == '{'
		if brace {
			j++
		}
		k := j
		for k < len(t) && (t[k] == '_' || 'a' <= t[k] && t[k] <= 'z' || 'A' <= t[k] && t[k] <= 'Z' || '0' <= t[k] && t[k] <= '9') {
			k++
		}
		name := t[j:k]
		if brace {
			if k >= len(t) || t[k] != '}' {
				return "?"
			}
			k++
		}
		if name == "" {
			return "?"
		}
		var v analysis.Value
		var ok bool
		if c != nil {
			v, ok = env.get(c, name)
		} else if env.s != nil {
			v, ok = env.s.EnvAt(env.in, name)
		}
		if name == "HOME" && !ok {
			v, ok = analysis.Value{S: home, Known: home != "~"}, true
		}
		if !ok || !v.Known {
			return "?"
		}
		b.WriteString(v.S)
		i = k - 1
	}
	r := b.String()
	if !strings.HasPrefix(r, "/") {
		return "?"
	}
	return path.Clean(r)
}

// covered reports whether one of the targets caches the directory: the
// same directory, one above or below it, a target that names the tool
// (outside the home of another user), or a target the model cannot
// resolve.
func covered(targets []string, n cacheNeed, home string) bool {
	for _, t := range targets {
		if t == "?" || within(n.dir, t) || within(t, n.dir) {
			return true
		}
		if home != "~" && (within(t, "/root") && home != "/root" || strings.HasPrefix(t, "/home/") && !within(t, home)) {
			continue
		}
		lt := strings.ToLower(t)
		for _, kw := range n.kws {
			if strings.Contains(lt, kw) {
				return true
			}
		}
	}
	return false
}

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	if dir == "/" || dir == "" || strings.HasPrefix(dir, "~") || strings.HasPrefix(p, "~") {
		return false
	}
	return p == dir || strings.HasPrefix(p, dir+"/")
}

// userAt returns the USER in effect at the k-th instruction of the stage
// (after FROM), as written or expanded: the stage's last USER before it,
// else its parent stages' ("" when none sets one).
func userAt(s *analysis.Stage, k int) string {
	// The first USER argument of the last USER before the k-th
	// instruction; the stage's arguments are in instruction order.
	if n := min(k, len(s.Instructions)); n > 0 {
		limit := s.Instructions[n-1].Index
		var last *analysis.Instruction
		user := ""
		for a := range s.ArgsOf(analysis.RoleUser) {
			if a.Instruction.Index > limit {
				break
			}
			if a.Instruction == last {
				continue
			}
			last = a.Instruction
			user = a.Value.S
			if !a.Value.Known {
				user = "$"
			}
		}
		if last != nil {
			return user
		}
	}
	if p := s.Parent; p != nil {
		// The parent's USER at its end, inherited from its own parents.
		if p.User.Known || p.User.S == "" {
			return p.User.S
		}
		return "$"
	}
	return ""
}

// overlaps reports whether deleting what the pattern (a path, maybe with
// glob characters) matches deletes dir or something inside it: the
// pattern's segments match dir's, as far as both go. The root never
// overlaps.
func overlaps(pattern, dir string) bool {
	if !strings.HasPrefix(pattern, "/") || !strings.HasPrefix(dir, "/") {
		return false
	}
	pattern, dir = path.Clean(pattern), path.Clean(dir)
	if pattern == "/" || dir == "/" {
		return false
	}
	ps, ds := strings.Split(pattern[1:], "/"), strings.Split(dir[1:], "/")
	for i := 0; i < len(ps) && i < len(ds); i++ {
		if ps[i] == ds[i] {
			continue
		}
		if ok, err := path.Match(ps[i], ds[i]); err != nil || !ok {
			return false
		}
	}
	return true
}

// knownUIDs are the ids of the non-root users official images create, the
// same in their Debian and Alpine variants (www-data aside, see mountOwner).
var knownUIDs = map[string]string{
	"node":    "uid=1000,gid=1000",   // node
	"nonroot": "uid=65532,gid=65532", // distroless, chainguard
	"nobody":  "uid=65534,gid=65534",
}

// mountOwner returns the options that make a cache mount writable for the
// RUN's user on the stage's base image: BuildKit creates it owned by root,
// mode 0755, and a tool running as another user cannot write to it (pip
// then turns its cache off). known is false for a non-root user whose ids
// are not known.
func mountOwner(user string, im analysis.BaseImage) (opts string, known bool) {
	if user == "$" {
		return "", true // not known: say nothing
	}
	name, group, _ := strings.Cut(user, ":")
	if user == "" || analysis.IsRootUser(user) {
		return "", true
	}
	if isDigits(name) {
		if group == "" || !isDigits(group) {
			group = name
		}
		return "uid=" + name + ",gid=" + group, true
	}
	if group != "" && group != name {
		return "", false
	}
	if name == "www-data" {
		// Debian's www-data is 33, Alpine's (and so php's -alpine
		// images') 82.
		switch im.Libc {
		case analysis.Glibc:
			return "uid=33,gid=33", true
		case analysis.Musl:
			return "uid=82,gid=82", true
		}
		return "", false
	}
	o, ok := knownUIDs[name]
	return o, ok
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
