// This file tests the split offered as refactor.rewrite (on the FROM line,
// with the rule turned off, or anywhere when asked for by kind) and lazy
// code actions: a client with resolveSupport for "edit" gets the heavy
// actions without their edit and resolves it, to the edit a client without
// resolve support gets eagerly; a document changed since, an action no
// longer offered, and bad data are answered with an error.
package server

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
	"github.com/dockwise/dockwise/codeactions"
)

const splitDockerfile = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n"

// resolveCaps are codeActionCaps with resolveSupport for "edit".
func resolveCaps(documentChanges bool) *protocol.InitializeParams {
	p := codeActionCaps(documentChanges, false)
	p.Capabilities.TextDocument.CodeAction.ResolveSupport.Properties = []string{"edit"}
	return p
}

func (c *testClient) resolve(a *protocol.CodeAction) (*protocol.CodeAction, error) {
	c.t.Helper()
	var res protocol.CodeAction
	if err := c.call(protocol.MethodCodeActionResolve, a, &res); err != nil {
		return nil, err
	}
	return own(c.t, &res), nil
}

// own returns a copy of a decoded action that does not share the
// connection's read buffer, which later messages reuse.
func own(t testing.TB, a *protocol.CodeAction) *protocol.CodeAction {
	t.Helper()
	raw, err := protocol.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var out protocol.CodeAction
	if err := protocol.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// ownedActions is codeActions with copies that do not share the read
// buffer.
func (c *testClient) ownedActions(u uri.URI, r protocol.Range, diags []protocol.Diagnostic, only []protocol.CodeActionKind, trigger protocol.CodeActionTriggerKind) []*protocol.CodeAction {
	c.t.Helper()
	var out []*protocol.CodeAction
	for _, a := range c.codeActions(u, r, diags, only, trigger) {
		out = append(out, own(c.t, a))
	}
	return out
}

// engineRefactors returns what the engine's refactors do to text.
func engineRefactors(t *testing.T, text string) map[string]string {
	t.Helper()
	in := codeactions.NewInput(analysis.Parse(text), rules.All, analysis.Options{}, nil)
	acts, errs := codeactions.Refactors(in, 0, 0, true)
	if len(errs) > 0 || len(acts) == 0 {
		t.Fatalf("the engine offers no refactor (%v)", errs)
	}
	out := map[string]string{}
	for _, a := range acts {
		r, err := codeactions.Apply(text, a.Edits)
		if err != nil {
			t.Fatal(err)
		}
		out[a.Title] = r
	}
	return out
}

func isContentModified(err error) bool {
	var e *jsonrpc2.Error
	return errors.As(err, &e) && e.Code == codeContentModified
}

func TestCodeActionRefactorSplit(t *testing.T) {
	want := engineRefactors(t, splitDockerfile)
	for _, lazy := range []bool{false, true} {
		c := connect(t, New(Options{Logger: testLogger(t)}))
		p := codeActionCaps(true, false)
		if lazy {
			p = resolveCaps(true)
		}
		p.InitializationOptions = protocol.LSPAny(`{"rules":{"SingleStageBuild":"off"}}`)
		c.initialize(p)
		u := uri.File("/w/Dockerfile")
		c.open(u, 4, splitDockerfile)
		pub := c.waitPublish(u, 4)
		for _, d := range pub.Diagnostics {
			if code, _ := d.Code.(protocol.String); code == "SingleStageBuild" {
				t.Fatalf("SingleStageBuild is off but reported")
			}
		}
		onFrom := protocol.Range{Start: protocol.Position{Character: 3}, End: protocol.Position{Character: 3}}
		onCmd := protocol.Range{Start: protocol.Position{Line: 4}, End: protocol.Position{Line: 4}}
		got := c.ownedActions(u, onFrom, nil, nil, protocol.CodeActionTriggerKindAutomatic)
		if len(got) != len(want) {
			t.Fatalf("lazy %v: on the FROM line: %q, want %d refactors", lazy, titles(got), len(want))
		}
		for _, a := range got {
			if a.Kind == nil || *a.Kind != protocol.CodeActionKindRefactorRewrite || len(a.Diagnostics) != 0 {
				t.Errorf("%q: kind %v, diagnostics %v", a.Title, a.Kind, a.Diagnostics)
			}
			if lazy {
				if a.Edit != nil || len(a.Data) == 0 {
					t.Fatalf("%q: lazy action with edit %v, data %s", a.Title, a.Edit, a.Data)
				}
				r, err := c.resolve(a)
				if err != nil {
					t.Fatalf("resolve %q: %v", a.Title, err)
				}
				a = r
			}
			if a.Edit == nil {
				t.Fatalf("%q: no edit", a.Title)
			}
			out, version := applyWorkspaceEdit(t, splitDockerfile, u, a.Edit, false)
			if out != want[a.Title] || version != 4 {
				t.Errorf("%q (version %d): the client gets\n%s\nwant\n%s", a.Title, version, out, want[a.Title])
			}
		}
		if got := c.codeActions(u, onCmd, nil, nil, protocol.CodeActionTriggerKindAutomatic); len(got) != 0 {
			t.Errorf("lazy %v: away from the FROM line: %q", lazy, titles(got))
		}
		for _, only := range [][]protocol.CodeActionKind{{"refactor"}, {"refactor.rewrite"}} {
			if got := c.codeActions(u, onCmd, nil, only, protocol.CodeActionTriggerKindInvoked); len(got) != len(want) {
				t.Errorf("lazy %v: only %v: %q", lazy, only, titles(got))
			}
		}
		if got := c.codeActions(u, onFrom, nil, []protocol.CodeActionKind{"quickfix"}, protocol.CodeActionTriggerKindInvoked); len(got) != 0 {
			t.Errorf("lazy %v: only quickfix: %q", lazy, titles(got))
		}
	}
}

func TestCodeActionRefactorNotDuplicated(t *testing.T) {
	c := connect(t, New(Options{Logger: testLogger(t)}))
	c.initialize(codeActionCaps(true, false))
	u := uri.File("/w/Dockerfile")
	c.open(u, 1, splitDockerfile)
	pub := c.waitPublish(u, 1)
	var ssb []protocol.Diagnostic
	for _, d := range pub.Diagnostics {
		if code, _ := d.Code.(protocol.String); code == "SingleStageBuild" {
			ssb = append(ssb, d)
		}
	}
	if len(ssb) != 1 {
		t.Fatalf("no SingleStageBuild among %v", simplify(pub.Diagnostics))
	}
	got := c.codeActions(u, ssb[0].Range, ssb, nil, protocol.CodeActionTriggerKindInvoked)
	seen := map[string]bool{}
	splits := 0
	for _, a := range got {
		if seen[a.Title] {
			t.Errorf("offered twice: %q", a.Title)
		}
		seen[a.Title] = true
		if strings.HasPrefix(a.Title, "Split into stages") {
			splits++
			if *a.Kind != protocol.CodeActionKindQuickFix {
				t.Errorf("%q: kind %v", a.Title, *a.Kind)
			}
		}
	}
	if splits == 0 {
		t.Errorf("no split among %q", titles(got))
	}
}

func TestCodeActionResolve(t *testing.T) {
	// A Node project: the split, manifests first and cache mount are
	// heavy; the suppressions and the JSON form are not.
	root := t.TempDir()
	files := map[string]string{
		"package.json":      `{"name":"app","scripts":{"build":"tsc"},"devDependencies":{"typescript":"5"}}` + "\n",
		"package-lock.json": "{}\n",
		"src/index.ts":      "console.log(1)\n",
		"tsconfig.json":     `{"compilerOptions": {"outDir": "dist"}}` + "\n",
		".dockerignore":     "node_modules\n.git\n.env*\n*.pem\n*.key\nDockerfile*\n.dockerignore\n",
	}
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n"
	u := uri.File(filepath.Join(root, "Dockerfile"))
	offer := func(c *testClient, version int32) ([]*protocol.CodeAction, *protocol.PublishDiagnosticsParams) {
		c.open(u, version, text)
		pub := c.waitPublish(u, version)
		all := protocol.Range{End: protocol.Position{Line: 6}}
		return c.ownedActions(u, all, pub.Diagnostics, []protocol.CodeActionKind{"quickfix"}, protocol.CodeActionTriggerKindInvoked), pub
	}
	init := func(p *protocol.InitializeParams) *testClient {
		c := connect(t, New(Options{Logger: testLogger(t)}))
		p.WorkspaceFolders = protocol.NewNullable([]protocol.WorkspaceFolder{{URI: uri.File(root), Name: "root"}})
		c.initialize(p)
		return c
	}
	eagerClient := init(codeActionCaps(true, false))
	eager, _ := offer(eagerClient, 7)
	lazyClient := init(resolveCaps(true))
	lazy, pub := offer(lazyClient, 7)

	if !slices.Equal(titles(eager), titles(lazy)) {
		t.Fatalf("titles differ:\neager %q\nlazy  %q", titles(eager), titles(lazy))
	}
	heavy := map[string]bool{}
	for _, rule := range []string{"SingleStageBuild", "SourceCopiedBeforeDependencies", "MissingCacheMount"} {
		found := false
		for _, d := range pub.Diagnostics {
			found = found || d.Code == protocol.String(rule)
		}
		if !found {
			t.Fatalf("no %s among %v", rule, simplify(pub.Diagnostics))
		}
		heavy[rule] = true
	}
	resolved := map[string]bool{}
	for i, e := range eager {
		l := lazy[i]
		if e.Edit == nil {
			t.Fatalf("eager %q has no edit", e.Title)
		}
		code, _ := l.Diagnostics[0].Code.(protocol.String)
		isHeavy := heavy[string(code)] && !strings.HasPrefix(l.Title, "Ignore ")
		if isHeavy != (l.Edit == nil) || isHeavy != (len(l.Data) > 0) {
			t.Fatalf("%q: heavy %v, edit %v, data %s", l.Title, isHeavy, l.Edit != nil, l.Data)
		}
		if !isHeavy {
			continue
		}
		r, err := lazyClient.resolve(l)
		if err != nil {
			t.Fatalf("resolve %q: %v", l.Title, err)
		}
		if r.Title != l.Title || r.Edit == nil || len(r.Diagnostics) != len(l.Diagnostics) {
			t.Fatalf("resolved %q: %+v", l.Title, r)
		}
		got, gv := applyWorkspaceEdit(t, text, u, r.Edit, false)
		want, wv := applyWorkspaceEdit(t, text, u, e.Edit, false)
		if got != want || gv != 7 || wv != 7 {
			t.Errorf("%q: resolved (version %d)\n%s\neager (version %d)\n%s", l.Title, gv, got, wv, want)
		}
		resolved[string(code)] = true
	}
	if len(resolved) != len(heavy) {
		t.Errorf("resolved the actions of %v, want %v", resolved, heavy)
	}

	// An action whose data names another target, or bad data.
	var splitAction *protocol.CodeAction
	for _, l := range lazy {
		if strings.HasPrefix(l.Title, "Split into stages") {
			splitAction = l
		}
	}
	if splitAction == nil {
		t.Fatalf("no split among %q", titles(lazy))
	}
	renamed := *splitAction
	renamed.Title = "Split into something else"
	if _, err := lazyClient.resolve(&renamed); !isContentModified(err) {
		t.Errorf("resolve of an action not offered: %v", err)
	}
	bad := *splitAction
	bad.Data = protocol.LSPAny(`{"version":"x"}`)
	if _, err := lazyClient.resolve(&bad); err == nil || isContentModified(err) {
		t.Errorf("resolve with bad data: %v", err)
	}

	// The document changed since: ContentModified, then the actions
	// offered for the new version resolve.
	lazyClient.change(u, 8, &protocol.TextDocumentContentChangePartial{
		Range: protocol.Range{Start: protocol.Position{Line: 5}, End: protocol.Position{Line: 5}},
		Text:  "EXPOSE 3000\n",
	})
	pub8 := lazyClient.waitPublish(u, 8)
	if _, err := lazyClient.resolve(splitAction); !isContentModified(err) {
		t.Errorf("resolve after a change: %v, want ContentModified", err)
	}
	// (made from version 8: the runtime stage exposes the new port)
	all := protocol.Range{End: protocol.Position{Line: 7}}
	var split8 *protocol.CodeAction
	for _, l := range lazyClient.ownedActions(u, all, pub8.Diagnostics, []protocol.CodeActionKind{"quickfix"}, protocol.CodeActionTriggerKindInvoked) {
		if l.Title == splitAction.Title {
			split8 = l
		}
	}
	if split8 == nil {
		t.Fatalf("%q not offered for version 8", splitAction.Title)
	}
	r, err := lazyClient.resolve(split8)
	if err != nil {
		t.Fatalf("resolve of the action offered for version 8: %v", err)
	}
	lines := strings.SplitAfter(text, "\n")
	text8 := strings.Join(lines[:5], "") + "EXPOSE 3000\n" + strings.Join(lines[5:], "")
	if got, v := applyWorkspaceEdit(t, text8, u, r.Edit, false); v != 8 || !strings.Contains(got[strings.LastIndex(got, "FROM "):], "EXPOSE 3000") {
		t.Errorf("the resolved edit (version %d) gives\n%s", v, got)
	}
}

// TestCodeActionResolveCommand: for a client that resolves edits but does
// not create files, the .dockerignore action is the server's command,
// computed and verified before it is offered (a command is not resolved).
func TestCodeActionResolveCommand(t *testing.T) {
	root := ignoreWorkspace(t)
	c := connect(t, New(Options{Logger: testLogger(t)}))
	p := resolveCaps(true)
	p.WorkspaceFolders = protocol.NewNullable([]protocol.WorkspaceFolder{{URI: uri.File(root), Name: "root"}})
	c.initialize(p)
	a := own(t, dockerignoreAction(t, c, root))
	if a.Edit != nil || len(a.Data) != 0 || a.Command.Command != cmdCreateDockerignore || len(a.Command.Arguments) != 1 {
		t.Fatalf("action %+v, want the command and no data", a)
	}
	if !strings.Contains(string(a.Command.Arguments[0]), "node_modules") {
		t.Errorf("command arguments %s", a.Command.Arguments[0])
	}
}
