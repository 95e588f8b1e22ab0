// Package codeactions computes the changes dockwise offers for a Dockerfile:
// quick fixes for the findings of package analysis, suppressions, and the
// merged "fix all" of the safe fixes. Every action is verified before it is
// offered: its edits are applied to a copy of the file, which is parsed and
// checked again; an action whose result still has the finding it targets,
// gains a parse error, or gains an error-severity finding is dropped and the
// failure returned to the caller as a bug to log.
//
// The package knows Dockerfiles, not LSP: edits are byte-offset replacements
// on File.Text, and the server converts them to the client's positions.
//
// The larger rewrites of issue 4 (split into builder and runtime stages,
// reorder manifests, non-root USER, cache mounts, .dockerignore) will be
// added here on the same model and verification.
package codeactions
