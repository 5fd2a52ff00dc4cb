// Package discordtest is a fake Discord for tests: a REST API and a websocket
// gateway on 127.0.0.1 that a real discordgo session talks to, so the Discord adapter
// is tested against the wire protocol rather than against a mock of itself.
//
// The fake enforces the rules that matter to a bot and that are easy to break
// silently: the "Authorization: Bot <token>" header, the 2000-character message limit,
// at most 5 rows of 5 buttons with labels of at most 80 characters, one response per
// interaction and only within 3 seconds of it being dispatched, privileged intents
// refused with close code 4014, and RESUME replaying exactly the dispatches a client
// missed.
//
// Users are identified by whatever IDs a test chooses; user "42" is called
// "user42" with the display name "User 42". Every other ID is a snowflake the fake
// makes, so timestamps derived from IDs are real.
package discordtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

const (
	apiPrefix = "/api/v9"
	// gatewayPath is where the websocket gateway listens; GET /api/v9/gateway
	// points clients at it.
	gatewayPath = "/gateway-ws"
	// heartbeatInterval is announced in HELLO. It is short so a lost connection is
	// noticed quickly, yet long enough that a busy test machine never misses one.
	heartbeatInterval = time.Second
	// interactionDeadline is how long Discord waits for the first response to an
	// interaction before the user sees "This interaction failed".
	interactionDeadline = 3 * time.Second
	discordEpochMillis  = 1420070400000
)

// Discord's JSON error codes that the fake returns.
const (
	codeUnknownChannel      = 10003
	codeUnknownMessage      = 10008
	codeUnknownWebhook      = 10015
	codeUnknownInteraction  = 10062
	codeCannotSendToUser    = 50007
	codeEmptyMessage        = 50006
	codeInvalidFormBody     = 50035
	codeAlreadyAcknowledged = 40060
)

// Server is a fake Discord. Create it with NewServer; it stops when the test ends.
type Server struct {
	tb    testing.TB
	srv   *httptest.Server
	token string
	botID string
	appID string

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced whenever state changes
	lastID       int64
	connected    bool              // a gateway connection is identified or resumed
	sessions     int               // gateway sessions started with READY
	dms          map[string]string // user ID -> DM channel ID
	dmUsers      map[string]string // DM channel ID -> user ID
	guildChans   map[string]string // guild ID -> its text channel
	channels     map[string]bool
	messages     map[string][]*Sent // channel ID -> messages the bot sent
	byID         map[string]*Sent
	interactions map[string]*Interaction
	byToken      map[string]*Interaction
	commands     map[string][]Command // guild ID ("" = global) -> commands
	failures     []*failure
	unreachable  map[string]bool
	requests     []string

	gateway // the websocket side, guarded by its own lock
}

// Sent is a message the bot posted, as it looks now (after any edits).
type Sent struct {
	ID        string
	ChannelID string
	Content   string
	Rows      [][]Button
	Files     []File
	Ephemeral bool
	Edited    bool
}

// Buttons returns the buttons of all rows in order.
func (m Sent) Buttons() []Button {
	var all []Button
	for _, row := range m.Rows {
		all = append(all, row...)
	}
	return all
}

func (m *Sent) clone() Sent {
	c := *m
	c.Rows = cloneRows(m.Rows)
	c.Files = append([]File(nil), m.Files...)
	return c
}

// Button is one button of a message.
type Button struct {
	Label    string
	CustomID string
	Style    int
	Disabled bool
}

// File is an attachment of a message.
type File struct {
	Name    string
	Content []byte
}

// Interaction is a slash command or button press the fake dispatched, with what
// the bot did about it.
type Interaction struct {
	ID        string
	Token     string
	Type      int // 2 application command, 3 message component
	UserID    string
	ChannelID string
	GuildID   string
	MessageID string // the message whose button was pressed
	// DispatchedAt is when INTERACTION_CREATE was sent; responses are measured
	// from it.
	DispatchedAt time.Time
	Responses    []InteractionResponse
	// Late counts responses that arrived after the 3-second deadline and were
	// refused.
	Late int
	// Original is the interaction's response message (nil before a response of
	// type 4 or 5); OriginalDeleted is true once the bot deleted it.
	Original        *Sent
	OriginalDeleted bool
	Followups       []Sent
}

