// This file defines CommandRange, the position of the command text of a
// RUN, CMD or ENTRYPOINT (what follows the keyword and its flags), for rules
// that report on a whole shell-form command.
package analysis

// CommandRange returns the range of the instruction's command: from after
// the keyword and its flags to the end of the instruction (heredoc bodies
// included).
func (in *Instruction) CommandRange() (start, end int) {
	return in.commandStart(), in.End()
}
