// Package server is dockwise's language server: the only package that knows
// JSON-RPC and LSP types. It keeps the open documents, maps LSP positions to
// the engine's byte offsets and back, and publishes what package analysis
// finds. It knows nothing about Dockerfiles itself.
//
// This file defines Server, how it is wired to a JSON-RPC connection, and
// its lifecycle state.
package server

import (
	"context"
	"io"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/dockwise/dockwise/analysis"
	"github.com/dockwise/dockwise/analysis/rules"
)

// Options configure a Server.
type Options struct {
	// Logger receives the server's own log (never the protocol). Nil
	// discards it.
	Logger *zap.Logger
	// Version is reported to the client in serverInfo.
	Version string
	// Rules are the rules to run; nil means rules.All.
	Rules []*analysis.Rule
}

// Server is a language server for one client. Create it with New and run it
// with Serve.
type Server struct {
	protocol.UnimplementedServer // methods the server does not provide; see unimplemented.go

	log     *zap.Logger
	version string
	rules   []*analysis.Rule

	// settleDelay is how long a document's goroutine waits after an
	// analysis, with no new edit, before it returns freed memory (see
	// settle). afterTrim, when a test sets it, is called after that. Tests
	// set both before the server starts.
	settleDelay time.Duration
	afterTrim   func()

	// Set by start, before any message is handled.
	ctx    context.Context // the server's lifetime: background work runs in it
	cancel context.CancelFunc
	client protocol.Client

	// work counts the goroutines that run past the handler that started
	// them (analysis, configuration round trips): Serve waits for them.
	// Start them with goWork: once stopping is set none starts, so none
	// is added while stop waits.
	work     sync.WaitGroup
	workMu   sync.Mutex
	stopping bool

	exited   chan struct{} // closed by exit
	exitOnce sync.Once

	// fetchMu serialises workspace/configuration round trips, so that
	// their results apply in the order they were asked for.
	fetchMu sync.Mutex

	mu       sync.Mutex
	state    lifecycle
	exitCode int
	mapper   mapper
	caps     clientCaps
	folders  []string // workspace folder paths, from initialize
	config   *config
	docs     map[uri.URI]*document

	// testHooks are extra request handlers, by method, that only tests
	// install (slow or panicking handlers).
	testHooks map[string]jsonrpc2.Handler
}

// docState is what a handler reads, under one lock, of a document and of the
// server's settings: d is nil when the document is not open (and then file
// and version are zero).
type docState struct {
	d       *document
	file    *analysis.File
	version int32
	config  *config
	mapper  mapper
	caps    clientCaps
}

// docState returns the docState of document u.
func (s *Server) docState(u uri.URI) docState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := docState{d: s.docs[u], config: s.config, mapper: s.mapper, caps: s.caps}
	if st.d != nil {
		st.file, st.version = st.d.file, st.d.version
	}
	return st
}

// lifecycle is where the server is in the initialize/shutdown/exit sequence.
type lifecycle int

const (
	stateNew         lifecycle = iota // waiting for initialize
	stateInitialized                  // initialize answered
	stateReady                        // initialized received
	stateShutdown                     // shutdown answered; waiting for exit
)

// clientCaps are the client capabilities the server acts on.
type clientCaps struct {
	configuration       bool // workspace/configuration requests
	dynamicConfigChange bool // dynamic registration of workspace/didChangeConfiguration
	codeActionLiterals  bool // CodeAction results (not only Commands) from textDocument/codeAction
	documentChanges     bool // versioned documentChanges in a WorkspaceEdit
	createFiles         bool // CreateFile operations in a WorkspaceEdit
	resolveEdit         bool // codeAction/resolve of a CodeAction's edit
}

// New returns a server.
func New(opts Options) *Server {
	s := &Server{
		log:     opts.Logger,
		version: opts.Version,
		rules:   opts.Rules,
		exited:  make(chan struct{}),
		mapper:  mapperFor(protocol.PositionEncodingKindUTF16),
		config:  &config{},
		docs:    make(map[uri.URI]*document),

		settleDelay: defaultSettleDelay,
	}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	if s.rules == nil {
		s.rules = rules.All
	}
	return s
}

