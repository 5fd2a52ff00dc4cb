package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// loadConfig reads path (a missing default file is fine), applies the
// environment, and validates. Errors are one line naming the key, and the
// line of the file where there is one.
func loadConfig(path string, explicit bool, getenv func(string) string) (Config, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist) && !explicit:
		b = nil
	default:
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return parseConfig(b, getenv)
}

// parseConfig is loadConfig on the file's bytes.
func parseConfig(b []byte, getenv func(string) string) (Config, error) {
	cfg := defaultConfig()
	present := map[string]bool{}
	if len(bytes.TrimSpace(b)) > 0 {
		if err := decodeConfig(b, &cfg, present); err != nil {
			return Config{}, err
		}
	}
	for key, dst := range map[string]*string{
		"COACHBOT_TELEGRAM_TOKEN":  &cfg.Telegram.Token,
		"COACHBOT_TELEGRAM_SECRET": &cfg.Telegram.Webhook.Secret,
		"COACHBOT_DISCORD_TOKEN":   &cfg.Discord.Token,
		"COACHBOT_COACH_CODE":      &cfg.CoachCode,
		"COACHBOT_DB":              &cfg.DB,
		"COACHBOT_OPS_LISTEN":      &cfg.Ops.Listen,
	} {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	// A token pasted with a newline or spaces around it is the same token.
	for _, s := range []*string{&cfg.Telegram.Token, &cfg.Discord.Token, &cfg.Telegram.Webhook.Secret, &cfg.CoachCode} {
		*s = strings.TrimSpace(*s)
	}
	// A platform that is configured runs, or start-up stops: falling back to
	// the console would hide the mistake behind a chat in the terminal.
	for _, p := range []struct{ section, token, env string }{
		{"telegram", cfg.Telegram.Token, "COACHBOT_TELEGRAM_TOKEN"},
		{"discord", cfg.Discord.Token, "COACHBOT_DISCORD_TOKEN"},
	} {
		if present[p.section] && p.token == "" {
			return Config{}, fmt.Errorf("config: %s.token: must be set when a %s section is configured (or set %s; remove the section to leave %s off)",
				p.section, p.section, p.env, p.section)
		}
	}
	if o := cfg.Messages.Overrides; o != "" {
		st, err := os.Stat(o)
		if err != nil {
			return Config{}, fmt.Errorf("config: messages.overrides: %s", pathError(err))
		}
		if !st.Mode().IsRegular() {
			return Config{}, fmt.Errorf("config: messages.overrides: %s is not a regular file", o)
		}
	}
	if err := cfg.validate(); err != nil {
		return Config{}, errors.New(strings.Join(strings.Fields(err.Error()), " "))
	}
	return cfg, nil
}

// pathError says what went wrong with a file in the shape "open PATH: reason".
func pathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return "open " + pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}

// decodeConfig reads one YAML document into cfg, key by key, so that every
// problem names its key and line. present collects the keys the file sets,
// as dotted paths.
func decodeConfig(b []byte, cfg *Config, present map[string]bool) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return fmt.Errorf("config: %s", oneLine(err))
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil:
		return fmt.Errorf("config: line %d: a second YAML document; the configuration is one document", max(second.Line, 1))
	case !errors.Is(err, io.EOF):
		return fmt.Errorf("config: %s", oneLine(err))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	return decodeInto(root, reflect.ValueOf(cfg).Elem(), "", present)
}

// durationType is decoded by its own UnmarshalYAML.
var durationType = reflect.TypeFor[Duration]()

// decodeInto decodes n into v, whose type is a struct of yaml-tagged fields,
// a Duration or a plain value. key is n's dotted path.
func decodeInto(n *yaml.Node, v reflect.Value, key string, present map[string]bool) error {
	if v.Kind() == reflect.Struct && v.Type() != durationType {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return nil // "telegram:" with nothing under it
		}
		if n.Kind != yaml.MappingNode {
			return keyError(key, n, "want a section of keys, not %s", describe(n))
		}
		fields := map[string]reflect.Value{}
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			if name != "" && name != "-" {
				fields[name] = v.Field(i)
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			path := k.Value
			if key != "" {
				path = key + "." + k.Value
			}
			f, ok := fields[k.Value]
			if !ok {
				return keyError(path, k, "unknown key")
			}
			if present[path] {
				return keyError(path, k, "set twice")
			}
			present[path] = true
			if err := decodeInto(val, f, path, present); err != nil {
				return err
			}
		}
		return nil
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return keyError(key, n, "want %s, not %s", kindName(v.Type()), describe(n))
		}
		return keyError(key, n, "%s", oneLine(err))
	}
	return nil
}

// keyError is the one line that names a key, its line and the problem.
func keyError(key string, n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("config: %s (line %d): %s", key, n.Line, fmt.Sprintf(format, args...))
}

// describe names what a node holds, for "want X, not Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section of keys"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// kindName says in plain words what a Go type wants from the file.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "text"
	case reflect.Slice:
		return "a list"
	}
	return t.String()
}
