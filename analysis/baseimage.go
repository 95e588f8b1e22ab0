// This file defines BaseImage, what dockwise knows about the image a stage
// is built from: its family (node, python, golang, distroless, ...) and
// variant (full, slim, alpine, jre, ...) read from the reference, and for
// the images it knows, whether they have a shell, their default user, their
// C library, whether they ship a toolchain, and which smaller variant serves
// the same runtime. It works offline from the reference alone: what the
// reference does not show (a digest without a tag, an image it does not
// know) is left unknown.
package analysis

import (
	"slices"
	"strings"
	"sync"
)

// Family is the kind of image a base is, named after its repository.
type Family string

const (
	FamilyScratch       Family = "scratch"
	FamilyNode          Family = "node"
	FamilyPython        Family = "python"
	FamilyGo            Family = "golang"
	FamilyRust          Family = "rust"
	FamilyTemurin       Family = "eclipse-temurin"
	FamilyOpenJDK       Family = "openjdk"
	FamilyCorretto      Family = "amazoncorretto"
	FamilyMaven         Family = "maven"
	FamilyGradle        Family = "gradle"
	FamilyDotnet        Family = "dotnet" // mcr.microsoft.com/dotnet/{sdk,aspnet,runtime,runtime-deps}
	FamilyRuby          Family = "ruby"
	FamilyPHP           Family = "php"
	FamilyNginx         Family = "nginx" // nginx and nginxinc/nginx-unprivileged
	FamilyHttpd         Family = "httpd"
	FamilyAlpine        Family = "alpine"
	FamilyDebian        Family = "debian"
	FamilyUbuntu        Family = "ubuntu"
	FamilyBusybox       Family = "busybox"
	FamilyDistroless    Family = "distroless" // gcr.io/distroless/*
	FamilyChainguard    Family = "chainguard" // cgr.dev/chainguard/*
	FamilyGCC           Family = "gcc"
	FamilyBuildpackDeps Family = "buildpack-deps"
	FamilyUBI           Family = "ubi" // Red Hat Universal Base Images
	FamilyDocker        Family = "docker"
	FamilyWindows       Family = "windows" // mcr.microsoft.com/windows/*
)

// Fact is something about an image that may be unknown.
type Fact int8

const (
	FactUnknown Fact = iota
	FactYes
	FactNo
)

// Libc is the C library an image provides.
type Libc string

const (
	LibcUnknown Libc = ""
	Glibc       Libc = "glibc"
	Musl        Libc = "musl"
	NoLibc      Libc = "none" // scratch, distroless static: only statically linked programs run
)

// Variants. Variant holds the kind of image within the family; the
// distribution it is built on is in Distro, and `:debug` and `:nonroot`
// tags are the Debug and NonRoot flags.
const (
	VariantFull         = "full" // the default, Debian-based image with build tools (node, python, ruby, ...)
	VariantSlim         = "slim"
	VariantAlpine       = "alpine"
	VariantJDK          = "jdk"
	VariantJRE          = "jre"
	VariantSDK          = "sdk"
	VariantAspnet       = "aspnet"
	VariantRuntime      = "runtime"
	VariantRuntimeDeps  = "runtime-deps"
	VariantStatic       = "static"
	VariantBase         = "base"
	VariantCC           = "cc"
	VariantJava         = "java"
	VariantPython3      = "python3"
	VariantNodejs       = "nodejs"
	VariantUnprivileged = "unprivileged" // nginxinc/nginx-unprivileged
)

// BaseImage is what dockwise knows about a stage's base image. The zero
// value knows nothing.
type BaseImage struct {
	// Ref is the reference as resolved through the global ARGs; Parsed is
	// it parsed (zero for scratch and when unresolved).
	Ref    string
	Parsed ImageRef
	// Family is "" when the image is not one dockwise knows. Variant is
	// "" when the reference does not say (a digest alone, a tag that is
	// a variable).
	Family  Family
	Variant string
	// Version is the version the tag names ("20", "3.12", "21", "8.0"),
	// "" when it names none (latest, a codename alone, a digest).
	Version string
	// Distro is the distribution the tag names: a Debian or Ubuntu
	// codename, "alpine" or "alpine3.19", ...; "" when not named.
	Distro string
	// Debug and NonRoot are set for distroless `:debug`/`:nonroot` tags
	// and the like; Dev for chainguard `-dev` tags.
	Debug, NonRoot, Dev bool
	Windows             bool

	// Shell says whether the image has /bin/sh.
	Shell Fact
	// User is the user the image runs as when the Dockerfile sets none
	// ("root", "nonroot", "nginx", ...), "" when unknown; UID is its id
	// (-1 when unknown). RuntimeUser is a non-root user the image
	// provides for `USER` ("node" in node images, "app" in .NET 8+).
	User        string
	UID         int
	RuntimeUser string
	// Libc is the C library programs in the image link against.
	Libc Libc
	// Toolchain is set for images that ship compilers and build tools
	// (golang, rust, maven, gradle, a JDK, the .NET SDK, gcc, the full
	// node and python images, ...).
	Toolchain bool
	// Smaller are smaller images that serve the same runtime, best
	// first, written with the same registry as Ref (node:20 ->
	// node:20-slim, node:20-alpine).
	Smaller []string
	// Runtime is an image to run what this toolchain image builds (for
	// golang, gcr.io/distroless/static-debian12), "" when none is known.
	Runtime string
}

