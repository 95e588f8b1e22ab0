// This file tests `dockwise version`.
package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	r := dockwise(t, "", "version")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if r.code != 0 || len(lines) != 3 {
		t.Fatalf("exit %d:\n%s", r.code, r.stdout)
	}
	if !regexp.MustCompile(`^dockwise (\(devel\)|v\d+\.\d+\.\d+\S*)$`).MatchString(lines[0]) {
		t.Errorf("line 1: %q", lines[0])
	}
	if !regexp.MustCompile(`^BuildKit parser v\d+\.\d+\.\d+\S*$`).MatchString(lines[1]) {
		t.Errorf("line 2: %q", lines[1])
	}
	if !strings.HasPrefix(lines[2], runtime.Version()+" ") {
		t.Errorf("line 3: %q", lines[2])
	}
	if r := dockwise(t, "", "--version"); r.stdout != dockwise(t, "", "version").stdout {
		t.Errorf("--version differs from version")
	}
}

func TestBuildKitVersion(t *testing.T) {
	// The fallback is go.mod's version.
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(buildkitModule) + `\s+(\S+)`).FindSubmatch(mod)
	if m == nil || string(m[1]) != buildkitFallback {
		t.Errorf("go.mod requires %s %s; buildkitFallback is %s", buildkitModule, m[1], buildkitFallback)
	}
	if got := buildkitVersion(nil); got != buildkitFallback {
		t.Errorf("buildkitVersion(nil) = %q", got)
	}
	info := &debug.BuildInfo{Deps: []*debug.Module{
		{Path: "example.com/other", Version: "v1.0.0"},
		{Path: buildkitModule, Version: "v0.99.0"},
	}}
	if got := buildkitVersion(info); got != "v0.99.0" {
		t.Errorf("buildkitVersion = %q, want v0.99.0", got)
	}
	info.Deps[1].Replace = &debug.Module{Path: "example.com/fork", Version: "v0.99.1"}
	if got := buildkitVersion(info); got != "v0.99.1" {
		t.Errorf("buildkitVersion(replaced) = %q, want v0.99.1", got)
	}
	if got := mainVersion(&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}); got != "v1.2.3" {
		t.Errorf("mainVersion = %q", got)
	}
	if got := mainVersion(nil); got != "(devel)" {
		t.Errorf("mainVersion(nil) = %q", got)
	}
}
