// This file defines what the tests drive the server with: an LSP client on
// an in-memory connection that records what the server sends, a raw client
// for malformed input, rules whose behaviour the tests control, and an
// independent position oracle.
package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/dockwise/dockwise/analysis"
)

// markRule reports every "MARK" in the text: its ranges are exact byte
// ranges anywhere in a line, which makes position mapping easy to check.
var markRule = &analysis.Rule{
	Name:     "TestMark",
	Category: analysis.Correctness,
	Severity: analysis.SeverityWarning,
	URL:      "https://example.com/rules/TestMark",
	Run: func(p *analysis.Pass) {
		text := p.File.Text
		for i := 0; ; {
			j := strings.Index(text[i:], "MARK")
			if j < 0 {
				return
			}
			p.Report(analysis.Diagnostic{Start: i + j, End: i + j + len("MARK"), Message: "a mark"})
			i += j + len("MARK")
		}
	},
}

// maintainerRule reports every MAINTAINER instruction.
var maintainerRule = &analysis.Rule{
	Name:     "TestMaintainer",
	Category: analysis.BestPractice,
	Severity: analysis.SeverityInfo,
	URL:      "https://example.com/rules/TestMaintainer",
	Check: func(p *analysis.Pass, in *analysis.Instruction) {
		if in.Is("maintainer") {
			p.Reportf(in, in.Start(), in.End(), "MAINTAINER is deprecated")
		}
	},
}

// contextRule reports the build context directory at the start of the file.
var contextRule = &analysis.Rule{
	Name:     "TestContext",
	Category: analysis.Correctness,
	Severity: analysis.SeverityHint,
	Run: func(p *analysis.Pass) {
		dir := "<none>"
		if p.Context != nil {
			dir = p.Context.Dir
		}
		p.Report(analysis.Diagnostic{Message: "context " + dir})
	},
}

// testServer returns a server with the test rules and a test logger.
func testServer(t testing.TB) *Server {
	return New(Options{Rules: []*analysis.Rule{markRule, maintainerRule}, Logger: testLogger(t), Version: "test"})
}

func testLogger(t testing.TB) *zap.Logger {
	if _, ok := t.(*testing.B); ok {
		return zap.NewNop()
	}
	return zaptest.NewLogger(t, zaptest.Level(zap.DebugLevel))
}

// guard returns a context that ends a little before the test's deadline,
// so that a hang fails with a message instead of killing the test binary.
// It is not a timing assertion.
func guard(t testing.TB) (context.Context, context.CancelFunc) {
	if tt, ok := t.(*testing.T); ok {
		if d, ok := tt.Deadline(); ok {
			return context.WithDeadline(context.Background(), d.Add(-time.Until(d)/10))
		}
	}
	return context.WithCancel(context.Background())
}

// testClient is an LSP client connected to a Server in memory.
type testClient struct {
	t      testing.TB
	server *Server
	conn   jsonrpc2.Conn
	ctx    context.Context

	exitOnce sync.Once
	exitCh   chan int
	code     int

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced whenever something is recorded
	publishes  []*protocol.PublishDiagnosticsParams
	logs       []*protocol.LogMessageParams
	settings   protocol.LSPAny // the answer to workspace/configuration
	configAsks int
	registered []string
}

// connect serves s on an in-memory connection and returns a client for it.
func connect(t testing.TB, s *Server) *testClient {
	serverEnd, clientEnd := net.Pipe()
	ctx, cancel := guard(t)
	c := &testClient{t: t, server: s, ctx: ctx, exitCh: make(chan int, 1), changed: make(chan struct{})}
	go func() { c.exitCh <- s.Serve(context.Background(), serverEnd) }()
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(clientEnd), jsonrpc2.WithCodec(codec{}))
	c.conn.Go(context.Background(), protocol.ClientHandler(&fakeClient{c: c}, jsonrpc2.MethodNotFoundHandler))
	t.Cleanup(func() {
		clientEnd.Close()
		<-c.conn.Done()
		c.exitCode()
		cancel()
	})
	return c
}

