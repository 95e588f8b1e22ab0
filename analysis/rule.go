// This file defines the rule API: Rule, Pass, Diagnostic and Severity.
// Rules are data, with their documentation beside them; the registry of all
// rules is in package rules.
package analysis

import (
	"fmt"
	"strings"
)

// Severity of a diagnostic. The values match LSP's DiagnosticSeverity.
type Severity int

const (
	SeverityError Severity = 1 + iota
	SeverityWarning
	SeverityInfo
	SeverityHint
)

func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "info"
	case SeverityHint:
		return "hint"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// ParseSeverity parses "error", "warning", "info" (or "information") and "hint".
func ParseSeverity(s string) (Severity, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return SeverityError, true
	case "warning", "warn":
		return SeverityWarning, true
	case "info", "information":
		return SeverityInfo, true
	case "hint":
		return SeverityHint, true
	}
	return 0, false
}

// Category groups rules by what they protect.
type Category string

const (
	Correctness  Category = "correctness"   // the build or the container breaks
	BestPractice Category = "best-practice" // BuildKit's style and hygiene checks
	Security     Category = "security"
	Size         Category = "size"  // the image is larger than it needs to be
	Cache        Category = "cache" // rebuilds are slower than they need to be
)

// Rule is one check. Exactly one of Run and Check is set.
type Rule struct {
	Name        string   // public and stable, PascalCase; BuildKit's names for BuildKit's checks
	Category    Category //
	Severity    Severity // default severity
	Description string   // one line
	Doc         string   // long documentation with a bad and a good example (markdown)
	URL         string   // documentation page

	// BuildKit marks BuildKit's own build checks.
	BuildKit bool
	// Hadolint lists the hadolint rule codes (DL3025, ...) this rule
	// covers, so that `# hadolint ignore=` comments also suppress it.
	Hadolint []string
	// Experimental rules run only when enabled, by a `# check=experimental=`
	// directive or configuration (as in BuildKit).
	Experimental bool

	// Run checks the whole file.
	Run func(*Pass)
	// Stage, when set, computes what Run needs of one stage and caches it
	// with the stage (see Stage.Cached), and reports nothing: Run must
	// give the same diagnostics whether it ran or not. On a large file the
	// Stage calls of all rules run first, on all cores, stage by stage, so
	// that no core is left with a whole rule's work at the end.
	Stage func(*Pass, *Stage)
	// Check checks one instruction using nothing but the instruction
	// itself. Its diagnostics are cached with the instruction and reused
	// until the instruction changes.
	Check func(*Pass, *Instruction)
}

// Pass is what a rule sees while it runs.
type Pass struct {
	File    *File
	Rule    *Rule
	Context *BuildContext // nil when the build context is unknown (Check rules never see it)

	report func(Diagnostic)
}

// Diagnostic is one finding. Start and End are byte offsets into File.Text.
type Diagnostic struct {
	Rule     string
	Severity Severity
	Message  string
	URL      string
	Start    int
	End      int

	// Instruction is the instruction the diagnostic belongs to. Its `#
	// check=skip=` comment, if any, applies. Nil for file-level findings.
	Instruction *Instruction
}

// Report records a diagnostic. Rule, Severity and URL default to the rule's.
func (p *Pass) Report(d Diagnostic) {
	if d.Rule == "" {
		d.Rule = p.Rule.Name
	}
	if d.Severity == 0 {
		d.Severity = p.Rule.Severity
	}
	if d.URL == "" {
		d.URL = p.Rule.URL
	}
	if d.End < d.Start {
		d.End = d.Start
	}
	p.report(d)
}

// Reportf reports a diagnostic on [start, end) of the given instruction.
func (p *Pass) Reportf(in *Instruction, start, end int, format string, args ...any) {
	p.Report(Diagnostic{Start: start, End: end, Instruction: in, Message: fmt.Sprintf(format, args...)})
}

// ParseErrorRule is the Rule of diagnostics for text that does not parse.
const ParseErrorRule = "ParseError"
