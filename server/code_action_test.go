// This file tests textDocument/codeAction over the in-memory connection:
// the capability, quick fixes and suppressions for the diagnostics in the
// context (positions in UTF-16 and UTF-8), the two forms of WorkspaceEdit,
// the `only` filter and fix all, and diagnostics the server no longer has.
package server

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
	"github.com/dockwise/dockwise/codeactions"
)

// codeActionCaps are client capabilities with code action literals, and
// versioned document changes when documentChanges is set.
func codeActionCaps(documentChanges, utf8 bool) *protocol.InitializeParams {
	yes := true
	p := &protocol.InitializeParams{}
	p.Capabilities.TextDocument = &protocol.TextDocumentClientCapabilities{
		CodeAction: &protocol.CodeActionClientCapabilities{
			CodeActionLiteralSupport: protocol.ClientCodeActionLiteralOptions{
				CodeActionKind: protocol.ClientCodeActionKindOptions{ValueSet: []protocol.CodeActionKind{"quickfix", "source"}},
			},
		},
	}
	if documentChanges {
		p.Capabilities.Workspace = &protocol.WorkspaceClientCapabilities{
			WorkspaceEdit: &protocol.WorkspaceEditClientCapabilities{DocumentChanges: &yes},
		}
	}
	if utf8 {
		p.Capabilities.General = &protocol.GeneralClientCapabilities{
			PositionEncodings: []protocol.PositionEncodingKind{protocol.PositionEncodingKindUTF8},
		}
	}
	return p
}

func (c *testClient) codeActions(u uri.URI, r protocol.Range, diags []protocol.Diagnostic, only []protocol.CodeActionKind, trigger protocol.CodeActionTriggerKind) []*protocol.CodeAction {
	c.t.Helper()
	if diags == nil {
		diags = []protocol.Diagnostic{}
	}
	var res []protocol.CommandOrCodeAction
	err := c.call(protocol.MethodTextDocumentCodeAction, &protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: u},
		Range:        r,
		Context:      protocol.CodeActionContext{Diagnostics: diags, Only: only, TriggerKind: trigger},
	}, &res)
	if err != nil {
		c.t.Fatalf("codeAction: %v", err)
	}
	var out []*protocol.CodeAction
	for _, x := range res {
		ca, ok := x.(*protocol.CodeAction)
		if !ok {
			c.t.Fatalf("codeAction returned %T", x)
		}
		out = append(out, ca)
	}
	return out
}

// applyWorkspaceEdit applies the edits of a WorkspaceEdit for u to text,
// as a client does (all ranges refer to the text before the edit), and
// returns the result and the document version the edit names (-1 for
// unversioned changes).
func applyWorkspaceEdit(t *testing.T, text string, u uri.URI, we *protocol.WorkspaceEdit, utf8 bool) (string, int32) {
	t.Helper()
	var edits []protocol.TextEdit
	version := int32(-1)
	if we.Changes != nil {
		edits = we.Changes[u]
	}
	for _, dc := range we.DocumentChanges {
		tde, ok := dc.(*protocol.TextDocumentEdit)
		if !ok || tde.TextDocument.URI != u {
			t.Fatalf("unexpected document change %#v", dc)
		}
		if tde.TextDocument.Version != nil {
			version = *tde.TextDocument.Version
		}
		for _, e := range tde.Edits {
			edits = append(edits, *e.(*protocol.TextEdit))
		}
	}
	type span struct {
		s, e int
		text string
	}
	var spans []span
	for _, e := range edits {
		spans = append(spans, span{oracleOffset(text, e.Range.Start, utf8), oracleOffset(text, e.Range.End, utf8), e.NewText})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].s > spans[j].s })
	for _, sp := range spans {
		text = text[:sp.s] + sp.text + text[sp.e:]
	}
	return text, version
}

// engineResult returns what the engine's action with the given title does
// to text.
func engineResult(t *testing.T, text, title string) string {
	t.Helper()
	in := codeactions.NewInput(analysis.Parse(text), rules.All, analysis.Options{}, nil)
	acts, _ := codeactions.ForDiagnostics(in, in.Diagnostics())
	if fa := codeactions.FixAll(in, codeactions.FixOptions{}).Action; fa != nil {
		acts = append(acts, fa)
	}
	for _, a := range acts {
		if a.Title == title {
			out, err := codeactions.Apply(text, a.Edits)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	t.Fatalf("the engine offers no %q", title)
	return ""
}

func titles(as []*protocol.CodeAction) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Title)
	}
	return out
}

