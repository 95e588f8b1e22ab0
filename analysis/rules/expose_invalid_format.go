// This file defines ExposeInvalidFormat, BuildKit's check for EXPOSE with an
// IP address or a host port.
package rules

import (
	"github.com/dockwise/dockwise/analysis"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// ExposeInvalidFormat reports an EXPOSE port with an IP address or a
// host-port mapping (`127.0.0.1:80:80`, `8080:80`).
var ExposeInvalidFormat = &analysis.Rule{
	Name:        linter.RuleExposeInvalidFormat.Name,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityWarning,
	Description: linter.RuleExposeInvalidFormat.Description,
	URL:         linter.RuleExposeInvalidFormat.URL,
	BuildKit:    true,
	Doc: doc(`
EXPOSE only documents which container ports the application listens on. Host
addresses and host ports are chosen when the container is run ("docker run
-p"), not when the image is built, and BuildKit drops them, keeping only the
container port. It will reject them in a future release. List container ports
only, and publish them at run time.`, `
FROM nginx:1.27
EXPOSE 8080:80 127.0.0.1:8443:443`, `
FROM nginx:1.27
EXPOSE 80 443`),
	Run: func(p *analysis.Pass) {
		selectArgs(p, analysis.RolePort, func(a analysis.Arg) bool {
			ip, host, _, ok := exposePort(a.Value.S)
			return a.Value.Known && ok && (ip != "" || host != "")
		}, func(a analysis.Arg) {
			p.Report(analysis.Diagnostic{Start: a.Start, End: a.End, Instruction: a.Instruction,
				Message: linter.RuleExposeInvalidFormat.Format(a.Value.S)})
		})
	},
}
