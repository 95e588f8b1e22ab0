// This file tests the server on a stdio-like byte stream with its own
// logger: the protocol goes to "stdout", the log elsewhere.
package server

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// pipes joins the read end of one pipe and the write end of another.
type pipes struct {
	io.Reader
	io.WriteCloser
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestStdio(t *testing.T) {
	var logs lockedBuffer
	log, err := NewLogger(&logs, "debug")
	if err != nil {
		t.Fatal(err)
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := New(Options{Logger: log, Rules: testServer(t).rules})
	exit := make(chan int, 1)
	go func() { exit <- s.Serve(context.Background(), NewStdio(inR, outW)) }()
	t.Cleanup(func() { inW.Close(); outR.Close() })

	c := &testClient{t: t, changed: make(chan struct{}), exitCh: exit}
	var cancel context.CancelFunc
	c.ctx, cancel = guard(t)
	defer cancel()
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(pipes{outR, inW}), jsonrpc2.WithCodec(codec{}))
	c.conn.Go(context.Background(), protocol.ClientHandler(&fakeClient{c: c}, jsonrpc2.MethodNotFoundHandler))
	c.initialize(nil)
	u := uri.File("/w/Dockerfile")
	c.open(u, 1, "FROM a:MARK\n")
	if n := len(c.waitPublish(u, 1).Diagnostics); n != 1 {
		t.Errorf("%d diagnostics, want 1", n)
	}
	if err := c.call(protocol.MethodShutdown, nil, nil); err != nil {
		t.Fatal(err)
	}
	c.notify(protocol.MethodExit, nil)
	if code := c.exitCode(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	for _, want := range []string{"INFO\tinitialize", `"method": "textDocument/didOpen"`, `"uri": "file:///w/Dockerfile"`, "exit"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestNewLogger(t *testing.T) {
	var b bytes.Buffer
	log, err := NewLogger(&b, "warn")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("quiet")
	log.Warn("loud")
	if out := b.String(); strings.Contains(out, "quiet") || !strings.Contains(out, "WARN\tloud") {
		t.Errorf("warn-level log:\n%s", out)
	}
	for _, bad := range []string{"", "verbose", "panic"} {
		if _, err := NewLogger(&b, bad); err == nil {
			t.Errorf("level %q accepted", bad)
		}
	}
}
