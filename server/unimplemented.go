// This file defines the answer to methods the server does not provide.
// Standard LSP methods it does not implement are answered by the embedded
// protocol.UnimplementedServer: requests with MethodNotFound, notifications
// ignored. Methods that are not client-to-server LSP methods never reach the
// LSP dispatch, which would fail to decode their params or, for a
// notification, close the connection: requests get MethodNotFound and
// notifications (`$/` ones included) are dropped.
package server

import (
	"context"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"
)

// serverMethods are the methods the LSP specification lets a client send
// to a server.
var serverMethods = func() map[string]bool {
	m := make(map[string]bool)
	for _, info := range protocol.Methods {
		if info.Direction == protocol.DirectionClientToServer || info.Direction == protocol.DirectionBoth {
			m[info.Method] = true
		}
	}
	return m
}()

// withUnknownMethods answers requests for unknown methods with
// MethodNotFound and drops unknown notifications.
func (s *Server) withUnknownMethods(next jsonrpc2.Handler) jsonrpc2.Handler {
	return func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		if serverMethods[req.Method()] {
			return next(ctx, req)
		}
		if req.IsCall() {
			return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", req.Method())
		}
		s.log.Debug("unknown notification dropped", zap.String("method", req.Method()))
		return nil, nil
	}
}
