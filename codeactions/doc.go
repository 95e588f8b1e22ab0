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
// Besides the quick fixes of BuildKit's mechanical checks it holds the
// larger rewrites, on the same model and verification: split a single-stage
// build into builder and runtime stages (Go, Node, Java, Python), copy
// dependency manifests before the source, a smaller base, cache mounts, a
// non-root USER, and a .dockerignore (a file to create or append to).
//
// The split is also offered as a refactor (Refactors), verified against
// the finding SingleStageBuild would report even when it is turned off.
// The heavy rewrites can be offered lazily, by title, and computed and
// verified when chosen (ForDiagnosticsLazy, RefactorsLazy, Resolve).
package codeactions
