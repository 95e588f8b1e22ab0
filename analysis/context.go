// This file defines BuildContext: the directory a Dockerfile is built from,
// which files it holds (a cached, one-level scan of the directories rules
// ask about, with the well-known manifests, lockfiles, secrets and build
// outputs among them; package.json's fields on demand) and what its
// .dockerignore excludes.
package analysis

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// BuildContext describes the build context of a Dockerfile. A nil
// *BuildContext means the context is unknown; rules that need it stay quiet.
// Its methods are safe for concurrent use.
type BuildContext struct {
	// Dir is the context directory ("" when unknown).
	Dir string

	ignorePath string // the ignore file read, "" if none
	patterns   []string

	mu      sync.Mutex // guards matcher (it compiles lazily), exists, scans and pkgs
	matcher *patternmatcher.PatternMatcher
	exists  map[string]bool
	scans   map[string]*DirScan
	pkgs    map[string]pkgResult
}

// NewBuildContext describes the context dir of the Dockerfile at
// dockerfilePath. Like BuildKit it reads `<Dockerfile>.dockerignore` beside
// the Dockerfile if there is one, else `<dir>/.dockerignore`. A missing
// directory or ignore file is not an error. An ignore file that cannot be
// read or holds an invalid pattern is: the context is still returned,
// without ignore patterns.
func NewBuildContext(dir, dockerfilePath string) (*BuildContext, error) {
	bc := &BuildContext{Dir: dir, exists: map[string]bool{}}
	var candidates []string
	if dockerfilePath != "" {
		candidates = append(candidates, dockerfilePath+".dockerignore")
	}
	if dir != "" {
		candidates = append(candidates, filepath.Join(dir, ".dockerignore"))
	}
	for _, p := range candidates {
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return bc, fmt.Errorf("read %s: %w", p, err)
		}
		patterns, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return bc, fmt.Errorf("read %s: %w", p, err)
		}
		bc.ignorePath = p
		if len(patterns) == 0 {
			return bc, nil
		}
		m, err := patternmatcher.New(patterns)
		if err != nil {
			return bc, fmt.Errorf("parse %s: %w", p, err)
		}
		bc.patterns, bc.matcher = patterns, m
		return bc, nil
	}
	return bc, nil
}

// HasDockerignore reports whether an ignore file was found.
func (bc *BuildContext) HasDockerignore() bool { return bc != nil && bc.ignorePath != "" }

// DockerignorePath returns the path of the ignore file read, or "".
func (bc *BuildContext) DockerignorePath() string {
	if bc == nil {
		return ""
	}
	return bc.ignorePath
}

// Patterns returns the ignore patterns, as BuildKit reads them (comments
// dropped, paths cleaned, `!` exceptions kept).
func (bc *BuildContext) Patterns() []string {
	if bc == nil {
		return nil
	}
	return append([]string(nil), bc.patterns...)
}

// HasExclusions reports whether the patterns hold `!` exceptions.
func (bc *BuildContext) HasExclusions() bool {
	return bc != nil && bc.matcher != nil && bc.matcher.Exclusions()
}

// IgnoresRoot reports whether a pattern excludes every entry of the context
// root (`*`, `**` or `**/*`), so that copying the root copies nothing.
func (bc *BuildContext) IgnoresRoot() bool {
	if bc == nil || bc.matcher == nil {
		return false
	}
	for _, p := range bc.matcher.Patterns() {
		if p.Exclusion() {
			continue
		}
		switch p.String() {
		case "*", "**", "**/*":
			return true
		}
	}
	return false
}

// cleanContextPath cleans a context-relative path as BuildKit does before
// matching it (filepath.Clean, forward slashes).
func cleanContextPath(p string) string { return filepath.ToSlash(filepath.Clean(p)) }

