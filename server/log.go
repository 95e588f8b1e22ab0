// This file defines the server's log: zap, to standard error or a file,
// never to standard output, which carries the protocol.
package server

import (
	"fmt"
	"io"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// NewLogger returns a logger writing human-readable lines to w at the given
// level: "debug", "info", "warn" or "error".
func NewLogger(w io.Writer, level string) (*zap.Logger, error) {
	var lvl zapcore.Level
	switch level {
	case "debug", "info", "warn", "error":
		if err := lvl.Set(level); err != nil {
			return nil, fmt.Errorf("log level %q: %w", level, err)
		}
	default:
		return nil, fmt.Errorf("unknown log level %q (want debug, info, warn or error)", level)
	}
	enc := zap.NewDevelopmentEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	enc.EncodeCaller = nil
	enc.CallerKey = ""
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.Lock(zapcore.AddSync(w)), lvl)
	return zap.New(core), nil
}
