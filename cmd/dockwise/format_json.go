// This file defines the JSON report:
//
//	{"files":[{"path":"...","diagnostics":[{"rule":"...","severity":"warning","message":"...","url":"...",
//	  "range":{"start":{"line":1,"column":1},"end":{"line":1,"column":5}}}]}],
//	 "summary":{"files":1,"errors":0,"warnings":1,"infos":0,"hints":0}}
//
// Lines and columns are 1-based, columns count Unicode code points, and a
// range's end is exclusive. Every file checked appears, with an empty
// diagnostics list when it has no finding; a file that could not be read
// has an "error" member instead.
package main

import (
	"encoding/json"
	"io"
)

type jsonReport struct {
	Files   []jsonFile `json:"files"`
	Summary summary    `json:"summary"`
}

type jsonFile struct {
	Path        string           `json:"path"`
	Error       string           `json:"error,omitempty"`
	Diagnostics []jsonDiagnostic `json:"diagnostics"`
}

type jsonDiagnostic struct {
	Rule     string    `json:"rule"`
	Severity string    `json:"severity"`
	Message  string    `json:"message"`
	URL      string    `json:"url"`
	Range    jsonRange `json:"range"`
}

type jsonRange struct {
	Start position `json:"start"`
	End   position `json:"end"`
}

func writeJSON(w io.Writer, results []fileResult) error {
	rep := jsonReport{Files: make([]jsonFile, 0, len(results)), Summary: summarize(results)}
	for _, r := range results {
		jf := jsonFile{Path: r.path, Diagnostics: make([]jsonDiagnostic, 0, len(r.diags))}
		if r.err != nil {
			jf.Error = r.err.Error()
		}
		for _, d := range r.diags {
			start, end := span(r.file, d)
			jf.Diagnostics = append(jf.Diagnostics, jsonDiagnostic{
				Rule: d.Rule, Severity: severityName(d.Severity), Message: d.Message, URL: d.URL,
				Range: jsonRange{Start: start, End: end},
			})
		}
		rep.Files = append(rep.Files, jf)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
