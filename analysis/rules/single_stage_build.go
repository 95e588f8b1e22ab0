// This file defines SingleStageBuild: the final image is a toolchain image
// that builds the application, so the compiler ships with it.
package rules

import (
	"fmt"

	"github.com/dockwise/dockwise/analysis"
)

// SingleStageBuild reports a final stage (through FROM <stage> chains)
// based on a toolchain image when the final stage or a stage it is built
// FROM runs a build. It reports on the final FROM.
var SingleStageBuild = &analysis.Rule{
	Name:        "SingleStageBuild",
	Category:    analysis.Size,
	Severity:    analysis.SeverityWarning,
	Description: "The runtime image is the toolchain image that builds the application",
	URL:         docURL("SingleStageBuild"),
	Doc: doc(`
Toolchain images (golang, rust, maven, gradle, JDKs, the .NET SDK, gcc, and
the full node and python images) carry compilers, build tools and headers:
hundreds of megabytes the application does not need to run, and a larger
attack surface. When the final stage builds the application on such an image,
all of it ships. Build in a stage of its own and copy only the output into a
final stage based on a runtime image (a JRE, the ASP.NET runtime, a slim or
distroless image).`, `
FROM golang:1.23
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .
CMD ["app"]`, `
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
CMD ["/app"]`),
	Run: singleStageBuild,
}

func singleStageBuild(p *analysis.Pass) {
	final := p.File.Semantics().Final()
	if final == nil || isDevStage(final) {
		return
	}
	im := final.Image()
	if !im.Toolchain {
		return
	}
	bs, build, ok := chainBuild(final)
	if !ok {
		return
	}
	_, line := build.at(bs)
	s, e := baseRange(final)
	runtime := "a runtime image"
	if im.Runtime != "" {
		runtime = im.Runtime
	}
	p.Report(analysis.Diagnostic{Start: s, End: e, Instruction: final.From,
		Message: fmt.Sprintf("the final stage is based on %s, a toolchain image, and runs `%s` (line %d), so the build tools ship in the runtime image; build in a separate stage and copy the output into a final stage FROM %s",
			imageName(im), build.text, p.File.LineOf(line)+1, runtime)})
}

// chainBuild returns the first build command of the stage or the stages
// it is built FROM, and the stage that runs it.
func chainBuild(s *analysis.Stage) (*analysis.Stage, factCmd, bool) {
	for _, t := range chainFacts(s) {
		if b := factsOf(t).build; b != nil {
			return t, *b, true
		}
	}
	return nil, factCmd{}, false
}
