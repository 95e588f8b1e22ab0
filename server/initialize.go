// This file defines the lifecycle methods: initialize (capabilities and
// position encoding), initialized, shutdown and exit.
package server

import (
	"context"
	"slices"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"
)

// Initialize records what the client supports and answers with the
// server's capabilities. The position encoding is UTF-8 when the client
// offers it (no conversion at all), else UTF-16.
func (s *Server) Initialize(ctx context.Context, params *protocol.InitializeParams) (*protocol.InitializeResult, error) {
	enc := protocol.PositionEncodingKindUTF16
	if g := params.Capabilities.General; g != nil && slices.Contains(g.PositionEncodings, protocol.PositionEncodingKindUTF8) {
		enc = protocol.PositionEncodingKindUTF8
	}
	var caps clientCaps
	if w := params.Capabilities.Workspace; w != nil {
		caps.configuration = w.Configuration != nil && *w.Configuration
		if d := w.DidChangeConfiguration; d != nil {
			caps.dynamicConfigChange = d.DynamicRegistration != nil && *d.DynamicRegistration
		}
		if e := w.WorkspaceEdit; e != nil {
			caps.documentChanges = e.DocumentChanges != nil && *e.DocumentChanges
			caps.createFiles = caps.documentChanges && slices.Contains(e.ResourceOperations, protocol.ResourceOperationKindCreate)
		}
	}
	if td := params.Capabilities.TextDocument; td != nil && td.CodeAction != nil {
		caps.codeActionLiterals = td.CodeAction.CodeActionLiteralSupport.CodeActionKind.ValueSet != nil
		caps.resolveEdit = caps.codeActionLiterals && slices.Contains(td.CodeAction.ResolveSupport.Properties, "edit")
	}
	var folders []string
	if fs, ok := params.WorkspaceFolders.Get(); ok {
		for _, f := range fs {
			if p, ok := filePath(f.URI); ok {
				folders = append(folders, p)
			}
		}
	} else if params.RootURI != nil {
		if p, ok := filePath(*params.RootURI); ok {
			folders = append(folders, p)
		}
	}

	s.mu.Lock()
	s.state = stateInitialized
	s.mapper = mapperFor(enc)
	s.caps = caps
	s.folders = folders
	s.mu.Unlock()
	s.log.Info("initialize", zap.String("method", protocol.MethodInitialize),
		zap.String("client", strings.TrimSpace(params.ClientInfo.Name+" "+optional(params.ClientInfo.Version))),
		zap.String("positionEncoding", string(enc)), zap.Strings("workspaceFolders", folders))

	if len(params.InitializationOptions) > 0 {
		s.applySettings(params.InitializationOptions, "initializationOptions")
	}

	change := protocol.TextDocumentSyncKindIncremental
	openClose := true
	var codeActions protocol.CodeActionProvider
	if caps.codeActionLiterals {
		// A client that resolves edits gets the heavy rewrites without
		// their edit, which codeAction/resolve computes and verifies.
		resolve := true
		codeActions = &protocol.CodeActionOptions{CodeActionKinds: codeActionKinds, ResolveProvider: &resolve}
	}
	return &protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			PositionEncoding:       enc,
			TextDocumentSync:       &protocol.TextDocumentSyncOptions{OpenClose: &openClose, Change: &change},
			CodeActionProvider:     codeActions,
			ExecuteCommandProvider: protocol.ExecuteCommandOptions{Commands: serverCommands},
		},
		ServerInfo: protocol.ServerInfo{Name: "dockwise", Version: protocol.NewOptional(s.version)},
	}, nil
}

// Initialized asks the client for the configuration, now that the server
// may send requests. The requests are made from a goroutine: a request made
// on the read loop would wait for an answer only the read loop can read.
func (s *Server) Initialized(ctx context.Context, _ *protocol.InitializedParams) error {
	s.mu.Lock()
	s.state = stateReady
	caps := s.caps
	s.mu.Unlock()
	if caps.dynamicConfigChange {
		s.goWork(s.registerConfigurationChange)
	}
	if caps.configuration {
		s.goWork(s.fetchConfiguration)
	}
	return nil
}

// Shutdown moves the server to its last state, where only exit is
// accepted.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.state = stateShutdown
	s.mu.Unlock()
	s.log.Info("shutdown", zap.String("method", protocol.MethodShutdown))
	return nil
}

// Exit ends Serve, with exit code 0 after shutdown and 1 otherwise.
func (s *Server) Exit(ctx context.Context) error {
	s.exitOnce.Do(func() {
		s.mu.Lock()
		s.exitCode = 1
		if s.state == stateShutdown {
			s.exitCode = 0
		}
		s.mu.Unlock()
		close(s.exited)
	})
	return nil
}

// filePath returns the file system path of a file URI.
func filePath(u uri.URI) (string, bool) {
	if !u.IsFile() {
		return "", false
	}
	return strings.Clone(u.FsPath()), true
}

func optional[T any](o protocol.Optional[T]) T {
	v, _ := o.Get()
	return v
}
