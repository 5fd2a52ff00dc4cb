package main

import (
	"errors"
	"io"

	"github.com/coachbot/coachbot/bot"
)

// secrets are the configured values no output may show.
func (c Config) secrets() []string {
	return []string{c.Telegram.Token, c.Discord.Token, c.Telegram.Webhook.Secret}
}

// redactWriter removes secrets from everything written through it, so no log
// line shows a token, whichever library put it there. Each write is one log
// record, so a secret is never split across two.
type redactWriter struct {
	w       io.Writer
	secrets []string
}

func (r redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, bot.Redact(string(p), r.secrets...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redactedError is an error whose text has the secrets removed; errors.Is and
// errors.As still see what it wraps.
type redactedError struct {
	err  error
	text string
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with the secrets removed from its text. Usage errors
// keep their type, so they still exit 2.
func redact(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	text := bot.Redact(err.Error(), secrets...)
	if text == err.Error() {
		return err
	}
	var u *usageError
	if errors.As(err, &u) {
		return &usageError{msg: text}
	}
	return &redactedError{err: err, text: text}
}
