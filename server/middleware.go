// This file defines the handler wrappers every incoming message goes
// through before the LSP dispatch: recovery and error mapping (guard), the
// initialize/shutdown/exit rules (withLifecycle), concurrency (concurrent),
// contexts and cancellation (withCancel), and the test hooks.
//
// jsonrpc2 tears the connection down when a handler panics or a notification
// handler returns an error, and by default answers bad params with a parse
// error; these wrappers keep the server serving and answer with the codes the
// specifications ask for.
package server

import (
	"context"
	"errors"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"
)

// guard recovers a panicking handler (logging it with its stack and
// answering InternalError), maps errors to the right JSON-RPC codes, and
// never lets a notification's error reach jsonrpc2, which would close the
// connection.
func (s *Server) guard(next jsonrpc2.Handler) jsonrpc2.Handler {
	return func(ctx context.Context, req *jsonrpc2.Request) (result any, err error) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("handler panicked", zap.String("method", req.Method()),
					zap.Any("panic", r), zap.Stack("stack"))
				result, err = nil, nil
				if req.IsCall() {
					err = jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error handling %s: %v", req.Method(), r)
				}
			}
		}()
		result, err = next(ctx, req)
		if err == nil {
			return result, nil
		}
		if !req.IsCall() {
			s.log.Warn("notification failed", zap.String("method", req.Method()), zap.Error(err))
			return nil, nil
		}
		err = callError(err)
		level := zap.DebugLevel
		var wire *jsonrpc2.Error
		if errors.As(err, &wire) && (wire.Code == jsonrpc2.InvalidParams || wire.Code == jsonrpc2.InternalError) {
			level = zap.WarnLevel
		}
		s.log.Log(level, "request failed", zap.String("method", req.Method()), zap.Error(err))
		return nil, err
	}
}

// callError maps a request handler's error to the one to answer with.
func callError(err error) error {
	var wire *jsonrpc2.Error
	switch {
	case errors.Is(err, jsonrpc2.ErrParse):
		// The frame was valid JSON (the stream checked), so a parse error
		// here is the protocol package failing to decode the params.
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
	case errors.As(err, &wire):
		return err
	}
	return jsonrpc2.Errorf(jsonrpc2.InternalError, "%v", err)
}

// withLifecycle enforces the lifecycle rules of the LSP specification:
// before initialize, requests fail with ServerNotInitialized and
// notifications are dropped; after shutdown, requests fail with
// InvalidRequest; exit is always accepted.
func (s *Server) withLifecycle(next jsonrpc2.Handler) jsonrpc2.Handler {
	return func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		method := req.Method()
		if method == protocol.MethodExit {
			return nil, s.Exit(jsonrpc2.DetachContext(ctx)) // see withCancel
		}
		s.mu.Lock()
		state := s.state
		s.mu.Unlock()
		var reject *jsonrpc2.Error
		switch {
		case state == stateNew && method != protocol.MethodInitialize:
			reject = jsonrpc2.NewError(jsonrpc2.ServerNotInitialized, "server not initialized")
		case state == stateShutdown:
			reject = jsonrpc2.NewError(jsonrpc2.InvalidRequest, "server is shut down")
		case method == protocol.MethodInitialize && state != stateNew:
			reject = jsonrpc2.NewError(jsonrpc2.InvalidRequest, "server already initialized")
		case method == protocol.MethodInitialized:
			// InitializedParams is empty and clients send {}, null or
			// nothing: the params are not decoded.
			if state != stateInitialized {
				s.log.Warn("unexpected initialized notification", zap.String("method", method))
				return nil, nil
			}
			return nil, s.Initialized(jsonrpc2.DetachContext(ctx), &protocol.InitializedParams{})
		}
		if reject != nil {
			if req.IsCall() {
				return nil, reject
			}
			s.log.Debug("notification dropped", zap.String("method", method), zap.String("reason", reject.Message))
			return nil, nil
		}
		return next(ctx, req)
	}
}

// concurrent lets a request run concurrently with the messages after it,
// except initialize and shutdown, which change the lifecycle state.
// Notifications run inline, in wire order: text edits must apply in the
// order they were made. (A request to the client made from a notification
// handler would therefore deadlock the read loop; such requests are made
// from goroutines.)
func concurrent(next jsonrpc2.Handler) jsonrpc2.Handler {
	return func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		if req.IsCall() {
			switch req.Method() {
			case protocol.MethodInitialize, protocol.MethodShutdown:
			default:
				jsonrpc2.Async(ctx)
			}
		}
		return next(ctx, req)
	}
}

// withCancel gives every handler a context of its own and handles
// $/cancelRequest: a request's context is canceled when the client cancels
// the request.
//
// The context jsonrpc2 passes in is pooled and recycled when the request
// completes. Deriving a context from it with context.WithCancel (as
// jsonrpc2.CancelHandler does) starts a goroutine that may look at it after
// it was recycled, which panics; so handlers get contexts derived from the
// connection's own (jsonrpc2.DetachContext), which also makes them safe to
// keep.
func (s *Server) withCancel(next jsonrpc2.Handler) jsonrpc2.Handler {
	var mu sync.Mutex
	inflight := make(map[jsonrpc2.ID]context.CancelFunc)
	return func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		base := jsonrpc2.DetachContext(ctx)
		if req.Method() == protocol.MethodCancelRequest {
			var params protocol.CancelParams
			if err := protocol.Unmarshal(req.Params(), &params); err != nil {
				return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
			}
			var id jsonrpc2.ID
			switch v := params.ID.(type) {
			case protocol.Integer:
				id = jsonrpc2.NewNumberID(int64(v))
			case protocol.String:
				id = jsonrpc2.NewStringID(string(v))
			default:
				return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: bad request id %v", params.ID)
			}
			mu.Lock()
			cancel := inflight[id]
			mu.Unlock()
			if cancel != nil {
				cancel()
			}
			return nil, nil
		}
		if !req.IsCall() {
			return next(base, req)
		}
		id := req.ID()
		ctx, cancel := context.WithCancel(base)
		mu.Lock()
		inflight[id] = cancel
		mu.Unlock()
		defer func() {
			mu.Lock()
			delete(inflight, id)
			mu.Unlock()
			cancel()
		}()
		result, err := next(ctx, req)
		if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return nil, protocol.ErrRequestCancelled
		}
		return result, err
	}
}

// withTestHooks routes the methods tests install hooks for.
func (s *Server) withTestHooks(next jsonrpc2.Handler) jsonrpc2.Handler {
	return func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		if h := s.testHooks[req.Method()]; h != nil {
			return h(ctx, req)
		}
		return next(ctx, req)
	}
}