// Ignored reports whether the ignore file excludes path, or a directory
// holding it, taking `!` exceptions into account. The path is relative to
// the context and cleaned as BuildKit cleans COPY sources before matching
// them (filepath.Clean, forward slashes; a leading slash is kept, and then
// only patterns that match it apply, as in BuildKit).
func (bc *BuildContext) Ignored(path string) bool {
	if bc == nil || bc.matcher == nil {
		return false
	}
	p := cleanContextPath(path)
	bc.mu.Lock()
	defer bc.mu.Unlock()
	ok, err := bc.matcher.MatchesOrParentMatches(p)
	return err == nil && ok
}

// Exists reports whether a path relative to the context exists. Results are
// cached for the life of the BuildContext. It is false when Dir is unknown.
func (bc *BuildContext) Exists(rel string) bool {
	if bc == nil || bc.Dir == "" {
		return false
	}
	rel = cleanContextPath(rel)
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if v, ok := bc.exists[rel]; ok {
		return v
	}
	_, err := os.Stat(filepath.Join(bc.Dir, filepath.FromSlash(rel)))
	bc.exists[rel] = err == nil
	return err == nil
}

// DirEntry is one entry of a context directory.
type DirEntry struct {
	Name string
	Dir  bool // a directory (or a link to one)
}

// Known is a kind of well-known file or directory a build context may hold.
type Known uint8

const (
	KnownPackageJSON    Known = iota // package.json
	KnownPackageLock                 // package-lock.json
	KnownNpmShrinkwrap               // npm-shrinkwrap.json
	KnownYarnLock                    // yarn.lock
	KnownPnpmLock                    // pnpm-lock.yaml
	KnownBunLock                     // bun.lockb, bun.lock
	KnownYarnrc                      // .yarnrc.yml (Yarn berry)
	KnownGoMod                       // go.mod
	KnownGoSum                       // go.sum
	KnownGoWork                      // go.work
	KnownCargoToml                   // Cargo.toml
	KnownCargoLock                   // Cargo.lock
	KnownGemfile                     // Gemfile
	KnownGemfileLock                 // Gemfile.lock
	KnownComposerJSON                // composer.json
	KnownComposerLock                // composer.lock
	KnownPyproject                   // pyproject.toml
	KnownPoetryLock                  // poetry.lock
	KnownUvLock                      // uv.lock
	KnownPdmLock                     // pdm.lock
	KnownPipfile                     // Pipfile
	KnownPipfileLock                 // Pipfile.lock
	KnownRequirements                // requirements*.txt
	KnownSetupPy                     // setup.py, setup.cfg
	KnownPomXML                      // pom.xml
	KnownMvnw                        // mvnw
	KnownBuildGradle                 // build.gradle, build.gradle.kts
	KnownSettingsGradle              // settings.gradle, settings.gradle.kts
	KnownGradlew                     // gradlew
	KnownDotnetProject               // *.csproj, *.fsproj, *.vbproj
	KnownSolution                    // *.sln
	KnownAngularJSON                 // angular.json
	KnownTSConfig                    // tsconfig.json
	KnownGit                         // .git (a directory, or a file in a worktree)
	KnownEnvFile                     // .env, .env.* (examples and templates excluded)
	KnownKeyFile                     // *.pem, *.key, *.p12, *.pfx, id_rsa, id_dsa, id_ecdsa, id_ed25519
	KnownNodeModules                 // node_modules/
	KnownTarget                      // target/ (Maven, Cargo)
	KnownPycache                     // __pycache__/
	KnownVenv                        // .venv/, venv/
	KnownDist                        // dist/
	KnownBuildDir                    // build/
	KnownNextDir                     // .next/
	KnownGradleDir                   // .gradle/
	KnownBinDir                      // bin/
	KnownObjDir                      // obj/
	numKnown
)

// knownKind says which names make a Known, and whether it must be a
// directory (1), a file (0) or either (-1).
type knownKind struct {
	patterns []string // path.Match patterns on the entry name
	dir      int8
}

