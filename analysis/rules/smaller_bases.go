// This file exports what RuntimeBaseNotMinimal proposes, for the code
// action that swaps the base.
package rules

import (
	"slices"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// SmallerBases returns the smaller images that serve the runtime of stage
// s, best first, as RuntimeBaseNotMinimal proposes them: no Alpine variant
// when the stage (or a stage it is built FROM) installs apt or dnf
// packages.
func SmallerBases(s *analysis.Stage) []string {
	smaller := s.Image().Smaller
	if distroPackages(s) {
		smaller = slices.DeleteFunc(slices.Clone(smaller), func(r string) bool { return strings.Contains(r, "alpine") })
	}
	return smaller
}