func TestCodeActionCapability(t *testing.T) {
	c := connect(t, New(Options{Logger: testLogger(t)}))
	res := c.initialize(codeActionCaps(false, false))
	opts, ok := res.Capabilities.CodeActionProvider.(*protocol.CodeActionOptions)
	if !ok {
		t.Fatalf("codeActionProvider = %#v", res.Capabilities.CodeActionProvider)
	}
	want := []protocol.CodeActionKind{"quickfix", "refactor.rewrite", "source.fixAll.dockwise"}
	if !slices.Equal(opts.CodeActionKinds, want) || opts.ResolveProvider == nil || !*opts.ResolveProvider {
		t.Errorf("code action options %+v, want kinds %v and resolve", opts, want)
	}

	// A client that takes only Commands is offered nothing.
	c2 := connect(t, New(Options{Logger: testLogger(t)}))
	if res := c2.initialize(nil); res.Capabilities.CodeActionProvider != nil {
		t.Errorf("codeActionProvider %#v for a client without code action literals", res.Capabilities.CodeActionProvider)
	}
	u := uri.File("/w/Dockerfile")
	c2.open(u, 1, "FROM alpine AS Build\n")
	p := c2.waitPublish(u, 1)
	if got := c2.codeActions(u, protocol.Range{}, p.Diagnostics, nil, protocol.CodeActionTriggerKindInvoked); len(got) != 0 {
		t.Errorf("actions for a client without literals: %v", titles(got))
	}
}

func TestCodeActionQuickFixes(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		documentChanges, utf8 bool
	}{{"utf-16, changes", false, false}, {"utf-16, documentChanges", true, false}, {"utf-8, documentChanges", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := connect(t, New(Options{Logger: testLogger(t)}))
			c.initialize(codeActionCaps(tc.documentChanges, tc.utf8))
			u := uri.File("/w/Dockerfile")
			// Characters outside the BMP before and inside the ranges
			// make UTF-16 and UTF-8 positions differ.
			text := "FROM golang:1.23 AS Build\nRUN go build -o /out/😀 .\nFROM alpine:3.20\nCOPY --from=Build /out/😀 /app\nCMD echo 😀 done\n"
			c.open(u, 3, text)
			p := c.waitPublish(u, 3)
			var cmdDiag protocol.Diagnostic
			for _, d := range p.Diagnostics {
				if code, _ := d.Code.(protocol.String); code == "JSONArgsRecommended" {
					cmdDiag = d
				}
			}
			if cmdDiag.Code == nil {
				t.Fatalf("no JSONArgsRecommended among %v", simplify(p.Diagnostics))
			}
			// The client sends the diagnostics it has on the line.
			got := c.codeActions(u, cmdDiag.Range, []protocol.Diagnostic{cmdDiag}, nil, protocol.CodeActionTriggerKindAutomatic)
			wantTitles := []string{`Use the exec form: CMD ["echo", "😀", "done"]`,
				"Ignore JSONArgsRecommended for this instruction", "Ignore JSONArgsRecommended for this file"}
			if !slices.Equal(titles(got), wantTitles) {
				t.Fatalf("titles %q, want %q", titles(got), wantTitles)
			}
			for i, a := range got {
				if a.Kind == nil || *a.Kind != protocol.CodeActionKindQuickFix {
					t.Errorf("%q: kind %v", a.Title, a.Kind)
				}
				if (a.IsPreferred != nil && *a.IsPreferred) != (i == 0) {
					t.Errorf("%q: isPreferred %v", a.Title, a.IsPreferred)
				}
				if len(a.Diagnostics) != 1 || a.Diagnostics[0].Range != cmdDiag.Range {
					t.Errorf("%q: diagnostics %v", a.Title, simplify(a.Diagnostics))
				}
				if tc.documentChanges != (a.Edit.Changes == nil) {
					t.Errorf("%q: changes %v, documentChanges %v", a.Title, a.Edit.Changes, a.Edit.DocumentChanges)
				}
				out, version := applyWorkspaceEdit(t, text, u, a.Edit, tc.utf8)
				if tc.documentChanges && version != 3 {
					t.Errorf("%q: edit for version %d, want 3", a.Title, version)
				}
				if want := engineResult(t, text, a.Title); out != want {
					t.Errorf("%q: the client gets\n%s\nwant\n%s", a.Title, out, want)
				}
			}

			// Every diagnostic at once: the rename comes first, with the
			// count of places.
			got = c.codeActions(u, protocol.Range{End: protocol.Position{Line: 5}}, p.Diagnostics, []protocol.CodeActionKind{"quickfix"}, protocol.CodeActionTriggerKindInvoked)
			if len(got) == 0 || got[0].Title != "Rename stage 'Build' to 'build' (2 places)" {
				t.Fatalf("titles %q", titles(got))
			}
			out, _ := applyWorkspaceEdit(t, text, u, got[0].Edit, tc.utf8)
			if want := strings.ReplaceAll(text, "Build", "build"); out != want {
				t.Errorf("rename: the client gets\n%s", out)
			}
		})
	}
}