// exitCode waits for Serve to return and returns its result.
func (c *testClient) exitCode() int {
	c.exitOnce.Do(func() {
		select {
		case c.code = <-c.exitCh:
		case <-c.ctx.Done():
			c.t.Fatalf("Serve did not return")
		}
	})
	return c.code
}

func (c *testClient) call(method string, params, result any) error {
	c.t.Helper()
	_, err := c.conn.Call(c.ctx, method, params, result)
	if c.ctx.Err() != nil {
		c.t.Fatalf("%s: no answer: %v", method, err)
	}
	return err
}

func (c *testClient) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(c.ctx, method, params); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

// initialize runs initialize and initialized.
func (c *testClient) initialize(params *protocol.InitializeParams) *protocol.InitializeResult {
	c.t.Helper()
	if params == nil {
		params = &protocol.InitializeParams{}
	}
	var res protocol.InitializeResult
	if err := c.call(protocol.MethodInitialize, params, &res); err != nil {
		c.t.Fatalf("initialize: %v", err)
	}
	c.notify(protocol.MethodInitialized, &protocol.InitializedParams{})
	return &res
}

func (c *testClient) open(u uri.URI, version int32, text string) {
	c.t.Helper()
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{
		TextDocument: protocol.TextDocumentItem{URI: u, LanguageID: "dockerfile", Version: version, Text: text},
	})
}

func (c *testClient) change(u uri.URI, version int32, changes ...protocol.TextDocumentContentChangeEvent) {
	c.t.Helper()
	c.notify(protocol.MethodTextDocumentDidChange, &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: version},
		ContentChanges: changes,
	})
}

// waitFor waits until cond, called with c.mu held, holds.
func (c *testClient) waitFor(what string, cond func() bool) {
	c.t.Helper()
	for {
		c.mu.Lock()
		ok, ch := cond(), c.changed
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-c.ctx.Done():
			c.mu.Lock()
			defer c.mu.Unlock()
			c.t.Fatalf("still waiting for %s; publishes so far:\n%s", what, c.describePublishes())
		}
	}
}

// waitPublish waits for a publish for u with the given version and returns
// the first one.
func (c *testClient) waitPublish(u uri.URI, version int32) *protocol.PublishDiagnosticsParams {
	c.t.Helper()
	var got *protocol.PublishDiagnosticsParams
	c.waitFor(fmt.Sprintf("diagnostics for %s version %d", u, version), func() bool {
		for _, p := range c.publishes {
			if v, _ := p.Version.Get(); p.URI == u && v == version {
				got = p
				return true
			}
		}
		return false
	})
	return got
}

// publishCount returns the number of publishes for u so far.
func (c *testClient) publishCount(u uri.URI) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, p := range c.publishes {
		if p.URI == u {
			n++
		}
	}
	return n
}

// waitNthPublish waits for the n-th (1-based) publish for u and returns it.
func (c *testClient) waitNthPublish(u uri.URI, n int) *protocol.PublishDiagnosticsParams {
	c.t.Helper()
	var got *protocol.PublishDiagnosticsParams
	c.waitFor(fmt.Sprintf("publish #%d for %s", n, u), func() bool {
		i := 0
		for _, p := range c.publishes {
			if p.URI == u {
				if i++; i == n {
					got = p
					return true
				}
			}
		}
		return false
	})
	return got
}

func (c *testClient) describePublishes() string {
	var b strings.Builder
	for _, p := range c.publishes {
		v, _ := p.Version.Get()
		fmt.Fprintf(&b, "  %s v%d: %v\n", p.URI, v, simplify(p.Diagnostics))
	}
	return b.String()
}

func (c *testClient) record(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *testClient) setSettings(v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settings = protocol.LSPAny(v)
}

// fakeClient is the client side of the protocol: it records what the
// server sends and answers its requests.
type fakeClient struct {
	protocol.UnimplementedClient
	c *testClient
}

func (f *fakeClient) PublishDiagnostics(_ context.Context, p *protocol.PublishDiagnosticsParams) error {
	f.c.record(func() { f.c.publishes = append(f.c.publishes, p) })
	return nil
}

