// Package telegramtest is a fake Telegram Bot API for tests: an httptest server on
// 127.0.0.1 that the real SDK talks to. It keeps chats and messages in memory,
// simulates people writing and pressing buttons, serves updates by long polling or
// webhook, and injects the failures the real API produces (flood limits, blocked
// users, server errors, dropped connections).
//
// It follows the real Bot API's JSON shapes and semantics where tests depend on them
// and is stricter where being strict catches bugs: HTML text must be well formed,
// with every '<', '>' and '&' escaped. It is safe for concurrent use and cheap per
// update, so load tests can push thousands of updates per second through it.
package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of the simulated bot.
const (
	defaultUsername = "CoachTestBot"
	botID           = 1000
	firstUpdateID   = 100000
	// maxUploadBytes bounds a multipart request the fake keeps in memory.
	maxUploadBytes = 50 << 20
)

// Option configures a Server.
type Option func(*Server)

// WithUsername sets the bot's username (default "CoachTestBot"), as getMe reports it.
func WithUsername(name string) Option { return func(s *Server) { s.username = name } }

// WithClock sets the clock that dates messages, so tests on a fake clock see
// consistent dates. Flood limits always run on real time.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithFloodLimits makes the server enforce Telegram's flood control with token
// buckets: perChat messages per second in one chat with bursts of burst, and
// global messages per second over all chats (bursts of the same size, at least 1).
// Sends and edits beyond that get 429 with parameters.retry_after. Telegram allows
// about 1 per second per chat and 30 per second overall.
func WithFloodLimits(perChat rate.Limit, burst int, global rate.Limit) Option {
	return func(s *Server) {
		s.flood = &flood{
			perChat: perChat,
			burst:   max(1, burst),
			global:  rate.NewLimiter(global, max(1, int(global))),
			chats:   make(map[int64]*rate.Limiter),
		}
	}
}

// WithWebhookClient sets the client that posts webhook deliveries, such as one
// that trusts a TLS test server standing in for the bot's reverse proxy.
func WithWebhookClient(c *http.Client) Option { return func(s *Server) { s.hooks = c } }

// WithHistory keeps only about the last n messages of each chat (at least n, at
// most 2n), so a long load run does not grow without bound. Forgotten messages
// can no longer be pressed or edited, and Messages no longer returns them;
// counts such as WaitMessages' include them. Zero, the default, keeps all.
func WithHistory(n int) Option { return func(s *Server) { s.history = max(n, 0) } }

// WithMessageHook calls hook with every message the bot sends (edits excluded),
// once the server has stored it and before it answers the bot, in the request's
// goroutine and outside the server's lock: hook may call the Server. A slow hook
// slows the bot's sends, as a slow network would. It lets a load driver react to
// replies without a goroutine waiting per chat.
func WithMessageHook(hook func(chatID int64, m Sent)) Option {
	return func(s *Server) { s.hook = hook }
}

// Server is a fake Bot API. Create it with NewServer in tests, or Start elsewhere.
type Server struct {
	report   func(format string, args ...any) // where misuse such as a bad Press goes
	srv      *httptest.Server
	token    string
	username string
	now      func() time.Time
	hooks    *http.Client // posts webhook deliveries
	history  int          // messages kept per chat; 0 keeps all
	hook     func(chatID int64, m Sent)
	done     chan struct{}
	stop     sync.Once

	mu sync.Mutex
	updates
	chats     map[int64]*chat
	waiters   map[int64]chan struct{} // closed when a chat's bot messages change
	callbacks map[string]bool         // callback queries not yet answered
	nextQuery int64
	commands  []Command
	// commandsIn holds the menus set per language_code ("" for everyone).
	commandsIn map[string][]Command
	webhook    webhook
	faults     map[string][]fault
	drops      map[string]int
	latency    time.Duration
	calls      map[string]int
	stats      Stats
	flood      *flood
	problems   []error // misuse reported on a server made with Start
}

// Stats counts what the server has served, for assertions and load reports.
type Stats struct {
	Calls             int // API requests, including rejected ones
	UpdatesServed     int // updates handed out by getUpdates or webhook delivery (repeats count again)
	UpdatesPending    int // updates queued and not yet confirmed
	MessagesSent      int // messages the bot sent (sendMessage, sendDocument)
	Edits             int // successful editMessageText and editMessageReplyMarkup calls
	TooManyRequests   int // 429 answers served, injected or from flood limits
	Failures          int // other error answers served (injected faults, bad requests, blocked chats)
	Dropped           int // connections closed without an answer
	CallbacksPending  int // button presses not yet answered with answerCallbackQuery
	CallbacksAnswered int // button presses answered
}

type fault struct {
	left        int
	status      int
	description string
	retryAfter  int
}

