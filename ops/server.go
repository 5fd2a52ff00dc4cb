// Package ops is how a monitoring system sees the bot: an HTTP server with
// /healthz (the process is alive), /readyz (the database takes writes and every
// configured platform is connected) and /metrics (Prometheus), and the metrics
// themselves, in a set of their own.
//
// Nothing here knows about coaching, a platform's SDK or SQLite: readiness
// checks come in as small Checker values, and the counts kept in storage come
// in through a StatsFunc. No metric label carries client data.
package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coachbot/coachbot/internal/serve"
)

// Checker reports whether one thing the bot needs is ready; nil means ready.
// The error says what is wrong, in one line, for a person reading /readyz.
type Checker interface {
	Ready(ctx context.Context) error
}

// CheckerFunc adapts a function to a Checker.
type CheckerFunc func(ctx context.Context) error

// Ready calls f.
func (f CheckerFunc) Ready(ctx context.Context) error { return f(ctx) }

// checkTimeout bounds one readiness check: a check that hangs is not ready.
const checkTimeout = 3 * time.Second

// Server serves /healthz, /readyz and /metrics. Checks may be added while it
// runs: the platforms connect after the server has started, so a probe during
// start-up sees the bot alive but not yet ready.
type Server struct {
	metrics *Metrics
	logger  *slog.Logger

	mu     sync.Mutex
	names  []string
	checks map[string]Checker

	started  atomic.Bool
	stopping atomic.Bool

	running *serve.Running
}

// NewServer returns a server for metrics (nil serves no /metrics). Add checks,
// then Start; call Started once everything is up.
func NewServer(metrics *Metrics, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{metrics: metrics, logger: logger, checks: make(map[string]Checker)}
}

// Check adds a readiness check under name ("database", "telegram"); a second
// check of the same name replaces the first.
func (s *Server) Check(name string, c Checker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.checks[name]; !ok {
		s.names = append(s.names, name)
	}
	s.checks[name] = c
}

// Started marks start-up as done: from now on /readyz reports the checks.
func (s *Server) Started() { s.started.Store(true) }

// Stopping marks the bot as shutting down: /readyz fails from now on, so a
// load balancer or supervisor stops counting on it while it drains.
func (s *Server) Stopping() { s.stopping.Store(true) }

// Handler is the server's routes, for tests and for mounting elsewhere.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	if s.metrics != nil {
		mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
			s.metrics.WritePrometheus(w)
		})
	}
	return mux
}

// ready answers 200 when every check passes, 503 otherwise, with one line
// per check either way.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	lines, ok := s.Report(r.Context())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	fmt.Fprintln(w, strings.Join(lines, "\n"))
}

// Report runs every check at once and returns one line per check, in the
// order they were added, and whether all passed.
func (s *Server) Report(ctx context.Context) (lines []string, ok bool) {
	switch {
	case s.stopping.Load():
		return []string{"stopping"}, false
	case !s.started.Load():
		return []string{"starting"}, false
	}
	s.mu.Lock()
	names := append([]string(nil), s.names...)
	checks := make([]Checker, len(names))
	for i, n := range names {
		checks[i] = s.checks[n]
	}
	s.mu.Unlock()

	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, checkTimeout)
			defer cancel()
			errs[i] = run(cctx, c)
		})
	}
	wg.Wait()
	ok = true
	for i, n := range names {
		if errs[i] != nil {
			ok = false
			lines = append(lines, n+": "+oneLine(errs[i]))
		} else {
			lines = append(lines, n+": ok")
		}
	}
	if len(lines) == 0 {
		lines = []string{"ok"}
	}
	return lines, ok
}

// run runs one check, giving up when ctx ends even if the check does not.
func run(ctx context.Context, c Checker) error {
	done := make(chan error, 1)
	go func() { done <- c.Ready(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return errors.New("no answer in time")
	}
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// Start listens on addr ("127.0.0.1:9090") and serves in the background
// until Close. It fails at once when the address cannot be bound.
func (s *Server) Start(ctx context.Context, addr string) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("ops.listen %s: %w", addr, err)
	}
	s.running = serve.Start(&http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}, ln)
	s.logger.Info("health and metrics listening", "listen", ln.Addr().String())
	return nil
}

// Addr is the address the server listens on, once started.
func (s *Server) Addr() string { return s.running.Addr() }

// Close stops the server, letting requests in flight finish for a moment.
func (s *Server) Close() error {
	err := s.running.Close(2 * time.Second)
	s.running = nil
	return err
}