func (in *Interaction) clone() Interaction {
	c := *in
	c.Responses = append([]InteractionResponse(nil), in.Responses...)
	for i := range c.Responses {
		c.Responses[i].Rows = cloneRows(c.Responses[i].Rows)
	}
	if in.Original != nil {
		o := in.Original.clone()
		c.Original = &o
	}
	c.Followups = nil
	for i := range in.Followups {
		c.Followups = append(c.Followups, in.Followups[i].clone())
	}
	return c
}

// InteractionResponse is one accepted POST /interactions/{id}/{token}/callback.
type InteractionResponse struct {
	Type      int // 4 message, 5 deferred message, 6 deferred update, 7 update message
	Content   string
	Ephemeral bool
	Rows      [][]Button
	// After is the time between dispatch and response.
	After time.Duration
}

// Command is a registered application command.
type Command struct {
	ID          string
	Name        string
	Description string
	// Localized are the descriptions by locale ("de").
	Localized map[string]string
	Options   []Option
}

// Option is one option of a command.
type Option struct {
	Name        string
	Description string
	Type        int
	Required    bool
}

type failure struct {
	route      string
	n          int
	status     int
	retryAfter float64
}

// NewServer starts a fake Discord for the test and stops it when the test ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		tb:           tb,
		token:        "fake-token-" + randomHex(8),
		changed:      make(chan struct{}),
		dms:          make(map[string]string),
		dmUsers:      make(map[string]string),
		guildChans:   make(map[string]string),
		channels:     make(map[string]bool),
		messages:     make(map[string][]*Sent),
		byID:         make(map[string]*Sent),
		interactions: make(map[string]*Interaction),
		byToken:      make(map[string]*Interaction),
		commands:     make(map[string][]Command),
		unreachable:  make(map[string]bool),
	}
	s.botID = s.newID()
	s.appID = s.newID() // deliberately not the bot's user ID
	s.gateway.conns = make(map[*conn]bool)

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/gateway", s.getGateway)
	mux.HandleFunc("GET "+apiPrefix+"/gateway/bot", s.getGateway)
	mux.HandleFunc("GET "+apiPrefix+"/users/@me", s.getMe)
	mux.HandleFunc("GET "+apiPrefix+"/oauth2/applications/@me", s.getApplication)
	mux.HandleFunc("POST "+apiPrefix+"/users/@me/channels", s.createDM)
	mux.HandleFunc("POST "+apiPrefix+"/channels/{channel}/messages", s.createMessage)
	mux.HandleFunc("PATCH "+apiPrefix+"/channels/{channel}/messages/{message}", s.editMessage)
	mux.HandleFunc("PUT "+apiPrefix+"/applications/{app}/commands", s.putCommands)
	mux.HandleFunc("GET "+apiPrefix+"/applications/{app}/commands", s.getCommands)
	mux.HandleFunc("PUT "+apiPrefix+"/applications/{app}/guilds/{guild}/commands", s.putCommands)
	mux.HandleFunc("GET "+apiPrefix+"/applications/{app}/guilds/{guild}/commands", s.getCommands)
	mux.HandleFunc("POST "+apiPrefix+"/interactions/{id}/{token}/callback", s.interactionCallback)
	mux.HandleFunc("PATCH "+apiPrefix+"/webhooks/{app}/{token}/messages/{message}", s.editOriginal)
	mux.HandleFunc("DELETE "+apiPrefix+"/webhooks/{app}/{token}/messages/{message}", s.deleteOriginal)
	mux.HandleFunc("POST "+apiPrefix+"/webhooks/{app}/{token}", s.followup)
	mux.HandleFunc("GET "+gatewayPath+"/", s.serveGateway)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		tb.Logf("discordtest: unexpected request %s %s", r.Method, r.URL.Path)
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
	})

	s.srv = httptest.NewServer(s.middleware(mux))
	tb.Cleanup(s.close)
	return s
}

// Token is the bot token the fake accepts.
func (s *Server) Token() string { return s.token }

// URL is the fake's base URL, to be used as the adapter's API URL.
func (s *Server) URL() string { return s.srv.URL }

// BotID is the bot's user ID.
func (s *Server) BotID() string { return s.botID }

// AppID is the bot's application ID, which differs from its user ID.
func (s *Server) AppID() string { return s.appID }

// DMChannel returns the DM channel between the bot and the user, creating it if
// needed, as Discord does.
func (s *Server) DMChannel(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dmLocked(userID)
}

func (s *Server) dmLocked(userID string) string {
	if ch, ok := s.dms[userID]; ok {
		return ch
	}
	ch := s.newIDLocked()
	s.dms[userID] = ch
	s.dmUsers[ch] = userID
	s.channels[ch] = true
	return ch
}

