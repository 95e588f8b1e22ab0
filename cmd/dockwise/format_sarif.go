// This file defines the SARIF 2.1.0 report: one run whose tool lists every
// rule, one result per finding, and a tool execution notification per file
// that could not be read. Columns count Unicode code points, as the run's
// columnKind says.
package main

import (
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

const (
	sarifSchema    = "https://json.schemastore.org/sarif-2.1.0.json"
	informationURI = "https://github.com/dockwise/dockwise"
	srcRoot        = "%SRCROOT%"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	Invocations        []sarifInvocation           `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Artifacts          []sarifArtifact             `json:"artifacts"`
	Results            []sarifResult               `json:"results"`
	ColumnKind         string                      `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      sarifText         `json:"fullDescription"`
	Help                 sarifText         `json:"help"`
	HelpURI              string            `json:"helpUri,omitempty"`
	DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
	Properties           sarifRuleProperty `json:"properties"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRuleConfig struct {
	Enabled bool   `json:"enabled"`
	Level   string `json:"level"`
}

type sarifRuleProperty struct {
	Category string   `json:"category,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations,omitempty"`
	Descriptor *sarifReference `json:"descriptor,omitempty"`
}

type sarifReference struct {
	ID string `json:"id"`
}

type sarifArtifact struct {
	Location sarifArtifactLoc `json:"location"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
	Index     *int   `json:"index,omitempty"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex *int            `json:"ruleIndex,omitempty"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

// parseErrorRule describes the diagnostics of text that does not parse,
// which come from the parser rather than from a rule of the registry.
var parseErrorRule = &analysis.Rule{
	Name:        analysis.ParseErrorRule,
	Category:    analysis.Correctness,
	Severity:    analysis.SeverityError,
	Description: "The Dockerfile does not parse",
	Doc:         "The text cannot be parsed as a Dockerfile instruction, so `docker build` would fail on it. The message is the parser's.",
}

func writeSARIF(w io.Writer, results []fileResult) error {
	all := append([]*analysis.Rule{parseErrorRule}, registry...)
	ruleIndex := map[string]int{}
	driver := sarifDriver{Name: "dockwise", Version: dockwiseVersion(), InformationURI: informationURI,
		Rules: make([]sarifRule, 0, len(all))}
	for i, r := range all {
		ruleIndex[r.Name] = i
		driver.Rules = append(driver.Rules, sarifRuleOf(r))
	}

	run := sarifRun{
		Tool:       sarifTool{Driver: driver},
		Artifacts:  make([]sarifArtifact, 0, len(results)),
		Results:    []sarifResult{},
		ColumnKind: "unicodeCodePoints",
	}
	if wd, err := os.Getwd(); err == nil {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{srcRoot: {URI: fileURI(wd) + "/"}}
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for i, r := range results {
		loc := artifactLocation(r.path)
		run.Artifacts = append(run.Artifacts, sarifArtifact{Location: loc})
		loc.Index = &i
		if r.err != nil {
			inv.ExecutionSuccessful = false
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
				Level:      "error",
				Message:    sarifText{Text: r.err.Error()},
				Locations:  []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: loc}}},
				Descriptor: &sarifReference{ID: "ReadError"},
			})
			continue
		}
		for _, d := range r.diags {
			start, end := span(r.file, d)
			res := sarifResult{
				RuleID:  d.Rule,
				Level:   sarifLevel(d.Severity),
				Message: sarifText{Text: d.Message},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
					ArtifactLocation: loc,
					Region: &sarifRegion{StartLine: start.Line, StartColumn: start.Column,
						EndLine: end.Line, EndColumn: end.Column},
				}}},
			}
			if i, ok := ruleIndex[d.Rule]; ok {
				res.RuleIndex = &i
			}
			run.Results = append(run.Results, res)
		}
	}
	run.Invocations = []sarifInvocation{inv}

	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifRuleOf(r *analysis.Rule) sarifRule {
	doc := strings.TrimSpace(r.Doc)
	full := firstParagraph(doc)
	if full == "" {
		full = r.Description
		doc = r.Description
	}
	sr := sarifRule{
		ID:                   r.Name,
		Name:                 r.Name,
		ShortDescription:     sarifText{Text: r.Description},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifText{Text: doc, Markdown: doc},
		HelpURI:              r.URL,
		DefaultConfiguration: sarifRuleConfig{Enabled: !r.Experimental, Level: sarifLevel(r.Severity)},
		Properties:           sarifRuleProperty{Category: string(r.Category)},
	}
	if r.Category != "" {
		sr.Properties.Tags = []string{string(r.Category)}
	}
	return sr
}

// firstParagraph returns the text of doc up to its first blank line.
func firstParagraph(doc string) string {
	p, _, _ := strings.Cut(strings.ReplaceAll(doc, "\r\n", "\n"), "\n\n")
	return strings.TrimSpace(p)
}

func sarifLevel(s analysis.Severity) string {
	switch s {
	case analysis.SeverityError:
		return "error"
	case analysis.SeverityWarning:
		return "warning"
	}
	return "note"
}

// artifactLocation turns a report path into a SARIF artifact location: a
// relative path is a URI reference against %SRCROOT% (the current
// directory), an absolute one a file URI.
func artifactLocation(path string) sarifArtifactLoc {
	if filepath.IsAbs(path) {
		return sarifArtifactLoc{URI: fileURI(path)}
	}
	return sarifArtifactLoc{URI: escapePath(filepath.ToSlash(path)), URIBaseID: srcRoot}
}

// fileURI returns the file URI of an absolute path.
func fileURI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// escapePath percent-encodes each segment of a slash-separated path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		// A colon would make the first segment read as a URI scheme.
		segs[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.Join(segs, "/")
}
