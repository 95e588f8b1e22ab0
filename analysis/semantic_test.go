// This file tests the semantic model: stages and their graph, scopes with
// resolved values, USER and WORKDIR, image references, platforms, the
// build context, and that the model of an edited file equals the model of
// the same text parsed from scratch.
package analysis

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/internal/bigfile"
	"github.com/google/go-cmp/cmp"
)

func TestModelStages(t *testing.T) {
	f := Parse(`ARG BASE=alpine:3.20
ARG GO=1.23
FROM golang:${GO} AS Build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/.cache go build -o /out/app .
FROM ${BASE} AS runtime
COPY --from=build /out/app /usr/bin/app
COPY --from=0 /src/LICENSE /
FROM runtime
USER 1000
RUN --mount=from=build,target=/b true
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
`)
	m := f.Semantics()
	if len(m.Stages) != 3 {
		t.Fatalf("got %d stages, want 3", len(m.Stages))
	}
	build, runtime, last := m.Stages[0], m.Stages[1], m.Stages[2]
	if build.Name != "build" || runtime.Name != "runtime" || last.Name != "" {
		t.Errorf("names %q %q %q", build.Name, runtime.Name, last.Name)
	}
	if got := f.Text[build.NameStart:build.NameEnd]; got != "Build" {
		t.Errorf("name range covers %q", got)
	}
	if build.BaseValue != (Value{S: "golang:1.23", Known: true}) {
		t.Errorf("build base %+v", build.BaseValue)
	}
	if want := (ImageRef{Registry: "docker.io", Repository: "library/golang", Tag: "1.23"}); build.Base != want {
		t.Errorf("build base ref %+v, want %+v", build.Base, want)
	}
	if runtime.BaseValue.S != "alpine:3.20" || runtime.Base.Name() != "alpine" || runtime.Parent != nil {
		t.Errorf("runtime base %+v %+v parent %v", runtime.BaseValue, runtime.Base, runtime.Parent)
	}
	if last.Parent != runtime || last.Base != (ImageRef{}) {
		t.Errorf("last stage parent %v base %+v", last.Parent, last.Base)
	}
	if len(build.Instructions) != 3 || build.Instructions[0].Keyword() != "WORKDIR" {
		t.Errorf("build instructions %d", len(build.Instructions))
	}
	type dep struct {
		kind  DepKind
		ref   string
		stage int
		text  string
	}
	var deps []dep
	for _, s := range m.Stages {
		for _, d := range s.Deps {
			idx := -1
			if d.Stage != nil {
				idx = d.Stage.Index
			}
			deps = append(deps, dep{d.Kind, d.Ref, idx, f.Text[d.Start:d.End]})
		}
	}
	want := []dep{
		{CopyFrom, "build", 0, "--from=build"},
		{CopyFrom, "0", 0, "--from=0"},
		{MountFrom, "build", 0, "build"},
		{CopyFrom, "nginx:1.27", -1, "--from=nginx:1.27"},
	}
	if diff := cmp.Diff(want, deps, cmp.AllowUnexported(dep{})); diff != "" {
		t.Errorf("deps (-want +got):\n%s", diff)
	}
	for _, in := range f.Instructions() {
		s := m.StageOf(in)
		switch {
		case in.Index < 2 && s != nil:
			t.Errorf("global ARG %d in a stage", in.Index)
		case in.Index >= 2 && s == nil:
			t.Errorf("instruction %d has no stage", in.Index)
		}
	}
	if got := len(m.GlobalInstructions()); got != 2 {
		t.Errorf("%d global instructions", got)
	}
	if m.StageByName("BUILD") != build || m.StageByName("nope") != nil {
		t.Error("StageByName")
	}
}