func (s *Server) guildChannelLocked(guildID string) string {
	if ch, ok := s.guildChans[guildID]; ok {
		return ch
	}
	ch := s.newIDLocked()
	s.guildChans[guildID] = ch
	s.channels[ch] = true
	return ch
}

// Messages returns the messages the bot posted in a channel, oldest first.
func (s *Server) Messages(channelID string) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(channelID)
}

func (s *Server) messagesLocked(channelID string) []Sent {
	var out []Sent
	for _, m := range s.messages[channelID] {
		out = append(out, m.clone())
	}
	return out
}

// Message returns one message the bot posted, by ID.
func (s *Server) Message(messageID string) (Sent, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID[messageID]
	if !ok {
		return Sent{}, false
	}
	return m.clone(), true
}

// WaitMessages waits until the bot has posted at least n messages in the channel
// and returns them all.
func (s *Server) WaitMessages(ctx context.Context, channelID string, n int) ([]Sent, error) {
	var out []Sent
	err := s.waitFor(ctx, func() bool {
		out = s.messagesLocked(channelID)
		return len(out) >= n
	})
	if err != nil {
		return out, fmt.Errorf("discordtest: %d of %d messages in channel %s: %w", len(out), n, channelID, err)
	}
	return out, nil
}

// Interaction returns a dispatched interaction and what the bot did about it.
func (s *Server) Interaction(id string) (Interaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[id]
	if !ok {
		return Interaction{}, false
	}
	return in.clone(), true
}

// InteractionResponses returns the accepted responses to an interaction.
func (s *Server) InteractionResponses(id string) []InteractionResponse {
	in, _ := s.Interaction(id)
	return in.Responses
}

// WaitInteraction waits until cond holds for the interaction.
func (s *Server) WaitInteraction(ctx context.Context, id string, cond func(Interaction) bool) (Interaction, error) {
	var got Interaction
	err := s.waitFor(ctx, func() bool {
		in, ok := s.interactions[id]
		if !ok {
			return false
		}
		got = in.clone()
		return cond(got)
	})
	if err != nil {
		return got, fmt.Errorf("discordtest: interaction %s: %w", id, err)
	}
	return got, nil
}

// Commands returns the commands registered for a guild ("" for global commands).
func (s *Server) Commands(guildID string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Command
	for _, c := range s.commands[guildID] {
		c.Options = append([]Option(nil), c.Options...)
		out = append(out, c)
	}
	return out
}

// Requests returns every REST request so far as "METHOD /path", the path without
// the /api/v9 prefix.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// FailNext makes the next n requests matching route fail with status. route is
// "METHOD /path" without the /api/v9 prefix, where a * matches one path segment:
// "POST /channels/*/messages". For status 429 the response carries retryAfter
// seconds in its body and headers, as Discord's does.
func (s *Server) FailNext(route string, n, status int, retryAfter float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &failure{route: route, n: n, status: status, retryAfter: retryAfter})
}

// SetCode50007 makes messages to the user's DM channel fail as they do when the
// user blocked the bot or closed their DMs (403, code 50007).
func (s *Server) SetCode50007(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unreachable[userID] = true
}

// waitFor waits until cond, called with s.mu held, returns true.
func (s *Server) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// newID returns a fresh snowflake: creation time in the high bits, a counter below.
func (s *Server) newID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newIDLocked()
}

func (s *Server) newIDLocked() string {
	id := (time.Now().UnixMilli() - discordEpochMillis) << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatInt(id, 10)
}

func (s *Server) close() {
	s.gateway.shutdown()
	s.srv.Close()
	s.gateway.wg.Wait()
}

// middleware records requests, injects failures, sets rate-limit headers and
// checks the bot token, in that order, before the route handlers run.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, apiPrefix+"/") {
			next.ServeHTTP(w, r)
			return
		}
		route := r.Method + " " + strings.TrimPrefix(r.URL.Path, apiPrefix)
		s.mu.Lock()
		s.requests = append(s.requests, route)
		f := s.takeFailureLocked(route)
		s.notifyLocked()
		s.mu.Unlock()

		h := w.Header()
		h.Set("X-RateLimit-Limit", "50")
		h.Set("X-RateLimit-Remaining", "49")
		h.Set("X-RateLimit-Reset-After", "1.000")
		h.Set("X-RateLimit-Bucket", "fake")
		if f != nil {
			writeFailure(w, f)
			return
		}
		public := strings.HasPrefix(route, "GET /gateway") ||
			strings.HasPrefix(route, "POST /interactions/") ||
			strings.HasPrefix(route, "PATCH /webhooks/") ||
			strings.HasPrefix(route, "DELETE /webhooks/") ||
			strings.HasPrefix(route, "POST /webhooks/")
		if !public && r.Header.Get("Authorization") != "Bot "+s.token {
			writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) takeFailureLocked(route string) *failure {
	for i, f := range s.failures {
		ok, err := path.Match(f.route, route)
		if err != nil || !ok {
			continue
		}
		f.n--
		if f.n <= 0 {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
		}
		return f
	}
	return nil
}

