package server

import (
	"path/filepath"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
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

// Memory is returned once after each burst of analyses, when the document
// has been idle for settleDelay, and not again while nothing happens.
func TestSettleWhenIdle(t *testing.T) {
	defer func(d time.Duration) { settleDelay = d }(settleDelay)
	settleDelay = time.Millisecond
	trims := make(chan struct{}, 16)
	afterTrim = func() { trims <- struct{}{} }
	defer func() { afterTrim = nil }()

	s := testServer(t)
	c := connect(t, s)
	c.initialize(&protocol.InitializeParams{})
	c.notify(protocol.MethodInitialized, &protocol.InitializedParams{})
	u := uri.File(filepath.Join(t.TempDir(), "Dockerfile"))
	wait := func(what string) {
		t.Helper()
		select {
		case <-trims:
		case <-c.ctx.Done():
			t.Fatal("no trim after " + what)
		}
	}
	c.open(u, 1, "FROM alpine\n")
	c.waitPublish(u, 1)
	wait("the open")
	c.change(u, 2, &protocol.TextDocumentContentChangeWholeDocument{Text: "FROM alpine\nMAINTAINER x\n"})
	if got := c.waitPublish(u, 2); len(got.Diagnostics) != 1 {
		t.Errorf("%d diagnostics after adding MAINTAINER, want 1", len(got.Diagnostics))
	}
	wait("the edit")
	time.Sleep(20 * settleDelay)
	select {
	case <-trims:
		t.Error("memory returned again with nothing analysed")
	default:
	}
}