var knownKinds = [numKnown]knownKind{
	KnownPackageJSON:    {[]string{"package.json"}, 0},
	KnownPackageLock:    {[]string{"package-lock.json"}, 0},
	KnownNpmShrinkwrap:  {[]string{"npm-shrinkwrap.json"}, 0},
	KnownYarnLock:       {[]string{"yarn.lock"}, 0},
	KnownPnpmLock:       {[]string{"pnpm-lock.yaml"}, 0},
	KnownBunLock:        {[]string{"bun.lockb", "bun.lock"}, 0},
	KnownYarnrc:         {[]string{".yarnrc.yml"}, 0},
	KnownGoMod:          {[]string{"go.mod"}, 0},
	KnownGoSum:          {[]string{"go.sum"}, 0},
	KnownGoWork:         {[]string{"go.work"}, 0},
	KnownCargoToml:      {[]string{"Cargo.toml"}, 0},
	KnownCargoLock:      {[]string{"Cargo.lock"}, 0},
	KnownGemfile:        {[]string{"Gemfile"}, 0},
	KnownGemfileLock:    {[]string{"Gemfile.lock"}, 0},
	KnownComposerJSON:   {[]string{"composer.json"}, 0},
	KnownComposerLock:   {[]string{"composer.lock"}, 0},
	KnownPyproject:      {[]string{"pyproject.toml"}, 0},
	KnownPoetryLock:     {[]string{"poetry.lock"}, 0},
	KnownUvLock:         {[]string{"uv.lock"}, 0},
	KnownPdmLock:        {[]string{"pdm.lock"}, 0},
	KnownPipfile:        {[]string{"Pipfile"}, 0},
	KnownPipfileLock:    {[]string{"Pipfile.lock"}, 0},
	KnownRequirements:   {[]string{"requirements*.txt"}, 0},
	KnownSetupPy:        {[]string{"setup.py", "setup.cfg"}, 0},
	KnownPomXML:         {[]string{"pom.xml"}, 0},
	KnownMvnw:           {[]string{"mvnw"}, 0},
	KnownBuildGradle:    {[]string{"build.gradle", "build.gradle.kts"}, 0},
	KnownSettingsGradle: {[]string{"settings.gradle", "settings.gradle.kts"}, 0},
	KnownGradlew:        {[]string{"gradlew"}, 0},
	KnownDotnetProject:  {[]string{"*.csproj", "*.fsproj", "*.vbproj"}, 0},
	KnownSolution:       {[]string{"*.sln"}, 0},
	KnownAngularJSON:    {[]string{"angular.json"}, 0},
	KnownTSConfig:       {[]string{"tsconfig.json"}, 0},
	KnownGit:            {[]string{".git"}, -1},
	KnownEnvFile:        {[]string{".env", ".env.*"}, 0},
	KnownKeyFile:        {[]string{"*.pem", "*.key", "*.p12", "*.pfx", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}, 0},
	KnownNodeModules:    {[]string{"node_modules"}, 1},
	KnownTarget:         {[]string{"target"}, 1},
	KnownPycache:        {[]string{"__pycache__"}, 1},
	KnownVenv:           {[]string{".venv", "venv"}, 1},
	KnownDist:           {[]string{"dist"}, 1},
	KnownBuildDir:       {[]string{"build"}, 1},
	KnownNextDir:        {[]string{".next"}, 1},
	KnownGradleDir:      {[]string{".gradle"}, 1},
	KnownBinDir:         {[]string{"bin"}, 1},
	KnownObjDir:         {[]string{"obj"}, 1},
}

// envTemplate reports whether an .env.* name is a committed template
// rather than a file holding secrets.
func envTemplate(name string) bool {
	switch strings.TrimPrefix(name, ".env.") {
	case "example", "sample", "template", "dist", "defaults", "schema":
		return true
	}
	return false
}

// maxListed bounds how many entries of one directory a scan reads: a
// context directory with more is read partially (the scan is a hint, never
// a walk of a huge tree).
const maxListed = 5000

// DirScan is one level of a context directory: its entries and the
// well-known files and directories among them. A nil *DirScan is an
// unknown or unreadable directory: it holds nothing.
type DirScan struct {
	Dir     string     // context-relative, "." for the root
	Entries []DirEntry // sorted by name
	// Partial is set when the directory had more than maxListed entries.
	Partial bool

	known [numKnown][]string
}

