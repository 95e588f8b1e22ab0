// This file defines Platform and ParsePlatform, which read a platform
// specifier (`linux/arm64/v8`) the way BuildKit's platform parser does, and
// the platform the semantic model assumes for the build.
package analysis

import (
	"fmt"
	"regexp"
	"runtime"
	"strings"
)

// Platform is an operating system and CPU architecture.
type Platform struct {
	OS, OSVersion, Arch, Variant string
}

// String formats the platform as BuildKit does (`os[(version)]/arch[/variant]`).
func (p Platform) String() string {
	s := p.OS
	if p.OSVersion != "" {
		s += "(" + p.OSVersion + ")"
	}
	s += "/" + p.Arch
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// Normalize returns the platform with its names in canonical form
// (`aarch64` is `arm64`, the default variant dropped, ...).
func (p Platform) Normalize() Platform {
	p.OS = normalizeOS(p.OS)
	p.Arch, p.Variant = normalizeArch(p.Arch, p.Variant)
	return p
}

// DefaultTargetPlatform is the platform the model assumes the build targets
// when the Dockerfile does not say (the values of TARGETPLATFORM and
// BUILDPLATFORM). A real build uses the builder's platform.
var DefaultTargetPlatform = Platform{OS: "linux", Arch: "amd64"}

var (
	platformOSRe   = regexp.MustCompile(`^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.-]*)((?:\+[A-Za-z0-9_.-]+)*)\))?$`)
	platformPartRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// ParsePlatform parses a platform specifier: `os`, `arch`, `os/arch` or
// `os/arch/variant`, with the rules of BuildKit's platform parser.
func ParsePlatform(spec string) (Platform, error) {
	if strings.Contains(spec, "*") {
		return Platform{}, fmt.Errorf("%q: wildcards not yet supported", spec)
	}
	parts := strings.SplitN(spec, "/", 4)
	var p Platform
	for i, part := range parts {
		if i == 0 {
			m := platformOSRe.FindStringSubmatch(part)
			if m == nil {
				return Platform{}, fmt.Errorf("%q is an invalid OS component of %q", part, spec)
			}
			p.OS = normalizeOS(m[1])
			p.OSVersion = m[2]
		} else if !platformPartRe.MatchString(part) {
			return Platform{}, fmt.Errorf("%q is an invalid component of %q", part, spec)
		}
	}
	switch len(parts) {
	case 1:
		if knownOS[p.OS] {
			p.Arch = runtime.GOARCH
			return p, nil
		}
		p.Arch, p.Variant = normalizeArch(parts[0], "")
		if p.Arch == "arm" && p.Variant == "v7" {
			p.Variant = ""
		}
		if knownArch[p.Arch] {
			p.OS = "linux"
			return p, nil
		}
		return Platform{}, fmt.Errorf("%q: unknown operating system or architecture", spec)
	case 2:
		p.Arch, p.Variant = normalizeArch(parts[1], "")
		if p.Arch == "arm" && p.Variant == "v7" {
			p.Variant = ""
		}
		return p, nil
	case 3:
		p.Arch, p.Variant = normalizeArch(parts[1], parts[2])
		if p.Arch == "arm64" && p.Variant == "" {
			p.Variant = "v8"
		}
		return p, nil
	}
	return Platform{}, fmt.Errorf("%q: cannot parse platform specifier", spec)
}

func normalizeOS(os string) string {
	os = strings.ToLower(os)
	if os == "macos" {
		return "darwin"
	}
	return os
}

func normalizeArch(arch, variant string) (string, string) {
	arch, variant = strings.ToLower(arch), strings.ToLower(variant)
	switch arch {
	case "i386":
		arch, variant = "386", ""
	case "x86_64", "x86-64", "amd64":
		arch = "amd64"
		if variant == "v1" {
			variant = ""
		}
	case "aarch64", "arm64":
		arch = "arm64"
		switch variant {
		case "8", "v8", "v8.0":
			variant = ""
		case "9", "9.0", "v9.0":
			variant = "v9"
		}
	case "armhf":
		arch, variant = "arm", "v7"
	case "armel":
		arch, variant = "arm", "v6"
	case "arm":
		switch variant {
		case "", "7":
			variant = "v7"
		case "5", "6", "8":
			variant = "v" + variant
		}
	}
	return arch, variant
}

var knownOS = setOf("aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
	"linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos")

var knownArch = setOf("386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le",
	"loong64", "mips", "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64",
	"s390", "s390x", "sparc", "sparc64", "wasm")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
