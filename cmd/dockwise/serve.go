// This file defines `dockwise serve`: the language server, speaking LSP
// over standard input and output.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"

	"github.com/dockwise/dockwise/server"
)

// runServe runs `dockwise serve` and returns the process exit code: 0 after
// the client's shutdown and exit, 1 when the session ended otherwise, 2 for
// bad arguments.
func runServe(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", stderr)
	fs.Bool("stdio", true, "speak LSP over standard input and output (the only transport; accepted because editors pass it)")
	fs.Int("clientProcessId", 0, "accepted and ignored (some editors pass it)")
	logFile := fs.String("log-file", "", "write the log to `PATH` (appending) instead of standard error")
	var logLevel string
	fs.Var(choice(&logLevel, "info", "debug", "info", "warn", "error"), "log-level", "log `LEVEL`: debug, info, warn or error")
	pos, err := parseArgs(fs, args)
	if err == errHelp {
		printHelp(stdout, fs, "dockwise serve [--stdio] [--log-file PATH] [--log-level LEVEL]",
			"Serve runs the language server, speaking the Language Server Protocol over standard input and output. "+
				"Standard output carries only the protocol; the log goes to standard error or the --log-file.")
		return exitOK
	}
	if err == nil && len(pos) > 0 {
		err = fmt.Errorf("unexpected argument %q", pos[0])
	}
	if err != nil {
		return usageError(stderr, "serve", err)
	}
	logOut := stderr
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "dockwise serve: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		logOut = f
	}
	log, err := server.NewLogger(logOut, logLevel)
	if err != nil {
		return usageError(stderr, "serve", err)
	}
	defer log.Sync()
	version := dockwiseVersion()
	log.Info("dockwise serve starting", zap.String("version", version), zap.Int("pid", os.Getpid()))
	s := server.New(server.Options{Logger: log, Version: version})
	return s.Serve(context.Background(), server.NewStdio(stdin, stdout))
}
