// This file defines the dockwise command: main and run, which dispatches to
// the subcommands (check, fix, serve, rules, version, help). run takes its
// arguments and streams as parameters so that tests drive the CLI in-process.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes shared by every subcommand.
const (
	exitOK       = 0 // nothing reached the fail level
	exitFindings = 1 // a finding reached the fail level
	exitUsage    = 2 // bad arguments, or a file or directory could not be read
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands returns the subcommands in the order help lists them. It is a
// function, not a variable, because help refers back to it.
func commands() []command {
	return []command{
		{"check", "lint Dockerfiles and report the findings", runCheck},
		{"fix", "apply the verified fixes to Dockerfiles", runFix},
		{"serve", "run the language server (LSP over stdio)", runServe},
		{"rules", "list the rules", runRules},
		{"version", "print the versions of dockwise, its Dockerfile parser and Go", runVersion},
		{"help", "show help for a command", runHelp},
	}
}

// run runs the dockwise command line and returns the process exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], stdin, stdout, stderr)
		}
	}
	if strings.HasPrefix(name, "-") {
		fmt.Fprintf(stderr, "dockwise: flag %s must follow a command\n\n", name)
	} else {
		fmt.Fprintf(stderr, "dockwise: unknown command %q%s\n\n", name, didYouMean(name, commandNames()))
	}
	usage(stderr)
	return exitUsage
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}

func usage(w io.Writer) {
	fmt.Fprint(w, `dockwise is a Dockerfile linter and language server.

Usage:
  dockwise <command> [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "dockwise help <command>" for the flags of a command.

Exit codes: 0 nothing reached the fail level (fix: nothing left unfixed),
1 a finding reached it (fix: a finding could not be fixed), 2 bad usage or
a file that could not be read or written.
`)
}

// runHelp implements "dockwise help [command]".
func runHelp(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		usage(stdout)
		return exitOK
	case 1:
		if args[0] == "help" {
			usage(stdout)
			return exitOK
		}
		for _, c := range commands() {
			if c.name == args[0] {
				// Every command prints its own help for -h, to stdout, and
				// exits 0.
				return c.run([]string{"-h"}, stdin, stdout, stderr)
			}
		}
		fmt.Fprintf(stderr, "dockwise help: unknown command %q%s\n", args[0], didYouMean(args[0], commandNames()))
		return exitUsage
	}
	fmt.Fprintln(stderr, "usage: dockwise help [command]")
	return exitUsage
}
