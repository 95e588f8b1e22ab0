// This file defines the transport: the LSP base-protocol framing
// (Content-Length headers around JSON bodies) over any byte stream, and the
// stdio byte stream `dockwise serve` uses.
//
// jsonrpc2's own header stream ends the connection on the first malformed
// message. This one answers a body that is not JSON (-32700) or not a valid
// request (-32600) with an error response and reads on, and it skips a broken
// header until the next Content-Length field, so bad input never ends the
// session.
package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
)

// maxBody bounds the Content-Length the server accepts (as jsonrpc2 does).
const maxBody = 1 << 30

// stream is a jsonrpc2.Stream with LSP framing that survives bad input.
type stream struct {
	rwc  io.ReadWriteCloser
	in   *bufio.Reader
	out  jsonrpc2.Stream // jsonrpc2's header stream, used to write only
	log  *zap.Logger
	body []byte // reused; a decoded request borrows it until the next Read
}

func newStream(rwc io.ReadWriteCloser, log *zap.Logger) *stream {
	return &stream{rwc: rwc, in: bufio.NewReaderSize(rwc, 64<<10), out: jsonrpc2.NewHeaderStream(rwc), log: log}
}

// Read returns the next well-formed message, answering the malformed ones
// in between.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		body, n, err := s.readFrame()
		if err != nil {
			return nil, 0, err
		}
		msg, err := jsonrpc2.DecodeMessage(body)
		if err == nil {
			return msg, n, nil
		}
		s.reject(ctx, body, err)
	}
}

// reject answers a malformed message with an error response, carrying the
// message's id when one can be found in it, so a caller waiting for an
// answer is not left waiting.
func (s *stream) reject(ctx context.Context, body []byte, err error) {
	var wire *jsonrpc2.Error
	if !errors.As(err, &wire) || wire.Code == jsonrpc2.ParseError && json.Valid(body) {
		// Valid JSON that is not a request object (a number, an array).
		wire = jsonrpc2.ErrInvalidRequest
	}
	var id jsonrpc2.ID
	var probe struct {
		ID     any             `json:"id"`
		Method json.RawMessage `json:"method"`
	}
	isObject := json.Unmarshal(body, &probe) == nil
	if isObject {
		switch v := probe.ID.(type) {
		case float64:
			if v == float64(int64(v)) {
				id = jsonrpc2.NewNumberID(int64(v))
			}
		case string:
			id = jsonrpc2.NewStringID(v)
		}
	}
	s.log.Warn("malformed message", zap.Int("code", int(wire.Code)), zap.String("message", wire.Message),
		zap.ByteString("body", body[:min(len(body), 200)]))
	if isObject && probe.Method == nil {
		// A malformed response: answering it would be taken for a
		// response to one of the client's own requests.
		return
	}
	if _, err := s.out.Write(ctx, jsonrpc2.NewResponse(id, nil, wire)); err != nil {
		s.log.Warn("answering a malformed message failed", zap.Error(err))
	}
}

// readFrame reads one frame's header and body. Header lines it cannot use
// are logged and skipped; the header ends at a blank line after a valid
// Content-Length.
func (s *stream) readFrame() ([]byte, int64, error) {
	length := -1
	fields := false // a non-blank line was read since the last frame
	var n int64
	for {
		line, err := s.in.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// An absurdly long header line: skip it whole.
			s.log.Warn("malformed header: line too long")
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = s.in.ReadSlice('\n')
			}
			continue
		}
		if err != nil {
			if err == io.EOF && (n > 0 || len(line) > 0) {
				err = io.ErrUnexpectedEOF
			}
			return nil, 0, err
		}
		n += int64(len(line))
		text := strings.TrimRight(string(line), "\r\n")
		if text == "" {
			if length > 0 {
				break
			}
			if fields {
				s.log.Warn("malformed header: no Content-Length")
				fields = false
			}
			continue
		}
		fields = true
		// The field is looked for anywhere on the line: after a frame whose
		// header was broken, its body runs into the next frame's header.
		i := indexFold(text, "content-length:")
		if i < 0 {
			if !strings.Contains(text, ":") {
				s.log.Warn("malformed header line skipped", zap.String("line", text[:min(len(text), 200)]))
			}
			continue // another field, such as Content-Type
		}
		if i > 0 {
			s.log.Warn("malformed header: skipped bytes before Content-Length", zap.Int("bytes", i))
		}
		v, err := strconv.Atoi(strings.TrimSpace(text[i+len("content-length:"):]))
		if err != nil || v <= 0 || v > maxBody {
			s.log.Warn("malformed header: bad Content-Length", zap.String("line", text[:min(len(text), 200)]))
			length = -1
			continue
		}
		length = v
	}
	if cap(s.body) < length {
		s.body = make([]byte, length)
	}
	body := s.body[:length]
	if _, err := io.ReadFull(s.in, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, 0, fmt.Errorf("read message body: %w", err)
	}
	return body, n + int64(length), nil
}

// indexFold is strings.Index for an ASCII lowercase substr, ignoring case.
func indexFold(s, substr string) int {
	for i := 0; i+len(substr) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(substr)], substr) {
			return i
		}
	}
	return -1
}

func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	return s.out.Write(ctx, msg)
}

func (s *stream) Close() error { return s.rwc.Close() }

// stdio is the server's byte stream on standard input and output.
type stdio struct {
	in  io.Reader
	out io.Writer
}

// NewStdio returns a byte stream reading in and writing out. Its Close does
// nothing: closing stdin would not interrupt a pending read anyway.
func NewStdio(in io.Reader, out io.Writer) io.ReadWriteCloser { return stdio{in: in, out: out} }

func (s stdio) Read(p []byte) (int, error)  { return s.in.Read(p) }
func (s stdio) Write(p []byte) (int, error) { return s.out.Write(p) }
func (s stdio) Close() error                { return nil }
