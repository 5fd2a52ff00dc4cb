package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Update kinds the fake produces.
const (
	updateMessage       = "message"
	updateCallbackQuery = "callback_query"
)

const maxPollLimit = 100

// queued is one update waiting for confirmation, already encoded.
type queued struct {
	id   int64
	kind string
	raw  json.RawMessage
}

// updates is the queue of unconfirmed updates. IDs are consecutive, so finding an
// offset is arithmetic, and confirmed updates are dropped from the front.
type updates struct {
	queue   []queued // queue[head:] are unconfirmed
	head    int
	nextID  int64
	allowed map[string]bool // nil: every kind
	ready   chan struct{}   // closed when an update arrives while a poll waits
	poll    chan struct{}   // the waiting poll's; closed to end it with 409
}

func (u *updates) init() {
	u.nextID = firstUpdateID
	u.ready = make(chan struct{})
}

func (u *updates) pending() int { return len(u.queue) - u.head }

// confirm drops the updates before offset, as a getUpdates offset does.
func (u *updates) confirm(offset int64) {
	if offset <= 0 || u.pending() == 0 {
		return
	}
	n := int(min(offset-u.queue[u.head].id, int64(u.pending())))
	if n <= 0 {
		return
	}
	clear(u.queue[u.head : u.head+n]) // let the encoded updates go
	u.head += n
	if u.head == len(u.queue) {
		u.queue, u.head = u.queue[:0], 0
	} else if u.head > 1024 && u.head*2 > len(u.queue) {
		k := copy(u.queue, u.queue[u.head:])
		clear(u.queue[k:])
		u.queue, u.head = u.queue[:k], 0
	}
}

// batch returns up to limit unconfirmed updates from offset on, of allowed kinds.
func (u *updates) batch(offset int64, limit int) []json.RawMessage {
	start := u.head
	if offset < 0 {
		start = max(u.head, len(u.queue)+int(offset))
	}
	var out []json.RawMessage
	for i := start; i < len(u.queue) && len(out) < limit; i++ {
		if u.allowed == nil || u.allowed[u.queue[i].kind] {
			out = append(out, u.queue[i].raw)
		}
	}
	return out
}

func (s *Server) enqueueLocked(kind string, build func(id int64) apiUpdate) {
	id := s.updates.nextID
	s.updates.nextID++
	raw, err := json.Marshal(build(id))
	if err != nil {
		s.report("telegramtest: encode update: %v", err)
		return
	}
	s.updates.queue = append(s.updates.queue, queued{id: id, kind: kind, raw: raw})
	if s.updates.poll != nil {
		close(s.updates.ready)
		s.updates.ready = make(chan struct{})
	}
}

