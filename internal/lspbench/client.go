// This file defines the client side of the connection to the server under
// test: a reader goroutine that answers the server's own requests, routes
// responses to callers and queues publishDiagnostics notifications with the
// time they arrived.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// publish is one textDocument/publishDiagnostics notification.
type publish struct {
	URI        string
	Version    *int64 // nil when the server sent no version
	Count      int    // number of diagnostics
	ReceivedAt time.Time
}

// client is a JSON-RPC connection to a language server.
type client struct {
	w   io.Writer
	wmu sync.Mutex

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan *message
	pubs    []publish     // unconsumed publishDiagnostics, in arrival order
	notify  chan struct{} // signalled (non-blocking) when pubs grows
	readErr error         // why the reader stopped
	done    chan struct{} // closed when the reader stops

	// Counters of what the server sent besides responses.
	serverRequests map[string]int
	notifications  map[string]int
	badMessages    int

	// workspaceFolders answers workspace/workspaceFolders.
	workspaceFolders any
}

// newClient starts the reader goroutine on r and writes to w.
func newClient(r io.Reader, w io.Writer) *client {
	c := &client{
		w:              w,
		pending:        map[int64]chan *message{},
		notify:         make(chan struct{}, 1),
		done:           make(chan struct{}),
		serverRequests: map[string]int{},
		notifications:  map[string]int{},
	}
	go c.readLoop(bufio.NewReaderSize(r, 64<<10))
	return c
}

func (c *client) readLoop(r *bufio.Reader) {
	defer close(c.done)
	for {
		body, err := readFrame(r)
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			return
		}
		at := time.Now()
		var m message
		if err := json.Unmarshal(body, &m); err != nil {
			c.mu.Lock()
			c.badMessages++
			c.mu.Unlock()
			continue
		}
		c.dispatch(&m, at)
	}
}

func (c *client) dispatch(m *message, at time.Time) {
	switch {
	case m.isRequest():
		c.mu.Lock()
		c.serverRequests[m.Method]++
		c.mu.Unlock()
		go c.answer(m) // never block the reader on a write
	case m.isNotification():
		c.mu.Lock()
		c.notifications[m.Method]++
		c.mu.Unlock()
		if m.Method == "textDocument/publishDiagnostics" {
			c.queuePublish(m.Params, at)
		}
	case m.isResponse():
		id, err := strconv.ParseInt(string(m.ID), 10, 64)
		c.mu.Lock()
		ch, ok := c.pending[id]
		if ok {
			delete(c.pending, id)
		}
		if err != nil || !ok {
			c.badMessages++
		}
		c.mu.Unlock()
		if ok {
			ch <- m
		}
	default:
		c.mu.Lock()
		c.badMessages++
		c.mu.Unlock()
	}
}

// answer replies to a request the server sent to the client. Requests the
// benchmark has no use for get the most neutral answer the protocol allows.
func (c *client) answer(m *message) {
	var result any
	switch m.Method {
	case "workspace/configuration":
		var p struct {
			Items []json.RawMessage `json:"items"`
		}
		_ = json.Unmarshal(m.Params, &p)
		result = make([]any, len(p.Items)) // one null per item
	case "workspace/workspaceFolders":
		result = c.workspaceFolders
	case "client/registerCapability", "client/unregisterCapability",
		"window/workDoneProgress/create", "window/showMessageRequest",
		"workspace/diagnostic/refresh", "workspace/semanticTokens/refresh",
		"workspace/inlayHint/refresh", "workspace/inlineValue/refresh",
		"workspace/codeLens/refresh", "workspace/foldingRange/refresh":
		result = nil
	case "workspace/applyEdit":
		result = map[string]any{"applied": false}
	case "window/showDocument":
		result = map[string]any{"success": false}
	default:
		_ = c.write(outError{JSONRPC: "2.0", ID: m.ID, Error: rpcError{Code: -32601, Message: "method not found: " + m.Method}})
		return
	}
	_ = c.write(outResult{JSONRPC: "2.0", ID: m.ID, Result: result})
}

func (c *client) queuePublish(params json.RawMessage, at time.Time) {
	var p struct {
		URI         string            `json:"uri"`
		Version     *int64            `json:"version"`
		Diagnostics []json.RawMessage `json:"diagnostics"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		c.mu.Lock()
		c.badMessages++
		c.mu.Unlock()
		return
	}
	c.mu.Lock()
	c.pubs = append(c.pubs, publish{URI: p.URI, Version: p.Version, Count: len(p.Diagnostics), ReceivedAt: at})
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *client) write(v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := writeFrame(c.w, body); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	return nil
}

// notifyServer sends a notification.
func (c *client) notifyServer(method string, params any) error {
	return c.write(outNotification{JSONRPC: "2.0", Method: method, Params: params})
}

// call sends a request and waits for its response until ctx ends or the
// connection closes. It returns the raw result.
func (c *client) call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	ch := make(chan *message, 1)
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}
	if err := c.write(outRequest{JSONRPC: "2.0", ID: id, Method: method, Params: params}); err != nil {
		forget()
		return nil, err
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return nil, m.Error
		}
		return m.Result, nil
	case <-ctx.Done():
		forget()
		return nil, fmt.Errorf("%s: no response: %w", method, ctx.Err())
	case <-c.done:
		forget()
		return nil, fmt.Errorf("%s: connection closed: %w", method, c.err())
	}
}

// err returns why the reader stopped, or nil.
func (c *client) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

// waitPublish consumes queued publishes until one satisfies match and returns
// it. Publishes that do not match are dropped. It fails when ctx ends or the
// connection closes first.
func (c *client) waitPublish(ctx context.Context, match func(publish) bool) (publish, error) {
	for {
		c.mu.Lock()
		for len(c.pubs) > 0 {
			p := c.pubs[0]
			c.pubs = c.pubs[1:]
			if match(p) {
				c.mu.Unlock()
				return p, nil
			}
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-ctx.Done():
			return publish{}, ctx.Err()
		case <-c.done:
			// Drain what arrived before the close.
			c.mu.Lock()
			n := len(c.pubs)
			c.mu.Unlock()
			if n == 0 {
				return publish{}, fmt.Errorf("connection closed: %v", c.err())
			}
		}
	}
}

// counts returns copies of the message counters.
func (c *client) counts() (requests, notifications map[string]int, bad int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	requests = map[string]int{}
	for k, v := range c.serverRequests {
		requests[k] = v
	}
	notifications = map[string]int{}
	for k, v := range c.notifications {
		notifications[k] = v
	}
	return requests, notifications, c.badMessages
}
