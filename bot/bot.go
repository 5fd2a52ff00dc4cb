// Package bot is the chat vocabulary every platform shares: the neutral Message an
// adapter hands in, the Reply the engine hands out, the Handler between them, per-chat
// ordering, and the Dispatcher that delivers stored replies at each platform's pace.
//
// Nothing in this package knows about coaching; nothing outside the adapters knows
// about a platform's SDK.
package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Platform names. They prefix every user and chat ID ("telegram:123") so IDs from
// different platforms can never collide.
const (
	Console  = "console"
	Telegram = "telegram"
	Discord  = "discord"
)

// ID joins a platform name and a platform-local identifier into a qualified ID.
func ID(platform, local string) string { return platform + ":" + local }

// SplitID splits a qualified ID into platform and platform-local parts.
func SplitID(id string) (platform, local string, err error) {
	p, l, ok := strings.Cut(id, ":")
	if !ok || p == "" || l == "" {
		return "", "", fmt.Errorf("id %q: want platform:local", id)
	}
	return p, l, nil
}

// Message is one inbound update, already translated from the platform's shape.
type Message struct {
	// UpdateID identifies the update on its platform, so a redelivered update is
	// recognised and ignored. Empty means the source cannot redeliver (the console).
	UpdateID string
	ChatID   string // qualified chat ID, where replies go
	UserID   string // qualified ID of the person who wrote
	Name     string // display name, for the coach's view
	Text     string // typed text; empty for a button press
	// Press is the data of a pressed button, or empty when the person typed.
	Press string
	// Group is true when the message came from a group or server channel rather
	// than a private chat.
	Group bool
	// Language is the person's language as their app reports it ("de",
	// "en-US"); empty when the platform does not say.
	Language string
	At       time.Time
}

// Platform reports which platform the message came from.
func (m Message) Platform() string {
	p, _, _ := strings.Cut(m.ChatID, ":")
	return p
}

// Reply is one outbound message. Replies are stored in the outbox in the same
// transaction as the update that caused them and delivered later by the Dispatcher.
type Reply struct {
	ChatID string `json:"chat"`
	// Kind names what the message is for ("checkin", "digest"); empty for a
	// direct answer. Adapters ignore it; logs and the simulator show it.
	Kind     string    `json:"kind,omitempty"`
	Text     string    `json:"text,omitempty"`
	Buttons  []Button  `json:"buttons,omitempty"`
	Document *Document `json:"document,omitempty"`
}

// Button is one choice offered under a reply. Data travels back in Message.Press.
type Button struct {
	Label string `json:"label"`
	Data  string `json:"data"`
}

// Document is a file sent with a reply, such as a client's data export.
type Document struct {
	Name    string `json:"name"`
	Content []byte `json:"content"`
}

// Handler handles one inbound message. Adapters call it; it returns once everything
// the message causes, replies included, is durably stored.
type Handler interface {
	Handle(ctx context.Context, m Message) error
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, m Message) error

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, m Message) error { return f(ctx, m) }

// Sender delivers one reply on one platform. Adapters implement it and classify
// failures with the errors below so the Dispatcher knows what to do next.
type Sender interface {
	Send(ctx context.Context, r Reply) error
}

// ErrUnreachable means the platform will not deliver to this chat: the user blocked
// the bot or closed their direct messages. Proactive messages to them pause.
var ErrUnreachable = errors.New("chat unreachable")

// RetryAfterError asks the caller to wait before trying again (HTTP 429).
type RetryAfterError struct {
	After time.Duration
}

func (e *RetryAfterError) Error() string { return fmt.Sprintf("rate limited: retry after %s", e.After) }

// PermanentError marks a failure that retrying cannot fix, such as a malformed
// request. The outbox row is given up on.
type PermanentError struct {
	Err error
}

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Batch is a batch of raw updates a poller stored as it received them, kept
// until every update in it is handled.
type Batch struct {
	ID   int64
	Data []byte
}