// NewServer starts a fake Bot API on 127.0.0.1 and closes it when the test ends.
// Misuse, such as pressing a message that does not exist, fails the test.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	s.report = tb.Errorf
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake Bot API on 127.0.0.1 outside a test, for load runs and
// demonstrations. Misuse is collected and returned by Err. The caller closes it.
func Start(opts ...Option) (*Server, error) {
	s := &Server{
		token:     strconv.Itoa(botID) + ":AAE-fake-token-for-tests",
		username:  defaultUsername,
		now:       time.Now,
		done:      make(chan struct{}),
		chats:     make(map[int64]*chat),
		waiters:   make(map[int64]chan struct{}),
		callbacks: make(map[string]bool),
		faults:    make(map[string][]fault),
		drops:     make(map[string]int),
		calls:     make(map[string]int),
		hooks:     &http.Client{Timeout: 30 * time.Second},
	}
	s.report = s.collect
	s.updates.init()
	for _, o := range opts {
		o(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("telegramtest: listen: %w", err)
	}
	s.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(s.serve)}}
	s.srv.Start()
	return s, nil
}

// Close ends waiting long polls and WaitMessages calls, stops the server and
// waits for requests in flight. Closing twice is harmless.
func (s *Server) Close() {
	s.stop.Do(func() {
		close(s.done)
		s.srv.Close()
		s.hooks.CloseIdleConnections()
	})
}

// Err returns the misuse collected by a server made with Start, such as a press
// of a message that does not exist, or nil.
func (s *Server) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.problems...)
}

// collect keeps a misuse for Err. The caller holds s.mu (as every caller of
// report does).
func (s *Server) collect(format string, args ...any) {
	s.problems = append(s.problems, fmt.Errorf(format, args...))
}

// URL is the API base URL, to use as the adapter's APIURL.
func (s *Server) URL() string { return s.srv.URL }

// Token is the only token the server accepts; any other gets 401 Unauthorized.
func (s *Server) Token() string { return s.token }

// Username is the bot's username, without the @.
func (s *Server) Username() string { return s.username }

// Calls counts the requests made to one API method, failures included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// AllCalls counts the requests made to each API method, failures included.
func (s *Server) AllCalls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.UpdatesPending = s.updates.pending()
	st.CallbacksPending = len(s.callbacks)
	return st
}

// FailNext makes the next n calls of method fail with status, as Telegram words
// it: 429 "Too Many Requests" (with parameters.retry_after when retryAfter > 0),
// 403 "Forbidden: bot was blocked by the user", 5xx server errors, and so on.
func (s *Server) FailNext(method string, n int, status int, retryAfter int) {
	s.FailNextWith(method, n, status, describe(status, retryAfter), retryAfter)
}

// FailNextWith is FailNext with a chosen description, such as
// "Bad Request: chat not found".
func (s *Server) FailNextWith(method string, n int, status int, description string, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{left: n, status: status, description: description, retryAfter: retryAfter})
}

// DropNext makes the next n calls of method end with the connection closed and no
// answer, as a network failure does.
func (s *Server) DropNext(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drops[method] += n
}

// SetLatency delays every answer by d, to simulate a slow network.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

func describe(status, retryAfter int) string {
	switch status {
	case http.StatusBadRequest:
		return "Bad Request: injected failure"
	case http.StatusUnauthorized:
		return "Unauthorized"
	case http.StatusForbidden:
		return "Forbidden: bot was blocked by the user"
	case http.StatusNotFound:
		return "Not Found"
	case http.StatusConflict:
		return "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	case http.StatusTooManyRequests:
		return fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
	}
	return http.StatusText(status)
}

