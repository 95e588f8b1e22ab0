// This file defines CommandScript, the shell syntax of a CMD or ENTRYPOINT
// in shell form, for code that needs to know whether the command uses the
// shell at all (the exec-form rewrite of JSONArgsRecommended).
package analysis

// CommandScript returns the shell syntax of a CMD or ENTRYPOINT in shell
// form as /bin/sh reads it, with offsets that map back to the Dockerfile
// like those of ShellScript, or nil for other instructions and exec forms.
// It is not cached: it is for code actions, not for rules.
func (in *Instruction) CommandScript() *ShellScript {
	if !in.Is("cmd") && !in.Is("entrypoint") {
		return nil
	}
	start, end, ok := in.ShellForm()
	if !ok || end < start {
		return nil
	}
	return parseScript(sanitize(in.file.Text[start:end], in.file.Escape), start, false)
}