// Known reports whether dockwise recognizes the image's family.
func (b BaseImage) Known() bool { return b.Family != "" }

// Scratch reports whether the image is `scratch`.
func (b BaseImage) Scratch() bool { return b.Family == FamilyScratch }

// NoShell reports whether the image is known to have no shell.
func (b BaseImage) NoShell() bool { return b.Shell == FactNo }

// RootByDefault reports whether the image is known to run as root when
// the Dockerfile sets no USER; NonRootByDefault whether it is known not to.
func (b BaseImage) RootByDefault() bool    { return b.UID == 0 }
func (b BaseImage) NonRootByDefault() bool { return b.UID > 0 }

// String returns the reference, or "scratch".
func (b BaseImage) String() string { return b.Ref }

// Image returns what dockwise knows about the stage's base image. A stage
// built FROM another stage has the image of the stage at the root of its
// FROM chain.
func (s *Stage) Image() BaseImage {
	// Cached with the stage: rules ask for it at every keystroke, and it
	// changes only with the stage's FROM chain (see Cached).
	return s.Cached(imageKey{}, func(s *Stage) any { return s.image() }).(BaseImage)
}

type imageKey struct{}

// image computes Image. What it returns is kept across edits, so it holds
// no substring of the file's text (which would keep that version alive).
func (s *Stage) image() BaseImage {
	root := s.Root()
	resolved := root.BaseValue.Known
	for _, r := range root.BaseRefs {
		if r.State != RefDefined || !r.Var.Value.Known {
			resolved = false
		}
	}
	if resolved {
		return ParseBaseImage(strings.Clone(root.BaseValue.S))
	}
	// The base uses a variable without a value (BuildKit expands it to
	// "" unless a build argument sets it): read what its literal parts
	// show.
	pat, _ := root.baseWith(unknownMark, nil)
	if pat == "" {
		return BaseImage{UID: -1}
	}
	im := ParseBaseImage(pat)
	im.Ref = strings.Clone(root.m.File.Text[root.BaseStart:root.BaseEnd])
	return im
}

// Root returns the stage at the root of s's FROM chain: s itself unless it
// is built FROM another stage.
func (s *Stage) Root() *Stage {
	for s.Parent != nil {
		s = s.Parent
	}
	return s
}

// Chain returns s and the stages it is built FROM, s first.
func (s *Stage) Chain() []*Stage {
	out := []*Stage{s}
	for p := s.Parent; p != nil; p = p.Parent {
		out = append(out, p)
	}
	return out
}

// unknownMark stands for the part of a reference a variable without a
// value makes unknown.
const unknownMark = '\x00'

// baseImageCache memoizes ParseBaseImage: a file names few images.
var baseImageCache struct {
	sync.Mutex
	m map[string]BaseImage
}

// ParseBaseImage returns what dockwise knows about an image reference such
// as `node:20-alpine`, `gcr.io/distroless/static-debian12:nonroot` or
// `scratch`.
func ParseBaseImage(ref string) BaseImage {
	baseImageCache.Lock()
	b, ok := baseImageCache.m[ref]
	baseImageCache.Unlock()
	if ok {
		return b
	}
	b = parseBaseImagePattern(ref)
	baseImageCache.Lock()
	if baseImageCache.m == nil || len(baseImageCache.m) >= 1024 {
		baseImageCache.m = map[string]BaseImage{}
	}
	baseImageCache.m[ref] = b
	baseImageCache.Unlock()
	return b
}