func writeFailure(w http.ResponseWriter, f *failure) {
	if f.status != http.StatusTooManyRequests {
		writeError(w, f.status, 0, http.StatusText(f.status))
		return
	}
	after := strconv.FormatFloat(f.retryAfter, 'f', 3, 64)
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(f.retryAfter))))
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset-After", after)
	h.Set("X-RateLimit-Scope", "user")
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"message":     "You are being rate limited.",
		"retry_after": f.retryAfter,
		"global":      false,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"code": code, "message": message})
}

func (s *Server) getGateway(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"url":    s.gatewayURL(),
		"shards": 1,
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1,
		},
	})
}

// gatewayURL is built from the listener address: requests reach the fake with
// their original Host header (discord.com), so r.Host cannot be trusted.
func (s *Server) gatewayURL() string {
	return "ws://" + s.srv.Listener.Addr().String() + gatewayPath
}

func (s *Server) botUser() map[string]any {
	return map[string]any{"id": s.botID, "username": "coachbot", "discriminator": "0", "bot": true}
}

func userJSON(userID string) map[string]any {
	return map[string]any{
		"id": userID, "username": "user" + userID, "global_name": "User " + userID,
		"discriminator": "0", "bot": false,
	}
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.botUser())
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"id": s.appID, "name": "coachbot", "bot": s.botUser()})
}

