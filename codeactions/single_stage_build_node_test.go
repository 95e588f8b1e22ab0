// This file tests the runtime choice of the Node split directly (an Alpine
// node image is not a toolchain image, so neither SingleStageBuild nor the
// refactor reaches that branch from a file): an Alpine original stays on
// Alpine and its title names the native modules built there; a Debian one
// becomes -slim and names its glibc native modules.
package codeactions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

func nodeSplitTitle(t *testing.T, from, deps string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"package.json":      `{"name": "svc", "scripts": {"build": "tsc"}, "dependencies": {` + deps + `}, "devDependencies": {"canvas": "2"}}`,
		"package-lock.json": "{}",
		"tsconfig.json":     `{"compilerOptions": {"outDir": "dist"}}`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, err := analysis.NewBuildContext(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := "FROM " + from + "\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"node\", \"dist/index.js\"]\n"
	in := NewInput(analysis.Parse(text), rules.All, analysis.Options{Context: ctx}, nil)
	acts := nodeSplit(in, in.File.Semantics().Stages[0])
	if len(acts) != 1 {
		t.Fatalf("%s: %d splits, want 1", from, len(acts))
	}
	return acts[0].Title
}

func TestNodeSplitRuntimeTitle(t *testing.T) {
	for _, tt := range []struct {
		from, deps string
		want, not  string
	}{
		{"node:20-alpine", `"sharp": "0.33", "bcrypt": "5", "express": "4"`, "`node:20-alpine` (Alpine-based like the original, where its native modules bcrypt, sharp build)", ""},
		{"node:20-alpine", `"express": "4"`, "`node:20-alpine` (Alpine-based like the original)", "native"},
		{"node:20", `"better-sqlite3": "9"`, "`node:20-slim` (Debian-based like the original; glibc native modules: better-sqlite3)", ""},
		{"node:20", `"express": "4"`, "`node:20-slim` (Debian-based like the original)", "native"},
	} {
		got := nodeSplitTitle(t, tt.from, tt.deps)
		if !strings.Contains(got, tt.want) || tt.not != "" && strings.Contains(got, tt.not) {
			t.Errorf("%s with %s: title %q, want %q", tt.from, tt.deps, got, tt.want)
		}
	}
}

// TestYarnBerryFiles checks when the production install of a yarn 2+
// project can be `yarn workspaces focus`: node-modules linker, a known
// version, 4+ or the workspace-tools plugin.
func TestYarnBerryFiles(t *testing.T) {
	for _, tt := range []struct {
		name, pm, rc string
		files        []string
		want         bool
		extra        string
	}{
		{"yarn4", "yarn@4.1.1", "nodeLinker: node-modules\n", nil, true, ""},
		{"yarn4 pnp", "yarn@4.1.1", "enableTelemetry: false\n", nil, false, ""},
		{"yarn4 pnp linker", "yarn@4.1.1", "nodeLinker: pnp\n", nil, false, ""},
		{"yarn3 no plugin", "yarn@3.6.4", "nodeLinker: node-modules\n", nil, false, ""},
		{"yarn3 plugin", "yarn@3.6.4", "nodeLinker: \"node-modules\"\r\nplugins:\r\n  - path: .yarn/plugins/p.cjs\r\n    spec: \"@yarnpkg/plugin-workspace-tools\"\r\n", []string{".yarn/plugins/p.cjs"}, true, ".yarn/plugins"},
		{"plugin key elsewhere", "yarn@3.6.4", "nodeLinker: node-modules\nplugins:\n  - path: .yarn/plugins/x.cjs\nnpmScopes:\n  workspace-tools: {}\n", nil, false, ""},
		{"version from yarnPath", "", "nodeLinker: node-modules\nyarnPath: .yarn/releases/yarn-4.0.2.cjs\n", []string{".yarn/releases/yarn-4.0.2.cjs"}, true, ".yarn/releases"},
		{"version unknown", "", "nodeLinker: node-modules\n", nil, false, ""},
		{"release outside .yarn", "yarn@4.1.1", "nodeLinker: node-modules\nyarnPath: tools/yarn-4.0.2.cjs\n", nil, false, ""},
	} {
		dir := t.TempDir()
		write := func(rel, data string) {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(".yarnrc.yml", tt.rc)
		for _, f := range tt.files {
			write(f, "//\n")
		}
		ctx, err := analysis.NewBuildContext(dir, filepath.Join(dir, "Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		extra, ok := yarnBerryFiles(ctx, &analysis.PackageJSON{PackageManager: tt.pm})
		if ok != tt.want || strings.Join(extra, " ") != tt.extra {
			t.Errorf("%s: %v %v, want %v %q", tt.name, extra, ok, tt.want, tt.extra)
		}
	}
}