// apiError is a failed call as the Bot API reports it.
type apiError struct {
	code        int
	description string
	retryAfter  int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

var (
	errChatNotFound = badRequest("chat not found")
	errBlocked      = &apiError{code: http.StatusForbidden, description: "Forbidden: bot was blocked by the user"}
	errUnauthorized = &apiError{code: http.StatusUnauthorized, description: "Unauthorized"}
	errNotFound     = &apiError{code: http.StatusNotFound, description: "Not Found"}
	// errGone means the client went away; nothing is written.
	errGone = &apiError{}
)

// request is one API call: its parameters, whatever the encoding, and its files.
type request struct {
	ctx    context.Context
	params map[string]string
	files  map[string]Document
}

type method func(s *Server, r *request) (any, *apiError)

// lookup returns the implementation of an API method, or nil for one the fake
// does not know.
func lookup(name string) method {
	switch name {
	case "getMe":
		return (*Server).getMe
	case "getUpdates":
		return (*Server).getUpdates
	case "sendMessage":
		return (*Server).sendMessage
	case "sendDocument":
		return (*Server).sendDocument
	case "answerCallbackQuery":
		return (*Server).answerCallbackQuery
	case "editMessageText":
		return (*Server).editMessageText
	case "editMessageReplyMarkup":
		return (*Server).editMessageReplyMarkup
	case "setMyCommands":
		return (*Server).setMyCommands
	case "getMyCommands":
		return (*Server).getMyCommands
	case "deleteWebhook":
		return (*Server).deleteWebhook
	case "setWebhook":
		return (*Server).setWebhook
	case "getWebhookInfo":
		return (*Server).getWebhookInfo
	}
	return nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	token, name, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !ok || !strings.HasPrefix(r.URL.Path, "/bot") {
		writeError(w, errNotFound)
		return
	}
	s.mu.Lock()
	s.calls[name]++
	s.stats.Calls++
	latency := s.latency
	s.mu.Unlock()

	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if token != s.token {
		s.count(errUnauthorized)
		writeError(w, errUnauthorized)
		return
	}
	if s.takeDrop(name) {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if f := s.takeFault(name); f != nil {
		s.count(f)
		writeError(w, f)
		return
	}
	m := lookup(name)
	if m == nil {
		s.count(errNotFound)
		writeError(w, errNotFound)
		return
	}
	req, err := readRequest(r)
	if err != nil {
		e := badRequest("%v", err)
		s.count(e)
		writeError(w, e)
		return
	}
	result, apiErr := m(s, req)
	if apiErr == errGone {
		return
	}
	if apiErr != nil {
		s.count(apiErr)
		writeError(w, apiErr)
		return
	}
	writeResult(w, result)
}

func (s *Server) takeDrop(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.drops[name] == 0 {
		return false
	}
	s.drops[name]--
	s.stats.Dropped++
	return true
}

func (s *Server) takeFault(name string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[name]
	if len(q) == 0 {
		return nil
	}
	f := q[0]
	if q[0].left--; q[0].left <= 0 {
		s.faults[name] = q[1:]
	}
	return &apiError{code: f.status, description: f.description, retryAfter: f.retryAfter}
}

func (s *Server) count(e *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.countLocked(e)
}

func (s *Server) countLocked(e *apiError) {
	if e.code == http.StatusTooManyRequests {
		s.stats.TooManyRequests++
	} else {
		s.stats.Failures++
	}
}

func writeResult(w http.ResponseWriter, result any) {
	body, err := json.Marshal(struct {
		OK     bool `json:"ok"`
		Result any  `json:"result"`
	}{true, result})
	if err != nil {
		writeError(w, &apiError{code: http.StatusInternalServerError, description: "Internal Server Error: " + err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, e *apiError) {
	type parameters struct {
		RetryAfter int `json:"retry_after,omitempty"`
	}
	resp := struct {
		OK          bool        `json:"ok"`
		ErrorCode   int         `json:"error_code"`
		Description string      `json:"description"`
		Parameters  *parameters `json:"parameters,omitempty"`
	}{ErrorCode: e.code, Description: e.description}
	if e.retryAfter > 0 {
		resp.Parameters = &parameters{RetryAfter: e.retryAfter}
	}
	body, _ := json.Marshal(resp)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.code)
	_, _ = w.Write(body)
}

// readRequest reads parameters the ways the Bot API accepts them: query string,
// form-encoded body, multipart form (with files) and JSON body.
func readRequest(r *http.Request) (*request, error) {
	req := &request{ctx: r.Context(), params: make(map[string]string)}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxUploadBytes); err != nil {
			return nil, fmt.Errorf("invalid multipart body: %w", err)
		}
		for k, v := range r.MultipartForm.Value {
			if len(v) > 0 {
				req.params[k] = v[0]
			}
		}
		req.files = make(map[string]Document)
		for k, fhs := range r.MultipartForm.File {
			if len(fhs) == 0 {
				continue
			}
			content, err := readFile(fhs[0].Open)
			if err != nil {
				return nil, fmt.Errorf("invalid file %s: %w", k, err)
			}
			req.files[k] = Document{Name: fhs[0].Filename, Content: content}
		}
		for k, v := range r.URL.Query() {
			if _, ok := req.params[k]; !ok && len(v) > 0 {
				req.params[k] = v[0]
			}
		}
	case "application/json":
		var body map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return nil, fmt.Errorf("invalid JSON body: %w", err)
		}
		for k, raw := range body {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				req.params[k] = str
			} else {
				req.params[k] = string(raw)
			}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("invalid form body: %w", err)
		}
		for k, v := range r.Form {
			if len(v) > 0 {
				req.params[k] = v[0]
			}
		}
	}
	return req, nil
}

// intParam parses an optional integer parameter; missing means 0.
func (r *request) intParam(name string) (int64, *apiError) {
	v, ok := r.params[name]
	if !ok || v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequest("invalid %s specified", name)
	}
	return n, nil
}

func (r *request) jsonParam(name string, into any) (bool, *apiError) {
	v, ok := r.params[name]
	if !ok || v == "" {
		return false, nil
	}
	if err := json.Unmarshal([]byte(v), into); err != nil {
		return false, badRequest("can't parse %s JSON object", name)
	}
	return true, nil
}

// webhookURLValid reports whether Telegram would accept u; unlike Telegram the
// fake also takes plain http, since tests serve the webhook on loopback.
func webhookURLValid(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}