// parseBaseImagePattern reads a reference in which unknownMark may stand
// for unknown parts of the tag.
func parseBaseImagePattern(ref string) BaseImage {
	b := BaseImage{Ref: ref, UID: -1}
	if ref == "scratch" {
		b.Family, b.Shell, b.User, b.UID, b.Libc = FamilyScratch, FactNo, "root", 0, NoLibc
		return b
	}
	name, tag, digest := ref, "", ""
	if i := strings.IndexByte(name, '@'); i >= 0 {
		name, digest = name[:i], name[i+1:]
	}
	if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.Contains(name[i:], "/") {
		name, tag = name[:i], name[i+1:]
	}
	if strings.IndexByte(name, unknownMark) >= 0 || strings.IndexByte(digest, unknownMark) >= 0 {
		return BaseImage{Ref: ref, UID: -1}
	}
	// Check the whole reference, with a stand-in for unknown parts of the
	// tag, then read the name and tag.
	if _, err := ParseImageRef(strings.ReplaceAll(ref, string(unknownMark), "x")); err != nil {
		return BaseImage{Ref: ref, UID: -1}
	}
	probe := name
	if tag != "" {
		probe += ":" + strings.ReplaceAll(tag, string(unknownMark), "x")
	}
	parsed, err := ParseImageRef(probe)
	if err != nil {
		return BaseImage{Ref: ref, UID: -1}
	}
	if !strings.ContainsRune(tag, unknownMark) {
		b.Parsed = parsed
		if digest != "" {
			b.Parsed.Digest = digest
		}
	}
	tagKnown := tag != "" || digest == "" // no tag and no digest means latest
	if tag == "" && digest == "" {
		tag = "latest"
	}
	t := splitTag(tag, tagKnown)
	b.Windows = isWindowsImage(parsed) || t.windows
	classifyImage(&b, parsed, t)
	if b.Family == "" {
		return BaseImage{Ref: ref, UID: -1, Parsed: b.Parsed, Windows: b.Windows}
	}
	if strings.IndexByte(ref, unknownMark) >= 0 {
		// Names made from an unknown tag are not names.
		b.Smaller = slices.DeleteFunc(b.Smaller, func(s string) bool { return strings.IndexByte(s, unknownMark) >= 0 })
		if strings.IndexByte(b.Runtime, unknownMark) >= 0 {
			b.Runtime = ""
		}
	}
	if b.Windows {
		// Windows images run shell forms with cmd and have no root user.
		b.Shell, b.User, b.UID, b.Libc, b.RuntimeUser = FactUnknown, "", -1, LibcUnknown, ""
		b.Smaller, b.Runtime = nil, ""
	}
	return b
}

// officialName returns the name of a Docker official image the repository
// names (`node` for library/node, amd64/node, public.ecr.aws/docker/library/node
// or a mirror's .../library/node), or "".
func officialName(r ImageRef) string {
	repo := r.Repository
	if i := strings.LastIndex(repo, "library/"); i >= 0 && (i == 0 || repo[i-1] == '/') {
		rest := repo[i+len("library/"):]
		if !strings.Contains(rest, "/") {
			return rest
		}
	}
	if r.Registry == "docker.io" {
		if arch, rest, ok := strings.Cut(repo, "/"); ok && !strings.Contains(rest, "/") {
			switch arch {
			case "amd64", "arm64v8", "arm32v7", "arm32v6", "arm32v5", "i386", "ppc64le", "s390x", "riscv64", "mips64le", "windows-amd64":
				return rest
			}
		}
	}
	return ""
}

// tagInfo is a tag split into what its dash-separated parts say.
type tagInfo struct {
	tokens  []string
	known   bool   // the tag is known (not a digest alone)
	version string // the leading version ("20", "3.12", "lts", ...)
	distro  string // a Debian/Ubuntu codename or alpineX.Y
	alpine  bool
	windows bool
	partial bool // some part is unknown (a variable without a value)
}

var debianCodenames = map[string]bool{"wheezy": true, "jessie": true, "stretch": true, "buster": true,
	"bullseye": true, "bookworm": true, "trixie": true, "forky": true, "duke": true, "sid": true}

var ubuntuCodenames = map[string]bool{"trusty": true, "xenial": true, "bionic": true, "focal": true,
	"jammy": true, "kinetic": true, "lunar": true, "mantic": true, "noble": true, "oracular": true,
	"plucky": true, "questing": true}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

