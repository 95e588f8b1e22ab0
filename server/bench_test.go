// This file defines the server's benchmarks on the benchmark Dockerfile
// (internal/bigfile, about 6,600 lines) with the real rules: opening a
// document and getting its diagnostics, a one-line edit and the fresh
// diagnostics, both through the server's own code path and over an
// in-memory JSON-RPC connection, and the initialize round trip.
package server

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/dockwise/dockwise/internal/bigfile"
)

// benchClient receives publishes and passes their versions on.
type benchClient struct {
	protocol.UnimplementedClient
	versions chan int32
}

func (c *benchClient) PublishDiagnostics(_ context.Context, p *protocol.PublishDiagnosticsParams) error {
	v, _ := p.Version.Get()
	c.versions <- v
	return nil
}

// waitVersion waits for the publish of version v, skipping older ones
// (the clear on didClose carries the closed version).
func (c *benchClient) waitVersion(b *testing.B, v int32) {
	for got := range c.versions {
		if got == v {
			return
		}
		if got > v {
			b.Fatalf("got version %d waiting for %d", got, v)
		}
	}
}

// benchEdit returns the didChange params that append to (even versions) or
// remove from (odd versions) a line in the middle of text, in UTF-16.
func benchEdit(text string) func(u uri.URI, version int32) *protocol.DidChangeTextDocumentParams {
	mid := len(text) / 2
	i := mid + strings.Index(text[mid:], "\nENV STEP_") + 1
	end := i + strings.IndexByte(text[i:], '\n')
	pos := oraclePosition(text, end, false)
	return func(u uri.URI, version int32) *protocol.DidChangeTextDocumentParams {
		r, newText := protocol.Range{Start: pos, End: pos}, "1"
		if version%2 == 1 {
			r.End.Character++ // remove what the previous version inserted
			newText = ""
		}
		return &protocol.DidChangeTextDocumentParams{
			TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: version},
			ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangePartial{Range: r, Text: newText}},
		}
	}
}

// direct returns a server driven through its methods, without JSON-RPC.
func direct(b *testing.B) (*Server, *benchClient) {
	s := New(Options{Logger: zap.NewNop()})
	c := &benchClient{versions: make(chan int32, 16)}
	s.start(context.Background(), c)
	b.Cleanup(s.cancel)
	if _, err := s.Initialize(context.Background(), &protocol.InitializeParams{}); err != nil {
		b.Fatal(err)
	}
	if err := s.Initialized(context.Background(), &protocol.InitializedParams{}); err != nil {
		b.Fatal(err)
	}
	return s, c
}

func benchURI(b *testing.B) uri.URI { return uri.File(filepath.Join(b.TempDir(), "Dockerfile")) }

// BenchmarkOpen: didOpen of the benchmark file until its diagnostics are
// published (parse, analysis, conversion).
func BenchmarkOpen(b *testing.B) {
	text := bigfile.Generate()
	s, c := direct(b)
	u := benchURI(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	// After the publish the server returns the open's memory to the
	// system; wait for that outside the timed part, as an editor's user
	// opens one file, not one after another.
	trimmed := make(chan struct{}, 1)
	s.afterTrim = func() { trimmed <- struct{}{} }
	s.settleDelay = time.Millisecond
	gcs := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	var cycles uint64
	var buildkit time.Duration
	for i := 0; i < b.N; i++ {
		v := int32(i + 1)
		metrics.Read(gcs)
		before := gcs[0].Value.Uint64()
		s.DidOpen(context.Background(), &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: u, Version: v, Text: text}})
		c.waitVersion(b, v)
		metrics.Read(gcs)
		cycles += gcs[0].Value.Uint64() - before
		b.StopTimer()
		<-trimmed
		s.DidClose(context.Background(), &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
		// The machine's speed at this moment, for scale: BuildKit's own
		// parse of the same text on one core.
		t := time.Now()
		if _, err := parser.Parse(strings.NewReader(text)); err != nil {
			b.Fatal(err)
		}
		buildkit += time.Since(t)
		// Its garbage must neither be collected during the next open (a
		// collection in progress makes the open's pause of collection
		// wait for it) nor leave the open pages already faulted in.
		debug.FreeOSMemory()
		b.StartTimer()
	}
	// Collections that ran during the open (none are expected: see DidOpen).
	b.ReportMetric(float64(cycles)/float64(b.N), "gc/op")
	// The open's time as a multiple of BuildKit's parse of the file: this
	// machine's speed varies by half from one minute to the next.
	b.ReportMetric(float64(b.Elapsed())/float64(buildkit), "x-buildkit-parse")
}

// BenchmarkEdit: a one-character didChange in the middle of the benchmark
// file until the new version's diagnostics are published.
func BenchmarkEdit(b *testing.B) {
	text := bigfile.Generate()
	s, c := direct(b)
	u := benchURI(b)
	s.DidOpen(context.Background(), &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: u, Version: 1, Text: text}})
	c.waitVersion(b, 1)
	edit := benchEdit(text)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := int32(i + 2)
		s.DidChange(context.Background(), edit(u, v))
		c.waitVersion(b, v)
	}
}

