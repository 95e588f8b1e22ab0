// This file tests the build context's directory scans and package.json
// reading (the ignore file is tested in semantic_test.go).
package analysis

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if data == "<dir>" {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestScan(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"package.json": "{}", "package-lock.json": "{}", "requirements.txt": "", "requirements-dev.txt": "",
		".env": "X=1", ".env.production": "X=2", ".env.example": "X=", "server.key": "", "certs/ca.pem": "",
		"App.csproj": "", ".git/HEAD": "ref", "node_modules/x/index.js": "", "build": "not a directory",
		"target/app.jar": "", "web/package.json": "{}", "web/yarn.lock": "", "web/dist/<dir>": "<dir>",
		"go.mod": "module x\n", "build.gradle.kts": "",
	})
	bc, err := NewBuildContext(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	root := bc.Scan(".")
	if root == nil || root.Dir != "." || root.Partial {
		t.Fatalf("Scan(.) = %+v", root)
	}
	if bc.Scan("") != root || bc.Scan("./") != root {
		t.Error("the root is not scanned once")
	}
	for k, want := range map[Known][]string{
		KnownPackageJSON: {"package.json"}, KnownPackageLock: {"package-lock.json"}, KnownYarnLock: nil,
		KnownRequirements: {"requirements-dev.txt", "requirements.txt"}, KnownEnvFile: {".env", ".env.production"},
		KnownKeyFile: {"server.key"}, KnownDotnetProject: {"App.csproj"}, KnownGit: {".git"},
		KnownNodeModules: {"node_modules"}, KnownBuildDir: nil, KnownTarget: {"target"}, KnownGoMod: {"go.mod"},
		KnownGoSum: nil, KnownBuildGradle: {"build.gradle.kts"}, KnownDist: nil,
	} {
		if got := root.Names(k); !slices.Equal(got, want) {
			t.Errorf("Names(%d) = %q, want %q", k, got, want)
		}
		if root.Has(k) != (len(want) > 0) {
			t.Errorf("Has(%d) = %v", k, root.Has(k))
		}
	}
	if e, ok := root.Lookup("certs"); !ok || !e.Dir {
		t.Errorf("Lookup(certs) = %v %v", e, ok)
	}
	if _, ok := root.Lookup("nope"); ok {
		t.Error("Lookup(nope)")
	}
	web := bc.Scan("web/")
	if !web.Has(KnownPackageJSON) || !web.Has(KnownYarnLock) || !web.Has(KnownDist) || web.Has(KnownPackageLock) {
		t.Errorf("Scan(web) = %+v", web)
	}
	for _, rel := range []string{"missing", "package.json", "..", "../x"} {
		if s := bc.Scan(rel); s != nil {
			t.Errorf("Scan(%q) = %+v, want nil", rel, s)
		}
	}
	if bc.Scan("/") != root || bc.Scan("/../..") != root {
		t.Error("paths above the root are not the root, as in COPY sources")
	}
	if s := bc.Scan("/web"); s == nil || !s.Has(KnownYarnLock) {
		t.Error("a leading slash is not relative to the context")
	}
	var nilScan *DirScan
	if nilScan.Has(KnownGit) || nilScan.Names(KnownGit) != nil {
		t.Error("nil scan holds something")
	}
	var nilCtx *BuildContext
	if nilCtx.Scan(".") != nil || (&BuildContext{}).Scan(".") != nil {
		t.Error("an unknown context has a scan")
	}
}

func TestScanConcurrent(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"go.mod": "", "a/go.sum": ""})
	bc, _ := NewBuildContext(dir, "")
	var wg sync.WaitGroup
	got := make([]*DirScan, 16)
	for i := range got {
		wg.Go(func() { got[i] = bc.Scan([]string{".", "a"}[i%2]) })
	}
	wg.Wait()
	for i, s := range got {
		if s != got[i%2] || s == nil {
			t.Fatalf("scan %d differs or is nil", i)
		}
	}
}

func TestScanHugeDirectory(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < maxListed+10; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bc, _ := NewBuildContext(dir, "")
	s := bc.Scan(".")
	if s == nil || !s.Partial || len(s.Entries) != maxListed {
		t.Fatalf("huge directory: partial %v, %d entries", s != nil && s.Partial, len(s.Entries))
	}
}

func TestPackageJSON(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"package.json": `{"name":"web","packageManager":"pnpm@9.1.0+sha512.abc","scripts":{"build":"ng build","n":3},
			"dependencies":{"@angular/core":"^18.0.0"},"devDependencies":{"typescript":"~5.4"}}`,
		"bad/package.json":   "{not json",
		"odd/package.json":   `{"name":7,"scripts":["x"],"dependencies":{"a":"1"}}`,
		"empty/package.json": "{}",
	})
	bc, _ := NewBuildContext(dir, "")
	p, err := bc.PackageJSON(".")
	if err != nil || p == nil {
		t.Fatalf("PackageJSON(.) = %v, %v", p, err)
	}
	if p.Name != "web" || p.Manager() != "pnpm" || p.BuildScript() != "ng build" || p.Scripts["n"] != "" ||
		p.Dependencies["@angular/core"] != "^18.0.0" || p.DevDependencies["typescript"] != "~5.4" {
		t.Errorf("PackageJSON(.) = %+v", p)
	}
	if again, _ := bc.PackageJSON(""); again != p {
		t.Error("package.json read twice")
	}
	if p, err := bc.PackageJSON("bad"); p != nil || err == nil {
		t.Errorf("bad: %v %v", p, err)
	}
	if p, err := bc.PackageJSON("odd"); err != nil || p.Name != "" || p.Scripts != nil || p.Dependencies["a"] != "1" {
		t.Errorf("odd: %+v %v", p, err)
	}
	if p, err := bc.PackageJSON("empty"); err != nil || p.Manager() != "" || p.BuildScript() != "" {
		t.Errorf("empty: %+v %v", p, err)
	}
	if p, err := bc.PackageJSON("missing"); p != nil || err != nil {
		t.Errorf("missing: %v %v", p, err)
	}
	var nilCtx *BuildContext
	if p, err := nilCtx.PackageJSON("."); p != nil || err != nil {
		t.Error("nil context")
	}
}

// The fast matcher of the known-file globs agrees with path.Match.
func TestKnownGlobsMatchLikePathMatch(t *testing.T) {
	_, globs := knownMatchers()
	names := []string{"requirements.txt", "requirements-dev.txt", "requirements", "x.csproj", ".csproj", "a.pem", "pem",
		".env.local", ".env", "id_rsa.pub", "app.sln", "app.sln.bak", "dir.key", "owner__repo__Dockerfile", ""}
	for _, g := range globs {
		for _, n := range names {
			want, _ := path.Match(g.pattern, n)
			if got := g.matches(n); got != want {
				t.Errorf("%q against %q: %v, path.Match says %v", g.pattern, n, got, want)
			}
		}
	}
}