func splitTag(tag string, known bool) tagInfo {
	t := tagInfo{known: known}
	if !known {
		return t
	}
	t.tokens = strings.Split(strings.ToLower(tag), "-")
	for i, tok := range t.tokens {
		if strings.IndexByte(tok, unknownMark) >= 0 {
			t.partial = true
			if strings.HasPrefix(tok, "alpine") {
				t.alpine = true
				t.distro = "alpine"
			}
			continue
		}
		switch {
		case tok == "alpine" || strings.HasPrefix(tok, "alpine") && startsWithDigit(tok[len("alpine"):]):
			t.alpine, t.distro = true, tok
		case debianCodenames[tok] || ubuntuCodenames[tok]:
			t.distro = tok
		case strings.HasPrefix(tok, "windowsservercore") || strings.HasPrefix(tok, "nanoserver") || strings.HasPrefix(tok, "ltsc"):
			t.windows = true
		case i == 0 && startsWithDigit(tok):
			t.version = tok
		}
	}
	if t.partial && len(t.tokens) > 0 && strings.IndexByte(t.tokens[0], unknownMark) >= 0 && len(t.tokens) == 1 {
		// A tag that is a variable alone says nothing.
		t.known = false
	}
	return t
}

func (t tagInfo) has(words ...string) bool {
	for _, tok := range t.tokens {
		for _, w := range words {
			if tok == w {
				return true
			}
		}
	}
	return false
}

// hasPrefix reports whether a token starts with p.
func (t tagInfo) hasPrefix(p string) (string, bool) {
	for _, tok := range t.tokens {
		if strings.HasPrefix(tok, p) {
			return tok, true
		}
	}
	return "", false
}

// rootUser sets the image's default user to root.
func (b *BaseImage) rootUser() { b.User, b.UID = "root", 0 }

// classifyImage fills in the family and what is known about it.
func classifyImage(b *BaseImage, r ImageRef, t tagInfo) {
	if name := officialName(r); name != "" {
		officialImage(b, name, t)
		return
	}
	repo := r.Repository
	switch {
	case r.Registry == "docker.io" && repo == "nginxinc/nginx-unprivileged":
		officialImage(b, "nginx", t)
		b.Variant = VariantUnprivileged
		b.User, b.UID = "nginx", 101
		b.Smaller = nil
	case r.Registry == "gcr.io" && strings.HasPrefix(repo, "distroless/"):
		distrolessImage(b, strings.TrimPrefix(repo, "distroless/"), t)
	case r.Registry == "cgr.dev" && strings.Contains(repo, "/"):
		chainguardImage(b, repo[strings.LastIndexByte(repo, '/')+1:], t)
	case r.Registry == "mcr.microsoft.com" && strings.HasPrefix(repo, "dotnet/"):
		dotnetImage(b, r, t)
	case r.Registry == "mcr.microsoft.com" && strings.HasPrefix(repo, "windows"):
		b.Family, b.Windows = FamilyWindows, true
	case (r.Registry == "registry.access.redhat.com" || r.Registry == "registry.redhat.io") && strings.HasPrefix(repo, "ubi"):
		ubiImage(b, repo, t)
	}
}

// withTag returns b.Ref with its tag replaced by tag (the digest dropped).
func (b *BaseImage) withTag(tag string) string {
	name := b.Ref
	if i := strings.IndexByte(name, '@'); i >= 0 {
		name = name[:i]
	}
	if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.Contains(name[i:], "/") {
		name = name[:i]
	}
	return name + ":" + tag
}

// withRepo returns b.Ref with the last component of its repository
// replaced by repo and its tag by tag (keeping the registry and namespace).
func (b *BaseImage) withRepo(repo, tag string) string {
	name := b.withTag(tag)
	name = name[:strings.LastIndexByte(name, ':')]
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i+1] + repo + ":" + tag
	}
	return repo + ":" + tag
}

func joinTokens(tokens []string) string { return strings.Join(tokens, "-") }

// dropTokens returns the tokens without those drop reports.
func dropTokens(tokens []string, drop func(string) bool) []string {
	var out []string
	for _, t := range tokens {
		if !drop(t) {
			out = append(out, t)
		}
	}
	return out
}

