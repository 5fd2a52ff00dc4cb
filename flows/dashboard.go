package flows

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
)

// Kinds of WebToken.
const (
	WebLink    = "link"    // the one-time link /dashboard sends
	WebSession = "session" // a browser's session, started by a link
)

// WebLinkTTL is how long a /dashboard link works: long enough to open it on
// the desk's computer, short enough that a forwarded chat is no key.
const WebLinkTTL = 15 * time.Minute

// WebToken is a token of the coach's web view, kept only as its SHA-256, so
// a copy of the database opens nothing.
type WebToken struct {
	Hash      string
	CoachID   string
	Kind      string // WebLink or WebSession
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // when a link was opened
}

// WebConfig is the coach's web view as the engine sees it. The zero value
// leaves /dashboard answering that the web view is off, and digests without
// a chart.
type WebConfig struct {
	// URL is the web view's public address, such as https://coach.example.
	URL string
	// DigestChart draws the weekly digest's chart as a PNG; nil sends none.
	DigestChart func(DigestChart) ([]byte, error)
}

// dashboardRoute is /dashboard: a coach's one-time link to the web view, or
// "/dashboard off" to end every session it started.
func dashboardRoute() *Route {
	return &Route{Name: "dashboard", Help: "cmd.dashboard", Coach: true, Run: runDashboard,
		Args: []bot.Arg{{Name: "off", Description: "off: sign out of the web view everywhere"}}}
}

func runDashboard(s *Session, args string) error {
	if strings.EqualFold(strings.TrimSpace(args), "off") {
		n, err := s.tx.EndWebTokens(s.msg.UserID, s.now)
		if err != nil {
			return err
		}
		return s.say("dashboard.off", "count", fmt.Sprint(n))
	}
	base := strings.TrimRight(s.e.cfg.Web.URL, "/")
	if base == "" {
		return s.say("dashboard.disabled")
	}
	token := rand.Text()
	w := WebToken{Hash: HashWebToken(token), CoachID: s.msg.UserID, Kind: WebLink, CreatedAt: s.now, ExpiresAt: s.now.Add(WebLinkTTL)}
	if err := s.tx.AddWebToken(w); err != nil {
		return fmt.Errorf("dashboard link: %w", err)
	}
	return s.say("dashboard.link", "url", base+"/login/"+token, "minutes", fmt.Sprint(int(WebLinkTTL/time.Minute)))
}

// HashWebToken is how a web token is kept and looked up.
func HashWebToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ErrWebLinkSpent is returned for a link that was used or has expired: the
// coach asks the bot for a new one.
var ErrWebLinkSpent = errors.New("web link used or expired")

// CheckWebLink reports whether a /dashboard link would open the web view,
// without spending it: ErrWebLinkSpent when used or expired, ErrNotFound
// when unknown.
func (e *Engine) CheckWebLink(ctx context.Context, token string) error {
	return e.store.View(ctx, func(tx Tx) error {
		w, err := tx.WebToken(HashWebToken(token))
		if err != nil {
			return err
		}
		if w.Kind != WebLink {
			return ErrNotFound
		}
		if !w.UsedAt.IsZero() || !e.now().Before(w.ExpiresAt) {
			return ErrWebLinkSpent
		}
		return nil
	})
}

// OpenWebLink spends a /dashboard link and starts a session of ttl in its
// place: it returns the session's token, to keep in a cookie. A used or
// expired link is ErrWebLinkSpent, an unknown one ErrNotFound.
func (e *Engine) OpenWebLink(ctx context.Context, token string, ttl time.Duration) (string, error) {
	session := rand.Text()
	err := e.store.Update(ctx, func(tx Tx) error {
		now := e.now()
		link, err := tx.UseWebToken(HashWebToken(token), now)
		if errors.Is(err, ErrNotFound) {
			if _, err := tx.WebToken(HashWebToken(token)); err == nil {
				return ErrWebLinkSpent
			}
		}
		if err != nil {
			return err
		}
		return tx.AddWebToken(WebToken{Hash: HashWebToken(session), CoachID: link.CoachID, Kind: WebSession,
			CreatedAt: now, ExpiresAt: now.Add(ttl)})
	})
	if err != nil {
		return "", err
	}
	return session, nil
}

// WebCoach returns the coach a session token belongs to; ErrNotFound when
// it is unknown, expired, ended by "/dashboard off", or its coach is gone.
func (e *Engine) WebCoach(ctx context.Context, session string) (string, error) {
	var coachID string
	err := e.store.View(ctx, func(tx Tx) error {
		w, err := tx.WebToken(HashWebToken(session))
		if err != nil {
			return err
		}
		if w.Kind != WebSession || !e.now().Before(w.ExpiresAt) {
			return ErrNotFound
		}
		if _, err := tx.Coach(w.CoachID); err != nil {
			return err
		}
		coachID = w.CoachID
		return nil
	})
	return coachID, err
}

// EndWebSessions signs a coach out of the web view everywhere, as
// "/dashboard off" does.
func (e *Engine) EndWebSessions(ctx context.Context, coachID string) error {
	return e.store.Update(ctx, func(tx Tx) error {
		_, err := tx.EndWebTokens(coachID, e.now())
		return err
	})
}
