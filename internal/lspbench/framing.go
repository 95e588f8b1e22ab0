// This file defines the JSON-RPC base protocol used by lspbench: reading and
// writing Content-Length framed messages, and the shape of a message.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxMessageSize bounds one message body so a broken header cannot make the
// tool allocate without limit.
const maxMessageSize = 512 << 20

// maxHeaderLine bounds one header line.
const maxHeaderLine = 8 << 10

// message is any JSON-RPC 2.0 message as read from the server: a request
// (ID and Method), a notification (Method only) or a response (ID only).
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

// rpcError is the error object of a JSON-RPC response.
type rpcError struct {
	Code    int64           `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("jsonrpc error %d: %s", e.Code, e.Message) }

// hasID reports whether the message carries a non-null id.
func (m *message) hasID() bool {
	id := bytes.TrimSpace(m.ID)
	return len(id) > 0 && !bytes.Equal(id, []byte("null"))
}

// isRequest, isNotification and isResponse classify a message.
func (m *message) isRequest() bool      { return m.Method != "" && m.hasID() }
func (m *message) isNotification() bool { return m.Method != "" && !m.hasID() }
func (m *message) isResponse() bool     { return m.Method == "" && (m.hasID() || m.Error != nil) }

// readFrame reads one framed message body. Header names are matched without
// regard to case, unknown headers (Content-Type) are skipped, and a bare "\n"
// line ending is accepted as well as "\r\n". io.EOF is returned only when the
// stream ends cleanly between messages.
func readFrame(r *bufio.Reader) ([]byte, error) {
	length := -1
	first := true
	for {
		line, err := readHeaderLine(r)
		if err != nil {
			if err == io.EOF && first && line == "" {
				return nil, io.EOF
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("read header: %w", err)
		}
		first = false
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("malformed header line %q", line)
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad Content-Length %q", strings.TrimSpace(value))
			}
			if n > maxMessageSize {
				return nil, fmt.Errorf("Content-Length %d exceeds limit %d", n, maxMessageSize)
			}
			length = n
		}
	}
	if length < 0 {
		return nil, errors.New("message without Content-Length header")
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read body of %d bytes: %w", length, err)
	}
	return body, nil
}

// readHeaderLine returns one header line without its line ending.
func readHeaderLine(r *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
		b = append(b, chunk...)
		if len(b) > maxHeaderLine {
			return "", fmt.Errorf("header line longer than %d bytes", maxHeaderLine)
		}
		if err != nil {
			return string(b), err
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

// readMessage reads and decodes one message.
func readMessage(r *bufio.Reader) (*message, []byte, error) {
	body, err := readFrame(r)
	if err != nil {
		return nil, nil, err
	}
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, body, fmt.Errorf("decode message: %w", err)
	}
	return &m, body, nil
}

// writeFrame writes body with its Content-Length header in one write.
func writeFrame(w io.Writer, body []byte) error {
	var buf bytes.Buffer
	buf.Grow(len(body) + 32)
	fmt.Fprintf(&buf, "Content-Length: %d\r\n\r\n", len(body))
	buf.Write(body)
	_, err := w.Write(buf.Bytes())
	return err
}

// Outgoing message shapes. A result response always carries "result", even
// when it is null, so it is a separate type from the error response.
type outRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      int64  `json:"id"`
	Method  string `json:"method"`
	Params  any    `json:"params,omitempty"`
}

type outNotification struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  any    `json:"params,omitempty"`
}

type outResult struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result"`
}

type outError struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   rpcError        `json:"error"`
}