func officialImage(b *BaseImage, name string, t tagInfo) {
	b.Version, b.Distro = t.version, t.distro
	switch name {
	case "node":
		b.Family = FamilyNode
		b.RuntimeUser = "node"
		debianLike(b, t, true)
		if b.Variant == VariantFull {
			b.Toolchain = true
			b.Smaller = nodeSmaller(b, t)
			if len(b.Smaller) > 0 {
				b.Runtime = b.Smaller[0]
			}
		}
	case "python":
		b.Family = FamilyPython
		debianLike(b, t, true)
		if b.Variant == VariantFull {
			b.Toolchain = true
			if s := slimAfterVersion(b, t); s != "" {
				b.Smaller, b.Runtime = []string{s}, s
			}
		}
	case "ruby":
		b.Family = FamilyRuby
		debianLike(b, t, true)
		if b.Variant == VariantFull {
			b.Toolchain = true
			if s := slimAfterVersion(b, t); s != "" {
				b.Smaller, b.Runtime = []string{s}, s
			}
		}
	case "golang":
		b.Family = FamilyGo
		debianLike(b, t, false)
		b.Toolchain = t.known
		b.Runtime = "gcr.io/distroless/static-debian12"
	case "rust":
		b.Family = FamilyRust
		debianLike(b, t, true)
		b.Toolchain = t.known
		if b.Variant == VariantAlpine {
			b.Runtime = "alpine"
		} else {
			b.Runtime = "gcr.io/distroless/cc-debian12"
		}
	case "gcc":
		b.Family = FamilyGCC
		b.rootUser()
		b.Shell, b.Libc, b.Variant = FactYes, Glibc, VariantFull
		b.Toolchain = true
		b.Runtime = "debian:bookworm-slim"
	case "buildpack-deps":
		b.Family = FamilyBuildpackDeps
		b.rootUser()
		b.Shell, b.Libc = FactYes, Glibc
		if !t.known {
			return
		}
		switch {
		case t.has("curl"):
			b.Variant = "curl"
		case t.has("scm"):
			b.Variant = "scm"
		default:
			b.Variant, b.Toolchain = VariantFull, true
			b.Runtime = "debian:bookworm-slim"
			if debianCodenames[t.distro] {
				b.Runtime = "debian:" + t.distro + "-slim"
			} else if ubuntuCodenames[t.distro] {
				b.Runtime = "ubuntu:" + t.distro
			}
		}
	case "eclipse-temurin", "openjdk", "amazoncorretto", "ibm-semeru-runtimes", "sapmachine":
		javaImage(b, name, t)
	case "maven", "gradle":
		javaBuildToolImage(b, name, t)
	case "php":
		b.Family = FamilyPHP
		debianLike(b, t, false)
		if !t.known {
			return
		}
		kind := ""
		for _, k := range []string{"cli", "fpm", "apache", "zts"} {
			if t.has(k) {
				kind = k
			}
		}
		if t.alpine {
			b.Variant = VariantAlpine
			return
		}
		b.Variant = VariantFull
		if kind == "apache" || t.partial {
			return // the Apache variant has no Alpine build
		}
		tok := []string{}
		if t.version != "" {
			tok = append(tok, t.version)
		}
		if kind != "" && kind != "cli" {
			tok = append(tok, kind)
		}
		tok = append(tok, "alpine")
		b.Smaller = []string{b.withTag(joinTokens(tok))}
	case "nginx", "httpd":
		if name == "nginx" {
			b.Family = FamilyNginx
		} else {
			b.Family = FamilyHttpd
		}
		debianLike(b, t, false)
		if b.Variant == VariantFull && !t.partial {
			// nginx:1.27 -> nginx:1.27-alpine, nginx:1.27-perl -> 1.27-alpine-perl.
			tok := dropTokens(t.tokens, func(s string) bool { return debianCodenames[s] || s == "latest" })
			if len(tok) > 0 && (startsWithDigit(tok[0]) || tok[0] == "stable" || tok[0] == "mainline") {
				tok = append([]string{tok[0], "alpine"}, tok[1:]...)
			} else {
				tok = append([]string{"alpine"}, tok...)
			}
			b.Smaller = []string{b.withTag(joinTokens(tok))}
		}
	case "debian":
		b.Family = FamilyDebian
		b.rootUser()
		b.Shell, b.Libc = FactYes, Glibc
		if !t.known {
			return
		}
		if t.has("slim") {
			b.Variant = VariantSlim
			return
		}
		b.Variant = VariantFull
		if t.partial || t.has("backports", "experimental", "rc") {
			return
		}
		if t.has("latest") {
			b.Smaller = []string{b.withTag("stable-slim")}
		} else {
			b.Smaller = []string{b.withTag(joinTokens(t.tokens) + "-slim")}
		}
	case "ubuntu":
		b.Family = FamilyUbuntu
		b.rootUser()
		b.Shell, b.Libc = FactYes, Glibc
		b.Distro = t.distro
	case "alpine":
		b.Family = FamilyAlpine
		b.rootUser()
		b.Shell, b.Libc, b.Distro = FactYes, Musl, "alpine"
	case "busybox":
		b.Family = FamilyBusybox
		b.rootUser()
		b.Shell = FactYes
		switch {
		case t.has("musl"):
			b.Libc = Musl
		case t.has("glibc"):
			b.Libc = Glibc
		}
	case "docker":
		b.Family = FamilyDocker
		b.rootUser()
		b.Shell, b.Libc = FactYes, Musl
		if t.has("windowsservercore") || t.windows {
			b.Windows = true
		}
	case "centos", "fedora", "rockylinux", "almalinux", "amazonlinux", "oraclelinux", "archlinux", "photon", "clearlinux":
		// Distributions: a shell, glibc, root. Their family is their name.
		b.Family = Family(name)
		b.rootUser()
		b.Shell, b.Libc = FactYes, Glibc
	}
}