func (s *Server) createDM(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RecipientID string `json:"recipient_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.RecipientID == "" {
		writeError(w, http.StatusBadRequest, codeInvalidFormBody, "Invalid Form Body")
		return
	}
	ch := s.DMChannel(body.RecipientID)
	writeJSON(w, http.StatusOK, map[string]any{
		"id": ch, "type": 1, "recipients": []any{userJSON(body.RecipientID)},
	})
}

// messageBody is what the bot sends to create or edit a message. Components stays
// raw so that null (leave as is) and [] (remove all) can be told apart.
type messageBody struct {
	Content    *string         `json:"content"`
	Components json.RawMessage `json:"components"`
	Flags      int             `json:"flags"`
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	ch := r.PathValue("channel")
	nm, ok := readNewMessage(w, r)
	if !ok {
		return
	}
	content, rows, files := nm.content, nm.rows, nm.files

	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.channels[ch] {
		writeError(w, http.StatusNotFound, codeUnknownChannel, "Unknown Channel")
		return
	}
	if user, ok := s.dmUsers[ch]; ok && s.unreachable[user] {
		writeError(w, http.StatusForbidden, codeCannotSendToUser, "Cannot send messages to this user")
		return
	}
	m := &Sent{ID: s.newIDLocked(), ChannelID: ch, Content: content, Rows: rows, Files: files}
	s.messages[ch] = append(s.messages[ch], m)
	s.byID[m.ID] = m
	s.notifyLocked()
	writeJSON(w, http.StatusOK, s.messageJSON(m))
}

func (s *Server) editMessage(w http.ResponseWriter, r *http.Request) {
	body, _, err := readMessageBody(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidFormBody, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID[r.PathValue("message")]
	if !ok || m.ChannelID != r.PathValue("channel") {
		writeError(w, http.StatusNotFound, codeUnknownMessage, "Unknown Message")
		return
	}
	if err := s.applyEditLocked(m, body); err != nil {
		writeError(w, http.StatusBadRequest, err.code, err.msg)
		return
	}
	writeJSON(w, http.StatusOK, s.messageJSON(m))
}

// applyEditLocked changes what the body mentions: content if present, components
// if not null.
func (s *Server) applyEditLocked(m *Sent, body messageBody) *apiError {
	content, rows := m.Content, m.Rows
	if body.Content != nil {
		content = *body.Content
	}
	if len(body.Components) > 0 && string(body.Components) != "null" {
		r, err := parseRows(body.Components)
		if err != nil {
			return &apiError{codeInvalidFormBody, err.Error()}
		}
		rows = r
	}
	if err := checkMessage(content, rows, m.Files); err != nil {
		return err
	}
	m.Content, m.Rows, m.Edited = content, rows, true
	s.notifyLocked()
	return nil
}

func (s *Server) messageJSON(m *Sent) map[string]any {
	attachments := []any{}
	for _, f := range m.Files {
		attachments = append(attachments, map[string]any{
			"id": s.newIDLocked(), "filename": f.Name, "size": len(f.Content),
		})
	}
	flags := 0
	if m.Ephemeral {
		flags = 64
	}
	return map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "type": 0, "content": m.Content,
		"author": s.botUser(), "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"components": rowsJSON(m.Rows), "attachments": attachments,
		"embeds": []any{}, "mentions": []any{}, "flags": flags,
	}
}

// readMessageBody reads a JSON body or a multipart body with payload_json and
// files[n] parts, as discordgo sends when there are attachments.
// newMessage is the checked body of a message being created.
type newMessage struct {
	body    messageBody
	content string
	rows    [][]Button
	files   []File
}

// readNewMessage reads and checks the body of a new message as Discord would,
// answering 400 itself when it is refused.
func readNewMessage(w http.ResponseWriter, r *http.Request) (newMessage, bool) {
	var m newMessage
	var err error
	m.body, m.files, err = readMessageBody(r)
	if err == nil {
		m.rows, err = parseRows(m.body.Components)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidFormBody, err.Error())
		return m, false
	}
	m.content = deref(m.body.Content)
	if err := checkMessage(m.content, m.rows, m.files); err != nil {
		writeError(w, http.StatusBadRequest, err.code, err.msg)
		return m, false
	}
	return m, true
}

func readMessageBody(r *http.Request) (messageBody, []File, error) {
	var body messageBody
	var files []File
	payload := []byte("{}")
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return body, nil, fmt.Errorf("multipart: %w", err)
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return body, nil, fmt.Errorf("multipart part: %w", err)
			}
			switch name := p.FormName(); {
			case name == "payload_json":
				payload = data
			case strings.HasPrefix(name, "files["):
				files = append(files, File{Name: p.FileName(), Content: data})
			}
		}
	} else {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return body, nil, fmt.Errorf("read body: %w", err)
		}
		if len(bytes.TrimSpace(data)) > 0 {
			payload = data
		}
	}
	if err := json.Unmarshal(payload, &body); err != nil {
		return body, nil, fmt.Errorf("payload: %w", err)
	}
	return body, files, nil
}

type apiError struct {
	code int
	msg  string
}

// checkMessage applies Discord's limits on a message.
func checkMessage(content string, rows [][]Button, files []File) *apiError {
	if n := utf8.RuneCountInString(content); n > 2000 {
		return &apiError{codeInvalidFormBody, fmt.Sprintf("content: must be 2000 or fewer in length, got %d", n)}
	}
	if strings.TrimSpace(content) == "" && len(rows) == 0 && len(files) == 0 {
		return &apiError{codeEmptyMessage, "Cannot send an empty message"}
	}
	return nil
}

type componentJSON struct {
	Type       int             `json:"type"`
	Label      string          `json:"label"`
	Style      int             `json:"style"`
	CustomID   string          `json:"custom_id"`
	Disabled   bool            `json:"disabled"`
	Components []componentJSON `json:"components"`
}

// parseRows reads action rows of buttons and checks Discord's limits on them.
func parseRows(raw json.RawMessage) ([][]Button, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var comps []componentJSON
	if err := json.Unmarshal(raw, &comps); err != nil {
		return nil, fmt.Errorf("components: %w", err)
	}
	if len(comps) > 5 {
		return nil, fmt.Errorf("components: at most 5 action rows, got %d", len(comps))
	}
	seen := make(map[string]bool)
	var rows [][]Button
	for i, c := range comps {
		if c.Type != 1 {
			return nil, fmt.Errorf("components[%d]: want an action row (type 1), got type %d", i, c.Type)
		}
		if len(c.Components) == 0 || len(c.Components) > 5 {
			return nil, fmt.Errorf("components[%d]: 1 to 5 buttons per row, got %d", i, len(c.Components))
		}
		var row []Button
		for j, b := range c.Components {
			switch {
			case b.Type != 2:
				return nil, fmt.Errorf("components[%d][%d]: want a button (type 2), got type %d", i, j, b.Type)
			case utf8.RuneCountInString(b.Label) > 80:
				return nil, fmt.Errorf("components[%d][%d].label: must be 80 or fewer in length", i, j)
			case b.CustomID == "" || utf8.RuneCountInString(b.CustomID) > 100:
				return nil, fmt.Errorf("components[%d][%d].custom_id: must be 1 to 100 in length", i, j)
			case seen[b.CustomID]:
				return nil, fmt.Errorf("components[%d][%d].custom_id: duplicate %q", i, j, b.CustomID)
			}
			seen[b.CustomID] = true
			row = append(row, Button{Label: b.Label, CustomID: b.CustomID, Style: b.Style, Disabled: b.Disabled})
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func rowsJSON(rows [][]Button) []any {
	out := []any{}
	for _, row := range rows {
		var buttons []any
		for _, b := range row {
			buttons = append(buttons, map[string]any{
				"type": 2, "label": b.Label, "style": b.Style, "custom_id": b.CustomID, "disabled": b.Disabled,
			})
		}
		out = append(out, map[string]any{"type": 1, "components": buttons})
	}
	return out
}

func cloneRows(rows [][]Button) [][]Button {
	if rows == nil {
		return nil
	}
	out := make([][]Button, len(rows))
	for i, row := range rows {
		out[i] = append([]Button(nil), row...)
	}
	return out
}

var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{N}]{1,32}$`)

