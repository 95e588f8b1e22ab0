// This file defines textDocument/codeAction: the quick fixes and
// suppressions of the diagnostics in the request's context, the
// refactor.rewrite actions at the range (the split of a single-stage
// toolchain build, on its FROM line, whether or not the rule is on), and
// source.fixAll.dockwise; and codeAction/resolve. Package codeactions
// computes and verifies the actions; this handler finds the document, maps
// the client's diagnostics to the engine's, and converts the actions to
// LSP edits.
//
// Every edit is verified before the client gets it. For a client that
// resolves edits (resolveSupport with "edit"), the heavy rewrites (splits,
// manifests first, .dockerignore, cache mounts) are offered by title, with
// data naming the document version and the target, and
// codeAction/resolve computes and verifies the edit; a document that
// changed since, or an action that no longer verifies, is answered with
// ContentModified, never with a wrong edit. Other clients get every edit
// eagerly. Fix all is computed when the client asks for source actions,
// or for every action when the user invoked the request; not for the
// automatic requests editors send as the cursor moves, which must stay
// cheap.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/codeactions"
)

// codeActionKinds are the kinds of action the server offers.
var codeActionKinds = []protocol.CodeActionKind{
	protocol.CodeActionKindQuickFix,
	protocol.CodeActionKindRefactorRewrite,
	protocol.CodeActionKind(codeactions.SourceFixAll),
}

