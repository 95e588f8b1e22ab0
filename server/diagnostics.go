// This file defines how diagnostics are computed and published. Each open
// document has a goroutine that analyses its newest state whenever woken:
// analysis starts at once when the goroutine is idle, and edits that arrive
// while it is busy are coalesced into one more run on the newest version.
// Every publish carries the version it was computed for, and a result that
// is no longer current when it is ready is dropped, so the client never sees
// an older version's diagnostics after a newer one's.
package server

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/dockwise/dockwise/analysis"
)

// document is one open document.
type document struct {
	uri  uri.URI
	wake chan struct{} // capacity 1: a pending request to analyse
	// pub is held from the check that a result is current until it is
	// published, and by close around the final, empty publish.
	pub sync.Mutex

	// Only the document's goroutine uses these.
	failed   bool // analysis failed once
	analysed bool // the first analysis is done
	compact  bool // the file's data was made with collection paused; see compact
	dirty    bool // memory was allocated since it was last returned

	// Guarded by Server.mu.
	file    *analysis.File
	version int32
	gen     uint64 // counts changes of the text or of what analysis depends on
	closed  bool
	context *buildContext // cached; nil until computed for the current configuration
	// heldPauses counts the collection pauses DidOpen took for the document
	// and left for its goroutine to end after its next analysis.
	heldPauses int
}

// buildContext is a document's build context, as analysis needs it.
type buildContext struct {
	config  *config // the configuration it was made for
	ctx     *analysis.BuildContext
	made    time.Time
	problem string // the problem reported when it was made
}

// pauseMinSize is the document size from which the first analysis runs with
// collection paused, up to pauseMaxSize: an analysis allocates about 150
// times the text's size, which for a larger document is better collected
// as it goes.
const (
	pauseMinSize = 64 << 10
	pauseMaxSize = 1 << 20
)

// settleMinSize is the document size from which settle returns the memory
// its analyses freed (see settle).
const settleMinSize = pauseMinSize

// pausesGC reports whether a document of n bytes is parsed and first
// analysed with collection paused.
func pausesGC(n int) bool { return n >= pauseMinSize && n <= pauseMaxSize }

// defaultSettleDelay is how long a document's goroutine waits after an
// analysis, with no new edit, before it returns freed memory to the system.
const defaultSettleDelay = 500 * time.Millisecond

func newDocument(u uri.URI) *document {
	return &document{uri: u, wake: make(chan struct{}, 1)}
}

// schedule asks the document's goroutine to analyse its newest state.
func (d *document) schedule() {
	select {
	case d.wake <- struct{}{}:
	default: // a run is already pending; it will read the newest state
	}
}

// diagnose is the goroutine of document d: it analyses and publishes until
// the document is closed or the server stops.
func (s *Server) diagnose(d *document) {
	idle := time.NewTimer(s.settleDelay)
	idle.Stop()
	defer idle.Stop()
	defer s.releasePauses(d)
	for {
		select {
		case <-d.wake:
		case <-idle.C:
			s.settle(d)
			continue
		case <-s.ctx.Done():
			return
		}
		s.mu.Lock()
		if d.closed {
			s.mu.Unlock()
			return
		}
		f, version, gen, cfg, m := d.file, d.version, d.gen, s.config, s.mapper
		s.mu.Unlock()

		bctx := s.buildContext(d, cfg)
		first := !d.analysed && pausesGC(len(f.Text))
		diags, err := s.checkFirst(first, f, cfg, bctx)
		d.analysed = true
		// A small document's analyses leave little to return: forcing a
		// collection for each would cost more than it gives back.
		d.dirty = d.dirty || len(f.Text) >= settleMinSize
		idle.Reset(s.settleDelay)
		if err != nil {
			s.log.Error("analysis failed", zap.String("uri", string(d.uri)), zap.Int32("version", version), zap.Error(err))
			if !d.failed {
				// Once per document: it may fail at every keystroke.
				s.logMessage(protocol.MessageTypeError, "internal error analysing "+string(d.uri)+"; see the server log",
					zap.String("uri", string(d.uri)))
				d.failed = true
			}
			s.releasePauses(d)
			continue
		}
		params := &protocol.PublishDiagnosticsParams{
			URI:         d.uri,
			Version:     protocol.NewOptional(version),
			Diagnostics: toProtocol(f, m, diags),
		}
		d.pub.Lock()
		s.mu.Lock()
		current := !d.closed && d.gen == gen
		s.mu.Unlock()
		if current {
			s.publish(params)
			if first {
				d.compact = true
			}
		} else {
			s.log.Debug("stale diagnostics dropped", zap.String("uri", string(d.uri)), zap.Int32("version", version))
		}
		d.pub.Unlock()
		s.releasePauses(d)
	}
}

