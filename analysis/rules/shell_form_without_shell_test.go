// This file tests the exec form ShellFormWithoutShell suggests.
package rules

import "testing"

func TestExecForm(t *testing.T) {
	for cmd, want := range map[string]string{
		"/app --port 8080":      `["/app", "--port", "8080"]`,
		"  node  server.js ":    `["node", "server.js"]`,
		"/app --port $PORT":     "",
		"curl -f x || exit 1":   "",
		`echo "hello world"`:    "",
		"run > /tmp/log":        "",
		"":                      "",
		"java -Dx=1 -jar a.jar": `["java", "-Dx=1", "-jar", "a.jar"]`,
		"PORT=80 /app":          "",
	} {
		if got := execForm(cmd); got != want {
			t.Errorf("execForm(%q) = %q, want %q", cmd, got, want)
		}
	}
}
