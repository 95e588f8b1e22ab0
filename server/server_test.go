// This file tests the lifecycle: requests before initialize, initialize
// twice, shutdown, exit codes, and the end of the connection.
package server

import (
	"errors"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/dockwise/dockwise/analysis"
)

func wantCode(t *testing.T, what string, err error, code jsonrpc2.Code) {
	t.Helper()
	var e *jsonrpc2.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("%s: error %v, want code %d", what, err, code)
	}
}

func TestBeforeInitialize(t *testing.T) {
	c := connect(t, testServer(t))
	err := c.call(protocol.MethodShutdown, nil, nil)
	wantCode(t, "shutdown before initialize", err, jsonrpc2.ServerNotInitialized)
	err = c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{}, nil)
	wantCode(t, "hover before initialize", err, jsonrpc2.ServerNotInitialized)

	// A notification before initialize is dropped: the document is not
	// opened, so closing it after initialize publishes nothing for it.
	a, b := uri.File("/w/a/Dockerfile"), uri.File("/w/b/Dockerfile")
	c.open(a, 1, "FROM alpine MARK\n")
	c.initialize(nil)
	c.notify(protocol.MethodTextDocumentDidClose, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: a}})
	c.open(b, 1, "FROM alpine MARK\n")
	c.waitPublish(b, 1)
	if n := c.publishCount(a); n != 0 {
		t.Errorf("%d publishes for a document opened before initialize", n)
	}
}

func TestInitialize(t *testing.T) {
	c := connect(t, testServer(t))
	res := c.initialize(nil)
	if res.Capabilities.PositionEncoding != protocol.PositionEncodingKindUTF16 {
		t.Errorf("position encoding %q, want utf-16", res.Capabilities.PositionEncoding)
	}
	sync, ok := res.Capabilities.TextDocumentSync.(*protocol.TextDocumentSyncOptions)
	if !ok || sync.Change == nil || *sync.Change != protocol.TextDocumentSyncKindIncremental || sync.OpenClose == nil || !*sync.OpenClose {
		t.Errorf("textDocumentSync = %#v, want incremental with open/close", res.Capabilities.TextDocumentSync)
	}
	if res.ServerInfo.Name != "dockwise" {
		t.Errorf("serverInfo.name = %q", res.ServerInfo.Name)
	}
	err := c.call(protocol.MethodInitialize, &protocol.InitializeParams{}, nil)
	wantCode(t, "second initialize", err, jsonrpc2.InvalidRequest)
	err = c.call("dockwise/noSuchMethod", nil, nil)
	wantCode(t, "unknown request", err, jsonrpc2.MethodNotFound)
	err = c.call(protocol.MethodTextDocumentHover, &protocol.HoverParams{}, nil)
	wantCode(t, "unimplemented request", err, jsonrpc2.MethodNotFound)
}

func TestShutdownExit(t *testing.T) {
	c := connect(t, testServer(t))
	c.initialize(nil)
	if err := c.call(protocol.MethodShutdown, nil, nil); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	err := c.call(protocol.MethodShutdown, nil, nil)
	wantCode(t, "request after shutdown", err, jsonrpc2.InvalidRequest)
	c.notify(protocol.MethodExit, nil)
	if code := c.exitCode(); code != 0 {
		t.Errorf("exit after shutdown: code %d, want 0", code)
	}
}

func TestExitWithoutShutdown(t *testing.T) {
	c := connect(t, testServer(t))
	c.initialize(nil)
	c.notify(protocol.MethodExit, nil)
	if code := c.exitCode(); code != 1 {
		t.Errorf("exit without shutdown: code %d, want 1", code)
	}
}

func TestExitBeforeInitialize(t *testing.T) {
	c := connect(t, testServer(t))
	c.notify(protocol.MethodExit, nil)
	if code := c.exitCode(); code != 1 {
		t.Errorf("exit before initialize: code %d, want 1", code)
	}
}

func TestConnectionClosed(t *testing.T) {
	c := connect(t, testServer(t))
	c.initialize(nil)
	if err := c.call(protocol.MethodShutdown, nil, nil); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	c.conn.Close()
	if code := c.exitCode(); code != 1 {
		t.Errorf("connection closed without exit: code %d, want 1", code)
	}
}

// Serve returns only after the analyses it started have ended: nothing
// logs or publishes after it (a test's logger fails on a late log).
func TestExitWaitsForAnalysis(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	slow := &analysis.Rule{Name: "Slow", Severity: analysis.SeverityInfo, Run: func(*analysis.Pass) {
		once.Do(func() { close(entered) })
		<-release
	}}
	s := New(Options{Rules: []*analysis.Rule{slow}, Logger: testLogger(t), Version: "test"})
	c := connect(t, s)
	c.initialize(nil)
	c.open(uri.File("/w/Dockerfile"), 1, "FROM alpine\n")
	<-entered
	c.notify(protocol.MethodExit, nil)
	returned := make(chan int, 1)
	go func() { returned <- c.exitCode() }()
	// Serve cannot return while the analysis it started runs; a wrong
	// server would return at once, which the select sees in most runs.
	select {
	case <-returned:
		t.Fatal("Serve returned while an analysis was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if code := <-returned; code != 1 {
		t.Errorf("exit without shutdown: code %d, want 1", code)
	}
}