// CodeAction answers textDocument/codeAction.
func (s *Server) CodeAction(ctx context.Context, params *protocol.CodeActionParams) ([]protocol.CommandOrCodeAction, error) {
	u := params.TextDocument.URI
	log := s.log.With(zap.String("method", protocol.MethodTextDocumentCodeAction), zap.String("uri", string(u)))
	in, conv, ok := s.actionInput(u)
	if !ok {
		log.Debug("code actions for a document that is not open")
		return nil, nil
	}
	f, version, m, caps := conv.file, conv.version, conv.mapper, conv.caps
	if !caps.codeActionLiterals {
		return nil, nil // the client takes Commands only, and there are none
	}
	only := params.Context.Only
	quickFixes := kindWanted(only, codeactions.QuickFix)
	refactors := kindWanted(only, codeactions.RefactorRewrite)
	fixAll := kindWanted(only, codeactions.SourceFixAll) &&
		(len(only) > 0 || params.Context.TriggerKind != protocol.CodeActionTriggerKindAutomatic)
	if !quickFixes && !refactors && !fixAll {
		return nil, nil
	}

	var out []protocol.CommandOrCodeAction
	logBugs := func(errs []error) {
		for _, err := range errs {
			log.Error("code action failed verification (a bug; the action is not offered)", zap.Int32("version", version), zap.Error(err))
		}
	}
	// offer converts a and adds it to out; an unverified (lazy) action
	// goes without its edit, with the data codeAction/resolve needs.
	offer := func(a *codeactions.Action, pds []protocol.Diagnostic, rule string, r protocol.Range) {
		ca := conv.convert(a, pds)
		if ca == nil {
			return
		}
		if a.Unverified && ca.Edit == nil {
			// A command (the server writes the file) carries what it
			// does: resolve it now.
			start, _ := m.offset(f, r.Start)
			end, _ := m.offset(f, r.End)
			ra, err := codeactions.Resolve(in, a.Kind, rule, start, end, a.Title)
			if err != nil {
				logBugs([]error{err})
				return
			}
			if ca = conv.convert(ra, pds); ca == nil {
				return
			}
		} else if a.Unverified {
			data, err := json.Marshal(resolveData{URI: u, Version: version, Kind: string(a.Kind), Rule: rule, Range: r})
			if err != nil {
				return
			}
			ca.Edit, ca.Data = nil, protocol.LSPAny(data)
		}
		out = append(out, ca)
	}
	offeredSplit := false
	if quickFixes && len(params.Context.Diagnostics) > 0 {
		// The client's diagnostics that the server still has: same
		// range and rule.
		var diags []analysis.Diagnostic
		theirs := map[[2]int][]protocol.Diagnostic{}
		for _, pd := range params.Context.Diagnostics {
			code, ok := pd.Code.(protocol.String)
			if src, has := pd.Source.Get(); !ok || has && src != "dockwise" {
				continue
			}
			start, _ := m.offset(f, pd.Range.Start)
			end, _ := m.offset(f, pd.Range.End)
			if ed, ok := in.Find(string(code), start, end); ok {
				diags = append(diags, ed)
				k := [2]int{ed.Start, ed.End}
				theirs[k] = append(theirs[k], pd)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		forDiagnostics := codeactions.ForDiagnostics
		if caps.resolveEdit {
			forDiagnostics = codeactions.ForDiagnosticsLazy
		}
		actions, errs := forDiagnostics(in, diags)
		logBugs(errs)
		for _, a := range actions {
			var pds []protocol.Diagnostic
			for _, ad := range a.Diagnostics {
				for _, pd := range theirs[[2]int{ad.Start, ad.End}] {
					if code, _ := pd.Code.(protocol.String); string(code) == ad.Rule {
						pds = append(pds, pd)
					}
				}
			}
			var target analysis.Diagnostic
			if len(a.Diagnostics) > 0 {
				target = a.Diagnostics[0]
			}
			offer(a, pds, target.Rule, m.rangeOf(f, target.Start, target.End))
		}
		for _, d := range diags {
			offeredSplit = offeredSplit || d.Rule == splitRule
		}
	}
	if refactors && !offeredSplit {
		// The split as a refactor, unless it is offered as the quick fix
		// of the finding in the context.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start, _ := m.offset(f, params.Range.Start)
		end, _ := m.offset(f, params.Range.End)
		refactorsAt := codeactions.Refactors
		if caps.resolveEdit {
			refactorsAt = codeactions.RefactorsLazy
		}
		actions, errs := refactorsAt(in, start, end, len(only) > 0)
		logBugs(errs)
		for _, a := range actions {
			offer(a, nil, splitRule, params.Range)
		}
	}
	if fixAll {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res := codeactions.FixAll(in, codeactions.FixOptions{})
		logBugs(res.Errors)
		if res.Action != nil {
			if ca := conv.convert(res.Action, nil); ca != nil {
				out = append(out, ca)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	log.Debug("code actions", zap.Int32("version", version), zap.Int("actions", len(out)))
	return out, nil
}

// splitRule is the rule whose fixes are also offered as refactors.
const splitRule = "SingleStageBuild"

// codeContentModified is LSP's ContentModified error code: the document
// changed, so the result of the request would be wrong.
const codeContentModified jsonrpc2.Code = -32801

// resolveData is the data of a lazy action: the document version it was
// offered for, and its target (for a quick fix, the finding's rule and
// range; for a refactor, the rule and the request's range).
type resolveData struct {
	URI     uri.URI        `json:"uri"`
	Version int32          `json:"version"`
	Kind    string         `json:"kind"`
	Rule    string         `json:"rule"`
	Range   protocol.Range `json:"range"`
}

// CodeActionResolve answers codeAction/resolve: it computes and verifies
// the edit of a lazy action.
func (s *Server) CodeActionResolve(ctx context.Context, params *protocol.CodeAction) (*protocol.CodeAction, error) {
	log := s.log.With(zap.String("method", protocol.MethodCodeActionResolve), zap.String("title", params.Title))
	if params.Edit != nil || len(params.Data) == 0 {
		return params, nil // nothing to resolve
	}
	// The decoded strings share the request's buffer: the answer holds
	// a copy.
	raw, err := protocol.Marshal(params)
	if err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "bad code action: %v", err)
	}
	params = &protocol.CodeAction{}
	if err := protocol.Unmarshal(raw, params); err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "bad code action: %v", err)
	}
	var data resolveData
	if err := json.Unmarshal(params.Data, &data); err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "bad code action data: %v", err)
	}
	in, conv, ok := s.actionInput(data.URI)
	if !ok || conv.version != data.Version {
		return nil, jsonrpc2.Errorf(codeContentModified, "the document changed since the action was offered")
	}
	f, version, m := conv.file, conv.version, conv.mapper
	start, _ := m.offset(f, data.Range.Start)
	end, _ := m.offset(f, data.Range.End)
	a, err := codeactions.Resolve(in, codeactions.Kind(data.Kind), data.Rule, start, end, params.Title)
	if err != nil {
		if !errors.Is(err, codeactions.ErrNotOffered) {
			log.Error("code action failed verification (a bug; the action is not applied)", zap.Int32("version", version), zap.Error(err))
		}
		return nil, jsonrpc2.Errorf(codeContentModified, "%q can no longer be applied: %v", params.Title, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ca := conv.convert(a, params.Diagnostics)
	if ca == nil || ca.Edit == nil {
		return nil, jsonrpc2.Errorf(codeContentModified, "%q can no longer be applied", params.Title)
	}
	res := *params
	res.Edit = ca.Edit
	return &res, nil
}

// actionInput returns what the code actions of the open document u are
// made from, the same when they are offered and when they are resolved
// (resolving must find the action offered): the input (file, rules,
// configuration, build context) and the converter to LSP. ok is false when
// the document is not open.
func (s *Server) actionInput(u uri.URI) (in *codeactions.Input, conv actionConverter, ok bool) {
	st := s.docState(u)
	if st.d == nil {
		return nil, actionConverter{}, false
	}
	in = codeactions.NewInput(st.file, s.rules, analysis.Options{Config: &st.config.analysis, Context: s.buildContext(st.d, st.config)}, nil)
	conv = actionConverter{uri: u, file: st.file, version: st.version, mapper: st.mapper, caps: st.caps}
	if in.Options.Context != nil {
		conv.contextDir = in.Options.Context.Dir
	}
	return in, conv, true
}

// kindWanted reports whether actions of kind k pass the request's `only`
// filter: no filter, or a kind that is k or a prefix of it.
func kindWanted(only []protocol.CodeActionKind, k codeactions.Kind) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if string(k) == string(o) || strings.HasPrefix(string(k), string(o)+".") {
			return true
		}
	}
	return false
}

