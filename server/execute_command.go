// This file defines workspace/executeCommand and the one command the
// server provides, dockwise.createDockerignore: for a client that cannot
// create files through a WorkspaceEdit, the code action that creates a
// .dockerignore carries this command, and the server writes the file
// itself. It writes only inside a workspace folder, only an ignore file,
// and never over an existing file.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/dockwise/dockwise/codeactions"
)

// cmdCreateDockerignore creates an ignore file; its argument is a
// createFileArgs.
const cmdCreateDockerignore = "dockwise.createDockerignore"

// serverCommands are the commands the server executes.
var serverCommands = []string{cmdCreateDockerignore}

// createFileArgs is the argument of cmdCreateDockerignore.
type createFileArgs struct {
	URI     uri.URI `json:"uri"`
	Content string  `json:"content"`
}

// createFileCommand returns the command that creates the file at u.
func createFileCommand(title string, u uri.URI, content string) (protocol.Command, error) {
	arg, err := json.Marshal(createFileArgs{URI: u, Content: content})
	if err != nil {
		return protocol.Command{}, fmt.Errorf("encode command arguments: %w", err)
	}
	return protocol.Command{Title: title, Command: cmdCreateDockerignore, Arguments: []protocol.LSPAny{protocol.LSPAny(arg)}}, nil
}

// ExecuteCommand answers workspace/executeCommand.
func (s *Server) ExecuteCommand(ctx context.Context, params *protocol.ExecuteCommandParams) (protocol.LSPAny, error) {
	log := s.log.With(zap.String("method", protocol.MethodWorkspaceExecuteCommand), zap.String("command", params.Command))
	if params.Command != cmdCreateDockerignore {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q", params.Command)
	}
	if len(params.Arguments) != 1 {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s takes one argument", params.Command)
	}
	var args createFileArgs
	if err := json.Unmarshal(params.Arguments[0], &args); err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: bad argument: %v", params.Command, err)
	}
	p, ok := filePath(args.URI)
	if !ok || !filepath.IsAbs(p) {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %q is not a file URI", params.Command, args.URI)
	}
	p = filepath.Clean(p)
	if base := filepath.Base(p); base != ".dockerignore" && !strings.HasSuffix(base, ".dockerignore") {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s creates ignore files only, not %s", params.Command, base)
	}
	s.mu.Lock()
	folders := s.folders
	s.mu.Unlock()
	if !inFolders(folders, p) {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %s is not inside a workspace folder", params.Command, p)
	}
	if err := codeactions.WriteNewFile(p, args.Content); err != nil {
		log.Warn("create file", zap.String("path", p), zap.Error(err))
		if errors.Is(err, fs.ErrExist) {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s already exists", p)
		}
		return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "%v", err)
	}
	log.Info("created file", zap.String("path", p))
	return nil, nil
}

// inFolders reports whether path is inside one of the folders (symbolic
// links in the existing directories resolved).
func inFolders(folders []string, path string) bool {
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return false
	}
	for _, f := range folders {
		rf, err := filepath.EvalSymlinks(f)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(rf, filepath.Join(dir, filepath.Base(path))); err == nil && filepath.IsLocal(rel) {
			return true
		}
	}
	return false
}