func TestCodeActionOnlyAndFixAll(t *testing.T) {
	c := connect(t, New(Options{Logger: testLogger(t)}))
	c.initialize(codeActionCaps(true, false))
	u := uri.File("/w/Dockerfile")
	text := "FROM alpine:3.20 AS Build\nMAINTAINER Jane\nEXPOSE 80/TCP\nCMD app --serve\n"
	c.open(u, 1, text)
	p := c.waitPublish(u, 1)
	all := protocol.Range{End: protocol.Position{Line: 4}}
	const fixAllTitle = "Apply all safe fixes: 4 findings (ExposeProtoCasing, JSONArgsRecommended, MaintainerDeprecated, StageNameCasing)"

	for _, only := range [][]protocol.CodeActionKind{{"source.fixAll"}, {"source"}, {"source.fixAll.dockwise"}} {
		got := c.codeActions(u, all, p.Diagnostics, only, protocol.CodeActionTriggerKindAutomatic)
		if len(got) != 1 || got[0].Title != fixAllTitle || *got[0].Kind != "source.fixAll.dockwise" {
			t.Fatalf("only %v: %q", only, titles(got))
		}
		out, _ := applyWorkspaceEdit(t, text, u, got[0].Edit, false)
		want := "FROM alpine:3.20 AS build\nLABEL org.opencontainers.image.authors=\"Jane\"\nEXPOSE 80/tcp\nCMD [\"app\", \"--serve\"]\n"
		if out != want {
			t.Errorf("fix all: the client gets\n%s\nwant\n%s", out, want)
		}
	}
	// Invoked without a filter: the quick fixes and fix all. Automatic:
	// the quick fixes only.
	invoked := titles(c.codeActions(u, all, p.Diagnostics, nil, protocol.CodeActionTriggerKindInvoked))
	auto := titles(c.codeActions(u, all, p.Diagnostics, nil, protocol.CodeActionTriggerKindAutomatic))
	if !slices.Contains(invoked, fixAllTitle) || slices.Contains(auto, fixAllTitle) || len(invoked) != len(auto)+1 {
		t.Errorf("invoked %q\nautomatic %q", invoked, auto)
	}
	if got := c.codeActions(u, all, p.Diagnostics, []protocol.CodeActionKind{"refactor"}, protocol.CodeActionTriggerKindInvoked); len(got) != 0 {
		t.Errorf("only refactor: %q", titles(got))
	}

	// Diagnostics the server no longer has (the text changed under
	// them), or another server's, get nothing.
	c.change(u, 2, &protocol.TextDocumentContentChangePartial{
		Range: protocol.Range{Start: protocol.Position{Line: 0, Character: 0}, End: protocol.Position{Line: 0, Character: 0}},
		Text:  "# a comment\n",
	})
	c.waitPublish(u, 2)
	if got := c.codeActions(u, all, p.Diagnostics, []protocol.CodeActionKind{"quickfix"}, protocol.CodeActionTriggerKindInvoked); len(got) != 0 {
		t.Errorf("stale diagnostics: %q", titles(got))
	}
	foreign := slices.Clone(p.Diagnostics)
	for i := range foreign {
		foreign[i].Source = protocol.NewOptional("hadolint")
	}
	if got := c.codeActions(u, all, foreign, []protocol.CodeActionKind{"quickfix"}, protocol.CodeActionTriggerKindInvoked); len(got) != 0 {
		t.Errorf("another server's diagnostics: %q", titles(got))
	}
	// A document that is not open: nothing, and no error.
	if got := c.codeActions(uri.File("/w/other/Dockerfile"), all, nil, nil, protocol.CodeActionTriggerKindInvoked); len(got) != 0 {
		t.Errorf("closed document: %q", titles(got))
	}
}