// releasePauses ends the collection pauses DidOpen left to d's goroutine.
func (s *Server) releasePauses(d *document) {
	s.mu.Lock()
	n := d.heldPauses
	d.heldPauses = 0
	s.mu.Unlock()
	for ; n > 0; n-- {
		gcResume()
	}
}

// settle runs when the document has been idle for s.settleDelay after an
// analysis: for a document of settleMinSize or more, it returns the memory
// freed since the last time to the system,
// so that an idle server holds what its open documents need and not what
// analysing them took (a large document's first analysis allocates three
// times what it keeps, and each edit's analysis about a megabyte).
func (s *Server) settle(d *document) {
	if d.compact {
		d.compact = false
		s.compact(d)
	}
	if !d.dirty {
		return
	}
	d.dirty = false
	debug.FreeOSMemory()
	if s.afterTrim != nil {
		s.afterTrim()
	}
}

// compact makes a large document's data again, packed. The first analysis
// of a large document runs with collection paused, to answer sooner; what it
// keeps is then spread among its garbage, a few live objects on each of
// many memory pages, and stays so (Go does not move objects). compact
// parses the text again and swaps the new file in if the document has not
// changed meanwhile, lets the old one be collected and returned, then
// analyses the new file with collection on, which fills the pages it
// uses: the document ends up on about a fifth fewer pages. The
// diagnostics are the same and are not published again; the new file's
// caches are warm for the next edit. It runs once per large document,
// when it is idle; an edit that arrives meanwhile waits for it, and one
// that arrives during the parse or the swap makes it give up.
func (s *Server) compact(d *document) {
	s.mu.Lock()
	if d.closed {
		s.mu.Unlock()
		return
	}
	text, gen, cfg := d.file.Text, d.gen, s.config
	s.mu.Unlock()
	nf := analysis.Parse(text)
	s.mu.Lock()
	swapped := !d.closed && d.gen == gen
	if swapped {
		d.file = nf
	}
	s.mu.Unlock()
	if !swapped {
		return
	}
	debug.FreeOSMemory() // the old file's pages
	s.mu.Lock()
	stale := d.closed || d.gen != gen
	s.mu.Unlock()
	if stale {
		return // an edit replaced it meanwhile: its analysis is coming
	}
	if _, err := s.check(nf, cfg, s.buildContext(d, cfg)); err != nil {
		s.log.Error("analysis failed", zap.String("uri", string(d.uri)), zap.Error(err))
	}
	d.dirty = true
}

// check runs the analysis, turning a panic into an error.
// checkFirst is check, with garbage collection off when first is set: the
// first analysis of a large document allocates tens of megabytes that die
// together, and collecting while the heap is still small costs more than
// the analysis itself (about a quarter of the open). The memory goes back to
// the system right after the publish.
func (s *Server) checkFirst(first bool, f *analysis.File, cfg *config, bctx *analysis.BuildContext) ([]analysis.Diagnostic, error) {
	if first {
		gcPause()
		defer gcResume()
	}
	return s.check(f, cfg, bctx)
}

// parseWhole parses a whole document, with collection off for a large one
// for the reason given at checkFirst.
func parseWhole(text string) *analysis.File {
	if pausesGC(len(text)) {
		gcPause()
		defer gcResume()
	}
	return analysis.Parse(text)
}

// gcPaused counts the analyses that run with collection off; the first
// turns it off and the last restores the setting it found, so concurrent
// opens cannot leave it off.
var gcPaused struct {
	sync.Mutex
	n       int
	percent int
}

func gcPause() {
	gcPaused.Lock()
	defer gcPaused.Unlock()
	if gcPaused.n == 0 {
		gcPaused.percent = debug.SetGCPercent(-1)
	}
	gcPaused.n++
}

func gcResume() {
	gcPaused.Lock()
	defer gcPaused.Unlock()
	if gcPaused.n--; gcPaused.n == 0 {
		debug.SetGCPercent(gcPaused.percent)
	}
}

func (s *Server) check(f *analysis.File, cfg *config, bctx *analysis.BuildContext) (diags []analysis.Diagnostic, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return analysis.Check(f, s.rules, analysis.Options{Config: &cfg.analysis, Context: bctx}), nil
}

