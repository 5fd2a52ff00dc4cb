package discord

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/coachbot/coachbot/bot"
)

// intents are the gateway events the bot asks for: direct messages only, which
// carry both DM messages and nothing from servers. Reading message text normally
// needs the privileged MESSAGE_CONTENT intent, switched on in the developer portal,
// but Discord exempts DMs to the bot from it, so this bot needs no privileged
// intent at all. Slash commands and button presses arrive as INTERACTION_CREATE
// whatever the intents.
const intents = discordgo.IntentsDirectMessages

const (
	// abandonGrace is how long an interrupted Open gets to return once its
	// connection is closed, before the session is given up as stuck.
	abandonGrace = 2 * time.Second
	// freshAfter is how many failed opens in a row make Run stop resuming and
	// start a new session.
	freshAfter = 3
)

var errOpenTimeout = errors.New("gateway open timed out")

// Run connects to the gateway and hands every direct message, slash command and
// button press to h, each chat's in order, chats in parallel. It keeps the
// connection up, resuming after drops so no event is lost or repeated, until ctx
// is cancelled, and then returns nil once the handlers in flight have returned.
// It returns an error when Discord refuses the bot for good (close code 4004 bad
// token, 4014 disallowed intents and the like), which retrying cannot fix.
//
// The only intent requested is DirectMessages: DMs to a bot are exempt from the
// privileged message-content intent, so nothing needs enabling in the developer
// portal.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	if !a.running.CompareAndSwap(false, true) {
		return errors.New("discord: already running")
	}
	defer a.running.Store(false)
	a.health.run(true)
	defer a.health.run(false)
	in := newInbox(ctx, a, h)
	err := a.supervise(ctx, in)
	in.close()
	return err
}

// supervise opens the gateway, waits for the connection to drop, and opens it
// again: first resuming the same session, after repeated failures with a new one.
func (a *Adapter) supervise(ctx context.Context, in *inbox) error {
	var g *gatewaySession
	defer func() {
		if g != nil {
			g.close()
		}
	}()
	// failures counts failed opens of the current session; attempts those
	// since the last success, which set the backoff.
	failures, attempts := 0, 0
	for {
		if g == nil {
			g = a.newGateway(in)
			failures = 0
		}
		err := g.open(ctx, a.cfg.OpenTimeout)
		if ctx.Err() != nil {
			if g.stuck {
				g = nil
			}
			return nil
		}
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			failures, attempts = 0, 0
			select {
			case <-ctx.Done():
				return nil
			case <-g.down:
				a.log.Warn("gateway connection lost, resuming")
				continue
			}
		}

		var closed *websocket.CloseError
		if errors.As(err, &closed) {
			if reason, fatal := fatalClose(closed.Code); fatal {
				return fmt.Errorf("discord: gateway refused the bot with close code %d: %s", closed.Code, reason)
			}
		}
		failures++
		switch {
		case g.stuck:
			// discordgo's Open deadlocks when RECONNECT arrives before READY; the
			// session is left behind and a new one starts.
			a.log.Error("gateway open stuck, starting a new session", "err", err)
			g = nil
		case closed != nil && (closed.Code == 4007 || closed.Code == 4009), failures >= freshAfter:
			g.close()
			g = nil
		}
		attempts++
		a.health.set(false, "gateway open failed: "+err.Error())
		wait := bot.Backoff(a.backoff, a.maxBackoff, attempts)
		a.log.Warn("gateway open failed", "err", err, "attempt", failures, "retry_in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// fatalClose tells which gateway close codes no reconnect can fix.
func fatalClose(code int) (reason string, fatal bool) {
	switch code {
	case 4004:
		return "authentication failed, the token was rejected", true
	case 4010:
		return "invalid shard", true
	case 4011:
		return "sharding required", true
	case 4012:
		return "invalid API version", true
	case 4013:
		return "invalid intents", true
	case 4014:
		return "disallowed intents: a privileged intent is requested that is not enabled for this bot in the Discord developer portal", true
	}
	return "", false
}

// gatewaySession is one discordgo session used for the gateway. Its REST calls are
// limited to fetching the gateway URL; everything else goes through Adapter.rest.
type gatewaySession struct {
	s *discordgo.Session
	// down receives a value when the connection closes after a successful open.
	down chan struct{}
	// stuck is set when Open did not return even after its connection was
	// closed; the session is never touched again.
	stuck bool

	mu   sync.Mutex
	conn net.Conn // the latest gateway connection, closed to interrupt Open
}

func (a *Adapter) newGateway(in *inbox) *gatewaySession {
	g := &gatewaySession{s: a.newSession(), down: make(chan struct{}, 1)}
	g.s.Dialer = &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: 45 * time.Second,
		NetDialContext:   g.dial,
	}
	g.s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { in.message(m.Message) })
	g.s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { in.interaction(i.Interaction) })
	g.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		a.health.set(false, "gateway connection lost")
		select {
		case g.down <- struct{}{}:
		default:
		}
	})
	g.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Ready) {
		a.health.set(true, "")
		a.log.Info("gateway session started")
	})
	g.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
		a.health.set(true, "")
		a.log.Info("gateway session resumed")
	})
	return g
}

func (g *gatewaySession) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.conn = c
	g.mu.Unlock()
	return c, nil
}

// open runs discordgo's Open, which blocks until READY or RESUMED and has no
// timeout of its own, under a timeout and ctx. When either ends first, the
// connection is closed so Open returns; if it still does not, the session is
// marked stuck and its goroutine is left to discordgo.
func (g *gatewaySession) open(ctx context.Context, timeout time.Duration) error {
	select {
	case <-g.down:
	default:
	}
	done := make(chan error, 1)
	go func() { done <- g.s.Open() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var cause error
	select {
	case err := <-done:
		return err
	case <-timer.C:
		cause = errOpenTimeout
	case <-ctx.Done():
		cause = ctx.Err()
	}
	g.mu.Lock()
	if g.conn != nil {
		_ = g.conn.Close()
	}
	g.mu.Unlock()
	grace := time.NewTimer(abandonGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		g.stuck = true
	}
	return cause
}

// close closes the gateway connection; discordgo waits a second after sending the
// close frame.
func (g *gatewaySession) close() {
	if g.stuck {
		return
	}
	_ = g.s.Close()
}
