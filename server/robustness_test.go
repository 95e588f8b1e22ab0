// This file tests that bad input and failing handlers never end the
// session: malformed frames and bodies, bad params, unknown methods, panics,
// and cancellation.
package server

import (
	"context"
	"fmt"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

const initializeBody = `{"jsonrpc":"2.0","id":%v,"method":"initialize","params":{"capabilities":{"workspace":{"configuration":true}}}}`

func TestMalformedInput(t *testing.T) {
	c, exit := connectRaw(t, testServer(t))
	nulls := 0
	wantNull := func(what string, code int) {
		t.Helper()
		if got := errorCode(t, c.response(nil, nulls)); got != code {
			t.Errorf("%s: code %d, want %d", what, got, code)
		}
		nulls++
	}
	wantID := func(what string, id, code int) {
		t.Helper()
		if got := errorCode(t, c.response(id, 0)); got != code {
			t.Errorf("%s: code %d, want %d", what, got, code)
		}
	}

	c.send(`not json`)
	wantNull("non-JSON body", int(jsonrpc2.ParseError))
	c.send(`{"jsonrpc":"2.0","id":1,"method":`)
	wantNull("truncated JSON", int(jsonrpc2.ParseError))
	c.send(`42`)
	wantNull("a number", int(jsonrpc2.InvalidRequest))
	c.send(`[]`)
	wantNull("an empty array", int(jsonrpc2.InvalidRequest))
	c.send(`{"id":2,"method":"initialize","params":{}}`)
	wantID("missing jsonrpc", 2, int(jsonrpc2.InvalidRequest))
	c.send(`{"jsonrpc":"1.0","id":3,"method":"initialize","params":{}}`)
	wantID("wrong jsonrpc version", 3, int(jsonrpc2.InvalidRequest))
	c.send(`{"jsonrpc":"2.0","id":4,"method":"initialize","params":"x"}`)
	wantID("bad initialize params", 4, int(jsonrpc2.InvalidParams))

	c.send(`{"id":77,"result":null}`) // a malformed response: not answered
	c.send(fmt.Sprintf(initializeBody, 5))
	wantID("initialize", 5, 0)
	// initialized without params: accepted, and the server then asks for
	// the configuration.
	c.send(`{"jsonrpc":"2.0","method":"initialized"}`)
	ask := c.waitMsg("workspace/configuration", func(m map[string]any) bool { return m["method"] == protocol.MethodWorkspaceConfiguration })
	c.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%v,"result":[null]}`, ask["id"]))

	c.send(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":5}}`)
	c.send(`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///nowhere","version":2},"contentChanges":[{"text":"x"}]}}`)
	c.send(`{"jsonrpc":"2.0","method":"textDocument/didClose","params":{"textDocument":{"uri":"file:///nowhere"}}}`)
	c.send(`{"jsonrpc":"2.0","method":"textDocument/didChange","params":null}`)
	c.send(`{"jsonrpc":"2.0","method":"$/somethingNew","params":{"a":1}}`)
	c.send(`{"jsonrpc":"2.0","method":"vendor/somethingNew"}`)
	c.send(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":{}}}`)
	c.send(`{"jsonrpc":"2.0","id":6,"method":"vendor/request","params":[1,2]}`)
	wantID("unknown request", 6, int(jsonrpc2.MethodNotFound))
	c.send(`{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":"x"}`)
	wantID("bad hover params", 7, int(jsonrpc2.InvalidParams))
	c.send(`{"jsonrpc":"2.0","id":8,"method":"textDocument/hover"}`)
	wantID("missing hover params", 8, int(jsonrpc2.InvalidParams))

	// Broken headers: the frame is lost, the next one is read.
	c.sendRaw("Content-Length: abc\r\n\r\n{}")
	c.sendRaw("hello\r\nContent-Type: x\r\n\r\n")
	c.sendRaw("Content-Length: 99999999999999999999\r\n\r\n")
	c.send(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///w/Dockerfile","languageId":"dockerfile","version":1,"text":"FROM a:MARK\n"}}}`)
	pub := c.waitMsg("publishDiagnostics", func(m map[string]any) bool {
		return m["method"] == protocol.MethodTextDocumentPublishDiagnostics
	})
	params := pub["params"].(map[string]any)
	if params["version"] != float64(1) || len(params["diagnostics"].([]any)) != 1 {
		t.Errorf("publish after bad input: %v", params)
	}

	c.send(`{"jsonrpc":"2.0","id":9,"method":"shutdown"}`)
	wantID("shutdown", 9, 0)
	c.mu.Lock()
	for _, m := range c.msgs {
		if m["id"] == float64(77) {
			t.Errorf("the malformed response was answered: %v", m)
		}
	}
	c.mu.Unlock()
	c.send(`{"jsonrpc":"2.0","method":"exit","params":null}`)
	if code := exit(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestInitializedNullParams(t *testing.T) {
	c, _ := connectRaw(t, testServer(t))
	c.send(fmt.Sprintf(initializeBody, 1))
	c.response(1, 0)
	c.send(`{"jsonrpc":"2.0","method":"initialized","params":null}`)
	c.waitMsg("workspace/configuration", func(m map[string]any) bool { return m["method"] == protocol.MethodWorkspaceConfiguration })
}

func TestPanic(t *testing.T) {
	s := testServer(t)
	s.testHooks = map[string]jsonrpc2.Handler{
		"test/panic": func(context.Context, *jsonrpc2.Request) (any, error) { panic("boom") },
		"test/panicNotification": func(context.Context, *jsonrpc2.Request) (any, error) {
			var m map[string]int
			m["x"] = 1 // a runtime error
			return nil, nil
		},
	}
	c, _ := connectRaw(t, s)
	c.send(fmt.Sprintf(initializeBody, 1))
	c.response(1, 0)
	for i := 2; i < 5; i++ {
		c.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"test/panic"}`, i))
		if code := errorCode(t, c.response(i, 0)); code != int(jsonrpc2.InternalError) {
			t.Errorf("panicking request: code %d, want %d", code, jsonrpc2.InternalError)
		}
		c.send(`{"jsonrpc":"2.0","method":"test/panicNotification"}`)
	}
	c.send(`{"jsonrpc":"2.0","id":10,"method":"shutdown"}`)
	if code := errorCode(t, c.response(10, 0)); code != 0 {
		t.Errorf("shutdown after panics: code %d", code)
	}
}

func TestCancel(t *testing.T) {
	s := testServer(t)
	started := make(chan struct{}, 2)
	s.testHooks = map[string]jsonrpc2.Handler{
		"test/slow": func(ctx context.Context, _ *jsonrpc2.Request) (any, error) {
			started <- struct{}{}
			<-ctx.Done()
			return nil, ctx.Err()
		},
	}
	c, _ := connectRaw(t, s)
	c.send(fmt.Sprintf(initializeBody, 1))
	c.response(1, 0)
	c.send(`{"jsonrpc":"2.0","id":2,"method":"test/slow"}`)
	c.send(`{"jsonrpc":"2.0","id":"two","method":"test/slow"}`)
	<-started
	<-started
	// Both are running; other requests are still answered.
	c.send(`{"jsonrpc":"2.0","id":3,"method":"vendor/request"}`)
	c.response(3, 0)
	c.send(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":2}}`)
	if code := errorCode(t, c.response(2, 0)); code != int(protocol.CodeRequestCancelled) {
		t.Errorf("canceled request: code %d, want %d", code, protocol.CodeRequestCancelled)
	}
	c.send(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"two"}}`)
	if code := errorCode(t, c.response("two", 0)); code != int(protocol.CodeRequestCancelled) {
		t.Errorf("canceled request with a string id: code %d, want %d", code, protocol.CodeRequestCancelled)
	}
	// Canceling what is not running does nothing.
	c.send(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":77}}`)
	c.send(`{"jsonrpc":"2.0","id":4,"method":"shutdown"}`)
	if code := errorCode(t, c.response(4, 0)); code != 0 {
		t.Errorf("shutdown: code %d", code)
	}
}
