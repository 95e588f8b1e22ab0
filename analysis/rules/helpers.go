// This file holds what the BuildKit checks share: the documentation layout
// and the loops over stages and instructions.
package rules

import (
	"strings"

	"github.com/dockwise/dockwise/analysis"
)

const fence = "```"

// doc lays out a rule's documentation: what it checks and why, then a bad
// and a good example.
func doc(text, bad, good string) string {
	return strings.TrimSpace(text) + "\n\nBad:\n\n" + fence + "dockerfile\n" + strings.TrimSpace(bad) + "\n" + fence +
		"\n\nGood:\n\n" + fence + "dockerfile\n" + strings.TrimSpace(good) + "\n" + fence + "\n"
}

// lintWarnings reports the instruction's parse-time BuildKit warnings of
// the pass's rule on the range where returns.
func lintWarnings(p *analysis.Pass, in *analysis.Instruction, where func() (int, int)) {
	for _, w := range in.LintWarnings() {
		if w.Rule != p.Rule.Name {
			continue
		}
		s, e := where()
		p.Report(analysis.Diagnostic{Start: s, End: e, Message: w.Message, URL: w.URL, Instruction: in})
	}
}

// exposePort splits an EXPOSE port as BuildKit does
// (`[ip:][hostPort:]containerPort[/proto]`). ok is false when BuildKit
// rejects the protocol or finds no port, in which case it reports nothing.
func exposePort(raw string) (ip, hostPort, proto string, ok bool) {
	parts := strings.Split(raw, ":")
	var container string
	switch n := len(parts); n {
	case 1:
		container = parts[0]
	case 2:
		hostPort, container = parts[0], parts[1]
	default:
		ip, hostPort, container = strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
	}
	port, proto, _ := strings.Cut(container, "/")
	if port == "" {
		return "", "", "", false
	}
	switch strings.ToLower(proto) {
	case "":
		proto = "tcp"
	case "tcp", "udp", "sctp":
	default:
		return "", "", "", false
	}
	return ip, hostPort, proto, true
}

// argsKey identifies a per-stage selection of arguments (Stage.Cached).
type argsKey struct {
	rule string
	role analysis.ArgRole
}

// selectArgs calls report for the stage arguments with the role that keep
// accepts. The selection depends on nothing but the stage, so it is made
// once per stage dispatch and reused across edits that leave the stage
// alone.
func selectArgs(p *analysis.Pass, role analysis.ArgRole, keep func(analysis.Arg) bool, report func(analysis.Arg)) {
	key := argsKey{p.Rule.Name, role}
	for _, s := range p.File.Semantics().Stages {
		idx := s.Cached(key, func(s *analysis.Stage) any {
			var idx []int
			for a := range s.ArgsOf(role) {
				if keep(a) {
					idx = append(idx, a.Index)
				}
			}
			return idx
		}).([]int)
		for _, i := range idx {
			report(s.ArgAt(i))
		}
	}
}
