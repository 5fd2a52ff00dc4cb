package discordtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway opcodes the fake speaks.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opReconnect      = 7
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatAck   = 11
)

// privilegedIntents are GUILD_MEMBERS, GUILD_PRESENCES and MESSAGE_CONTENT: a bot
// gets them only when they are switched on in the developer portal, and the fake
// plays a bot that has none switched on.
const privilegedIntents = 1<<1 | 1<<8 | 1<<15

// gateway is the websocket half of the fake. Its lock orders every write of a
// dispatch, so sequence numbers reach the client in order; it is taken before
// Server.mu, never after.
type gateway struct {
	gw          sync.Mutex
	closed      bool
	conns       map[*conn]bool
	live        *conn // the connection that completed IDENTIFY or RESUME
	sessionID   string
	seq         int64
	backlog     []frame // dispatches of this session, for RESUME to replay
	closeCode   int     // sticky: every later IDENTIFY or RESUME is closed with it
	stallNext   bool
	reconnNext  bool
	identifies  int
	resumes     int
	lastIntents int
	wg          sync.WaitGroup
}

type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

type conn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
}

func (c *conn) send(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(2 * time.Second))
	return c.ws.WriteJSON(v)
}

// closeWith sends a close frame with the code and closes the connection, as
// Discord does when it refuses a session.
func (c *conn) closeWith(code int, reason string) {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.wmu.Unlock()
	_ = c.ws.Close()
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (g *gateway) shutdown() {
	g.gw.Lock()
	defer g.gw.Unlock()
	g.closed = true
	for c := range g.conns {
		_ = c.ws.Close()
	}
	g.live = nil
}

// WaitReady waits until a client has identified or resumed on the gateway.
func (s *Server) WaitReady(ctx context.Context) error {
	if err := s.waitFor(ctx, func() bool { return s.connected }); err != nil {
		return fmt.Errorf("discordtest: gateway not ready: %w", err)
	}
	return nil
}

// WaitSessions waits until n gateway sessions have started (READY sent) since
// the fake started. A test that restarts the bot waits for the new session
// before its next event: dispatches between two sessions are lost, as on Discord.
func (s *Server) WaitSessions(ctx context.Context, n int) error {
	got := 0
	err := s.waitFor(ctx, func() bool {
		got = s.sessions
		return got >= n
	})
	if err != nil {
		return fmt.Errorf("discordtest: %d of %d gateway sessions started: %w", got, n, err)
	}
	return nil
}

// Sessions counts the gateway sessions started (READY sent) so far.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Identifies and Resumes count the IDENTIFY and RESUME requests so far.
func (s *Server) Identifies() int {
	s.gw.Lock()
	defer s.gw.Unlock()
	return s.identifies
}

// Resumes counts the RESUME requests so far.
func (s *Server) Resumes() int {
	s.gw.Lock()
	defer s.gw.Unlock()
	return s.resumes
}

// Intents returns the intents of the last IDENTIFY.
func (s *Server) Intents() int {
	s.gw.Lock()
	defer s.gw.Unlock()
	return s.lastIntents
}

// DropGateway closes every gateway connection abruptly, without a close frame,
// as a network failure would. Dispatches until the client resumes are kept and
// replayed after the sequence number the client resumes from.
func (s *Server) DropGateway() {
	s.gw.Lock()
	defer s.gw.Unlock()
	for c := range s.conns {
		_ = c.ws.Close()
	}
	s.setLiveLocked(nil)
}

// CloseWithCode closes every gateway connection with a close frame carrying code,
// and closes every later session with it too, right after IDENTIFY or RESUME, as
// Discord keeps doing for 4004 (bad token) or 4014 (disallowed intents).
func (s *Server) CloseWithCode(code int) {
	s.gw.Lock()
	defer s.gw.Unlock()
	s.closeCode = code
	for c := range s.conns {
		c.closeWith(code, "closed by test")
	}
	s.setLiveLocked(nil)
}

// StallNextOpen makes the next IDENTIFY go unanswered: no READY ever comes, and a
// client waiting for it waits forever unless it gives up.
func (s *Server) StallNextOpen() {
	s.gw.Lock()
	defer s.gw.Unlock()
	s.stallNext = true
}

// ReconnectDuringNextOpen answers the next IDENTIFY with RECONNECT (op 7) instead
// of READY, the case that deadlocks discordgo's Open.
func (s *Server) ReconnectDuringNextOpen() {
	s.gw.Lock()
	defer s.gw.Unlock()
	s.reconnNext = true
}

// SendDM has a user write text to the bot in their DM channel.
func (s *Server) SendDM(userID, text string) {
	s.mu.Lock()
	ch := s.dmLocked(userID)
	payload := map[string]any{
		"id": s.newIDLocked(), "channel_id": ch, "author": userJSON(userID), "content": text,
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano), "type": 0,
		"mentions": []any{}, "attachments": []any{}, "embeds": []any{}, "components": []any{},
	}
	s.mu.Unlock()
	s.dispatch("MESSAGE_CREATE", payload)
}

// SendGuildMessage has a user write text in a server channel the bot can see.
func (s *Server) SendGuildMessage(userID, guildID, text string) {
	s.mu.Lock()
	ch := s.guildChannelLocked(guildID)
	payload := map[string]any{
		"id": s.newIDLocked(), "channel_id": ch, "guild_id": guildID, "author": userJSON(userID),
		"member": map[string]any{"roles": []any{}}, "content": text,
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano), "type": 0,
		"mentions": []any{}, "attachments": []any{}, "embeds": []any{}, "components": []any{},
	}
	s.mu.Unlock()
	s.dispatch("MESSAGE_CREATE", payload)
}

