// This file tests the code action that creates a .dockerignore: as a
// WorkspaceEdit with CreateFile for a client that creates files, and as
// the dockwise.createDockerignore command, which the server executes only
// inside a workspace folder and never over an existing file, for one that
// does not.
package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

const ignoreDockerfile = "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nUSER node\nCMD [\"node\", \"index.js\"]\n"

// ignoreWorkspace returns a workspace folder with a Node project and no
// .dockerignore.
func ignoreWorkspace(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for name, data := range map[string]string{
		"Dockerfile":                 ignoreDockerfile,
		"index.js":                   "console.log(1)\n",
		"package.json":               "{}\n",
		"node_modules/left/index.js": "1\n",
		".git/HEAD":                  "ref: refs/heads/main\n",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// dockerignoreAction opens the workspace's Dockerfile and returns the
// action that creates its .dockerignore.
func dockerignoreAction(t *testing.T, c *testClient, root string) *protocol.CodeAction {
	t.Helper()
	u := uri.File(filepath.Join(root, "Dockerfile"))
	c.open(u, 1, ignoreDockerfile)
	p := c.waitPublish(u, 1)
	var diags []protocol.Diagnostic
	for _, d := range p.Diagnostics {
		if code, _ := d.Code.(protocol.String); code == "MissingDockerignore" {
			diags = append(diags, d)
		}
	}
	if len(diags) != 1 {
		t.Fatalf("no MissingDockerignore among %v", simplify(p.Diagnostics))
	}
	for _, a := range c.codeActions(u, diags[0].Range, diags, nil, protocol.CodeActionTriggerKindInvoked) {
		if strings.HasPrefix(a.Title, "Create .dockerignore") {
			return a
		}
	}
	t.Fatalf("no action creates .dockerignore")
	return nil
}

func initWithFolder(c *testClient, root string, createFiles bool) {
	p := codeActionCaps(createFiles, false)
	if createFiles {
		p.Capabilities.Workspace.WorkspaceEdit.ResourceOperations = []protocol.ResourceOperationKind{protocol.ResourceOperationKindCreate}
	}
	p.WorkspaceFolders = protocol.NewNullable([]protocol.WorkspaceFolder{{URI: uri.File(root), Name: "root"}})
	res := c.initialize(p)
	if cmds := res.Capabilities.ExecuteCommandProvider.Commands; len(cmds) != 1 || cmds[0] != cmdCreateDockerignore {
		c.t.Errorf("executeCommandProvider %v", cmds)
	}
}

func TestCreateDockerignoreWithCreateFile(t *testing.T) {
	root := ignoreWorkspace(t)
	c := connect(t, New(Options{Logger: testLogger(t)}))
	initWithFolder(c, root, true)
	a := dockerignoreAction(t, c, root)
	if a.Command.Command != "" || a.Edit == nil {
		t.Fatalf("action %q: command %q, edit %v", a.Title, a.Command.Command, a.Edit)
	}
	want := uri.File(filepath.Join(root, ".dockerignore"))
	created, content := false, ""
	for _, ch := range a.Edit.DocumentChanges {
		switch ch := ch.(type) {
		case *protocol.CreateFile:
			created = created || ch.URI == want
		case *protocol.TextDocumentEdit:
			if ch.TextDocument.URI == want {
				for _, e := range ch.Edits {
					if te, ok := e.(*protocol.TextEdit); ok {
						content += te.NewText
					}
				}
			}
		}
	}
	if !created {
		t.Errorf("no CreateFile of %s in %v", want, a.Edit.DocumentChanges)
	}
	for _, entry := range []string{".git", ".env*", "node_modules", "Dockerfile*"} {
		if !strings.Contains(content, "\n"+entry+"\n") {
			t.Errorf("the new file lacks %s:\n%s", entry, content)
		}
	}
	if _, err := os.Stat(filepath.Join(root, ".dockerignore")); err == nil {
		t.Errorf("the server wrote the file itself")
	}
}

func TestCreateDockerignoreWithCommand(t *testing.T) {
	root := ignoreWorkspace(t)
	c := connect(t, New(Options{Logger: testLogger(t)}))
	initWithFolder(c, root, false)
	a := dockerignoreAction(t, c, root)
	if a.Edit != nil || a.Command.Command != cmdCreateDockerignore || len(a.Command.Arguments) != 1 {
		t.Fatalf("action %q: command %+v, edit %v", a.Title, a.Command, a.Edit)
	}
	exec := func(args ...protocol.LSPAny) error {
		return c.call(protocol.MethodWorkspaceExecuteCommand, &protocol.ExecuteCommandParams{Command: cmdCreateDockerignore, Arguments: args}, nil)
	}
	if err := exec(a.Command.Arguments...); err != nil {
		t.Fatalf("executeCommand: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\nnode_modules\n") || !strings.Contains(string(data), "\n.git\n") {
		t.Errorf("the file holds:\n%s", data)
	}
	// Never over an existing file.
	if err := os.WriteFile(filepath.Join(root, ".dockerignore"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := exec(a.Command.Arguments...); err == nil {
		t.Errorf("the command ran over an existing file")
	}
	if data, _ := os.ReadFile(filepath.Join(root, ".dockerignore")); string(data) != "mine\n" {
		t.Errorf("the existing file was changed:\n%s", data)
	}
	// Only inside a workspace folder, and only ignore files.
	outside := t.TempDir()
	for _, tc := range []struct{ path, why string }{
		{filepath.Join(outside, ".dockerignore"), "outside the workspace"},
		{filepath.Join(root, "index2.js"), "not an ignore file"},
		{filepath.Join(root, "..", filepath.Base(outside), ".dockerignore"), "outside through .."},
	} {
		arg, _ := createFileCommand("x", uri.File(tc.path), "x\n")
		if err := exec(arg.Arguments...); err == nil {
			t.Errorf("%s: the command ran", tc.why)
		}
		if _, err := os.Stat(tc.path); err == nil {
			t.Errorf("%s: %s was created", tc.why, tc.path)
		}
	}
	if err := exec(protocol.LSPAny(`{"uri": 3}`)); err == nil {
		t.Errorf("a bad argument was accepted")
	}
	if err := c.call(protocol.MethodWorkspaceExecuteCommand, &protocol.ExecuteCommandParams{Command: "dockwise.nope"}, nil); err == nil {
		t.Errorf("an unknown command was accepted")
	}
}

// TestAppendDockerignoreEntries: the missing entries are a text edit at
// the end of the existing file (in UTF-16 here), which needs neither
// resource operations nor the command.
func TestAppendDockerignoreEntries(t *testing.T) {
	root := ignoreWorkspace(t)
	const old = ".git\n# é😀"
	if err := os.WriteFile(filepath.Join(root, ".dockerignore"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	c := connect(t, New(Options{Logger: testLogger(t)}))
	initWithFolder(c, root, false)
	u := uri.File(filepath.Join(root, "Dockerfile"))
	c.open(u, 1, ignoreDockerfile)
	p := c.waitPublish(u, 1)
	var diags []protocol.Diagnostic
	for _, d := range p.Diagnostics {
		if code, _ := d.Code.(protocol.String); code == "DockerignoreMissingEntries" {
			diags = append(diags, d)
		}
	}
	if len(diags) != 1 {
		t.Fatalf("no DockerignoreMissingEntries among %v", simplify(p.Diagnostics))
	}
	var a *protocol.CodeAction
	for _, x := range c.codeActions(u, diags[0].Range, diags, nil, protocol.CodeActionTriggerKindInvoked) {
		if strings.HasPrefix(x.Title, "Add ") {
			a = x
		}
	}
	if a == nil || a.Edit == nil || a.Command.Command != "" {
		t.Fatalf("no append action, or not as an edit: %+v", a)
	}
	edits := a.Edit.Changes[uri.File(filepath.Join(root, ".dockerignore"))]
	if len(edits) != 1 {
		t.Fatalf("edits of .dockerignore: %v (all: %v)", edits, a.Edit.Changes)
	}
	end := protocol.Position{Line: 1, Character: 5} // "# é😀" is 5 UTF-16 units
	if edits[0].Range.Start != end || edits[0].Range.End != end {
		t.Errorf("edit at %v, want %v", edits[0].Range, end)
	}
	if got := edits[0].NewText; !strings.HasPrefix(got, "\n") || !strings.Contains(got, "\nnode_modules\n") || strings.Contains(got, "\n.git\n") {
		t.Errorf("appended %q", got)
	}
}
