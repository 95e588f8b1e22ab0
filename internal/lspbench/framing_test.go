// This file tests the framing reader/writer and the client's message handling
// on canned bytes, without starting any process.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func frame(body string) string {
	return "Content-Length: " + itoa(len(body)) + "\r\n\r\n" + body
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestReadFrame(t *testing.T) {
	a := `{"jsonrpc":"2.0","method":"a"}`
	b := `{"jsonrpc":"2.0","id":1,"result":"é"}` // multi-byte: length is in bytes
	in := frame(a) +
		"content-length: " + itoa(len(b)) + "\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + b +
		"Content-Length: 2\n\n{}" // bare LF line endings
	r := bufio.NewReader(strings.NewReader(in))
	for i, want := range []string{a, b, "{}"} {
		got, err := readFrame(r)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if string(got) != want {
			t.Fatalf("frame %d = %q, want %q", i, got, want)
		}
	}
	if _, err := readFrame(r); err != io.EOF {
		t.Fatalf("after last frame: err = %v, want io.EOF", err)
	}
}

func TestReadFrameErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"truncated body", "Content-Length: 10\r\n\r\n{}", "unexpected EOF"},
		{"truncated header", "Content-Length: 10\r\n", "unexpected EOF"},
		{"no length", "Content-Type: x\r\n\r\n{}", "without Content-Length"},
		{"bad length", "Content-Length: ten\r\n\r\n", "bad Content-Length"},
		{"negative length", "Content-Length: -1\r\n\r\n", "bad Content-Length"},
		{"huge length", "Content-Length: 99999999999\r\n\r\n", "exceeds limit"},
		{"no colon", "garbage\r\n\r\n", "malformed header"},
		{"endless header", strings.Repeat("x", 3*maxHeaderLine), "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readFrame(bufio.NewReader(strings.NewReader(tc.in)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestWriteFrameRoundTrip(t *testing.T) {
	var sb strings.Builder
	body := `{"jsonrpc":"2.0","id":7,"method":"x","params":{"s":"日本"}}`
	if err := writeFrame(&sb, []byte(body)); err != nil {
		t.Fatal(err)
	}
	m, _, err := readMessage(bufio.NewReader(strings.NewReader(sb.String())))
	if err != nil {
		t.Fatal(err)
	}
	if !m.isRequest() || m.Method != "x" || string(m.ID) != "7" {
		t.Fatalf("decoded %+v, want request x with id 7", m)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		body                   string
		req, notif, resp, none bool
	}{
		{body: `{"jsonrpc":"2.0","id":"a","method":"workspace/configuration"}`, req: true},
		{body: `{"jsonrpc":"2.0","method":"window/logMessage"}`, notif: true},
		{body: `{"jsonrpc":"2.0","id":null,"method":"n"}`, notif: true},
		{body: `{"jsonrpc":"2.0","id":3,"result":null}`, resp: true},
		{body: `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse"}}`, resp: true},
		{body: `{"jsonrpc":"2.0"}`, none: true},
	} {
		var m message
		if err := json.Unmarshal([]byte(tc.body), &m); err != nil {
			t.Fatal(err)
		}
		if m.isRequest() != tc.req || m.isNotification() != tc.notif || m.isResponse() != tc.resp {
			t.Errorf("%s: request=%v notification=%v response=%v", tc.body, m.isRequest(), m.isNotification(), m.isResponse())
		}
	}
}