type commandJSON struct {
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	Localizations map[string]string `json:"description_localizations"`
	Options       []struct {
		Type        int    `json:"type"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Required    bool   `json:"required"`
	} `json:"options"`
}

// putCommands is a bulk overwrite: the list replaces what was there, and a
// command that keeps its name keeps its ID.
func (s *Server) putCommands(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("app") != s.appID {
		writeError(w, http.StatusForbidden, 0, "Missing Access")
		return
	}
	var in []commandJSON
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidFormBody, err.Error())
		return
	}
	if err := checkCommands(in); err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidFormBody, err.Error())
		return
	}
	guild := r.PathValue("guild")
	s.mu.Lock()
	defer s.mu.Unlock()
	old := make(map[string]string)
	for _, c := range s.commands[guild] {
		old[c.Name] = c.ID
	}
	var cmds []Command
	for _, c := range in {
		id, ok := old[c.Name]
		if !ok {
			id = s.newIDLocked()
		}
		cmd := Command{ID: id, Name: c.Name, Description: c.Description, Localized: c.Localizations}
		for _, o := range c.Options {
			cmd.Options = append(cmd.Options, Option{Name: o.Name, Description: o.Description, Type: o.Type, Required: o.Required})
		}
		cmds = append(cmds, cmd)
	}
	s.commands[guild] = cmds
	s.notifyLocked()
	writeJSON(w, http.StatusOK, s.commandsJSONLocked(guild))
}

func checkCommands(in []commandJSON) error {
	if len(in) > 100 {
		return fmt.Errorf("at most 100 commands, got %d", len(in))
	}
	names := make(map[string]bool)
	for i, c := range in {
		if !commandName.MatchString(c.Name) {
			return fmt.Errorf("%d.name: %q is not a valid command name", i, c.Name)
		}
		if names[c.Name] {
			return fmt.Errorf("%d.name: duplicate %q", i, c.Name)
		}
		names[c.Name] = true
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > 100 {
			return fmt.Errorf("%d.description: must be 1 to 100 in length", i)
		}
		for loc, d := range c.Localizations {
			if n := utf8.RuneCountInString(d); n < 1 || n > 100 {
				return fmt.Errorf("%d.description_localizations.%s: must be 1 to 100 in length", i, loc)
			}
		}
		if len(c.Options) > 25 {
			return fmt.Errorf("%d.options: at most 25", i)
		}
		optional := false
		for j, o := range c.Options {
			if !commandName.MatchString(o.Name) {
				return fmt.Errorf("%d.options.%d.name: %q is not valid", i, j, o.Name)
			}
			if n := utf8.RuneCountInString(o.Description); n < 1 || n > 100 {
				return fmt.Errorf("%d.options.%d.description: must be 1 to 100 in length", i, j)
			}
			if o.Required && optional {
				return fmt.Errorf("%d.options.%d: required options must be placed before non-required options", i, j)
			}
			optional = optional || !o.Required
		}
	}
	return nil
}

func (s *Server) getCommands(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.commandsJSONLocked(r.PathValue("guild")))
}

func (s *Server) commandsJSONLocked(guild string) []any {
	out := []any{}
	for _, c := range s.commands[guild] {
		opts := []any{}
		for _, o := range c.Options {
			opts = append(opts, map[string]any{
				"type": o.Type, "name": o.Name, "description": o.Description, "required": o.Required,
			})
		}
		cmd := map[string]any{
			"id": c.ID, "application_id": s.appID, "version": c.ID, "type": 1,
			"name": c.Name, "description": c.Description, "options": opts,
		}
		if guild != "" {
			cmd["guild_id"] = guild
		}
		out = append(out, cmd)
	}
	return out
}

// SlashCommand has a user run a registered slash command, in a server channel of
// guildID or, with guildID "", in the user's DM with the bot. opts fill the
// command's options in the order they were registered. It returns the interaction
// ID.
func (s *Server) SlashCommand(userID, guildID, name string, opts ...string) string {
	s.tb.Helper()
	s.mu.Lock()
	cmd, ok := s.findCommandLocked(guildID, name)
	if !ok {
		s.mu.Unlock()
		s.tb.Errorf("discordtest: slash command /%s is not registered where the user is", name)
		return ""
	}
	if len(opts) > len(cmd.Options) {
		s.mu.Unlock()
		s.tb.Errorf("discordtest: /%s has %d options, got %d values", name, len(cmd.Options), len(opts))
		return ""
	}
	var options []any
	for i, v := range opts {
		options = append(options, map[string]any{"name": cmd.Options[i].Name, "type": 3, "value": v})
	}
	in := s.newInteractionLocked(2, userID, guildID)
	data := map[string]any{"id": cmd.ID, "name": cmd.Name, "type": 1}
	if options != nil {
		data["options"] = options
	}
	payload := s.interactionJSONLocked(in, data, nil)
	s.mu.Unlock()
	s.dispatch("INTERACTION_CREATE", payload)
	return in.ID
}

func (s *Server) findCommandLocked(guildID, name string) (Command, bool) {
	scopes := []string{""}
	if guildID != "" {
		scopes = []string{guildID, ""}
	}
	for _, g := range scopes {
		for _, c := range s.commands[g] {
			if c.Name == name {
				return c, true
			}
		}
	}
	return Command{}, false
}

// Press has a user press the button with customID under a message the bot sent.
// It returns the interaction ID.
func (s *Server) Press(userID, messageID, customID string) string {
	s.tb.Helper()
	s.mu.Lock()
	m, ok := s.byID[messageID]
	if !ok {
		s.mu.Unlock()
		s.tb.Errorf("discordtest: press on unknown message %s", messageID)
		return ""
	}
	pressable := false
	for _, b := range m.Buttons() {
		pressable = pressable || (b.CustomID == customID && !b.Disabled)
	}
	if !pressable {
		s.mu.Unlock()
		s.tb.Errorf("discordtest: message %s has no enabled button %q", messageID, customID)
		return ""
	}
	guild := ""
	for g, ch := range s.guildChans {
		if ch == m.ChannelID {
			guild = g
		}
	}
	in := s.newInteractionLocked(3, userID, guild)
	in.ChannelID, in.MessageID = m.ChannelID, m.ID
	payload := s.interactionJSONLocked(in, map[string]any{"custom_id": customID, "component_type": 2}, s.messageJSON(m))
	s.mu.Unlock()
	s.dispatch("INTERACTION_CREATE", payload)
	return in.ID
}

func (s *Server) newInteractionLocked(typ int, userID, guildID string) *Interaction {
	in := &Interaction{ID: s.newIDLocked(), Token: "itoken-" + randomHex(12), Type: typ, UserID: userID, GuildID: guildID}
	if guildID != "" {
		in.ChannelID = s.guildChannelLocked(guildID)
	} else {
		in.ChannelID = s.dmLocked(userID)
	}
	in.DispatchedAt = time.Now()
	s.interactions[in.ID] = in
	s.byToken[in.Token] = in
	s.notifyLocked()
	return in
}

func (s *Server) interactionJSONLocked(in *Interaction, data, message map[string]any) map[string]any {
	p := map[string]any{
		"id": in.ID, "application_id": s.appID, "type": in.Type, "token": in.Token, "version": 1,
		"channel_id": in.ChannelID, "data": data, "locale": "en-US",
	}
	if in.GuildID != "" {
		p["guild_id"] = in.GuildID
		p["member"] = map[string]any{"user": userJSON(in.UserID), "roles": []any{}}
		p["context"] = 0
	} else {
		p["user"] = userJSON(in.UserID)
		p["context"] = 1
	}
	if message != nil {
		p["message"] = message
	}
	return p
}

func (s *Server) interactionCallback(w http.ResponseWriter, r *http.Request) {
	var cb struct {
		Type int          `json:"type"`
		Data *messageBody `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&cb); err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidFormBody, err.Error())
		return
	}
	data := messageBody{}
	if cb.Data != nil {
		data = *cb.Data
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[r.PathValue("id")]
	if !ok || in.Token != r.PathValue("token") {
		writeError(w, http.StatusNotFound, codeUnknownInteraction, "Unknown interaction")
		return
	}
	after := time.Since(in.DispatchedAt)
	if after > interactionDeadline {
		in.Late++
		s.notifyLocked()
		writeError(w, http.StatusNotFound, codeUnknownInteraction, "Unknown interaction")
		return
	}
	if len(in.Responses) > 0 {
		writeError(w, http.StatusBadRequest, codeAlreadyAcknowledged, "Interaction has already been acknowledged.")
		return
	}
	rows, err := parseRows(data.Components)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidFormBody, err.Error())
		return
	}
	content := deref(data.Content)
	resp := InteractionResponse{Type: cb.Type, Content: content, Ephemeral: data.Flags&64 != 0, Rows: rows, After: after}
	switch cb.Type {
	case 4:
		if err := checkMessage(content, rows, nil); err != nil {
			writeError(w, http.StatusBadRequest, err.code, err.msg)
			return
		}
		in.Original = &Sent{ID: s.newIDLocked(), ChannelID: in.ChannelID, Content: content, Rows: rows, Ephemeral: resp.Ephemeral}
	case 5:
		in.Original = &Sent{ID: s.newIDLocked(), ChannelID: in.ChannelID, Ephemeral: resp.Ephemeral}
	case 6, 7:
		m, ok := s.byID[in.MessageID]
		if in.Type != 3 || !ok {
			writeError(w, http.StatusBadRequest, codeInvalidFormBody, "Interaction response type only valid for components")
			return
		}
		if cb.Type == 7 {
			if err := s.applyEditLocked(m, data); err != nil {
				writeError(w, http.StatusBadRequest, err.code, err.msg)
				return
			}
		}
	default:
		writeError(w, http.StatusBadRequest, codeInvalidFormBody, fmt.Sprintf("type: unsupported interaction response type %d", cb.Type))
		return
	}
	in.Responses = append(in.Responses, resp)
	s.notifyLocked()
	w.WriteHeader(http.StatusNoContent)
}