// close marks d closed, stopping its goroutine, and clears its diagnostics.
func (s *Server) close(d *document) {
	d.pub.Lock()
	defer d.pub.Unlock()
	s.mu.Lock()
	d.closed = true
	version := d.version
	s.mu.Unlock()
	d.schedule()
	s.publish(&protocol.PublishDiagnosticsParams{
		URI:         d.uri,
		Version:     protocol.NewOptional(version),
		Diagnostics: []protocol.Diagnostic{},
	})
}

func (s *Server) publish(params *protocol.PublishDiagnosticsParams) {
	v, _ := params.Version.Get()
	s.log.Debug("publish", zap.String("method", protocol.MethodTextDocumentPublishDiagnostics),
		zap.String("uri", string(params.URI)), zap.Int32("version", v), zap.Int("diagnostics", len(params.Diagnostics)))
	if err := s.client.PublishDiagnostics(s.ctx, params); err != nil {
		s.log.Warn("publishing diagnostics failed", zap.String("method", protocol.MethodTextDocumentPublishDiagnostics),
			zap.String("uri", string(params.URI)), zap.Error(err))
	}
}

// reanalyse schedules every open document for analysis again, after a change
// of what analysis depends on (the configuration).
func (s *Server) reanalyse() {
	s.mu.Lock()
	docs := make([]*document, 0, len(s.docs))
	for _, d := range s.docs {
		d.gen++
		docs = append(docs, d)
	}
	s.mu.Unlock()
	for _, d := range docs {
		d.schedule()
	}
}

// toProtocol converts the engine's diagnostics to LSP's.
func toProtocol(f *analysis.File, m mapper, diags []analysis.Diagnostic) []protocol.Diagnostic {
	out := make([]protocol.Diagnostic, len(diags))
	for i, d := range diags {
		p := protocol.Diagnostic{
			Range:    m.rangeOf(f, d.Start, d.End),
			Severity: protocol.DiagnosticSeverity(d.Severity), // same numbering
			Code:     protocol.String(d.Rule),
			Source:   protocol.NewOptional("dockwise"),
			Message:  protocol.String(d.Message),
		}
		if d.URL != "" {
			p.CodeDescription = protocol.CodeDescription{Href: uri.URI(d.URL)}
		}
		out[i] = p
	}
	return out
}

// contextTTL is how long a document's build context is reused. The context
// caches what it reads from the disk (the ignore file, which paths exist);
// it is made again when older, so that changes on the disk show up at the
// next analysis after that, while a burst of edits does not read the disk
// for every keystroke.
const contextTTL = 2 * time.Second

// buildContext returns d's build context under configuration cfg.
func (s *Server) buildContext(d *document, cfg *config) *analysis.BuildContext {
	s.mu.Lock()
	c := d.context
	folders := s.folders
	s.mu.Unlock()
	if c != nil && c.config == cfg && time.Since(c.made) < contextTTL {
		return c.ctx
	}
	dockerfile, isFile := filePath(d.uri)
	dir := cfg.buildContext
	switch {
	case dir != "" && !filepath.IsAbs(dir):
		if base := workspaceFolder(folders, dockerfile); base != "" {
			dir = filepath.Join(base, dir)
		} else {
			dir = "" // relative to nothing known
		}
	case dir == "" && isFile:
		dir = filepath.Dir(dockerfile)
	}
	var bctx *analysis.BuildContext
	var problem string
	if dir != "" {
		var err error
		bctx, err = analysis.NewBuildContext(dir, dockerfile)
		if err != nil {
			problem = fmt.Sprintf("build context %s: %v", dir, err)
		}
	}
	if problem != "" && (c == nil || c.problem != problem) {
		s.logMessage(protocol.MessageTypeWarning, problem, zap.String("uri", string(d.uri)))
	}
	s.mu.Lock()
	d.context = &buildContext{config: cfg, ctx: bctx, made: time.Now(), problem: problem}
	s.mu.Unlock()
	return bctx
}

// workspaceFolder returns the workspace folder holding path, else the first
// folder, else path's directory.
func workspaceFolder(folders []string, path string) string {
	for _, f := range folders {
		if rel, err := filepath.Rel(f, path); err == nil && filepath.IsLocal(rel) {
			return f
		}
	}
	if len(folders) > 0 {
		return folders[0]
	}
	if path != "" {
		return filepath.Dir(path)
	}
	return ""
}
