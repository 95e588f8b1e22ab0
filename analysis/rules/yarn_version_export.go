// This file exports the yarn version detection of UnlockedDependencyInstall
// for its fix (package codeactions), which writes the flag of the yarn the
// project uses.
package rules

import "github.com/dockwise/dockwise/analysis"

// YarnVersion tells from the build context which yarn the project in dir
// (relative to the context; "" for its root) uses: 1, 2 (for 2 and later)
// or 0 when it cannot tell. immutable reports a .yarnrc.yml that makes
// installs immutable already.
func YarnVersion(ctx *analysis.BuildContext, dir string) (version int, immutable bool) {
	return cachedYarnVersion(ctx, dir)
}