// rpc returns a client connected to a server over an in-memory pipe, after
// initialize.
func rpc(b *testing.B) (jsonrpc2.Conn, *benchClient) {
	s := New(Options{Logger: zap.NewNop()})
	serverEnd, clientEnd := net.Pipe()
	go s.Serve(context.Background(), serverEnd)
	c := &benchClient{versions: make(chan int32, 16)}
	conn := jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(clientEnd), jsonrpc2.WithCodec(codec{}))
	conn.Go(context.Background(), protocol.ClientHandler(c, jsonrpc2.MethodNotFoundHandler))
	b.Cleanup(func() { clientEnd.Close(); <-conn.Done() })
	if _, err := conn.Call(context.Background(), protocol.MethodInitialize, &protocol.InitializeParams{}, nil); err != nil {
		b.Fatal(err)
	}
	if err := conn.Notify(context.Background(), protocol.MethodInitialized, &protocol.InitializedParams{}); err != nil {
		b.Fatal(err)
	}
	return conn, c
}

// BenchmarkOpenRPC is BenchmarkOpen over JSON-RPC.
func BenchmarkOpenRPC(b *testing.B) {
	text := bigfile.Generate()
	conn, c := rpc(b)
	u := benchURI(b)
	ctx := context.Background()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		v := int32(i + 1)
		conn.Notify(ctx, protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: u, Version: v, Text: text}})
		c.waitVersion(b, v)
		b.StopTimer()
		conn.Notify(ctx, protocol.MethodTextDocumentDidClose, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
		b.StartTimer()
	}
}

// BenchmarkEditRPC is BenchmarkEdit over JSON-RPC.
func BenchmarkEditRPC(b *testing.B) {
	text := bigfile.Generate()
	conn, c := rpc(b)
	u := benchURI(b)
	ctx := context.Background()
	conn.Notify(ctx, protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: u, Version: 1, Text: text}})
	c.waitVersion(b, 1)
	edit := benchEdit(text)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := int32(i + 2)
		conn.Notify(ctx, protocol.MethodTextDocumentDidChange, edit(u, v))
		c.waitVersion(b, v)
	}
}

// BenchmarkInitialize: the initialize request's round trip on a fresh
// server, over JSON-RPC.
func BenchmarkInitialize(b *testing.B) {
	b.ReportAllocs()
	params := &protocol.InitializeParams{Capabilities: protocol.ClientCapabilities{
		General:   &protocol.GeneralClientCapabilities{PositionEncodings: []protocol.PositionEncodingKind{protocol.PositionEncodingKindUTF8, protocol.PositionEncodingKindUTF16}},
		Workspace: &protocol.WorkspaceClientCapabilities{Configuration: ptr(true)},
	}}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := New(Options{Logger: zap.NewNop()})
		serverEnd, clientEnd := net.Pipe()
		done := make(chan int, 1)
		go func() { done <- s.Serve(context.Background(), serverEnd) }()
		conn := jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(clientEnd), jsonrpc2.WithCodec(codec{}))
		conn.Go(context.Background(), jsonrpc2.MethodNotFoundHandler)
		b.StartTimer()
		var res protocol.InitializeResult
		if _, err := conn.Call(context.Background(), protocol.MethodInitialize, params, &res); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		clientEnd.Close()
		<-conn.Done()
		<-done
		b.StartTimer()
	}
}

// openChildEnv makes the test binary a child of BenchmarkOpenNewProcess:
// it opens the benchmark file once in a new server and prints the time.
const openChildEnv = "DOCKWISE_BENCH_OPEN_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(openChildEnv) != "" {
		os.Exit(openChild())
	}
	os.Exit(m.Run())
}

// openChild is the child's work: start a server (without JSON-RPC),
// initialize, and time didOpen of the benchmark file to its publish.
func openChild() int {
	text := bigfile.Generate()
	s := New(Options{Logger: zap.NewNop()})
	c := &benchClient{versions: make(chan int32, 16)}
	s.start(context.Background(), c)
	defer s.cancel()
	ctx := context.Background()
	if _, err := s.Initialize(ctx, &protocol.InitializeParams{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s.Initialized(ctx, &protocol.InitializedParams{})
	dir, err := os.MkdirTemp("", "dockwise-bench")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	u := uri.File(filepath.Join(dir, "Dockerfile"))
	t := time.Now()
	s.DidOpen(ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: u, Version: 1, Text: text}})
	for v := range c.versions {
		if v == 1 {
			break
		}
	}
	fmt.Printf("open-ns %d\n", time.Since(t).Nanoseconds())
	return 0
}

// BenchmarkOpenNewProcess: the first didOpen of a new server process
// (the benchmark file, server code path, as BenchmarkOpen), run in a child
// process per iteration. It reports the open's time (ms/open), not the
// process's: an editor's first file meets code, caches and a heap that
// nothing has warmed, which BenchmarkOpen's loop cannot show. Its
// x-buildkit-parse divides that cold open by BuildKit's parse in this
// (warm) process, as BenchmarkOpen's does: the two ratios compare.
func BenchmarkOpenNewProcess(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	text := bigfile.Generate()
	var open, buildkit time.Duration
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(exe, "-test.run", "^$")
		cmd.Env = append(os.Environ(), openChildEnv+"=1")
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		ns, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "open-ns ")
		n, err := strconv.ParseInt(ns, 10, 64)
		if !ok || err != nil {
			b.Fatalf("child printed %q", out)
		}
		open += time.Duration(n)
		t := time.Now()
		if _, err := parser.Parse(strings.NewReader(text)); err != nil {
			b.Fatal(err)
		}
		buildkit += time.Since(t)
	}
	b.ReportMetric(float64(open.Microseconds())/1000/float64(b.N), "ms/open")
	b.ReportMetric(float64(open)/float64(buildkit), "x-buildkit-parse")
}
