// Command gen makes the zz_*.go files of package bkparse from BuildKit's
// parser package, in the version go.mod names: `go generate
// ./internal/bkparse` (after a BuildKit upgrade; TestUpToDate fails until
// then). What it keeps, drops and rewrites is described in ../bkparse.go.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

const (
	bkModule  = "github.com/moby/buildkit"
	bkPackage = bkModule + "/frontend/dockerfile/parser"
)

// source says what the copy takes from one file of BuildKit's parser
// package: every top-level declaration, or only those in keep.
type source struct {
	name string
	keep []string // top-level names to keep; nil keeps all but those dropped
}

var sources = []source{
	{name: "parser.go"},
	{name: "line_parsers.go"},
	{name: "split_command.go"},
	{name: "directives.go", keep: []string{"keySyntax", "keyCheck", "keyEscape", "discardBOM"}},
	{name: "errors.go", keep: []string{"withLocation", "toRanges"}},
}

// aliased are BuildKit's types the copy uses through the aliases in
// bkparse.go: their declarations and exported methods are dropped, and
// their unexported methods become functions taking the receiver first.
var aliased = []string{"Node", "Heredoc", "Result", "Warning", "Range", "Position", "LocationError", "Directive", "DirectiveParser"}

// replaced are the functions bkparse.go defines instead.
var replaced = []string{"trimContinuationCharacter", "newKeyValueNode"}

// renamed are the functions bkparse.go wraps: BuildKit's is kept under the
// new name, and bkparse.go's function of the old name calls it for what it
// does not handle itself.
var renamed = map[string]string{"parseWords": "buildkitParseWords"}

func main() {
	check := flag.Bool("check", false, "only report whether the files are up to date")
	flag.Parse()
	stale, err := run(*check)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
	for _, name := range stale {
		fmt.Fprintln(os.Stderr, "gen: stale:", name)
	}
	if len(stale) > 0 {
		os.Exit(1)
	}
}

// run generates the files into the current directory (the package's), or
// with check only returns the names of those that differ, are missing or
// are no longer generated.
func run(check bool) (stale []string, err error) {
	dir, version, err := moduleDir()
	if err != nil {
		return nil, err
	}
	files, err := generate(filepath.Join(dir, "frontend", "dockerfile", "parser"), version)
	if err != nil {
		return nil, err
	}
	license, err := os.ReadFile(filepath.Join(dir, "LICENSE"))
	if err != nil {
		return nil, err
	}
	files["LICENSE"] = license
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !check {
			if err := os.WriteFile(name, files[name], 0o644); err != nil {
				return nil, err
			}
			continue
		}
		if have, err := os.ReadFile(name); err != nil || !bytes.Equal(have, files[name]) {
			stale = append(stale, name)
		}
	}
	old, _ := filepath.Glob("zz_*.go")
	for _, name := range old {
		if _, ok := files[name]; !ok {
			if !check {
				if err := os.Remove(name); err != nil {
					return nil, err
				}
				continue
			}
			stale = append(stale, name)
		}
	}
	return stale, nil
}

// moduleDir returns the directory and version of the BuildKit module this
// module builds with.
func moduleDir() (dir, version string, err error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", bkModule).Output()
	if err != nil {
		return "", "", fmt.Errorf("go list -m %s: %v", bkModule, err)
	}
	dir, version, ok := strings.Cut(strings.TrimSpace(string(out)), " ")
	if !ok || dir == "" {
		return "", "", fmt.Errorf("go list -m %s: %q", bkModule, out)
	}
	return dir, version, nil
}

