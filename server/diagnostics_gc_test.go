package server

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/internal/bigfile"
)

// Concurrent first analyses pause collection together and leave the
// setting as they found it, whatever order they finish in.
func TestGCPauseRestores(t *testing.T) {
	before := debug.SetGCPercent(77)
	defer debug.SetGCPercent(before)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Go(func() {
			gcPause()
			gcResume()
		})
	}
	wg.Wait()
	if got := debug.SetGCPercent(77); got != 77 {
		t.Errorf("GC percent %d after concurrent pauses, want 77", got)
	}
}

// settlingServer returns an initialized server that settles 1 ms after an
// analysis, its client, the channel settle reports on, and a function that
// waits for the next report.
func settlingServer(t *testing.T) (*Server, *testClient, chan struct{}, func(after string)) {
	s := testServer(t)
	s.settleDelay = time.Millisecond
	trims := make(chan struct{}, 16)
	s.afterTrim = func() { trims <- struct{}{} }
	c := connect(t, s)
	c.initialize(&protocol.InitializeParams{})
	c.notify(protocol.MethodInitialized, &protocol.InitializedParams{})
	wait := func(after string) {
		t.Helper()
		select {
		case <-trims:
		case <-c.ctx.Done():
			t.Fatal("no trim after " + after)
		}
	}
	return s, c, trims, wait
}

// Memory is returned once after each burst of analyses of a large
// document, when it has been idle for settleDelay, and not again while
// nothing happens; a small document's analyses return nothing.
func TestSettleWhenIdle(t *testing.T) {
	s, c, trims, wait := settlingServer(t)
	small := uri.File(filepath.Join(t.TempDir(), "Dockerfile"))
	c.open(small, 1, "FROM alpine\n")
	c.waitPublish(small, 1)
	time.Sleep(20 * s.settleDelay)
	select {
	case <-trims:
		t.Error("memory returned after a small document's analysis")
	default:
	}
	u := uri.File(filepath.Join(t.TempDir(), "Dockerfile.big"))
	pad := strings.Repeat("# "+strings.Repeat("x", 60)+"\n", settleMinSize/60)
	c.open(u, 1, pad+"FROM alpine\n")
	c.waitPublish(u, 1)
	wait("the open")
	c.change(u, 2, &protocol.TextDocumentContentChangeWholeDocument{Text: pad + "FROM alpine\nMAINTAINER x\n"})
	if got := c.waitPublish(u, 2); len(got.Diagnostics) != 1 {
		t.Errorf("%d diagnostics after adding MAINTAINER, want 1", len(got.Diagnostics))
	}
	wait("the edit")
	time.Sleep(20 * s.settleDelay)
	select {
	case <-trims:
		t.Error("memory returned again with nothing analysed")
	default:
	}
}

// A large document is parsed and analysed again when idle, and its file
// replaced by the new one; nothing is published again, and edits go on
// from the new file.
func TestCompactWhenIdle(t *testing.T) {
	s, c, _, wait := settlingServer(t)
	u := uri.File(filepath.Join(t.TempDir(), "Dockerfile"))
	text := bigfile.Generate()
	if len(text) < pauseMinSize {
		t.Fatalf("benchmark file of %d bytes is under pauseMinSize", len(text))
	}
	fileOf := func() *analysis.File {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.docs[u].file
	}
	c.open(u, 1, text)
	first := c.waitPublish(u, 1)
	opened := fileOf()
	wait("the open")
	compacted := fileOf()
	if compacted == opened {
		t.Fatal("the document's file was not replaced after the open")
	}
	if compacted.Text != text {
		t.Fatal("the compacted file has other text")
	}
	if n := c.publishCount(u); n != 1 {
		t.Errorf("%d publishes after compaction, want 1", n)
	}
	// An edit of the compacted file: diagnostics as for a fresh parse.
	prefix := "FROM alpine\nMAINTAINER x\n"
	c.change(u, 2, &protocol.TextDocumentContentChangePartial{Text: prefix})
	got := c.waitPublish(u, 2)
	if diff := cmp.Diff(want(prefix+text, s.rules, &analysis.Config{}, nil, false), simplify(got.Diagnostics)); diff != "" {
		t.Errorf("diagnostics after an edit of the compacted file (-want +got):\n%s", diff)
	}
	if len(got.Diagnostics) != len(first.Diagnostics)+1 {
		t.Errorf("%d diagnostics after adding a MAINTAINER, had %d", len(got.Diagnostics), len(first.Diagnostics))
	}
}

// The collection pause DidOpen takes for a large document ends with the
// document's first analysis.
func TestOpenPauseReleased(t *testing.T) {
	before := debug.SetGCPercent(77)
	defer debug.SetGCPercent(before)
	s := testServer(t)
	c := connect(t, s)
	c.initialize(&protocol.InitializeParams{})
	dir := t.TempDir()
	for i, text := range []string{bigfile.Generate(), "FROM alpine\n"} {
		u := uri.File(filepath.Join(dir, fmt.Sprintf("Dockerfile.%d", i)))
		c.open(u, 1, text)
		c.waitPublish(u, 1)
	}
	// Nothing the client receives follows the release (it comes after the
	// publish): poll the server's state, with a bound that only stops a
	// hang (not a timing assertion).
	released := func() bool {
		s.mu.Lock()
		for _, d := range s.docs {
			if d.heldPauses != 0 {
				s.mu.Unlock()
				return false
			}
		}
		s.mu.Unlock()
		gcPaused.Lock()
		defer gcPaused.Unlock()
		return gcPaused.n == 0
	}
	for deadline := time.Now().Add(30 * time.Second); !released(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the collection pauses were not released after the first analyses")
		}
	}
	if got := debug.SetGCPercent(77); got != 77 {
		t.Errorf("GC percent %d after the first analyses, want 77", got)
	}
}
