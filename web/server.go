// Package web is the coach's web view: every client at a glance, one client
// in full with charts, and the brief before a session, print-friendly. It is
// net/http and html/template with embedded assets, in the bot's own process,
// and reads through the same client view the bot's messages are written
// from. A coach opens it with a one-time link the bot sends (/dashboard);
// nothing else logs in.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/internal/serve"
)

//go:embed templates/*.html assets/*
var files embed.FS

// Views is what the web view reads and the sessions it keeps: the flows
// engine.
type Views interface {
	CheckWebLink(ctx context.Context, token string) error
	OpenWebLink(ctx context.Context, token string, ttl time.Duration) (string, error)
	WebCoach(ctx context.Context, session string) (string, error)
	EndWebSessions(ctx context.Context, coachID string) error
	CoachOverview(ctx context.Context, coachID string) (flows.CoachOverview, error)
	CoachClient(ctx context.Context, coachID, clientID string) (flows.ClientPage, error)
	CoachBrief(ctx context.Context, coachID, clientID string) (flows.ClientBrief, error)
}

var _ Views = (*flows.Engine)(nil)

// Config is the web view's configuration; New fills the documented defaults.
type Config struct {
	Views Views // required
	// Listen is the address to serve on, such as 127.0.0.1:8080.
	Listen string
	// PublicURL is where coaches reach it; an https URL makes the cookie
	// Secure and adds Strict-Transport-Security.
	PublicURL string
	// Session is how long a browser stays signed in (default 12h).
	Session time.Duration
	// Catalogs are the words by language; Language is the default one.
	Catalogs map[string]*flows.Catalog // required
	Language string
	// LoginPerMinute and LoginBurst limit tries at the login per address
	// (defaults 10 and 10).
	LoginPerMinute float64
	LoginBurst     int
	Logger         *slog.Logger
}

// Server serves the web view. Open starts it, Close stops it.
type Server struct {
	cfg     Config
	pages   *template.Template
	assets  fs.FS
	logins  *limiter
	secure  bool
	logger  *slog.Logger
	running *serve.Running
	handler http.Handler
}

// New checks cfg and parses the templates; it listens on nothing yet.
func New(cfg Config) (*Server, error) {
	if cfg.Views == nil || len(cfg.Catalogs) == 0 {
		return nil, errors.New("web: Views and Catalogs are required")
	}
	if cfg.Session <= 0 {
		cfg.Session = 12 * time.Hour
	}
	if cfg.LoginPerMinute <= 0 {
		cfg.LoginPerMinute = 10
	}
	if cfg.LoginBurst <= 0 {
		cfg.LoginBurst = 10
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Catalogs[cfg.Language] == nil {
		cfg.Language = "en"
	}
	pages, err := template.New("").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	assets, _ := fs.Sub(files, "assets")
	s := &Server{cfg: cfg, pages: pages, assets: assets, logger: cfg.Logger,
		logins: newLimiter(cfg.LoginPerMinute, cfg.LoginBurst),
		secure: strings.HasPrefix(cfg.PublicURL, "https://")}
	s.handler = s.routes()
	return s, nil
}

// Handler is the web view as an http.Handler, for tests and for mounting.
func (s *Server) Handler() http.Handler { return s.handler }

// Open listens on cfg.Listen and serves until Close.
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("web: listen %s: %w", s.cfg.Listen, err)
	}
	s.running = serve.Start(&http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn)}, ln)
	s.logger.Info("web view started", "listen", ln.Addr().String())
	return nil
}

// Addr is the address the server listens on, once open.
func (s *Server) Addr() string { return s.running.Addr() }

// Close stops taking requests, lets those in flight finish for a few
// seconds, and waits for the server to stop.
func (s *Server) Close() error {
	err := s.running.Close(5 * time.Second)
	s.running = nil
	return err
}

// routes is the web view's URL space.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", s.static(http.FileServerFS(s.assets))))
	mux.HandleFunc("GET /login/{token}", s.limited(s.loginPage))
	mux.HandleFunc("POST /login/{token}", s.limited(s.login))
	mux.HandleFunc("POST /logout", s.coach(s.logout))
	mux.HandleFunc("GET /{$}", s.coach(s.overview))
	mux.HandleFunc("GET /clients/{id}", s.coach(s.client))
	mux.HandleFunc("GET /clients/{id}/brief", s.coach(s.brief))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.message(w, r, s.cfg.Language, http.StatusNotFound, "web.not_found")
	})
	return s.headers(mux)
}

// headers sets the security headers on every response: no script at all, no
// inline style, no framing, no referrer (a login link in a Referer would be
// a key), and nothing of a page kept in caches.
func (s *Server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "+
			"frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !strings.HasPrefix(r.URL.Path, "/assets/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// static serves the embedded assets, cacheable for a day.
func (s *Server) static(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		next.ServeHTTP(w, r)
	})
}
