// Command lspbench drives a language server over stdio and measures it: the
// initialize round trip, the time from didOpen of a large Dockerfile to its
// first diagnostics, the edit-to-diagnostics latency of one-character
// incremental edits, resident memory, and a clean shutdown.
//
// Usage:
//
//	go run ./internal/lspbench [flags] -- <server command...>
//
// Every wait is bounded by -timeout, so a server that never answers or never
// publishes is reported as such instead of hanging the tool.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dockwise/dockwise/internal/bigfile"
)

func main() {
	var opts options
	flag.StringVar(&opts.file, "file", "", "Dockerfile to open (default: the internal/bigfile benchmark file)")
	flag.IntVar(&opts.edits, "edits", 50, "number of one-character edits")
	flag.DurationVar(&opts.timeout, "timeout", 30*time.Second, "limit for each step (initialize, each diagnostics wait, shutdown)")
	flag.DurationVar(&opts.pause, "pause", 100*time.Millisecond, "pause after each edit's diagnostics before the next edit (late publishes are dropped)")
	flag.DurationVar(&opts.settle, "settle", 0, "wait this long after the open's and the last edit's diagnostics before reading resident memory (steady state)")
	flag.StringVar(&opts.name, "name", "", "label for the server in the output (default: the command's base name)")
	flag.StringVar(&opts.stderr, "stderr", "", "file to write the server's stderr to (default: discarded, last lines shown on failure)")
	flag.BoolVar(&opts.json, "json", false, "write the result as JSON")
	dump := flag.Bool("dump", false, "write the Dockerfile that would be opened to stdout and exit (no server needed)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: lspbench [flags] -- <server command...>\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *dump {
		text, _, err := loadText(opts.file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "lspbench:", err)
			os.Exit(1)
		}
		fmt.Print(text)
		return
	}
	opts.command = flag.Args()
	if len(opts.command) == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if opts.edits < 0 || opts.timeout <= 0 || opts.pause < 0 {
		fmt.Fprintln(os.Stderr, "lspbench: -edits, -timeout and -pause must not be negative (-timeout > 0)")
		os.Exit(2)
	}
	res, err := run(opts)
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
	}
	if opts.json {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		printText(os.Stdout, res)
	}
	if len(res.Errors) > 0 {
		os.Exit(1)
	}
}

// exitGrace is how long a server gets to exit on "exit" before its stdin is
// closed.
const exitGrace = 2 * time.Second

type options struct {
	file    string
	edits   int
	timeout time.Duration
	pause   time.Duration
	settle  time.Duration
	name    string
	stderr  string
	json    bool
	command []string
}

// result is everything one run measured. Durations are milliseconds; a nil
// pointer means the step did not happen or did not finish.
type result struct {
	Server        string   `json:"server"`
	Command       []string `json:"command"`
	ServerInfo    string   `json:"server_info,omitempty"`
	File          string   `json:"file"`
	Lines         int      `json:"lines"`
	Bytes         int      `json:"bytes"`
	Sync          string   `json:"sync,omitempty"` // "incremental" or "full": how edits were sent
	EditLine      int      `json:"edit_line"`      // 1-based
	InitializeMS  *float64 `json:"initialize_ms"`
	OpenDiagMS    *float64 `json:"open_diagnostics_ms"`
	OpenDiagCount int      `json:"open_diagnostics_count"`
	Versioned     *bool    `json:"versioned"` // whether the publishes carried a version
	Edits         edits    `json:"edits"`
	MemAfterOpen  *memory  `json:"memory_after_open"`
	MemAfterEdits *memory  `json:"memory_after_edits"`
	ShutdownMS    *float64 `json:"shutdown_ms"`
	ExitCode      *int     `json:"exit_code"`
	ExitOnEOF     bool     `json:"exit_needed_eof"` // the server exited only once its stdin was closed
	Killed        bool     `json:"killed"`          // the server did not exit after "exit" and was killed

	Publishes      int            `json:"publishes"` // publishDiagnostics for the file, all of them
	ServerRequests map[string]int `json:"server_requests,omitempty"`
	Notifications  map[string]int `json:"notifications,omitempty"`
	BadMessages    int            `json:"bad_messages,omitempty"`
	StderrTail     string         `json:"stderr_tail,omitempty"`
	Errors         []string       `json:"errors,omitempty"`
}