// originalLocked finds the interaction of a webhook request and checks that its
// original response exists.
func (s *Server) originalLocked(w http.ResponseWriter, r *http.Request) (*Interaction, bool) {
	in, ok := s.byToken[r.PathValue("token")]
	if !ok || r.PathValue("app") != s.appID {
		writeError(w, http.StatusNotFound, codeUnknownWebhook, "Unknown Webhook")
		return nil, false
	}
	if r.PathValue("message") != "@original" || in.Original == nil || in.OriginalDeleted {
		writeError(w, http.StatusNotFound, codeUnknownMessage, "Unknown Message")
		return nil, false
	}
	return in, true
}

func (s *Server) editOriginal(w http.ResponseWriter, r *http.Request) {
	body, _, err := readMessageBody(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidFormBody, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.originalLocked(w, r)
	if !ok {
		return
	}
	if err := s.applyEditLocked(in.Original, body); err != nil {
		writeError(w, http.StatusBadRequest, err.code, err.msg)
		return
	}
	writeJSON(w, http.StatusOK, s.messageJSON(in.Original))
}

func (s *Server) deleteOriginal(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.originalLocked(w, r)
	if !ok {
		return
	}
	in.OriginalDeleted = true
	s.notifyLocked()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) followup(w http.ResponseWriter, r *http.Request) {
	nm, ok := readNewMessage(w, r)
	if !ok {
		return
	}
	body, content, rows, files := nm.body, nm.content, nm.rows, nm.files
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.byToken[r.PathValue("token")]
	if !ok || r.PathValue("app") != s.appID || len(in.Responses) == 0 {
		writeError(w, http.StatusNotFound, codeUnknownWebhook, "Unknown Webhook")
		return
	}
	m := Sent{ID: s.newIDLocked(), ChannelID: in.ChannelID, Content: content, Rows: rows, Files: files, Ephemeral: body.Flags&64 != 0}
	in.Followups = append(in.Followups, m)
	s.notifyLocked()
	if r.URL.Query().Get("wait") == "true" {
		writeJSON(w, http.StatusOK, s.messageJSON(&m))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