// debianLike reads the variants of the official images built in a full
// (buildpack-deps), slim and Alpine flavor: node, python, ruby, golang,
// rust, php, nginx, httpd. slim says whether the family has slim tags.
func debianLike(b *BaseImage, t tagInfo, slim bool) {
	b.rootUser()
	b.Shell = FactYes
	if !t.known {
		if t.alpine {
			b.Variant, b.Libc = VariantAlpine, Musl
		}
		return
	}
	switch {
	case t.alpine:
		b.Variant, b.Libc = VariantAlpine, Musl
	case slim && t.has("slim"):
		b.Variant, b.Libc = VariantSlim, Glibc
	case t.windows:
		b.Windows = true
	case t.partial && strings.IndexByte(t.tokens[0], unknownMark) < 0:
		// a variable after the version could name any variant
	case t.partial && len(t.tokens) > 1:
		// `node:${V}-bookworm`: the variable is the version
		b.Variant, b.Libc = VariantFull, Glibc
	case !t.partial:
		b.Variant, b.Libc = VariantFull, Glibc
	}
	if t.partial && b.Variant == VariantFull {
		for _, tok := range t.tokens[1:] {
			if strings.IndexByte(tok, unknownMark) >= 0 {
				b.Variant, b.Libc = "", LibcUnknown
			}
		}
	}
}

// nodeSmaller returns the slim and Alpine tags of a full node image:
// 20 -> 20-slim, 20-alpine; 20-bookworm -> 20-bookworm-slim; lts -> lts-slim.
func nodeSmaller(b *BaseImage, t tagInfo) []string {
	if t.partial || t.has("onbuild") {
		return nil
	}
	tok := dropTokens(t.tokens, func(s string) bool { return s == "latest" })
	slim := joinTokens(append(tok, "slim"))
	var alpine string
	if len(tok) > 0 && !debianCodenames[tok[0]] {
		alpine = tok[0] + "-alpine"
	} else {
		alpine = "alpine"
	}
	return []string{b.withTag(slim), b.withTag(alpine)}
}

// slimAfterVersion returns the slim tag of a full python or ruby image:
// 3.12 -> 3.12-slim, 3.12-bookworm -> 3.12-slim-bookworm, latest -> slim.
func slimAfterVersion(b *BaseImage, t tagInfo) string {
	if t.partial || t.has("onbuild", "rc") && len(t.tokens) > 2 {
		return ""
	}
	tok := dropTokens(t.tokens, func(s string) bool { return s == "latest" })
	i := 0
	if len(tok) > 0 && !debianCodenames[tok[0]] {
		i = 1
	}
	if len(tok) > 1 && tok[1] == "rc" {
		i = 2
	}
	out := append(append(append([]string{}, tok[:i]...), "slim"), tok[i:]...)
	return b.withTag(joinTokens(out))
}

// javaMajor returns the Java feature release of a version ("17.0.2" ->
// "17", "8u392" -> "8", "21.0.2_13" -> "21").
func javaMajor(v string) string {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	return v[:i]
}

