// This file defines text synchronization: didOpen, didChange (incremental)
// and didClose. The server keeps each open document as an *analysis.File and
// its version; an edit is applied with (*analysis.File).Edit, which
// re-parses only what the edit can change.
//
// These are notifications, handled inline on the read loop in wire order;
// analysis happens on the document's own goroutine (see diagnostics.go).
package server

import (
	"context"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/dockwise/dockwise/analysis"
)

// DidOpen starts tracking a document and analyses it.
func (s *Server) DidOpen(ctx context.Context, params *protocol.DidOpenTextDocumentParams) error {
	item := params.TextDocument
	// Decoded strings share the message's buffer: clone what is kept.
	u := uri.URI(strings.Clone(string(item.URI)))
	// A large document is parsed and first analysed with collection
	// paused (see checkFirst); the pause lasts until the document's
	// goroutine has analysed it, so that no collection starts in between.
	held := false
	if pausesGC(len(item.Text)) {
		gcPause()
		defer func() {
			if !held {
				gcResume()
			}
		}()
	}
	f := analysis.Parse(strings.Clone(item.Text))
	s.mu.Lock()
	d := s.docs[u]
	reopened := d != nil
	if d == nil {
		d = newDocument(u)
		s.docs[u] = d
	}
	if pausesGC(len(item.Text)) {
		d.heldPauses++
		held = true
	}
	d.file, d.version = f, item.Version
	d.gen++
	d.context = nil
	s.mu.Unlock()
	if reopened {
		s.log.Warn("didOpen of a document already open; its text is replaced",
			zap.String("method", protocol.MethodTextDocumentDidOpen), zap.String("uri", string(u)))
	} else if !s.goWork(func() { s.diagnose(d) }) {
		s.releasePauses(d) // stopping: no goroutine will analyse it
	}
	s.log.Debug("opened", zap.String("method", protocol.MethodTextDocumentDidOpen), zap.String("uri", string(u)),
		zap.Int32("version", item.Version), zap.Int("bytes", len(f.Text)))
	d.schedule()
	return nil
}

// DidChange applies a batch of edits, in order, and schedules analysis of
// the result.
func (s *Server) DidChange(ctx context.Context, params *protocol.DidChangeTextDocumentParams) error {
	u := params.TextDocument.URI
	log := s.log.With(zap.String("method", protocol.MethodTextDocumentDidChange), zap.String("uri", string(u)))
	st := s.docState(u)
	d, f, version, m := st.d, st.file, st.version, st.mapper
	if d == nil {
		log.Warn("didChange of a document that is not open")
		return nil
	}
	if params.TextDocument.Version <= version {
		log.Warn("didChange version does not increase", zap.Int32("version", params.TextDocument.Version),
			zap.Int32("previous", version))
	}
	// The edits apply outside the lock. Besides the read loop only
	// compaction writes d.file, with a file of the same text: if it swaps
	// one in meanwhile, this edit of the file it replaced (same text)
	// wins, and the compaction is lost, not the edit.
	for i, change := range params.ContentChanges {
		switch c := change.(type) {
		case *protocol.TextDocumentContentChangePartial:
			start, clampedStart := m.offset(f, c.Range.Start)
			end, clampedEnd := m.offset(f, c.Range.End)
			if clampedStart || clampedEnd {
				log.Debug("edit range clamped to the document", zap.Int("change", i),
					zap.Uint32("startLine", c.Range.Start.Line), zap.Uint32("startCharacter", c.Range.Start.Character),
					zap.Uint32("endLine", c.Range.End.Line), zap.Uint32("endCharacter", c.Range.End.Character))
			}
			if end < start {
				log.Warn("edit range ends before it starts", zap.Int("change", i))
				start, end = end, start
			}
			// Edit copies the text into the new document: no clone needed.
			f, _ = f.Edit(start, end, c.Text)
		case *protocol.TextDocumentContentChangeWholeDocument:
			f = parseWhole(strings.Clone(c.Text))
		default:
			log.Warn("unknown content change ignored", zap.Int("change", i))
		}
	}
	s.mu.Lock()
	if s.docs[u] == d {
		d.file, d.version = f, params.TextDocument.Version
		d.gen++
	}
	s.mu.Unlock()
	d.schedule()
	return nil
}

// DidClose stops tracking a document and clears its diagnostics.
func (s *Server) DidClose(ctx context.Context, params *protocol.DidCloseTextDocumentParams) error {
	u := params.TextDocument.URI
	s.mu.Lock()
	d := s.docs[u]
	delete(s.docs, u)
	s.mu.Unlock()
	if d == nil {
		s.log.Warn("didClose of a document that is not open",
			zap.String("method", protocol.MethodTextDocumentDidClose), zap.String("uri", string(u)))
		return nil
	}
	s.close(d)
	return nil
}