// TestClientAnswersAndQueues feeds the client a server request, a stray
// response, a malformed body and two publishes, and checks the answer it
// writes and the publish it returns.
func TestClientAnswersAndQueues(t *testing.T) {
	in := frame(`{"jsonrpc":"2.0","id":"c1","method":"workspace/configuration","params":{"items":[{"section":"a"},{"section":"b"}]}}`) +
		frame(`{"jsonrpc":"2.0","id":99,"result":{}}`) +
		frame(`not json`) +
		frame(`{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"file:///other/Dockerfile","diagnostics":[{}]}}`) +
		frame(`{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"file:///w/Dockerfile","version":3,"diagnostics":[{},{}]}}`)
	out, outW := io.Pipe()
	c := newClient(strings.NewReader(in), outW)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := c.waitPublish(ctx, func(p publish) bool { return sameURI(p.URI, "file:///w/Dockerfile") })
	if err != nil {
		t.Fatal(err)
	}
	if p.Version == nil || *p.Version != 3 || p.Count != 2 {
		t.Fatalf("publish = %+v, want version 3 with 2 diagnostics", p)
	}

	m, _, err := readMessage(bufio.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if string(m.ID) != `"c1"` || string(m.Result) != "[null,null]" || m.Error != nil {
		t.Fatalf("answer to workspace/configuration = id %s result %s error %v, want id \"c1\" result [null,null]", m.ID, m.Result, m.Error)
	}

	<-c.done
	if err := c.err(); err != io.EOF {
		t.Fatalf("reader stopped with %v, want io.EOF", err)
	}
	reqs, notes, bad := c.counts()
	if reqs["workspace/configuration"] != 1 || notes["textDocument/publishDiagnostics"] != 2 || bad != 2 {
		t.Fatalf("counts: requests %v notifications %v bad %d", reqs, notes, bad)
	}
	// The queue is empty and the connection closed: waiting fails instead of
	// blocking.
	if _, err := c.waitPublish(ctx, func(publish) bool { return true }); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waitPublish on a closed, drained connection: err = %v, want connection closed", err)
	}
}

// TestClientUnknownRequest checks that a request the client does not know is
// answered with MethodNotFound rather than ignored.
func TestClientUnknownRequest(t *testing.T) {
	in := frame(`{"jsonrpc":"2.0","id":5,"method":"custom/thing"}`)
	out, outW := io.Pipe()
	newClient(strings.NewReader(in), outW)
	m, _, err := readMessage(bufio.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if string(m.ID) != "5" || m.Error == nil || m.Error.Code != -32601 {
		t.Fatalf("answer = %+v, want MethodNotFound for id 5", m)
	}
}

// TestClientCall runs a request through an in-memory fake server that
// answers it, preceded by a notification and a request of its own.
func TestClientCall(t *testing.T) {
	toServer, clientW := io.Pipe()
	serverR := bufio.NewReader(toServer)
	clientR, serverW := io.Pipe()
	c := newClient(clientR, clientW)
	go func() {
		m, _, err := readMessage(serverR)
		if err != nil {
			return
		}
		_ = writeFrame(serverW, []byte(`{"jsonrpc":"2.0","method":"window/logMessage","params":{"type":3,"message":"hi"}}`))
		_ = writeFrame(serverW, []byte(`{"jsonrpc":"2.0","id":0,"method":"client/registerCapability","params":{"registrations":[]}}`))
		if ans, _, err := readMessage(serverR); err != nil || string(ans.Result) != "null" {
			serverW.CloseWithError(errors.New("bad answer to registerCapability"))
			return
		}
		_ = writeFrame(serverW, []byte(`{"jsonrpc":"2.0","id":`+string(m.ID)+`,"result":{"capabilities":{"textDocumentSync":{"change":1}}}}`))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	raw, err := c.call(ctx, "initialize", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Capabilities struct {
			TextDocumentSync json.RawMessage `json:"textDocumentSync"`
		} `json:"capabilities"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	if got := syncKind(r.Capabilities.TextDocumentSync); got != 1 {
		t.Fatalf("syncKind = %d, want 1 (full)", got)
	}
}

func TestSyncKind(t *testing.T) {
	for in, want := range map[string]int{`1`: 1, `2`: 2, `{"openClose":true,"change":1}`: 1, `{"openClose":true}`: 2, ``: 2} {
		if got := syncKind(json.RawMessage(in)); got != want {
			t.Errorf("syncKind(%s) = %d, want %d", in, got, want)
		}
	}
}

func TestSameURI(t *testing.T) {
	if !sameURI("file:///tmp/a%20b/Dockerfile", "file:///tmp/a b/Dockerfile") {
		t.Error("escaped and unescaped forms of one path differ")
	}
	if sameURI("file:///tmp/a/Dockerfile", "file:///tmp/b/Dockerfile") {
		t.Error("different paths compare equal")
	}
}