func TestModelScopes(t *testing.T) {
	f := Parse(`ARG VERSION=1.2
ARG UNSET
FROM golang:1.23 AS build
ARG VERSION
ARG TARGETARCH
ENV APP_HOME=/srv/app BIN=$GOPATH/bin
ENV APP_HOME=$APP_HOME/v$VERSION
WORKDIR $APP_HOME
WORKDIR sub
USER app:app
FROM build AS child
ENV EXTRA=1
FROM mycorp/base:1
ENV X=$WHATEVER
`)
	m := f.Semantics()
	build, child, unknown := m.Stages[0], m.Stages[1], m.Stages[2]
	lookup := func(s *Stage, name string) string {
		v, ok := s.Env.Lookup(name)
		if !ok {
			return "<undefined>"
		}
		if !v.Value.Known {
			return "<unknown>"
		}
		return v.Value.S
	}
	for _, c := range []struct{ name, want string }{
		{"VERSION", "1.2"},
		{"TARGETARCH", DefaultTargetPlatform.Arch},
		{"APP_HOME", "/srv/app/v1.2"},
		{"BIN", "/go/bin"},
		{"GOPATH", "/go"},
		{"GOLANG_VERSION", "<unknown>"},
		{"UNSET", "<undefined>"},
		{"EXTRA", "<undefined>"},
	} {
		if got := lookup(build, c.name); got != c.want {
			t.Errorf("build %s = %s, want %s", c.name, got, c.want)
		}
	}
	if build.Workdir != (Value{S: "/srv/app/v1.2/sub", Known: true}) {
		t.Errorf("workdir %+v", build.Workdir)
	}
	if build.User != (Value{S: "app:app", Known: true}) {
		t.Errorf("user %+v", build.User)
	}
	if lookup(child, "APP_HOME") != "/srv/app/v1.2" || lookup(child, "EXTRA") != "1" || child.Workdir != build.Workdir {
		t.Errorf("child does not inherit: %v %v %+v", lookup(child, "APP_HOME"), lookup(child, "EXTRA"), child.Workdir)
	}
	if !slices.Equal(child.Args, []string{"VERSION", "TARGETARCH"}) {
		t.Errorf("child args %v", child.Args)
	}
	if !unknown.Env.Open() || unknown.BaseKnown || lookup(unknown, "PATH") != "<unknown>" {
		t.Errorf("unknown base: open %v known %v", unknown.Env.Open(), unknown.BaseKnown)
	}
	if refs := unknown.VarRefs(); len(refs) != 1 || refs[0].State != RefUnknown {
		t.Errorf("refs in a stage of an unknown image: %+v", refs)
	}
	v, _ := build.Env.Lookup("APP_HOME")
	if def := m.Definition(v); def == nil || !strings.HasPrefix(def.Source(), "ENV APP_HOME=$APP_HOME") {
		t.Errorf("definition of APP_HOME: %v", def)
	}
	gv, _ := m.Globals.Lookup("VERSION")
	if def := m.Definition(gv); def == nil || def.Index != 0 {
		t.Errorf("definition of global VERSION: %v", def)
	}
	var states []string
	for _, r := range build.VarRefs() {
		states = append(states, fmt.Sprintf("%s=%d:%s", r.Name, r.State, f.Text[r.Start:r.End]))
	}
	want := []string{"GOPATH=1:$GOPATH", "APP_HOME=1:$APP_HOME", "VERSION=1:$VERSION", "APP_HOME=1:$APP_HOME"}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
}

func TestModelPlatforms(t *testing.T) {
	f := Parse(`FROM --platform=linux/arm64 alpine AS a
FROM --platform=$BUILDPLATFORM alpine AS b
FROM --platform=windows/amd64 a AS c
FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS d
`)
	m := f.Semantics()
	a, b, c, d := m.Stages[0], m.Stages[1], m.Stages[2], m.Stages[3]
	if p, ok := a.PlatformOf(); !ok || p.OS != "linux" || p.Arch != "arm64" {
		t.Errorf("a: %+v %v", p, ok)
	}
	if _, ok := b.PlatformOf(); ok {
		t.Error("b's platform depends on the build but is reported fixed")
	}
	if p, ok := c.PlatformOf(); !ok || p.Arch != "arm64" {
		t.Errorf("c inherits its parent's platform: %+v %v", p, ok)
	}
	if p, ok := c.RequestedPlatform(); !ok || p.OS != "windows" {
		t.Errorf("c requested %+v %v", p, ok)
	}
	if got := f.Text[a.PlatformStart:a.PlatformEnd]; got != "--platform=linux/arm64" {
		t.Errorf("platform range %q", got)
	}
	if d.OS() != "windows" || a.OS() != "linux" {
		t.Errorf("OS: d %s, a %s", d.OS(), a.OS())
	}
}

