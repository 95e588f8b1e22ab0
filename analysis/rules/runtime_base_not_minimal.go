// This file defines RuntimeBaseNotMinimal: the final image is based on a
// full image where a smaller variant serves the same runtime.
package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// RuntimeBaseNotMinimal reports the final stage's base image when a
// smaller variant of it serves the same runtime (node:20 -> node:20-slim,
// eclipse-temurin:21-jdk -> 21-jre, ...), unless SingleStageBuild reports
// the stage already. It reports on the FROM that names the image.
var RuntimeBaseNotMinimal = &analysis.Rule{
	Name:        "RuntimeBaseNotMinimal",
	Category:    analysis.Size,
	Severity:    analysis.SeverityWarning,
	Description: "The final stage uses a full image where a smaller variant serves the same runtime",
	URL:         docURL("RuntimeBaseNotMinimal"),
	Doc: doc(`
Official images come in variants. The default node, python and ruby images
are built on buildpack-deps, with compilers, headers and version control
tools; their -slim variants run the same interpreter in a fraction of the
size. A JDK image carries the compiler where a JRE runs the same jar, and
debian:bookworm has a -slim sibling without documentation and locales. A
smaller base pulls faster, starts faster and has fewer packages to patch.
If the final stage needs build tools to install native dependencies, install
them in a build stage and copy the result.`, `
FROM node:20
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
CMD ["node", "server.js"]`, `
FROM node:20-slim
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
CMD ["node", "server.js"]`),
	Run: runtimeBaseNotMinimal,
}

func runtimeBaseNotMinimal(p *analysis.Pass) {
	final := p.File.Semantics().Final()
	if final == nil || isDevStage(final) {
		return
	}
	im := final.Image()
	smaller := im.Smaller
	if distroPackages(final) {
		// The stage installs Debian or Red Hat packages: an Alpine
		// variant is not a drop-in replacement.
		smaller = slices.DeleteFunc(slices.Clone(smaller), func(s string) bool { return strings.Contains(s, "alpine") })
	}
	if len(smaller) == 0 {
		return
	}
	if im.Toolchain {
		if _, _, builds := chainBuild(final); builds {
			return // SingleStageBuild reports it
		}
	}
	root := final.Root()
	s, e := baseRange(root)
	alt := smaller[0]
	if len(smaller) > 1 {
		alt += " (or " + strings.Join(smaller[1:], ", ") + ")"
	}
	what := "a full image where a smaller variant serves the same runtime"
	switch {
	case im.Variant == analysis.VariantJDK:
		what = "a JDK image whose compiler the runtime does not need"
	case im.Toolchain:
		what = "a full image whose compilers and build tools the runtime does not need"
	}
	advice := "use " + alt
	if im.Toolchain && installsNativeDeps(final) {
		// Packages may compile native extensions with the image's
		// compilers, which the smaller variant lacks: build them apart.
		advice = fmt.Sprintf("use %s, and if a package compiles native code, install the dependencies in a build stage on %s and copy them in", alt, imageName(im))
	}
	p.Report(analysis.Diagnostic{Start: s, End: e, Instruction: root.From,
		Message: fmt.Sprintf("the final stage runs on %s, %s; %s", imageName(im), what, advice)})
}

// installsNativeDeps reports whether the stage, or a stage it is built
// FROM, installs language packages that may compile native code when they
// install (pip, pipenv, poetry, uv, npm, yarn, pnpm, gem, bundler).
func installsNativeDeps(s *analysis.Stage) bool {
	for _, t := range s.Chain() {
		if factsOf(t).langPackages {
			return true
		}
	}
	return false
}

// distroPackages reports whether the stage or a stage it is built FROM
// installs packages with apt or dnf.
func distroPackages(s *analysis.Stage) bool {
	for _, t := range s.Chain() {
		if factsOf(t).distroPackages {
			return true
		}
	}
	return false
}