// Has reports whether the directory holds a file of kind k.
func (s *DirScan) Has(k Known) bool { return s != nil && k < numKnown && len(s.known[k]) > 0 }

// Names returns the names of the directory's entries of kind k.
func (s *DirScan) Names(k Known) []string {
	if s == nil || k >= numKnown {
		return nil
	}
	return s.known[k]
}

// Lookup returns the entry named name.
func (s *DirScan) Lookup(name string) (DirEntry, bool) {
	if s == nil {
		return DirEntry{}, false
	}
	i, ok := slices.BinarySearchFunc(s.Entries, name, func(e DirEntry, n string) int { return strings.Compare(e.Name, n) })
	if !ok {
		return DirEntry{}, false
	}
	return s.Entries[i], true
}

// Scan returns one level of the context directory rel (relative to the
// context; "" or "." for the root): its entries and the well-known files
// among them. It reads the directory once and caches the result for the
// life of the BuildContext; it never descends into subdirectories. It is
// nil when the context is unknown or rel is not a readable directory
// inside it.
func (bc *BuildContext) Scan(rel string) *DirScan {
	if bc == nil || bc.Dir == "" {
		return nil
	}
	rel = cleanContextPath(rel)
	if rel == "/" || strings.HasPrefix(rel, "/") {
		rel = cleanContextPath(strings.TrimLeft(rel, "/"))
	}
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return nil
	}
	bc.mu.Lock()
	s, ok := bc.scans[rel]
	bc.mu.Unlock()
	if ok {
		return s
	}
	s = scanDir(filepath.Join(bc.Dir, filepath.FromSlash(rel)), rel)
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if bc.scans == nil {
		bc.scans = map[string]*DirScan{}
	}
	if prev, ok := bc.scans[rel]; ok {
		return prev // another goroutine scanned it first
	}
	bc.scans[rel] = s
	return s
}

func scanDir(dir, rel string) *DirScan {
	f, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer f.Close()
	ents, err := f.ReadDir(maxListed + 1)
	if err != nil && !errors.Is(err, io.EOF) && len(ents) == 0 {
		return nil
	}
	s := &DirScan{Dir: rel}
	if len(ents) > maxListed {
		ents, s.Partial = ents[:maxListed], true
	}
	s.Entries = make([]DirEntry, 0, len(ents))
	for _, e := range ents {
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil {
				isDir = fi.IsDir()
			}
		}
		s.Entries = append(s.Entries, DirEntry{Name: e.Name(), Dir: isDir})
	}
	slices.SortFunc(s.Entries, func(a, b DirEntry) int { return strings.Compare(a.Name, b.Name) })
	exact, globs := knownMatchers()
	for _, e := range s.Entries {
		matched := [numKnown]bool{}
		match := func(k Known) {
			kind := &knownKinds[k]
			if matched[k] || kind.dir == 1 && !e.Dir || kind.dir == 0 && e.Dir {
				return
			}
			if k == KnownEnvFile && envTemplate(e.Name) {
				return
			}
			matched[k] = true
			s.known[k] = append(s.known[k], e.Name)
		}
		for _, k := range exact[e.Name] {
			match(k)
		}
		for _, g := range globs {
			if g.matches(e.Name) {
				match(g.kind)
			}
		}
	}
	return s
}

type knownGlob struct {
	kind    Known
	pattern string
	// prefix and suffix split a pattern with a single '*' and no other
	// metacharacter, the common case, matched without path.Match.
	prefix, suffix string
	simple         bool
}

func (g *knownGlob) matches(name string) bool {
	if g.simple {
		return len(name) >= len(g.prefix)+len(g.suffix) && strings.HasPrefix(name, g.prefix) && strings.HasSuffix(name, g.suffix)
	}
	ok, _ := path.Match(g.pattern, name)
	return ok
}