func TestParseImageRef(t *testing.T) {
	for _, c := range []struct {
		in   string
		want ImageRef
		err  bool
	}{
		{in: "alpine", want: ImageRef{Registry: "docker.io", Repository: "library/alpine"}},
		{in: "golang:1.23-alpine", want: ImageRef{Registry: "docker.io", Repository: "library/golang", Tag: "1.23-alpine"}},
		{in: "ghcr.io/org/app:v1", want: ImageRef{Registry: "ghcr.io", Repository: "org/app", Tag: "v1"}},
		{in: "localhost:5000/app", want: ImageRef{Registry: "localhost:5000", Repository: "app"}},
		{in: "org/app@sha256:" + strings.Repeat("a", 64), want: ImageRef{Registry: "docker.io", Repository: "org/app", Digest: "sha256:" + strings.Repeat("a", 64)}},
		{in: "MyRegistry/app", want: ImageRef{Registry: "MyRegistry", Repository: "app"}},
		{in: "alpine:", err: true},
		{in: "", err: true},
		{in: "org/App", err: true},
		{in: "alpine@sha256:abc", err: true},
		{in: strings.Repeat("a", 64), err: true},
		{in: "a b", err: true},
	} {
		got, err := ParseImageRef(c.in)
		if (err != nil) != c.err || !c.err && got != c.want {
			t.Errorf("ParseImageRef(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestParsePlatform(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      bool
	}{
		{in: "linux/amd64", want: "linux/amd64"},
		{in: "linux/arm64/v8", want: "linux/arm64/v8"},
		{in: "Linux/x86_64", want: "linux/amd64"},
		{in: "linux/arm", want: "linux/arm"},
		{in: "windows(10.0.17763)/amd64", want: "windows(10.0.17763)/amd64"},
		{in: "linux/", err: true},
		{in: "nosuchthing", err: true},
		{in: "linux/*", err: true},
	} {
		got, err := ParsePlatform(c.in)
		if (err != nil) != c.err || !c.err && got.String() != c.want {
			t.Errorf("ParsePlatform(%q) = %v, %v; want %s, error %v", c.in, got, err, c.want, c.err)
		}
	}
	if p, _ := ParsePlatform("linux/aarch64"); p.Normalize().String() != "linux/arm64" {
		t.Errorf("normalized aarch64: %v", p.Normalize())
	}
}

func TestBuildContext(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if bc, err := NewBuildContext(filepath.Join(dir, "missing"), ""); err != nil || bc.HasDockerignore() || bc.Ignored("x") {
		t.Errorf("missing dir: %v %v", bc, err)
	}
	write(".dockerignore", "# comment\n/build\n*.md\n!README.md\n")
	write("go.mod", "module x\n")
	bc, err := NewBuildContext(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if !bc.HasDockerignore() || bc.DockerignorePath() != filepath.Join(dir, ".dockerignore") || !bc.HasExclusions() {
		t.Errorf("ignore file %q exclusions %v", bc.DockerignorePath(), bc.HasExclusions())
	}
	if want := []string{"build", "*.md", "!README.md"}; !slices.Equal(bc.Patterns(), want) {
		t.Errorf("patterns %q, want %q", bc.Patterns(), want)
	}
	for path, want := range map[string]bool{"build": true, "build/out/x": true, "./build/x": true, "CHANGES.md": true,
		"README.md": false, "src/main.go": false, "docs/a.md": false} {
		if got := bc.Ignored(path); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", path, got, want)
		}
	}
	if !bc.Exists("go.mod") || bc.Exists("nope") || !bc.Exists("./go.mod") {
		t.Error("Exists")
	}
	// The Dockerfile's own ignore file wins.
	write("app.Dockerfile.dockerignore", "go.mod\n")
	bc, err = NewBuildContext(dir, filepath.Join(dir, "app.Dockerfile"))
	if err != nil || !bc.Ignored("go.mod") || bc.Ignored("CHANGES.md") || bc.HasExclusions() || bc.IgnoresRoot() {
		t.Errorf("Dockerfile-specific ignore file not used: %v", err)
	}
	write("bad.dockerignore", "[\n")
	if _, err := NewBuildContext(dir, filepath.Join(dir, "bad")); err == nil {
		t.Error("no error for an invalid pattern")
	}
	write("root.dockerignore", "**\n")
	if bc, _ := NewBuildContext(dir, filepath.Join(dir, "root")); !bc.IgnoresRoot() {
		t.Error("IgnoresRoot")
	}
	var nilCtx *BuildContext
	if nilCtx.HasDockerignore() || nilCtx.Ignored("x") || nilCtx.Exists("x") || nilCtx.Patterns() != nil {
		t.Error("nil BuildContext")
	}
}

// modelSummary renders what the model says about a file, for comparing the
// model of an edited file with the model of the same text parsed anew.
func modelSummary(f *File) string {
	m := f.Semantics()
	var b strings.Builder
	fmt.Fprintf(&b, "globals %v\n", m.GlobalArgs)
	for _, s := range m.Stages {
		parent := -1
		if s.Parent != nil {
			parent = s.Parent.Index
		}
		fmt.Fprintf(&b, "stage %d %q from=%d n=%d base=%+v %+v parent=%d known=%v plat=%q %+v user=%+v wd=%+v shell=%v args=%v env=%v\n",
			s.Index, s.Name, s.From.Index, len(s.Instructions), s.BaseValue, s.Base, parent, s.BaseKnown, s.Platform,
			s.PlatformValue, s.User, s.Workdir, s.Shell, s.Args, s.Env.Names())
		for _, r := range append(append(s.BaseRefs, s.PlatformRefs...), s.VarRefs()...) {
			fmt.Fprintf(&b, "  ref %d %q [%d,%d) %d %q\n", r.Instruction.Index, r.Name, r.Start, r.End, r.State, r.Suggest)
		}
		for _, role := range []ArgRole{RoleSource, RoleEnvKey, RoleArgKey, RolePort, RoleWorkdir, RoleUser} {
			for a := range s.ArgsOf(role) {
				fmt.Fprintf(&b, "  arg %d %d %q %+v [%d,%d)\n", a.Instruction.Index, a.Role, a.Text, a.Value, a.Start, a.End)
			}
		}
		for _, d := range s.Deps {
			fmt.Fprintf(&b, "  dep %d %q [%d,%d)\n", d.Instruction.Index, d.Ref, d.Start, d.End)
		}
		if in := s.FirstWorkdir(); in != nil {
			fmt.Fprintf(&b, "  first workdir %d\n", in.Index)
		}
		for _, in := range s.ShellFormCommands() {
			fmt.Fprintf(&b, "  shell form %d\n", in.Index)
		}
		for _, o := range s.Overrides() {
			fmt.Fprintf(&b, "  override %d %d\n", o.Earlier.Index, o.Later.Index)
		}
		l, u := s.KeywordCase()
		fmt.Fprintf(&b, "  case %d %d %d %d\n", l, u, len(s.KeywordsNotIn(true)), len(s.KeywordsNotIn(false)))
		for _, in := range s.EmptyContinuations() {
			fmt.Fprintf(&b, "  empty continuation %d\n", in.Index)
		}
	}
	return b.String()
}

// TestModelIncrementalMatchesFresh edits files at random and checks after
// every edit that the model (built from cached stage results) is the one
// a fresh parse of the same text gives.
func TestModelIncrementalMatchesFresh(t *testing.T) {
	texts := map[string]string{"big": bigfile.Generate()[:20000]}
	texts["small"] = `ARG BASE=alpine
ARG TAG=1
FROM ${BASE}:${TAG} AS a
ENV A=1 B=$A
WORKDIR app
FROM a AS b
ARG TAG
COPY $A $UNDEF /x/
CMD echo $A
CMD ["x"]
FROM b
EXPOSE 80/TCP
`
	entries, _ := os.ReadDir("../../shared/corpus/real")
	for i, e := range entries {
		if i%25 == 0 && !e.IsDir() {
			if data, err := os.ReadFile(filepath.Join("../../shared/corpus/real", e.Name())); err == nil {
				texts[e.Name()] = string(data)
			}
		}
	}
	snippets := []string{"x", "\n", "$A", "${TAG}", "FROM alpine AS z\n", "ARG Q=1\n", "ENV A=2\n", " AS c", "\\\n", "#", "a", "=", " "}
	rng := rand.New(rand.NewSource(1))
	for name, text := range texts {
		f := Parse(text)
		f.Semantics()
		for i := 0; i < 40; i++ {
			start := rng.Intn(len(f.Text) + 1)
			end := min(start+rng.Intn(4), len(f.Text))
			if rng.Intn(3) == 0 {
				end = start
			}
			nf, _ := f.Edit(start, end, snippets[rng.Intn(len(snippets))])
			got, want := modelSummary(nf), modelSummary(Parse(nf.Text))
			if got != want {
				t.Fatalf("%s: edit %d at %d: incremental model differs from fresh:\n%s", name, i, start, cmp.Diff(want, got))
			}
			f = nf
		}
	}
}