// javaImage handles the JDK/JRE images.
func javaImage(b *BaseImage, name string, t tagInfo) {
	switch name {
	case "eclipse-temurin":
		b.Family = FamilyTemurin
	case "openjdk":
		b.Family = FamilyOpenJDK
	case "amazoncorretto":
		b.Family = FamilyCorretto
	default:
		b.Family = Family(name)
	}
	b.rootUser()
	b.Shell, b.Libc = FactYes, Glibc
	if t.alpine {
		b.Libc = Musl
	}
	if !t.known {
		return
	}
	if t.has("jre") {
		b.Variant = VariantJRE
		return
	}
	if t.partial && !t.has("jdk") {
		return
	}
	b.Variant, b.Toolchain = VariantJDK, true
	major := javaMajor(t.version)
	if t.windows || major == "" {
		return
	}
	switch name {
	case "eclipse-temurin", "ibm-semeru-runtimes", "sapmachine":
		// 21 -> 21-jre, 21-jdk-jammy -> 21-jre-jammy.
		tok := dropTokens(t.tokens, func(s string) bool { return s == "jdk" })
		tok = append([]string{tok[0], "jre"}, tok[1:]...)
		b.Smaller = []string{b.withTag(joinTokens(tok))}
	case "openjdk":
		// The openjdk images are deprecated; Temurin publishes JREs.
		tag := major + "-jre"
		if t.alpine {
			tag += "-alpine"
		}
		b.Smaller = []string{b.withRepo("eclipse-temurin", tag)}
	}
	if len(b.Smaller) > 0 {
		b.Runtime = b.Smaller[0]
	}
}

// javaBuildToolImage handles maven and gradle, toolchain images named after
// the JDK they carry (maven:3.9-eclipse-temurin-21, gradle:8.5-jdk21).
func javaBuildToolImage(b *BaseImage, name string, t tagInfo) {
	if name == "maven" {
		b.Family = FamilyMaven
	} else {
		b.Family = FamilyGradle
	}
	b.rootUser()
	b.Shell, b.Libc, b.Variant, b.Toolchain = FactYes, Glibc, VariantJDK, true
	if t.alpine {
		b.Libc = Musl
	}
	major := ""
	for i, tok := range t.tokens {
		switch {
		case (tok == "temurin" || tok == "openjdk") && i+1 < len(t.tokens) && startsWithDigit(t.tokens[i+1]):
			major = javaMajor(t.tokens[i+1])
		case strings.HasPrefix(tok, "jdk") && startsWithDigit(tok[3:]):
			major = javaMajor(tok[3:])
		}
	}
	if major == "" || t.windows || t.has("corretto", "amazoncorretto", "graal", "sapmachine", "ibmjava", "ibm") {
		return
	}
	tag := major + "-jre"
	if t.alpine {
		tag += "-alpine"
	}
	b.Runtime = b.withRepo("eclipse-temurin", tag)
	b.Smaller = []string{b.Runtime}
}

// distrolessImage handles gcr.io/distroless/<image>[-debianN]:<tag>.
func distrolessImage(b *BaseImage, image string, t tagInfo) {
	b.Family = FamilyDistroless
	image, b.Distro, _ = strings.Cut(image, "-debian")
	if b.Distro != "" {
		b.Distro = "debian" + b.Distro
	}
	switch {
	case image == "static":
		b.Variant, b.Libc = VariantStatic, NoLibc
	case image == "base" || image == "base-nossl":
		b.Variant, b.Libc = image, Glibc
	case image == "cc":
		b.Variant, b.Libc = VariantCC, Glibc
	case strings.HasPrefix(image, "java"):
		b.Variant, b.Libc = VariantJava, Glibc
		b.Version = strings.TrimPrefix(image, "java")
	case strings.HasPrefix(image, "python"):
		b.Variant, b.Libc = VariantPython3, Glibc
	case strings.HasPrefix(image, "nodejs"):
		b.Variant, b.Libc = VariantNodejs, Glibc
		b.Version = strings.TrimPrefix(image, "nodejs")
	default:
		b.Libc = Glibc
	}
	if !t.known || t.partial && !t.has("nonroot", "debug") {
		// A digest alone could be a :debug image.
		if t.has("nonroot") || t.has("debug") {
			b.NonRoot = t.has("nonroot")
		}
		return
	}
	b.Debug = t.has("debug")
	b.NonRoot = t.has("nonroot")
	if b.Debug {
		b.Shell = FactYes
	} else {
		b.Shell = FactNo
	}
	if b.NonRoot {
		b.User, b.UID = "nonroot", 65532
	} else if !t.partial {
		b.rootUser()
	}
}