// Serve speaks LSP over rwc (LSP base-protocol framing) until the client
// sends exit, the connection ends or ctx is done, and returns the process
// exit code the LSP specification asks for: 0 after shutdown then exit, 1
// otherwise. A Server serves one connection.
//
// Serve does not wait for the connection to close after exit: on stdio the
// reader is blocked in a read of stdin that nothing can interrupt, so the
// caller should exit the process.
func (s *Server) Serve(ctx context.Context, rwc io.ReadWriteCloser) int {
	conn := jsonrpc2.NewConn(newStream(rwc, s.log), jsonrpc2.WithCodec(codec{}))
	s.start(ctx, protocol.ClientDispatcher(conn))
	defer s.stop()
	conn.Go(s.ctx, s.handler())
	select {
	case <-s.exited:
		s.log.Info("exit", zap.Int("code", s.exitCode))
		s.cancel()
		go conn.Close() // returns once the peer closes; see above
		return s.exitCode
	case <-conn.Done():
		if err := conn.Err(); err != nil {
			s.log.Error("connection failed", zap.Error(err))
		} else {
			s.log.Info("connection closed by the client without exit")
		}
	case <-ctx.Done():
		s.log.Info("stopped", zap.Error(ctx.Err()))
		go conn.Close()
	}
	return 1
}

// stopWait bounds how long stop waits for background work: a goroutine
// can be held by a write to a client that no longer reads.
const stopWait = 2 * time.Second

// stop ends the server's background work and waits for it (for at most
// stopWait), so that nothing logs or writes after Serve returns.
func (s *Server) stop() {
	s.cancel()
	s.workMu.Lock()
	s.stopping = true
	s.workMu.Unlock()
	done := make(chan struct{})
	go func() {
		s.work.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(stopWait):
		s.log.Warn("background work still running at exit")
	}
}

// goWork runs fn in a goroutine stop waits for, unless the server is
// stopping, and reports whether it did.
func (s *Server) goWork(fn func()) bool {
	s.workMu.Lock()
	defer s.workMu.Unlock()
	if s.stopping {
		return false
	}
	s.work.Go(fn)
	return true
}

// start readies the server to handle messages, sending what it has to say
// to client.
func (s *Server) start(ctx context.Context, client protocol.Client) {
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.client = client
}

// handler returns the chain every incoming message goes through, outermost
// first: recovery and error mapping, the lifecycle checks, concurrency,
// contexts and $/cancelRequest, the test hooks, unknown methods, and the
// LSP dispatch.
func (s *Server) handler() jsonrpc2.Handler {
	h := protocol.ServerHandler(s, nil)
	h = s.withUnknownMethods(h)
	h = s.withTestHooks(h)
	h = s.withCancel(h)
	h = concurrent(h)
	h = s.withLifecycle(h)
	h = s.guard(h)
	return h
}

// logMessage logs msg and shows it to the user in the client's log
// (window/logMessage). It is for problems the user should know about, such
// as a bad setting.
func (s *Server) logMessage(typ protocol.MessageType, msg string, fields ...zap.Field) {
	switch typ {
	case protocol.MessageTypeError:
		s.log.Error(msg, fields...)
	case protocol.MessageTypeWarning:
		s.log.Warn(msg, fields...)
	default:
		s.log.Info(msg, fields...)
	}
	// Notify only writes, so this is safe on the read loop as well.
	if err := s.client.LogMessage(s.ctx, &protocol.LogMessageParams{Type: typ, Message: "dockwise: " + msg}); err != nil {
		s.log.Debug("window/logMessage failed", zap.Error(err))
	}
}

// codec encodes message payloads with the protocol package's own union-aware
// encoder (its codec is not exported).
type codec struct{}

func (codec) Marshal(v any) ([]byte, error) {
	if raw, ok := v.(jsonrpc2.RawMessage); ok {
		if raw == nil {
			return []byte("null"), nil
		}
		return raw, nil
	}
	return protocol.Marshal(v)
}

func (codec) Unmarshal(data []byte, v any) error {
	if p, ok := v.(*jsonrpc2.RawMessage); ok {
		*p = append(jsonrpc2.RawMessage(nil), data...)
		return nil
	}
	return protocol.Unmarshal(data, v)
}