// generate returns the copy's files, by name, made from the BuildKit parser
// package in dir.
func generate(dir, version string) (map[string][]byte, error) {
	out := make(map[string][]byte)
	converted := map[string]int{} // unexported methods made functions: their calls
	renames := 0
	var asts []*ast.File
	fset := token.NewFileSet()
	for _, src := range sources {
		f, err := parser.ParseFile(fset, filepath.Join(dir, src.name), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		f.Name.Name = "bkparse"
		var decls []ast.Decl
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					recv := receiverType(d.Recv)
					if !slices.Contains(aliased, recv) {
						break
					}
					if ast.IsExported(d.Name.Name) {
						continue // BuildKit's own method serves
					}
					// func (n *T) m(args) → func m(n *T, args)
					d.Type.Params.List = append(d.Recv.List, d.Type.Params.List...)
					d.Recv = nil
					converted[d.Name.Name] = 0
				}
				if slices.Contains(replaced, d.Name.Name) || !kept(src, d.Name.Name) {
					continue
				}
				if to, ok := renamed[d.Name.Name]; ok {
					d.Name.Name = to
					renames++
				}
			case *ast.GenDecl:
				var specs []ast.Spec
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if slices.Contains(aliased, s.Name.Name) || !kept(src, s.Name.Name) {
							continue
						}
					case *ast.ValueSpec:
						if !slices.ContainsFunc(s.Names, func(n *ast.Ident) bool { return kept(src, n.Name) }) {
							continue
						}
					}
					specs = append(specs, s)
				}
				if len(specs) == 0 && d.Tok != token.IMPORT {
					continue
				}
				d.Specs = specs
			}
			decls = append(decls, d)
		}
		f.Decls = decls
		asts = append(asts, f)
	}

	// Rewrite the calls: receiver.m(args) → m(receiver, args) for the
	// converted methods, and reWhitespace.Split(s, n) → splitWhitespace(s, n).
	splits := 0
	rewrites := map[string]int{} // the helpers of bkparse.go called instead, and how often
	for _, f := range asts {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if _, ok := converted[sel.Sel.Name]; ok {
				call.Fun = ast.NewIdent(sel.Sel.Name)
				call.Args = append([]ast.Expr{sel.X}, call.Args...)
				converted[sel.Sel.Name]++
			} else if x, ok := sel.X.(*ast.Ident); ok && x.Name == "reWhitespace" && sel.Sel.Name == "Split" {
				call.Fun = ast.NewIdent("splitWhitespace")
				splits++
			} else if ok && x.Name == "reHeredoc" && sel.Sel.Name == "FindStringSubmatch" {
				call.Fun = ast.NewIdent("findHeredoc")
				rewrites["findHeredoc"]++
			} else if ok && x.Name == "strings" && sel.Sel.Name == "ToLower" {
				call.Fun = ast.NewIdent("ToLower")
				rewrites["ToLower"]++
			} else if ok && sel.Sel.Name == "ProcessWords" {
				// shlex.ProcessWords(s, env) → processWords(shlex, s, env)
				call.Fun = ast.NewIdent("processWords")
				call.Args = append([]ast.Expr{x}, call.Args...)
				rewrites["processWords"]++
			}
			return true
		})
	}
	// shlex := shell.NewLex(esc) → shlex := getLex(esc); defer putLex(shlex)
	lexers := 0
	for _, f := range asts {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			var list []ast.Stmt
			for _, st := range fd.Body.List {
				list = append(list, st)
				as, ok := st.(*ast.AssignStmt)
				if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
					continue
				}
				call, ok := as.Rhs[0].(*ast.CallExpr)
				if !ok {
					continue
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "NewLex" {
					continue
				}
				if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "shell" {
					continue
				}
				call.Fun = ast.NewIdent("getLex")
				list = append(list, &ast.DeferStmt{Call: &ast.CallExpr{Fun: ast.NewIdent("putLex"), Args: []ast.Expr{as.Lhs[0]}}})
				lexers++
			}
			fd.Body.List = list
		}
	}
	if lexers == 0 {
		return nil, fmt.Errorf("no shell.NewLex assignment found in %s: the patch needs a look", bkPackage)
	}

	// The continuation expression that every parse compiles (and again
	// for an escape directive) is not used since trimContinuationCharacter
	// replaced its one use: drop the field, its assignment and the comment
	// above that. In their place the directives carry the parse's slab of
	// instruction nodes, which newNodeFromLine takes its nodes from
	// (newNode in bkparse.go).
	var gone [][2]token.Pos // spans whose comments go too
	regexField, regexAssign, nodeReturns := 0, 0, 0
	for _, f := range asts {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					ts, ok := sp.(*ast.TypeSpec)
					if !ok || ts.Name.Name != "directives" {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, fl := range st.Fields.List {
						if len(fl.Names) != 1 || fl.Names[0].Name != "lineContinuationRegex" {
							continue
						}
						// In its place: nodes nodeSlab.
						if fl.Comment != nil {
							gone = append(gone, [2]token.Pos{fl.Comment.Pos(), fl.Comment.End()})
							fl.Comment = nil
						}
						fl.Names[0].Name = "nodes"
						fl.Type = &ast.Ident{NamePos: fl.Type.Pos(), Name: "nodeSlab"}
						regexField++
					}
				}
			case *ast.FuncDecl:
				if d.Body == nil {
					continue
				}
				switch d.Name.Name {
				case "setEscapeToken":
					var list []ast.Stmt
					for i, st := range d.Body.List {
						if as, ok := st.(*ast.AssignStmt); ok && len(as.Lhs) == 1 {
							if sel, ok := as.Lhs[0].(*ast.SelectorExpr); ok && sel.Sel.Name == "lineContinuationRegex" {
								from := d.Body.Lbrace
								if i > 0 {
									from = d.Body.List[i-1].End()
								}
								gone = append(gone, [2]token.Pos{from, st.End()})
								regexAssign++
								continue
							}
						}
						list = append(list, st)
					}
					d.Body.List = list
				case "newNodeFromLine":
					// return &Node{...}, nil → return newNode(d, Node{...}), nil
					ast.Inspect(d.Body, func(n ast.Node) bool {
						ret, ok := n.(*ast.ReturnStmt)
						if !ok || len(ret.Results) == 0 {
							return true
						}
						u, ok := ret.Results[0].(*ast.UnaryExpr)
						if !ok || u.Op != token.AND {
							return true
						}
						if lit, ok := u.X.(*ast.CompositeLit); ok {
							if id, ok := lit.Type.(*ast.Ident); ok && id.Name == "Node" {
								ret.Results[0] = &ast.CallExpr{Fun: ast.NewIdent("newNode"), Args: []ast.Expr{ast.NewIdent("d"), lit}}
								nodeReturns++
							}
						}
						return true
					})
				}
			}
		}
		f.Comments = slices.DeleteFunc(f.Comments, func(cg *ast.CommentGroup) bool {
			for _, g := range gone {
				if cg.Pos() >= g[0] && cg.End() <= g[1] {
					return true
				}
			}
			return false
		})
	}
	if regexField != 1 || regexAssign != 1 || nodeReturns != 1 {
		return nil, fmt.Errorf("the continuation expression's field (%d) and assignment (%d), or newNodeFromLine's return of a new node (%d), not found once in %s: the patch needs a look",
			regexField, regexAssign, nodeReturns, bkPackage)
	}

	// Drop the converted methods nothing calls any more (their callers
	// were BuildKit's methods, which serve instead).
	for _, f := range asts {
		f.Decls = slices.DeleteFunc(f.Decls, func(d ast.Decl) bool {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil {
				return false
			}
			n, conv := converted[fd.Name.Name]
			return conv && n == 0
		})
	}
	for _, h := range []string{"findHeredoc", "ToLower", "processWords"} {
		if rewrites[h] == 0 {
			return nil, fmt.Errorf("no call for %s to replace found in %s: the patch needs a look", h, bkPackage)
		}
	}
	if renames != len(renamed) {
		return nil, fmt.Errorf("%d of the functions %v found in %s: the patch needs a look", renames, renamed, bkPackage)
	}
	if splits == 0 {
		return nil, fmt.Errorf("no reWhitespace.Split call found in %s: the patch needs a look", bkPackage)
	}

	for i, f := range asts {
		for _, imp := range slices.Clone(f.Imports) {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !astutil.UsesImport(f, path) {
				astutil.DeleteImport(fset, f, path)
			}
		}
		// Drop comments that belonged to dropped declarations.
		f.Comments = liveComments(f)
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "// Code generated by internal/bkparse/gen; DO NOT EDIT.\n\n")
		fmt.Fprintf(&buf, "// This file is %s/%s of %s %s,\n", bkPackage, sources[i].name, bkModule, version)
		fmt.Fprintf(&buf, "// Copyright The BuildKit Authors, under the Apache License 2.0 (see LICENSE),\n")
		fmt.Fprintf(&buf, "// with the changes described in bkparse.go.\n\n")
		if err := format.Node(&buf, fset, f); err != nil {
			return nil, err
		}
		src, err := format.Source(buf.Bytes())
		if err != nil {
			return nil, err
		}
		out["zz_"+sources[i].name] = src
	}
	return out, nil
}

func kept(src source, name string) bool { return src.keep == nil || slices.Contains(src.keep, name) }

func receiverType(recv *ast.FieldList) string {
	if len(recv.List) == 0 {
		return ""
	}
	t := recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// liveComments returns the comment groups of f that lie inside or directly
// above a remaining declaration (or the package clause).
func liveComments(f *ast.File) []*ast.CommentGroup {
	var live []*ast.CommentGroup
	for _, cg := range f.Comments {
		if cg.End() < f.Package {
			continue // the original file's header (license, build tags): the generated header replaces it
		}
		for _, d := range f.Decls {
			start := d.Pos()
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Doc != nil {
					start = d.Doc.Pos()
				}
			case *ast.GenDecl:
				if d.Doc != nil {
					start = d.Doc.Pos()
				}
			}
			if cg.Pos() >= start && cg.End() <= d.End() {
				live = append(live, cg)
				break
			}
		}
	}
	return live
}