type edits struct {
	Requested int       `json:"requested"`
	Completed int       `json:"completed"` // edits whose diagnostics arrived
	TimedOut  bool      `json:"timed_out"`
	MinMS     *float64  `json:"min_ms"`
	MedianMS  *float64  `json:"median_ms"`
	P90MS     *float64  `json:"p90_ms"`
	MaxMS     *float64  `json:"max_ms"`
	SamplesMS []float64 `json:"samples_ms"`
}

func ms(d time.Duration) *float64 {
	v := float64(d.Microseconds()) / 1000
	return &v
}

// run performs one benchmark session. It returns the partial result along
// with the error that stopped it.
func run(opts options) (res result, err error) {
	res.Command = opts.command
	res.Server = opts.name
	if res.Server == "" {
		res.Server = filepath.Base(opts.command[0])
	}
	res.Edits.Requested = opts.edits

	text, label, err := loadText(opts.file)
	if err != nil {
		return res, err
	}
	res.File = label
	target := chooseTarget(text)
	res.EditLine = target.Line + 1
	res.Bytes = len(text)
	res.Lines = strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		res.Lines++
	}

	dir, err := os.MkdirTemp("", "lspbench-")
	if err != nil {
		return res, fmt.Errorf("create temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return res, fmt.Errorf("resolve temp dir: %w", err)
	}
	path := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return res, fmt.Errorf("write Dockerfile: %w", err)
	}
	rootURI := fileURI(dir)
	docURI := fileURI(path)

	// Start the server in the temp dir, so it sees no project configuration.
	name := opts.command[0]
	if strings.ContainsRune(name, os.PathSeparator) {
		if name, err = filepath.Abs(name); err != nil {
			return res, fmt.Errorf("resolve command: %w", err)
		}
	}
	cmd := exec.Command(name, opts.command[1:]...)
	cmd.Dir = dir
	cmd.WaitDelay = 2 * time.Second // a grandchild holding stderr open must not block Wait
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return res, fmt.Errorf("stdin pipe: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return res, fmt.Errorf("stdout pipe: %w", err)
	}
	tail := &tailBuffer{max: 4 << 10}
	var stderr io.Writer = tail
	if opts.stderr != "" {
		f, err := os.Create(opts.stderr)
		if err != nil {
			return res, fmt.Errorf("create -stderr file: %w", err)
		}
		defer f.Close()
		stderr = io.MultiWriter(f, tail)
	}
	cmd.Stderr = stderr

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("start server: %w", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
		if len(res.Errors) > 0 || err != nil {
			res.StderrTail = tail.String()
		}
	}()

	c := newClient(stdout, stdin)
	c.workspaceFolders = []any{map[string]any{"uri": rootURI, "name": filepath.Base(dir)}}
	defer func() {
		res.ServerRequests, res.Notifications, res.BadMessages = c.counts()
	}()
	step := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), opts.timeout)
	}

	// initialize: sent right after the process starts, so the round trip
	// includes the server's start-up.
	ctx, cancel := step()
	raw, err := c.call(ctx, "initialize", initializeParams(rootURI, dir))
	cancel()
	if err != nil {
		return res, err // already names the method
	}
	res.InitializeMS = ms(time.Since(start))
	var initResult struct {
		Capabilities struct {
			TextDocumentSync json.RawMessage `json:"textDocumentSync"`
		} `json:"capabilities"`
		ServerInfo *struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"serverInfo"`
	}
	if err := json.Unmarshal(raw, &initResult); err != nil {
		return res, fmt.Errorf("decode initialize result: %w", err)
	}
	if initResult.ServerInfo != nil {
		res.ServerInfo = strings.TrimSpace(initResult.ServerInfo.Name + " " + initResult.ServerInfo.Version)
	}
	full := syncKind(initResult.Capabilities.TextDocumentSync) == 1
	res.Sync = "incremental"
	if full {
		res.Sync = "full"
	}
	if err := c.notifyServer("initialized", struct{}{}); err != nil {
		return res, fmt.Errorf("initialized: %w", err)
	}

	// didOpen, then the first publish for the document.
	sameDoc := func(p publish) bool { return sameURI(p.URI, docURI) }
	var sawVersion, sawNoVersion bool
	note := func(p publish) {
		res.Publishes++
		if p.Version != nil {
			sawVersion = true
		} else {
			sawNoVersion = true
		}
	}
	defer func() {
		if sawVersion || sawNoVersion {
			v := sawVersion && !sawNoVersion
			res.Versioned = &v
		}
	}()
	version := int64(1)
	t0 := time.Now()
	err = c.notifyServer("textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": docURI, "languageId": "dockerfile", "version": version, "text": text},
	})
	if err != nil {
		return res, fmt.Errorf("didOpen: %w", err)
	}
	ctx, cancel = step()
	p, err := c.waitPublish(ctx, func(p publish) bool {
		if !sameDoc(p) {
			return false
		}
		note(p)
		return p.Version == nil || *p.Version >= version
	})
	cancel()
	time.Sleep(opts.settle)
	if m, merr := sampleMemory(cmd.Process.Pid); merr == nil {
		res.MemAfterOpen = &m
	}
	if err != nil {
		res.Errors = append(res.Errors, "open: "+noDiagnostics(err, opts.timeout))
	} else {
		res.OpenDiagMS = ms(p.ReceivedAt.Sub(t0))
		res.OpenDiagCount = p.Count
	}

	// Edits, each waiting for its own diagnostics. Skipped when the open
	// produced none: waiting -timeout per edit would tell nothing more.
	for i := 0; i < opts.edits && res.OpenDiagMS != nil; i++ {
		time.Sleep(opts.pause)
		c.drainPublishes(func(p publish) {
			if sameDoc(p) {
				note(p)
			}
		})
		change, _ := target.edit(text, i, full)
		version++
		t0 := time.Now()
		err := c.notifyServer("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": docURI, "version": version},
			"contentChanges": []contentChange{change},
		})
		if err != nil {
			return res, fmt.Errorf("didChange %d: %w", i+1, err)
		}
		ctx, cancel := step()
		p, err := c.waitPublish(ctx, func(p publish) bool {
			if !sameDoc(p) {
				return false
			}
			note(p)
			if p.Version != nil {
				return *p.Version >= version
			}
			return !p.ReceivedAt.Before(t0)
		})
		cancel()
		if err != nil {
			res.Edits.TimedOut = true
			res.Errors = append(res.Errors, fmt.Sprintf("edit %d: %s", i+1, noDiagnostics(err, opts.timeout)))
			break
		}
		res.Edits.SamplesMS = append(res.Edits.SamplesMS, *ms(p.ReceivedAt.Sub(t0)))
		res.Edits.Completed++
	}
	summarize(&res.Edits)
	if res.Edits.Completed > 0 {
		time.Sleep(opts.settle)
		if m, merr := sampleMemory(cmd.Process.Pid); merr == nil {
			res.MemAfterEdits = &m
		}
	}
	c.drainPublishes(func(p publish) {
		if sameDoc(p) {
			note(p)
		}
	})

	// shutdown, exit, and the process's own exit.
	t0 = time.Now()
	ctx, cancel = step()
	_, err = c.call(ctx, "shutdown", nil)
	cancel()
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
	} else {
		res.ShutdownMS = ms(time.Since(t0))
	}
	// A server should exit on "exit" alone; stdin is closed only if it has
	// not after a grace period, as an editor closing the pipe would.
	_ = c.notifyServer("exit", nil)
	select {
	case <-exited:
	case <-time.After(min(exitGrace, opts.timeout)):
		res.ExitOnEOF = true
		_ = stdin.Close()
		select {
		case <-exited:
		case <-time.After(opts.timeout):
			res.Killed = true
			_ = cmd.Process.Kill()
			<-exited
			res.Errors = append(res.Errors, fmt.Sprintf("server did not exit within %v of \"exit\" and end of input; killed", opts.timeout))
		}
	}
	_ = stdin.Close()
	code := cmd.ProcessState.ExitCode()
	res.ExitCode = &code
	var ee *exec.ExitError
	if !res.Killed && waitErr != nil && !errors.As(waitErr, &ee) {
		res.Errors = append(res.Errors, fmt.Sprintf("wait: %v", waitErr))
	} else if !res.Killed && code != 0 {
		res.Errors = append(res.Errors, fmt.Sprintf("server exited with %s after shutdown", cmd.ProcessState))
	}
	return res, nil
}

// noDiagnostics describes a failed wait for diagnostics.
func noDiagnostics(err error, timeout time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no diagnostics within %v", timeout)
	}
	return fmt.Sprintf("no diagnostics: %v", err)
}

// loadText returns the text to open and a label for it: the file at path, or
// the benchmark file when path is empty.
func loadText(path string) (text, label string, err error) {
	if path == "" {
		return bigfile.Generate(), "internal/bigfile.Generate()", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("read -file: %w", err)
	}
	return string(data), path, nil
}

// drainPublishes consumes every queued publish, passing each to f.
func (c *client) drainPublishes(f func(publish)) {
	c.mu.Lock()
	pubs := c.pubs
	c.pubs = nil
	c.mu.Unlock()
	for _, p := range pubs {
		f(p)
	}
}

// initializeParams is what lspbench tells the server about itself: UTF-16
// positions, versioned diagnostics, workspace/configuration support.
func initializeParams(rootURI, dir string) map[string]any {
	return map[string]any{
		"processId":  os.Getpid(),
		"clientInfo": map[string]any{"name": "lspbench"},
		"rootUri":    rootURI,
		"rootPath":   dir,
		"workspaceFolders": []any{
			map[string]any{"uri": rootURI, "name": filepath.Base(dir)},
		},
		"capabilities": map[string]any{
			"general": map[string]any{"positionEncodings": []string{"utf-16"}},
			"workspace": map[string]any{
				"configuration":    true,
				"workspaceFolders": true,
			},
			"textDocument": map[string]any{
				"synchronization":    map[string]any{"dynamicRegistration": false},
				"publishDiagnostics": map[string]any{"versionSupport": true, "relatedInformation": true},
			},
			"window": map[string]any{"workDoneProgress": true},
		},
	}
}

// syncKind reads textDocumentSync, a number or an object with "change".
// Anything unreadable counts as incremental (2).
func syncKind(raw json.RawMessage) int {
	var n int
	if json.Unmarshal(raw, &n) == nil {
		return n
	}
	var o struct {
		Change *int `json:"change"`
	}
	if json.Unmarshal(raw, &o) == nil && o.Change != nil {
		return *o.Change
	}
	return 2
}

// fileURI returns the file URI of an absolute path.
func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// sameURI compares two file URIs after unescaping, since servers may
// re-encode the URI they were given.
func sameURI(a, b string) bool {
	if a == b {
		return true
	}
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Scheme, ub.Scheme) && ua.Path == ub.Path
}

// summarize fills the statistics from the samples: min, median (mean of the
// two middle samples when their number is even), nearest-rank p90, max.
func summarize(e *edits) {
	n := len(e.SamplesMS)
	if n == 0 {
		return
	}
	s := append([]float64(nil), e.SamplesMS...)
	sort.Float64s(s)
	v := func(x float64) *float64 { return &x }
	e.MinMS = v(s[0])
	e.MaxMS = v(s[n-1])
	if n%2 == 1 {
		e.MedianMS = v(s[n/2])
	} else {
		e.MedianMS = v((s[n/2-1] + s[n/2]) / 2)
	}
	rank := (90*n + 99) / 100 // ceil(0.9 n)
	e.P90MS = v(s[rank-1])
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