// chainguardImage handles cgr.dev/chainguard/<image>:<tag>.
func chainguardImage(b *BaseImage, image string, t tagInfo) {
	b.Family = FamilyChainguard
	b.Variant = image
	b.Libc = Glibc
	switch image {
	case "static":
		b.Libc = NoLibc
	case "go", "rust", "jdk", "maven", "gradle", "gcc-glibc", "dotnet-sdk", "zig", "clang":
		b.Toolchain = true
	}
	if !t.known {
		return
	}
	b.Dev = t.has("dev")
	switch {
	case image == "wolfi-base" || image == "busybox":
		b.Shell = FactYes
		b.rootUser()
	case b.Dev:
		b.Shell = FactYes
	case !t.partial:
		b.Shell = FactNo
		b.User, b.UID = "nonroot", 65532
	}
}

// dotnetImage handles mcr.microsoft.com/dotnet/{sdk,aspnet,runtime,runtime-deps}.
func dotnetImage(b *BaseImage, r ImageRef, t tagInfo) {
	repo := strings.TrimPrefix(r.Repository, "dotnet/")
	repo = strings.TrimPrefix(repo, "core/")
	repo = strings.TrimPrefix(repo, "nightly/")
	repo = strings.TrimPrefix(repo, "core-nightly/")
	switch repo {
	case "sdk":
		b.Variant, b.Toolchain = VariantSDK, true
	case "aspnet":
		b.Variant = VariantAspnet
	case "runtime":
		b.Variant = VariantRuntime
	case "runtime-deps":
		b.Variant = VariantRuntimeDeps
	default:
		return // dotnet/framework (Windows) and others
	}
	b.Family = FamilyDotnet
	b.Version = t.version
	b.Distro = t.distro
	b.RuntimeUser = "app"
	if !t.known {
		return
	}
	chiseled := t.has("chiseled") || t.has("distroless")
	switch {
	case t.windows:
		b.Windows = true
	case chiseled:
		// Ubuntu chiseled and Azure Linux distroless images: no shell,
		// the non-root `app` user.
		b.Shell, b.User, b.UID, b.Libc = FactNo, "app", 1654, Glibc
	case t.alpine:
		b.Shell, b.Libc = FactYes, Musl
		b.rootUser()
	case !t.partial:
		b.Shell, b.Libc = FactYes, Glibc
		b.rootUser()
	}
	if b.Toolchain && t.version != "" && !b.Windows {
		// sdk:8.0.100-alpine -> aspnet:8.0-alpine
		v := t.version
		if parts := strings.SplitN(v, ".", 3); len(parts) == 3 {
			v = parts[0] + "." + parts[1]
		}
		if t.alpine {
			v += "-alpine"
		}
		aspnet := strings.Replace(b.Ref, "/sdk", "/aspnet", 1)
		b.Runtime = (&BaseImage{Ref: aspnet}).withTag(v)
	}
}

// ubiImage handles Red Hat's registry.access.redhat.com/ubiN/* images.
func ubiImage(b *BaseImage, repo string, t tagInfo) {
	b.Family = FamilyUBI
	b.Libc, b.Shell = Glibc, FactYes
	_, image, ok := strings.Cut(repo, "/")
	if !ok {
		image = "ubi"
	}
	b.Variant = image
	switch {
	case image == "ubi" || image == "ubi-minimal" || image == "ubi-init":
		b.rootUser()
	case image == "ubi-micro":
		b.Shell = FactUnknown
		b.rootUser()
	case strings.HasPrefix(image, "openjdk-"):
		// The OpenJDK images run as jboss (185); without -runtime they
		// carry the JDK and Maven.
		b.User, b.UID = "jboss", 185
		if strings.HasSuffix(image, "-runtime") {
			b.Variant = VariantJRE
		} else {
			b.Variant, b.Toolchain = VariantJDK, true
			b.Smaller = []string{b.withRepo(image+"-runtime", "latest")}
			b.Smaller[0] = strings.TrimSuffix(b.Smaller[0], ":latest")
			b.Runtime = b.Smaller[0]
		}
	case strings.HasPrefix(image, "nodejs-") || strings.HasPrefix(image, "python-") ||
		strings.HasPrefix(image, "php-") || strings.HasPrefix(image, "ruby-") || strings.HasPrefix(image, "perl-"):
		// Source-to-image builder images run as 1001.
		b.User, b.UID = "default", 1001
	}
}

// IsRootUser reports whether a USER value (`root`, `0`, `0:0`,
// `root:root`) runs as root.
func IsRootUser(user string) bool {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	return u == "root" || u == "0"
}