// getUpdates serves a long poll: it confirms what offset confirms, then answers at
// once when updates are queued, else waits up to timeout seconds for one. A newer
// poll ends a waiting one with 409, as Telegram does when two instances poll.
func (s *Server) getUpdates(r *request) (any, *apiError) {
	offset, e := r.intParam("offset")
	if e != nil {
		return nil, e
	}
	limit, e := r.intParam("limit")
	if e != nil {
		return nil, e
	}
	if limit <= 0 || limit > maxPollLimit {
		limit = maxPollLimit
	}
	timeout, e := r.intParam("timeout")
	if e != nil {
		return nil, e
	}
	var kinds []string
	hasKinds, e := r.jsonParam("allowed_updates", &kinds)
	if e != nil {
		return nil, e
	}
	timer := time.NewTimer(time.Duration(max(timeout, 0)) * time.Second)
	defer timer.Stop()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook.url != "" {
		return nil, &apiError{code: http.StatusConflict,
			description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if hasKinds {
		s.updates.allowed = allowedSet(kinds)
	}
	if s.updates.poll != nil {
		close(s.updates.poll)
	}
	mine := make(chan struct{})
	s.updates.poll = mine
	defer func() {
		if s.updates.poll == mine {
			s.updates.poll = nil
		}
	}()
	expired := timeout <= 0
	for {
		s.updates.confirm(offset)
		if out := s.updates.batch(offset, int(limit)); len(out) > 0 || expired {
			s.stats.UpdatesServed += len(out)
			if out == nil {
				out = []json.RawMessage{}
			}
			return out, nil
		}
		ready := s.updates.ready
		s.mu.Unlock()
		select {
		case <-ready:
		case <-timer.C:
			expired = true
		case <-mine:
			s.mu.Lock()
			return nil, &apiError{code: http.StatusConflict, description: describe(http.StatusConflict, 0)}
		case <-r.ctx.Done():
			s.mu.Lock()
			return nil, errGone
		case <-s.done:
			s.mu.Lock()
			return nil, errGone
		}
		s.mu.Lock()
	}
}

func allowedSet(kinds []string) map[string]bool {
	if len(kinds) == 0 {
		return nil
	}
	set := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		set[k] = true
	}
	return set
}

// webhook is the registration made with setWebhook.
type webhook struct {
	url     string
	secret  string
	allowed []string
	// lastError and lastErrorAt are what getWebhookInfo reports as the last
	// failed delivery (see SetWebhookError).
	lastError   string
	lastErrorAt time.Time
}

func (s *Server) setWebhook(r *request) (any, *apiError) {
	u := r.params["url"]
	if u == "" {
		return s.deleteWebhook(r)
	}
	if !webhookURLValid(u) {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	var kinds []string
	if _, e := r.jsonParam("allowed_updates", &kinds); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = webhook{url: u, secret: r.params["secret_token"], allowed: kinds}
	if kinds != nil {
		s.updates.allowed = allowedSet(kinds)
	}
	if s.updates.poll != nil {
		close(s.updates.poll)
		s.updates.poll = nil
	}
	return true, nil
}

func (s *Server) deleteWebhook(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = webhook{}
	if r.params["drop_pending_updates"] == "true" {
		s.updates.confirm(s.updates.nextID)
	}
	return true, nil
}

func (s *Server) getWebhookInfo(*request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lastErrorDate int64
	if !s.webhook.lastErrorAt.IsZero() {
		lastErrorDate = s.webhook.lastErrorAt.Unix()
	}
	return struct {
		URL                  string   `json:"url"`
		HasCustomCertificate bool     `json:"has_custom_certificate"`
		PendingUpdateCount   int      `json:"pending_update_count"`
		LastErrorDate        int64    `json:"last_error_date,omitempty"`
		LastErrorMessage     string   `json:"last_error_message,omitempty"`
		AllowedUpdates       []string `json:"allowed_updates,omitempty"`
	}{s.webhook.url, false, s.updates.pending(), lastErrorDate, s.webhook.lastError, s.webhook.allowed}, nil
}

// SetWebhookError makes getWebhookInfo report message as the last failure to
// deliver to the registered webhook, at at, as Telegram does when the bot's
// address cannot be reached ("Connection refused", "Wrong response from the
// webhook: 502 Bad Gateway"). A later setWebhook clears it.
func (s *Server) SetWebhookError(message string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook.lastError, s.webhook.lastErrorAt = message, at
}

// WebhookURL is the URL registered with setWebhook, or "" when none is.
func (s *Server) WebhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url
}

// WebhookError is a webhook delivery the bot did not accept.
type WebhookError struct {
	StatusCode int
}

// Error says what the bot answered.
func (e *WebhookError) Error() string {
	return fmt.Sprintf("telegramtest: webhook answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

// DeliverWebhook posts the queued updates one by one, in order, to the registered
// webhook with its secret, as Telegram does. An update is confirmed when the bot
// answers 200; on any other answer delivery stops, the update stays queued and a
// *WebhookError is returned.
func (s *Server) DeliverWebhook(ctx context.Context) error {
	s.mu.Lock()
	secret := s.webhook.secret
	s.mu.Unlock()
	return s.DeliverWebhookWithSecret(ctx, secret)
}

// DeliverWebhookWithSecret is DeliverWebhook with a chosen secret token header
// (none when secret is empty), to test that the bot rejects impostors.
func (s *Server) DeliverWebhookWithSecret(ctx context.Context, secret string) error {
	for {
		s.mu.Lock()
		target := s.webhook.url
		var next *queued
		for i := s.updates.head; i < len(s.updates.queue); i++ {
			if q := s.updates.queue[i]; s.updates.allowed == nil || s.updates.allowed[q.kind] {
				next = &q
				break
			}
		}
		s.mu.Unlock()
		if target == "" {
			return errors.New("telegramtest: no webhook registered")
		}
		if next == nil {
			return nil
		}
		if err := s.post(ctx, target, secret, next.raw); err != nil {
			return err
		}
		s.mu.Lock()
		s.stats.UpdatesServed++
		s.updates.confirm(next.id + 1)
		s.mu.Unlock()
	}
}

func (s *Server) post(ctx context.Context, target, secret string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("telegramtest: webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := s.hooks.Do(req)
	if err != nil {
		return fmt.Errorf("telegramtest: webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return &WebhookError{StatusCode: resp.StatusCode}
	}
	return nil
}