// knownMatchers splits the patterns of knownKinds into exact names, looked
// up in a map, and the few globs: a context directory may list thousands of
// entries.
var knownMatchers = sync.OnceValues(func() (map[string][]Known, []knownGlob) {
	exact := map[string][]Known{}
	var globs []knownGlob
	for k := range numKnown {
		for _, p := range knownKinds[k].patterns {
			if strings.ContainsAny(p, "*?[\\") {
				g := knownGlob{kind: Known(k), pattern: p}
				if strings.Count(p, "*") == 1 && !strings.ContainsAny(p, "?[\\") {
					g.prefix, g.suffix, _ = strings.Cut(p, "*")
					g.simple = true
				}
				globs = append(globs, g)
			} else {
				exact[p] = append(exact[p], Known(k))
			}
		}
	}
	return exact, globs
})

// PackageJSON is what dockwise reads of a package.json.
type PackageJSON struct {
	Name string
	// PackageManager is the Corepack field, e.g. "pnpm@9.1.0".
	PackageManager  string
	Scripts         map[string]string
	Dependencies    map[string]string
	DevDependencies map[string]string
}

// Manager returns the package manager the packageManager field names
// ("npm", "yarn", "pnpm", "bun"), or "".
func (p *PackageJSON) Manager() string {
	if p == nil {
		return ""
	}
	name, _, _ := strings.Cut(p.PackageManager, "@")
	return strings.TrimSpace(name)
}

// BuildScript returns the `build` script, or "".
func (p *PackageJSON) BuildScript() string {
	if p == nil {
		return ""
	}
	return p.Scripts["build"]
}

type pkgResult struct {
	pkg *PackageJSON
	err error
}

// maxPackageJSON bounds the size of a package.json dockwise reads.
const maxPackageJSON = 1 << 20

// PackageJSON reads the package.json in the context directory rel ("." for
// the root), once; the result is cached for the life of the BuildContext.
// It returns nil and no error when there is none (or the context is
// unknown), and an error when the file cannot be read or is not JSON.
func (bc *BuildContext) PackageJSON(rel string) (*PackageJSON, error) {
	if bc == nil || bc.Dir == "" {
		return nil, nil
	}
	rel = cleanContextPath(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") || strings.HasPrefix(rel, "/") {
		return nil, nil
	}
	bc.mu.Lock()
	r, ok := bc.pkgs[rel]
	bc.mu.Unlock()
	if ok {
		return r.pkg, r.err
	}
	r = readPackageJSON(filepath.Join(bc.Dir, filepath.FromSlash(rel), "package.json"))
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if bc.pkgs == nil {
		bc.pkgs = map[string]pkgResult{}
	}
	bc.pkgs[rel] = r
	return r.pkg, r.err
}

func readPackageJSON(p string) pkgResult {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return pkgResult{}
	}
	if err != nil {
		return pkgResult{err: fmt.Errorf("read %s: %w", p, err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPackageJSON+1))
	if err != nil {
		return pkgResult{err: fmt.Errorf("read %s: %w", p, err)}
	}
	if len(data) > maxPackageJSON {
		return pkgResult{err: fmt.Errorf("read %s: larger than %d bytes", p, maxPackageJSON)}
	}
	// Fields are read one by one, so that one of an unexpected type (a
	// hand-edited file) loses only that field.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return pkgResult{err: fmt.Errorf("parse %s: %w", p, err)}
	}
	var pkg PackageJSON
	json.Unmarshal(fields["name"], &pkg.Name)
	json.Unmarshal(fields["packageManager"], &pkg.PackageManager)
	pkg.Scripts = stringMap(fields["scripts"])
	pkg.Dependencies = stringMap(fields["dependencies"])
	pkg.DevDependencies = stringMap(fields["devDependencies"])
	return pkgResult{pkg: &pkg}
}

// stringMap decodes a JSON object's string members, skipping the others.
func stringMap(raw json.RawMessage) map[string]string {
	var m map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
		}
	}
	return out
}