// dispatch numbers an event, keeps it for RESUME and sends it to the live
// connection, if any.
func (s *Server) dispatch(event string, payload any) {
	data, err := json.Marshal(payload)
	if err != nil {
		s.tb.Errorf("discordtest: encode %s: %v", event, err)
		return
	}
	s.gw.Lock()
	defer s.gw.Unlock()
	s.seq++
	seq := s.seq
	f := frame{Op: opDispatch, D: data, S: &seq, T: event}
	s.backlog = append(s.backlog, f)
	if s.live != nil {
		if err := s.live.send(f); err != nil {
			s.setLiveLocked(nil)
		}
	}
}

func (s *Server) setLiveLocked(c *conn) {
	s.live = c
	s.mu.Lock()
	s.connected = c != nil
	s.notifyLocked()
	s.mu.Unlock()
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws}
	s.gw.Lock()
	if s.closed {
		s.gw.Unlock()
		_ = ws.Close()
		return
	}
	s.conns[c] = true
	s.wg.Add(1)
	s.gw.Unlock()
	defer func() {
		s.gw.Lock()
		delete(s.conns, c)
		if s.live == c {
			s.setLiveLocked(nil)
		}
		s.gw.Unlock()
		_ = ws.Close()
		s.wg.Done()
	}()

	hello, _ := json.Marshal(map[string]any{"heartbeat_interval": heartbeatInterval.Milliseconds()})
	if err := c.send(frame{Op: opHello, D: hello}); err != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			c.closeWith(4002, "Error while decoding payload.")
			return
		}
		switch f.Op {
		case opHeartbeat:
			if err := c.send(frame{Op: opHeartbeatAck, D: json.RawMessage("null")}); err != nil {
				return
			}
		case opIdentify:
			s.identify(c, f.D)
		case opResume:
			s.resume(c, f.D)
		}
	}
}

// tokenOK accepts the token with or without the "Bot " prefix: discordgo sends
// whatever it was given.
func (s *Server) tokenOK(token string) bool {
	return strings.TrimPrefix(token, "Bot ") == s.token
}

func (s *Server) identify(c *conn, d json.RawMessage) {
	var id struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
	}
	_ = json.Unmarshal(d, &id)

	s.gw.Lock()
	defer s.gw.Unlock()
	s.identifies++
	s.lastIntents = id.Intents
	switch {
	case !s.tokenOK(id.Token):
		c.closeWith(4004, "Authentication failed.")
		return
	case s.closeCode != 0:
		c.closeWith(s.closeCode, "closed by test")
		return
	case id.Intents&privilegedIntents != 0:
		c.closeWith(4014, "Disallowed intent(s).")
		return
	case s.stallNext:
		s.stallNext = false
		return
	case s.reconnNext:
		s.reconnNext = false
		_ = c.send(frame{Op: opReconnect, D: json.RawMessage("null")})
		return
	}

	// A new session starts numbering again. Dispatches made before the very first
	// session are delivered after READY, so a test need not wait for the gateway
	// before its first message; later sessions start empty, as on Discord.
	first := s.sessionID == ""
	pending := s.backlog
	s.sessionID = "session-" + randomHex(8)
	s.seq = 0
	s.backlog = nil
	ready, _ := json.Marshal(map[string]any{
		"v": 9, "session_id": s.sessionID, "resume_gateway_url": s.gatewayURL(),
		"user": s.botUser(), "application": map[string]any{"id": s.appID, "flags": 0},
		"guilds": []any{}, "private_channels": []any{},
	})
	s.seq++
	seq := s.seq
	if err := c.send(frame{Op: opDispatch, D: ready, S: &seq, T: "READY"}); err != nil {
		return
	}
	s.setLiveLocked(c)
	s.mu.Lock()
	s.sessions++
	s.notifyLocked()
	s.mu.Unlock()
	if !first {
		return
	}
	for _, f := range pending {
		s.seq++
		seq := s.seq
		f.S = &seq
		s.backlog = append(s.backlog, f)
		if err := c.send(f); err != nil {
			s.setLiveLocked(nil)
			return
		}
	}
}

func (s *Server) resume(c *conn, d json.RawMessage) {
	var rs struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	_ = json.Unmarshal(d, &rs)

	s.gw.Lock()
	defer s.gw.Unlock()
	s.resumes++
	switch {
	case !s.tokenOK(rs.Token):
		c.closeWith(4004, "Authentication failed.")
		return
	case s.closeCode != 0:
		c.closeWith(s.closeCode, "closed by test")
		return
	case rs.SessionID == "" || rs.SessionID != s.sessionID:
		_ = c.send(frame{Op: opInvalidSession, D: json.RawMessage("false")})
		return
	}
	for _, f := range s.backlog {
		if *f.S > rs.Seq {
			if err := c.send(f); err != nil {
				return
			}
		}
	}
	seq := s.seq
	if err := c.send(frame{Op: opDispatch, D: json.RawMessage("{}"), S: &seq, T: "RESUMED"}); err != nil {
		return
	}
	s.setLiveLocked(c)
}