func (f *fakeClient) LogMessage(_ context.Context, p *protocol.LogMessageParams) error {
	f.c.record(func() { f.c.logs = append(f.c.logs, p) })
	return nil
}

func (f *fakeClient) Configuration(_ context.Context, p *protocol.ConfigurationParams) ([]protocol.LSPAny, error) {
	var out []protocol.LSPAny
	f.c.record(func() {
		f.c.configAsks++
		for _, it := range p.Items {
			if it.Section == nil || *it.Section != section {
				out = append(out, protocol.LSPAny("null"))
				continue
			}
			v := f.c.settings
			if v == nil {
				v = protocol.LSPAny("null")
			}
			out = append(out, v)
		}
	})
	return out, nil
}

func (f *fakeClient) RegisterCapability(_ context.Context, p *protocol.RegistrationParams) error {
	f.c.record(func() {
		for _, r := range p.Registrations {
			f.c.registered = append(f.c.registered, r.Method)
		}
	})
	return nil
}

// diag is a published diagnostic in comparable form.
type diag struct {
	Range    string // "line:char-line:char"
	Severity protocol.DiagnosticSeverity
	Code     string
	Source   string
	Message  string
	Href     string
}

func simplify(ds []protocol.Diagnostic) []diag {
	out := []diag{}
	for _, d := range ds {
		code, _ := d.Code.(protocol.String)
		msg, _ := d.Message.(protocol.String)
		src, _ := d.Source.Get()
		out = append(out, diag{Range: rangeString(d.Range), Severity: d.Severity, Code: string(code),
			Source: src, Message: string(msg), Href: string(d.CodeDescription.Href)})
	}
	return out
}

func rangeString(r protocol.Range) string {
	return fmt.Sprintf("%d:%d-%d:%d", r.Start.Line, r.Start.Character, r.End.Line, r.End.Character)
}

// want returns the diagnostics the server should publish for text: the
// engine's, with positions from the oracle.
func want(text string, rules []*analysis.Rule, cfg *analysis.Config, bctx *analysis.BuildContext, utf8 bool) []diag {
	out := []diag{}
	for _, d := range analysis.Check(analysis.Parse(text), rules, analysis.Options{Config: cfg, Context: bctx}) {
		r := protocol.Range{Start: oraclePosition(text, d.Start, utf8), End: oraclePosition(text, d.End, utf8)}
		out = append(out, diag{Range: rangeString(r), Severity: protocol.DiagnosticSeverity(d.Severity),
			Code: d.Rule, Source: "dockwise", Message: d.Message, Href: d.URL})
	}
	return out
}

// oraclePosition computes the LSP position of a byte offset the slow and
// obvious way, from the whole text.
func oraclePosition(text string, off int, utf8 bool) protocol.Position {
	before := text[:off]
	line := strings.Count(before, "\n")
	col := before[strings.LastIndex(before, "\n")+1:]
	if off < len(text) && text[off] == '\n' {
		col = strings.TrimSuffix(col, "\r")
	}
	return protocol.Position{Line: uint32(line), Character: uint32(oracleUnits(col, utf8))}
}

func oracleUnits(s string, utf8 bool) int {
	if utf8 {
		return len(s)
	}
	return len(utf16.Encode([]rune(s)))
}

// oracleOffset computes the byte offset of an LSP position the slow and
// obvious way, clamping to the line and the text.
func oracleOffset(text string, p protocol.Position, isUTF8 bool) int {
	lines := strings.SplitAfter(text, "\n")
	if int(p.Line) >= len(lines) {
		return len(text)
	}
	off := 0
	for _, l := range lines[:p.Line] {
		off += len(l)
	}
	line := strings.TrimSuffix(strings.TrimSuffix(lines[p.Line], "\n"), "\r")
	units := 0
	for i, r := range line {
		if units >= int(p.Character) {
			return off + i
		}
		units += oracleUnits(string(r), isUTF8)
	}
	return off + len(line)
}

// docText returns the server's current text of u.
func (s *Server) docText(u uri.URI) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[u]
	if d == nil {
		return "", false
	}
	return d.file.Text, true
}

