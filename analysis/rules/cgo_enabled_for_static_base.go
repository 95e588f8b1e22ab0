// This file defines CgoEnabledForStaticBase: a Go binary built with cgo
// copied into an image without a C library.
package rules

import (
	"fmt"

	"github.com/dockwise/dockwise/analysis"
)

// CgoEnabledForStaticBase reports a `go build` whose output the final
// stage copies when the final stage is based on an image without a C
// library (scratch, distroless static, chainguard static) and
// CGO_ENABLED=0 is not in effect for the build. It reports on the build.
// It stays quiet when the build stage has no C compiler (golang:alpine
// without gcc: Go then disables cgo), when the flags may link statically,
// and when a cross-compilation wrapper (xx-go) decides.
var CgoEnabledForStaticBase = &analysis.Rule{
	Name:        "CgoEnabledForStaticBase",
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: "A Go binary built with cgo is copied into an image without a C library",
	URL:         docURL("CgoEnabledForStaticBase"),
	Doc: doc(`
The golang images have a C compiler, so "go build" enables cgo and links
programs that use the net or os/user packages against the C library
dynamically. scratch, gcr.io/distroless/static and other images without a C
library cannot run such a binary: the container fails at start with "exec
/app: no such file or directory", the kernel's way of saying the dynamic
loader is missing. Build with CGO_ENABLED=0 (with ENV, an ARG with that
default, or before the command) for a static binary, or use a base with a C
library such as gcr.io/distroless/base.`, `
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/server ./cmd/server

FROM scratch
COPY --from=build /out/server /server
ENTRYPOINT ["/server"]`, `
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/server ./cmd/server

FROM scratch
COPY --from=build /out/server /server
ENTRYPOINT ["/server"]`),
	Run: cgoEnabledForStaticBase,
}

func cgoEnabledForStaticBase(p *analysis.Pass) {
	m := p.File.Semantics()
	final := m.Final()
	if final == nil {
		return
	}
	im := final.Image()
	if im.Libc != analysis.NoLibc {
		return
	}
	seen := map[*analysis.Stage]bool{}
	for _, t := range final.Chain() {
		for _, d := range t.Deps {
			if d.Kind != analysis.CopyFrom || d.Stage == nil || seen[d.Stage] {
				continue
			}
			seen[d.Stage] = true
			reportCgoBuilds(p, d.Stage, im)
		}
	}
}

// reportCgoBuilds reports the go builds of src (and the stages it is
// built FROM) that run with cgo enabled.
func reportCgoBuilds(p *analysis.Pass, src *analysis.Stage, im analysis.BaseImage) {
	bim := src.Image()
	imageCompiler := bim.Family == analysis.FamilyGo && bim.Variant == analysis.VariantFull
	compiler := imageCompiler
	if !bim.Known() || bim.Windows {
		return
	}
	envOff := false
	var found []struct {
		s *analysis.Stage
		g goBuild
	}
	for _, t := range chainFacts(src) {
		f := factsOf(t)
		if f.staticVerified {
			return
		}
		compiler = compiler || f.compiler
		for _, g := range f.goBuilds {
			switch {
			case g.envWrite:
				envOff = true
			case g.cross || g.static || g.cgo == cgoOff || g.cgo == cgoUnknown:
			case g.cgo == cgoDefault && envOff:
			default:
				found = append(found, struct {
					s *analysis.Stage
					g goBuild
				}{t, g})
			}
		}
	}
	for _, b := range found {
		if b.g.cgo == cgoDefault && !compiler {
			continue // no C compiler: Go turns cgo off
		}
		in, _ := b.g.at(b.s)
		s, e := b.g.span(b.s)
		why := "CGO_ENABLED is not set and " + imageName(bim) + " has a C compiler"
		if !imageCompiler {
			why = "CGO_ENABLED is not set and the stage installs a C compiler"
		}
		if b.g.cgo == cgoOn {
			why = "CGO_ENABLED is not 0"
		}
		fix := "build with CGO_ENABLED=0"
		if v, ok := p.File.Semantics().Globals.Lookup("CGO_ENABLED"); ok && v.Kind == analysis.GlobalArg && b.g.cgo == cgoDefault {
			fix = "the ARG CGO_ENABLED before the first FROM does not reach the stage: declare `ARG CGO_ENABLED` in it"
		}
		p.Report(analysis.Diagnostic{Start: s, End: e, Instruction: in,
			Message: fmt.Sprintf("`%s` links with cgo (%s) but its output is copied into %s, which has no C library, so the binary fails with \"no such file or directory\"; %s",
				b.g.text, why, imageName(im), fix)})
	}
}
