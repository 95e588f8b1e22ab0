// This file defines how the files that actions create are written, shared by
// `dockwise fix --write` and the server's createDockerignore command.
package codeactions

import (
	"fmt"
	"os"
)

// WriteNewFile creates the file at path with text. It never replaces an
// existing file, and removes what it wrote when it fails part way.
func WriteNewFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}
