// This file defines the configuration: the `dockwise` settings section,
// read from initializationOptions, from workspace/configuration (asked after
// initialized and on every workspace/didChangeConfiguration), and from
// settings pushed in workspace/didChangeConfiguration. Its schema:
//
//	{
//	  "rules": {"<RuleName>": "off" | "on" | "error" | "warning" | "info" | "hint"},
//	  "buildContext": "<directory, absolute or relative to the workspace folder>"
//	}
//
// The settings may also come wrapped as {"dockwise": {...}}. A bad setting
// is reported to the user and skipped, never fatal. A change re-analyses the
// open documents.
package server

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/dockwise/dockwise/analysis"
)

// section is the name of the settings section.
const section = "dockwise"

// configTimeout bounds how long the server waits for the client to answer
// a workspace/configuration request.
const configTimeout = 30 * time.Second

// config is the user's configuration. It is immutable: a change replaces it.
type config struct {
	analysis     analysis.Config
	buildContext string
}

func (c *config) equal(o *config) bool {
	return c.buildContext == o.buildContext &&
		maps.Equal(c.analysis.Disabled, o.analysis.Disabled) &&
		maps.Equal(c.analysis.Enabled, o.analysis.Enabled) &&
		maps.Equal(c.analysis.Severity, o.analysis.Severity)
}

// DidChangeConfiguration applies the settings the notification carries, if
// any, and asks the client for the current ones when it supports
// workspace/configuration.
func (s *Server) DidChangeConfiguration(ctx context.Context, params *protocol.DidChangeConfigurationParams) error {
	if len(params.Settings) > 0 {
		s.applySettings(params.Settings, protocol.MethodWorkspaceDidChangeConfiguration)
	}
	s.mu.Lock()
	pull := s.caps.configuration
	s.mu.Unlock()
	if pull {
		// Not on the read loop, which must stay free to read the answer.
		s.goWork(s.fetchConfiguration)
	}
	return nil
}

// fetchConfiguration asks the client for the settings section and applies
// the answer.
func (s *Server) fetchConfiguration() {
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	ctx, cancel := context.WithTimeout(s.ctx, configTimeout)
	defer cancel()
	name := section
	res, err := s.client.Configuration(ctx, &protocol.ConfigurationParams{
		Items: []protocol.ConfigurationItem{{Section: &name}},
	})
	if err != nil {
		if s.ctx.Err() == nil {
			s.log.Warn("workspace/configuration failed", zap.String("method", protocol.MethodWorkspaceConfiguration), zap.Error(err))
		}
		return
	}
	if len(res) != 1 {
		s.log.Warn("workspace/configuration: wrong number of results", zap.Int("results", len(res)))
		return
	}
	s.applySettings(res[0], protocol.MethodWorkspaceConfiguration)
}

// registerConfigurationChange asks the client to send
// workspace/didChangeConfiguration when the settings change.
func (s *Server) registerConfigurationChange() {
	ctx, cancel := context.WithTimeout(s.ctx, configTimeout)
	defer cancel()
	err := s.client.RegisterCapability(ctx, &protocol.RegistrationParams{Registrations: []protocol.Registration{{
		ID:              "dockwise/didChangeConfiguration",
		Method:          protocol.MethodWorkspaceDidChangeConfiguration,
		RegisterOptions: protocol.LSPAny(`{"section":"` + section + `"}`),
	}}})
	if err != nil && s.ctx.Err() == nil {
		s.log.Warn("registering for configuration changes failed",
			zap.String("method", protocol.MethodClientRegisterCapability), zap.Error(err))
	}
}

// applySettings applies a settings value from source, reporting its
// problems to the user.
func (s *Server) applySettings(raw []byte, source string) {
	cfg, ok, problems := parseSettings(raw, s.ruleNames())
	for _, p := range problems {
		s.logMessage(protocol.MessageTypeWarning, "settings from "+source+": "+p, zap.String("method", source))
	}
	if !ok {
		return
	}
	s.mu.Lock()
	changed := !s.config.equal(cfg)
	if changed {
		s.config = cfg
	}
	s.mu.Unlock()
	if changed {
		s.log.Info("configuration changed", zap.String("method", source),
			zap.Any("disabled", slices.Sorted(maps.Keys(cfg.analysis.Disabled))),
			zap.Any("enabled", slices.Sorted(maps.Keys(cfg.analysis.Enabled))),
			zap.Any("severity", cfg.analysis.Severity), zap.String("buildContext", cfg.buildContext))
		s.reanalyse()
	}
}

func (s *Server) ruleNames() map[string]bool {
	names := make(map[string]bool, len(s.rules))
	for _, r := range s.rules {
		names[r.Name] = true
	}
	return names
}

// parseSettings reads a settings value. ok is false when the value holds no
// settings (null, or a wrapper whose section is null); problems describe
// what was skipped.
func parseSettings(raw []byte, rules map[string]bool) (cfg *config, ok bool, problems []string) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false, []string{fmt.Sprintf("not JSON: %v", err)}
	}
	if obj, isObj := v.(map[string]any); isObj {
		if inner, wrapped := obj[section]; wrapped {
			v = inner
		}
	}
	if v == nil {
		return nil, false, nil
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		return nil, false, []string{fmt.Sprintf("expected an object, got %s", jsonType(v))}
	}
	cfg = &config{}
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		val := obj[key]
		switch key {
		case "rules":
			if val == nil {
				continue
			}
			rs, isObj := val.(map[string]any)
			if !isObj {
				problems = append(problems, fmt.Sprintf("rules: expected an object, got %s", jsonType(val)))
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(rs)) {
				if p := cfg.setRule(name, rs[name], rules); p != "" {
					problems = append(problems, p)
				}
			}
		case "buildContext":
			switch dir := val.(type) {
			case string:
				cfg.buildContext = strings.TrimSpace(dir)
			case nil:
			default:
				problems = append(problems, fmt.Sprintf("buildContext: expected a string, got %s", jsonType(val)))
			}
		default:
			problems = append(problems, fmt.Sprintf("unknown setting %q", key))
		}
	}
	return cfg, true, problems
}

// setRule applies one rule setting, returning the problem with it, if any.
func (c *config) setRule(name string, val any, rules map[string]bool) string {
	if !rules[name] {
		for r := range rules {
			if strings.EqualFold(r, name) {
				return fmt.Sprintf("rules: unknown rule %q (did you mean %q?)", name, r)
			}
		}
		return fmt.Sprintf("rules: unknown rule %q", name)
	}
	str, isStr := val.(string)
	if !isStr {
		return fmt.Sprintf("rules.%s: expected a string, got %s", name, jsonType(val))
	}
	a := &c.analysis
	switch v := strings.ToLower(strings.TrimSpace(str)); v {
	case "off":
		setKey(&a.Disabled, name, true)
	case "on":
		setKey(&a.Enabled, name, true)
	default:
		sev, known := analysis.ParseSeverity(v)
		if !known {
			return fmt.Sprintf("rules.%s: unknown value %q (want off, on, error, warning, info or hint)", name, str)
		}
		setKey(&a.Enabled, name, true)
		setKey(&a.Severity, name, sev)
	}
	return ""
}

func setKey[V any](m *map[string]V, k string, v V) {
	if *m == nil {
		*m = make(map[string]V)
	}
	(*m)[k] = v
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