// rawClient speaks to a server with hand-made frames.
type rawClient struct {
	t    testing.TB
	conn net.Conn
	ctx  context.Context

	mu      sync.Mutex
	changed chan struct{}
	msgs    []map[string]any // every message the server sent, in order
	readErr error
}

func connectRaw(t testing.TB, s *Server) (*rawClient, func() int) {
	serverEnd, clientEnd := net.Pipe()
	ctx, cancel := guard(t)
	exit := make(chan int, 1)
	go func() { exit <- s.Serve(context.Background(), serverEnd) }()
	c := &rawClient{t: t, conn: clientEnd, ctx: ctx, changed: make(chan struct{})}
	go c.readLoop()
	var once sync.Once
	code := 0
	exitCode := func() int {
		once.Do(func() {
			select {
			case code = <-exit:
			case <-ctx.Done():
				t.Errorf("Serve did not return")
			}
		})
		return code
	}
	t.Cleanup(func() {
		clientEnd.Close()
		exitCode()
		cancel()
	})
	return c, exitCode
}

func (c *rawClient) readLoop() {
	r := bufio.NewReader(c.conn)
	for {
		body, err := readTestFrame(r)
		var msg map[string]any
		if err == nil {
			if jerr := json.Unmarshal(body, &msg); jerr != nil {
				err = fmt.Errorf("server sent invalid JSON %q: %w", body, jerr)
			}
		}
		c.mu.Lock()
		if err != nil {
			c.readErr = err
		} else {
			c.msgs = append(c.msgs, msg)
		}
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func readTestFrame(r *bufio.Reader) ([]byte, error) {
	n := -1
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			if n, err = strconv.Atoi(v); err != nil {
				return nil, fmt.Errorf("server sent a bad header %q", line)
			}
		}
	}
	if n < 0 {
		return nil, errors.New("server sent a header without Content-Length")
	}
	body := make([]byte, n)
	_, err := io.ReadFull(r, body)
	return body, err
}

// send writes body in a frame.
func (c *rawClient) send(body string) {
	c.t.Helper()
	c.sendRaw(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body))
}

func (c *rawClient) sendRaw(data string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, data); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// waitMsg waits for a message for which match holds and returns it.
func (c *rawClient) waitMsg(what string, match func(map[string]any) bool) map[string]any {
	c.t.Helper()
	return c.waitMsgs(what, func(msgs []map[string]any) map[string]any {
		for _, m := range msgs {
			if match(m) {
				return m
			}
		}
		return nil
	})
}

// waitMsgs waits until find, given every message received so far, returns
// one.
func (c *rawClient) waitMsgs(what string, find func([]map[string]any) map[string]any) map[string]any {
	c.t.Helper()
	for {
		c.mu.Lock()
		m, ch, err := find(c.msgs), c.changed, c.readErr
		c.mu.Unlock()
		if m != nil {
			return m
		}
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", what, err)
		}
		select {
		case <-ch:
		case <-c.ctx.Done():
			c.mu.Lock()
			defer c.mu.Unlock()
			c.t.Fatalf("still waiting for %s; received: %v", what, c.msgs)
		}
	}
}

// response waits for the nth (0-based) response with the given id: a
// number, a string, or nil for a null id.
func (c *rawClient) response(id any, nth int) map[string]any {
	c.t.Helper()
	return c.waitMsgs(fmt.Sprintf("response %v #%d", id, nth), func(msgs []map[string]any) map[string]any {
		seen := 0
		for _, m := range msgs {
			if _, isReq := m["method"]; isReq {
				continue
			}
			got := m["id"]
			if f, ok := got.(float64); ok {
				got = int(f)
			}
			if got != id {
				continue
			}
			if seen == nth {
				return m
			}
			seen++
		}
		return nil
	})
}

// errorCode returns the error code of a response, or 0 for a success.
func errorCode(t testing.TB, resp map[string]any) int {
	t.Helper()
	e, ok := resp["error"].(map[string]any)
	if !ok {
		if _, ok := resp["result"]; !ok {
			t.Fatalf("response has neither result nor error: %v", resp)
		}
		return 0
	}
	return int(e["code"].(float64))
}
