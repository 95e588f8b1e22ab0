// This file exports what MissingDockerignore and DockerignoreMissingEntries
// want excluded, for the code action that writes the ignore file.
package rules

import "github.com/dockwise/dockwise/analysis"

// WantIgnored returns the context paths the ignore-file rules want
// excluded for the Dockerfile of m (version control, secrets, dependency
// folders and build outputs of the ecosystems found, never a path the
// Dockerfile copies by name), as they report them.
func WantIgnored(ctx *analysis.BuildContext, m *analysis.Model) []string {
	if ctx == nil || m == nil {
		return nil
	}
	return wantIgnored(ctx, m)
}
