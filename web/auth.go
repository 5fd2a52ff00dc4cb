package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/coachbot/coachbot/flows"
)

// cookieName names the session cookie. It holds a random token; the
// database keeps only its hash.
const cookieName = "coachbot_session"

type coachKey struct{}

// coach lets a request through only with a session cookie that works, and
// hands the handler the coach it belongs to. Without one the page says how
// to get in: ask the bot for a link.
func (s *Server) coach(next func(w http.ResponseWriter, r *http.Request, coachID string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		if err != nil || c.Value == "" || len(c.Value) > 64 {
			s.message(w, r, s.language(r), http.StatusUnauthorized, "web.signin_needed")
			return
		}
		coachID, err := s.cfg.Views.WebCoach(r.Context(), c.Value)
		switch {
		case errors.Is(err, flows.ErrNotFound):
			s.forget(w)
			s.message(w, r, s.language(r), http.StatusUnauthorized, "web.signin_needed")
			return
		case err != nil:
			s.fail(w, r, s.language(r), "session", err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), coachKey{}, coachID)), coachID)
	}
}

// loginPage is where a /dashboard link leads. It spends nothing: a chat
// app's link preview fetches it too. The coach's press of the button
// (a POST from this very page) opens the session, and because that request
// starts on this site, the browser sends the SameSite=Strict cookie on the
// way to the overview.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	lang := s.language(r)
	token := r.PathValue("token")
	err := s.cfg.Views.CheckWebLink(r.Context(), token)
	switch {
	case errors.Is(err, flows.ErrNotFound), errors.Is(err, flows.ErrWebLinkSpent):
		s.message(w, r, lang, http.StatusGone, "web.login_spent")
		return
	case err != nil:
		s.fail(w, r, lang, "check link", err)
		return
	}
	s.render(w, r, http.StatusOK, "login", &page{lang: lang, cat: s.cat(lang), Title: s.cat(lang).Text("web.login_heading"),
		Data: r.URL.Path})
}

// login spends the link and starts a session in a cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	lang := s.language(r)
	session, err := s.cfg.Views.OpenWebLink(r.Context(), r.PathValue("token"), s.cfg.Session)
	switch {
	case errors.Is(err, flows.ErrNotFound), errors.Is(err, flows.ErrWebLinkSpent):
		s.message(w, r, lang, http.StatusGone, "web.login_spent")
		return
	case err != nil:
		s.fail(w, r, lang, "open link", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: session, Path: "/", MaxAge: int(s.cfg.Session / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure || r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends every session of the coach, as "/dashboard off" does.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, coachID string) {
	if err := s.cfg.Views.EndWebSessions(r.Context(), coachID); err != nil {
		s.fail(w, r, s.language(r), "logout", err)
		return
	}
	s.forget(w)
	s.message(w, r, s.language(r), http.StatusOK, "web.signed_out")
}

// forget tells the browser to drop the session cookie.
func (s *Server) forget(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secure})
}

// limited lets each address try the login a few times a minute.
func (s *Server) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if !s.logins.allow(host) {
			w.Header().Set("Retry-After", "60")
			s.message(w, r, s.language(r), http.StatusTooManyRequests, "web.too_many")
			return
		}
		next(w, r)
	}
}

// limiter is a token bucket per address. Behind a reverse proxy every
// request comes from the proxy, and the limit holds for all together.
type limiter struct {
	mu     sync.Mutex
	every  rate.Limit
	burst  int
	byAddr map[string]*rate.Limiter
}

// limiterMax is how many addresses the limiter remembers before starting
// afresh.
const limiterMax = 10000

func newLimiter(perMinute float64, burst int) *limiter {
	return &limiter{every: rate.Limit(perMinute / 60), burst: burst, byAddr: map[string]*rate.Limiter{}}
}

func (l *limiter) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.byAddr[addr]
	if b == nil {
		if len(l.byAddr) >= limiterMax {
			clear(l.byAddr)
		}
		b = rate.NewLimiter(l.every, l.burst)
		l.byAddr[addr] = b
	}
	return b.Allow()
}
