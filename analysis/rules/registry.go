// This file defines the registry: the sorted list of every rule dockwise has.
// `dockwise rules` and the rule documentation are generated from it.
package rules

import (
	"slices"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

// All is every rule, sorted by name.
var All = sorted([]*analysis.Rule{
	// BuildKit's build checks.
	ConsistentInstructionCasing,
	CopyIgnoredFile,
	DuplicateStageName,
	ExposeInvalidFormat,
	ExposeProtoCasing,
	FromAsCasing,
	FromPlatformFlagConstDisallowed,
	InvalidBaseImagePlatform,
	InvalidDefaultArgInFrom,
	InvalidDefinitionDescription,
	JSONArgsRecommended,
	LegacyKeyValueFormat,
	MaintainerDeprecated,
	MultipleInstructionsDisallowed,
	NoEmptyContinuation,
	RedundantTargetPlatform,
	ReservedStageName,
	RootRuntimeUser,
	SecretsUsedInArgOrEnv,
	ShellFormWithoutShell,
	StageNameCasing,
	UndefinedArgInFrom,
	UndefinedVar,
	UnreachableStage,
	WorkdirRelativePath,
	MissingDockerignore,
	DockerignoreMissingEntries,
	SourceCopiedBeforeDependencies,
	ManifestWithoutLockfile,
	CgoEnabledForStaticBase,
	DevDependenciesInRuntime,
	RuntimeBaseNotMinimal,
	SingleStageBuild,
	AptCacheMountNotLocked,
	CacheMountDefeated,
	CleanupInSeparateLayer,
	MissingCacheMount,
	UnlockedDependencyInstall,
})

func sorted(rs []*analysis.Rule) []*analysis.Rule {
	slices.SortFunc(rs, func(a, b *analysis.Rule) int { return strings.Compare(a.Name, b.Name) })
	return rs
}

// ByName returns the rule with the given name, or nil.
func ByName(name string) *analysis.Rule {
	for _, r := range All {
		if r.Name == name {
			return r
		}
	}
	return nil
}
