// This file defines `dockwise serve`: the language server, speaking LSP
// over standard input and output.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"go.uber.org/zap"

	"github.com/dockwise/dockwise/server"
)

// runServe runs `dockwise serve` and returns the process exit code: 0 after
// the client's shutdown and exit, 1 when the session ended otherwise, 2 for
// bad arguments.
func runServe(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: dockwise serve [--stdio] [--log-file PATH] [--log-level LEVEL]\n\n"+
			"Runs the language server on standard input and output.\n\n")
		fs.PrintDefaults()
	}
	fs.Bool("stdio", true, "speak LSP over standard input and output (the only transport; accepted for editors that pass it)")
	fs.Int("clientProcessId", 0, "accepted and ignored (some editors pass it)")
	logFile := fs.String("log-file", "", "write the log to `PATH` (appending) instead of standard error")
	logLevel := fs.String("log-level", "info", "log `LEVEL`: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "dockwise serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	logOut := stderr
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "dockwise serve: %v\n", err)
			return 2
		}
		defer f.Close()
		logOut = f
	}
	log, err := server.NewLogger(logOut, *logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "dockwise serve: %v\n", err)
		return 2
	}
	defer log.Sync()
	version := serveVersion()
	log.Info("dockwise serve starting", zap.String("version", version), zap.Int("pid", os.Getpid()))
	s := server.New(server.Options{Logger: log, Version: version})
	return s.Serve(context.Background(), server.NewStdio(stdin, stdout))
}

// serveVersion returns the module version the binary was built from.
func serveVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
