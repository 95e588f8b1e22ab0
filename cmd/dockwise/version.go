// This file defines `dockwise version`: the versions of dockwise, of the
// BuildKit Dockerfile parser it is built with, and of Go.
package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

const buildkitModule = "github.com/moby/buildkit"

// buildkitFallback is the BuildKit version in go.mod. It is shown only when
// the binary's build information lists no dependencies, as in test binaries
// and in builds made without module support; keep it in step with go.mod
// (a test checks that it is).
const buildkitFallback = "v0.34.2"

func runVersion(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", stderr)
	pos, err := parseArgs(fs, args)
	if err == errHelp {
		printHelp(stdout, fs, "dockwise version", "Version prints the versions of dockwise, of the BuildKit Dockerfile parser it is built with, and of Go.")
		return exitOK
	}
	if err == nil && len(pos) > 0 {
		err = fmt.Errorf("unexpected argument %q", pos[0])
	}
	if err != nil {
		return usageError(stderr, "version", err)
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintf(stdout, "dockwise %s\nBuildKit parser %s\n%s %s/%s\n",
		mainVersion(info), buildkitVersion(info), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}

// dockwiseVersion is the version of the main module, "(devel)" when it is
// not a released build.
func dockwiseVersion() string {
	info, _ := debug.ReadBuildInfo()
	return mainVersion(info)
}

func mainVersion(info *debug.BuildInfo) string {
	if info != nil && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

// buildkitVersion is the version of the BuildKit module the binary was
// built with (its replacement's, when replaced).
func buildkitVersion(info *debug.BuildInfo) string {
	if info != nil {
		for _, dep := range info.Deps {
			if dep.Path != buildkitModule {
				continue
			}
			if dep.Replace != nil && dep.Replace.Version != "" {
				return dep.Replace.Version
			}
			if dep.Version != "" {
				return dep.Version
			}
		}
	}
	return buildkitFallback
}
