// This file tests the configuration: settings pushed in
// didChangeConfiguration, pulled with workspace/configuration, passed as
// initializationOptions, bad settings, and the build context setting.
package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/dockwise/dockwise/analysis"
)

const configText = "FROM alpine\nMAINTAINER me MARK\n"

// codesAndSeverities summarises diagnostics as "Code:severity" strings.
func codesAndSeverities(ds []protocol.Diagnostic) string {
	var out []string
	for _, d := range simplify(ds) {
		out = append(out, d.Code+":"+analysis.Severity(d.Severity).String())
	}
	return strings.Join(out, " ")
}

func TestConfigurationPushed(t *testing.T) {
	c := connect(t, testServer(t))
	c.initialize(nil)
	u := uri.File("/w/Dockerfile")
	c.open(u, 1, configText)
	if got, want := codesAndSeverities(c.waitPublish(u, 1).Diagnostics), "TestMaintainer:info TestMark:warning"; got != want {
		t.Fatalf("defaults: %s, want %s", got, want)
	}
	steps := []struct{ settings, want string }{
		{`{"dockwise":{"rules":{"TestMaintainer":"off"}}}`, "TestMark:warning"},
		{`{"rules":{"TestMaintainer":"error","TestMark":"HINT"}}`, "TestMaintainer:error TestMark:hint"},
		{`{"dockwise":{"rules":{"TestMark":"info"}}}`, "TestMaintainer:info TestMark:info"},
		{`{"dockwise":{}}`, "TestMaintainer:info TestMark:warning"},
	}
	for i, step := range steps {
		c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(step.settings)})
		p := c.waitNthPublish(u, i+2)
		if v, _ := p.Version.Get(); v != 1 {
			t.Errorf("republished with version %d, want 1", v)
		}
		if got := codesAndSeverities(p.Diagnostics); got != step.want {
			t.Errorf("after %s: %s, want %s", step.settings, got, step.want)
		}
	}
	// Settings equal to the current ones change nothing: the next publish
	// is the one for the next edit.
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{"rules":{}}`)})
	c.change(u, 2, &protocol.TextDocumentContentChangeWholeDocument{Text: configText})
	if v, _ := c.waitNthPublish(u, len(steps)+2).Version.Get(); v != 2 {
		t.Errorf("unchanged settings republished (version %d)", v)
	}
}

func TestConfigurationPulled(t *testing.T) {
	c := connect(t, testServer(t))
	c.setSettings(`{"rules":{"TestMark":"off"}}`)
	c.initialize(&protocol.InitializeParams{Capabilities: protocol.ClientCapabilities{Workspace: &protocol.WorkspaceClientCapabilities{
		Configuration:          ptr(true),
		DidChangeConfiguration: &protocol.DidChangeConfigurationClientCapabilities{DynamicRegistration: ptr(true)},
	}}})
	c.waitFor("workspace/configuration", func() bool { return c.configAsks == 1 })
	c.waitFor("client/registerCapability", func() bool { return len(c.registered) == 1 })
	if c.registered[0] != protocol.MethodWorkspaceDidChangeConfiguration {
		t.Errorf("registered %v", c.registered)
	}
	u := uri.File("/w/Dockerfile")
	c.open(u, 1, configText)
	// The document may be analysed before the answer applies, and again
	// after: wait for the latest publish to reflect the settings.
	c.waitLatest(u, "TestMaintainer:info")
	// A change notification without settings makes the server ask again.
	c.setSettings(`{"rules":{"TestMaintainer":"warning"}}`)
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny("null")})
	c.waitLatest(u, "TestMaintainer:warning TestMark:warning")
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.configAsks != 2 {
		t.Errorf("%d workspace/configuration requests, want 2", c.configAsks)
	}
}

func TestInitializationOptions(t *testing.T) {
	c := connect(t, testServer(t))
	c.initialize(&protocol.InitializeParams{InitializationOptions: protocol.LSPAny(`{"rules":{"TestMaintainer":"hint"}}`)})
	u := uri.File("/w/Dockerfile")
	c.open(u, 1, configText)
	if got, want := codesAndSeverities(c.waitPublish(u, 1).Diagnostics), "TestMaintainer:hint TestMark:warning"; got != want {
		t.Errorf("%s, want %s", got, want)
	}
}

func TestBadSettings(t *testing.T) {
	c := connect(t, testServer(t))
	c.initialize(nil)
	u := uri.File("/w/Dockerfile")
	c.open(u, 1, configText)
	c.waitPublish(u, 1)
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{
		"rules": {"TestMark": "off", "NoSuchRule": "off", "testmaintainer": "on", "TestMaintainer": 3},
		"buildContext": ["x"],
		"colour": "blue"
	}`)})
	// The good part applies.
	if got, want := codesAndSeverities(c.waitNthPublish(u, 2).Diagnostics), "TestMaintainer:info"; got != want {
		t.Errorf("%s, want %s", got, want)
	}
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`"rules"`)})
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{"rules":{"TestMark":"loud"}}`)})
	wantLogs := []string{ // in key order
		`buildContext: expected a string, got an array`,
		`unknown setting "colour"`,
		`rules: unknown rule "NoSuchRule"`,
		`rules.TestMaintainer: expected a string, got a number`,
		`rules: unknown rule "testmaintainer" (did you mean "TestMaintainer"?)`,
		`expected an object, got a string`,
		`rules.TestMark: unknown value "loud"`,
	}
	c.waitFor("warnings", func() bool { return len(c.logs) >= len(wantLogs) })
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, w := range wantLogs {
		if l := c.logs[i]; l.Type != protocol.MessageTypeWarning || !strings.Contains(l.Message, w) {
			t.Errorf("log message %d: %v %q, want a warning containing %q", i, l.Type, l.Message, w)
		}
	}
}

func TestBuildContextSetting(t *testing.T) {
	root := t.TempDir()
	s := New(Options{Rules: []*analysis.Rule{contextRule}, Logger: testLogger(t)})
	c := connect(t, s)
	c.initialize(&protocol.InitializeParams{WorkspaceFoldersInitializeParams: protocol.WorkspaceFoldersInitializeParams{
		WorkspaceFolders: protocol.NewNullable([]protocol.WorkspaceFolder{{URI: uri.File(root), Name: "root"}}),
	}})
	u := uri.File(filepath.Join(root, "docker", "app", "Dockerfile"))
	contextOf := func(p *protocol.PublishDiagnosticsParams) string {
		ds := simplify(p.Diagnostics)
		if len(ds) != 1 {
			t.Fatalf("diagnostics %v", ds)
		}
		return strings.TrimPrefix(ds[0].Message, "context ")
	}
	c.open(u, 1, "FROM a\n")
	if got, want := contextOf(c.waitPublish(u, 1)), filepath.Join(root, "docker", "app"); got != want {
		t.Errorf("default context %s, want %s", got, want)
	}
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{"buildContext":"docker"}`)})
	if got, want := contextOf(c.waitNthPublish(u, 2)), filepath.Join(root, "docker"); got != want {
		t.Errorf("relative context %s, want %s", got, want)
	}
	abs := t.TempDir()
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{"buildContext":` + quote(abs) + `}`)})
	if got := contextOf(c.waitNthPublish(u, 3)); got != abs {
		t.Errorf("absolute context %s, want %s", got, abs)
	}
	// A document that is not a file has no build context by default.
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny(`{}`)})
	untitled := uri.URI("untitled:Untitled-1")
	c.open(untitled, 1, "FROM a\n")
	if got := contextOf(c.waitPublish(untitled, 1)); got != "<none>" {
		t.Errorf("untitled context %s, want none", got)
	}
}

// TestBuildContextProblem checks that a .dockerignore that cannot be used
// is reported to the user once, not at every edit.
func TestBuildContextProblem(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("[\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := New(Options{Rules: []*analysis.Rule{contextRule}, Logger: testLogger(t)})
	c := connect(t, s)
	c.initialize(nil)
	u := uri.File(filepath.Join(dir, "Dockerfile"))
	c.open(u, 1, "FROM a\n")
	c.waitPublish(u, 1)
	for v := int32(2); v < 5; v++ {
		c.change(u, v, &protocol.TextDocumentContentChangeWholeDocument{Text: "FROM b\n"})
		c.waitPublish(u, v)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.logs) != 1 || !strings.Contains(c.logs[0].Message, ".dockerignore") || c.logs[0].Type != protocol.MessageTypeWarning {
		for _, l := range c.logs {
			t.Logf("log message: %v %s", l.Type, l.Message)
		}
		t.Errorf("want one warning about the .dockerignore, got %d messages", len(c.logs))
	}
}

func TestWorkspaceFolder(t *testing.T) {
	folders := []string{"/a", "/b"}
	for path, want := range map[string]string{
		"/b/x/Dockerfile": "/b",
		"/a/Dockerfile":   "/a",
		"/bb/Dockerfile":  "/a",
		"/c/Dockerfile":   "/a",
	} {
		if got := workspaceFolder(folders, path); got != want {
			t.Errorf("workspaceFolder(%s) = %s, want %s", path, got, want)
		}
	}
	if got := workspaceFolder(nil, "/c/Dockerfile"); got != "/c" {
		t.Errorf("no folders: %s, want /c", got)
	}
	if got := workspaceFolder(nil, ""); got != "" {
		t.Errorf("no folders, no path: %q", got)
	}
}

func TestParseSettings(t *testing.T) {
	names := map[string]bool{"A": true, "B": true, "C": true}
	cfg, ok, problems := parseSettings([]byte(`{"rules":{"A":"off","B":"on","C":"Warning"},"buildContext":" ctx "}`), names)
	if !ok || len(problems) != 0 {
		t.Fatalf("ok=%v problems=%v", ok, problems)
	}
	want := analysis.Config{
		Disabled: map[string]bool{"A": true},
		Enabled:  map[string]bool{"B": true, "C": true},
		Severity: map[string]analysis.Severity{"C": analysis.SeverityWarning},
	}
	if diff := cmp.Diff(want, cfg.analysis); diff != "" || cfg.buildContext != "ctx" {
		t.Errorf("config (-want +got):\n%s\nbuildContext %q", diff, cfg.buildContext)
	}
	for _, raw := range []string{`null`, `{"dockwise":null}`} {
		if _, ok, problems := parseSettings([]byte(raw), names); ok || len(problems) != 0 {
			t.Errorf("%s: ok=%v problems=%v, want no settings", raw, ok, problems)
		}
	}
}

// waitLatest waits until the latest publish for u has the given codes and
// severities.
func (c *testClient) waitLatest(u uri.URI, want string) {
	c.t.Helper()
	c.waitFor("diagnostics "+want, func() bool {
		for i := len(c.publishes) - 1; i >= 0; i-- {
			if p := c.publishes[i]; p.URI == u {
				return codesAndSeverities(p.Diagnostics) == want
			}
		}
		return false
	})
}

func ptr[T any](v T) *T { return &v }

func quote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}