// actionConverter converts actions on one version of a document to LSP.
type actionConverter struct {
	uri     uri.URI
	file    *analysis.File
	version int32
	mapper  mapper
	caps    clientCaps
	// contextDir is the build context directory, where the builder reads
	// the files an action creates.
	contextDir string
}

// convert returns the LSP form of a, or nil when the client cannot apply
// it. Files are created beside the Dockerfile, which must be in the build
// context directory: through the WorkspaceEdit when the client creates
// files, else through the server's dockwise.createDockerignore command
// (for an action that only creates an ignore file).
func (c actionConverter) convert(a *codeactions.Action, diags []protocol.Diagnostic) *protocol.CodeAction {
	edits := make([]protocol.TextEdit, len(a.Edits))
	for i, e := range a.Edits {
		edits[i] = protocol.TextEdit{Range: c.mapper.rangeOf(c.file, e.Start, e.End), NewText: e.NewText}
	}
	we := &protocol.WorkspaceEdit{}
	switch {
	case len(a.Files) > 0:
		dockerfile, ok := filePath(c.uri)
		if !ok || c.contextDir == "" || filepath.Clean(c.contextDir) != filepath.Dir(filepath.Clean(dockerfile)) {
			return nil
		}
		appendOnly := true
		for _, nf := range a.Files {
			appendOnly = appendOnly && nf.Append
		}
		if !appendOnly && !c.caps.createFiles {
			return c.commandAction(a, dockerfile, diags)
		}
		if c.caps.documentChanges {
			we.DocumentChanges = append(we.DocumentChanges, c.documentEdit(edits))
		} else {
			we.Changes = map[uri.URI][]protocol.TextEdit{c.uri: edits}
		}
		for _, nf := range a.Files {
			p := filepath.Join(filepath.Dir(dockerfile), filepath.FromSlash(path.Clean(nf.Path)))
			fu := uri.File(p)
			te := protocol.TextEdit{NewText: nf.Content}
			if nf.Append {
				// At the end of the file as it is on disk.
				old, err := os.ReadFile(p)
				if err != nil {
					return nil
				}
				end := c.endOf(string(old))
				te.Range = protocol.Range{Start: end, End: end}
			} else {
				we.DocumentChanges = append(we.DocumentChanges, &protocol.CreateFile{Kind: "create", URI: fu})
			}
			if we.Changes != nil {
				we.Changes[fu] = append(we.Changes[fu], te)
				continue
			}
			we.DocumentChanges = append(we.DocumentChanges, &protocol.TextDocumentEdit{
				TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: fu}},
				Edits:        []protocol.TextDocumentEditElement{&te},
			})
		}
	case c.caps.documentChanges:
		we.DocumentChanges = []protocol.DocumentChange{c.documentEdit(edits)}
	default:
		we.Changes = map[uri.URI][]protocol.TextEdit{c.uri: edits}
	}
	kind := protocol.CodeActionKind(a.Kind)
	ca := &protocol.CodeAction{Title: a.Title, Kind: &kind, Diagnostics: diags, Edit: we}
	if a.Preferred {
		preferred := true
		ca.IsPreferred = &preferred
	}
	return ca
}

// endOf returns the position of the end of text in the negotiated
// encoding.
func (c actionConverter) endOf(text string) protocol.Position {
	i := strings.LastIndexByte(text, '\n')
	return protocol.Position{Line: uint32(strings.Count(text, "\n")), Character: uint32(c.mapper.units(text[i+1:]))}
}

// commandAction returns the action that creates a's ignore file with the
// server's command, or nil when a does more than that.
func (c actionConverter) commandAction(a *codeactions.Action, dockerfile string, diags []protocol.Diagnostic) *protocol.CodeAction {
	if len(a.Edits) > 0 || len(a.Files) != 1 || a.Files[0].Path != codeactions.DockerignoreName {
		return nil
	}
	p := filepath.Join(filepath.Dir(dockerfile), filepath.FromSlash(a.Files[0].Path))
	cmd, err := createFileCommand(a.Title, uri.File(p), a.Files[0].Content)
	if err != nil {
		return nil
	}
	kind := protocol.CodeActionKind(a.Kind)
	ca := &protocol.CodeAction{Title: a.Title, Kind: &kind, Diagnostics: diags, Command: cmd}
	if a.Preferred {
		preferred := true
		ca.IsPreferred = &preferred
	}
	return ca
}

// documentEdit returns the edits as a TextDocumentEdit on the version they
// were computed for, which the client checks before applying them.
func (c actionConverter) documentEdit(edits []protocol.TextEdit) *protocol.TextDocumentEdit {
	version := c.version
	elems := make([]protocol.TextDocumentEditElement, len(edits))
	for i := range edits {
		elems[i] = &edits[i]
	}
	return &protocol.TextDocumentEdit{
		TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{
			TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: c.uri},
			Version:                &version,
		},
		Edits: elems,
	}
}
