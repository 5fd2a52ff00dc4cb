package main

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/web"
)

// WebConfig is the coach's web view: off until listen is set.
type WebConfig struct {
	// Listen is the address to serve on, such as 127.0.0.1:8080; put a
	// reverse proxy with TLS in front of it.
	Listen string `yaml:"listen"`
	// PublicURL is where coaches reach it; /dashboard links start with it.
	PublicURL string `yaml:"public_url"`
	// Session is how long a browser stays signed in (default 12h).
	Session Duration `yaml:"session"`
}

// check validates the web keys, naming the first one that is wrong.
func (w WebConfig) check() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: web.%s: %s", key, fmt.Sprintf(format, args...))
	}
	if w.Listen == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(w.Listen); err != nil {
		return bad("listen", "%q is not an address like 127.0.0.1:8080", w.Listen)
	}
	if !strings.HasPrefix(w.PublicURL, "https://") && !strings.HasPrefix(w.PublicURL, "http://") {
		return bad("public_url", "must be the http(s) URL coaches open, such as https://coach.example.org")
	}
	if s := time.Duration(w.Session); s != 0 && (s < 5*time.Minute || s > 30*24*time.Hour) {
		return bad("session", "must be between 5m and 30d")
	}
	return nil
}

// session is how long a browser stays signed in.
func (w WebConfig) session() time.Duration {
	if w.Session == 0 {
		return 12 * time.Hour
	}
	return time.Duration(w.Session)
}

// engine is the web view as the engine sees it: with the web view on,
// /dashboard sends links and weekly digests carry their chart.
func (w WebConfig) engine(cat *flows.Catalog) flows.WebConfig {
	if w.Listen == "" {
		return flows.WebConfig{}
	}
	return flows.WebConfig{URL: w.PublicURL, DigestChart: web.DigestChart(cat)}
}

// startWeb serves the web view when web.listen is set, and returns what
// stops it.
func (a *app) startWeb() (stop func(), err error) {
	wc := a.cfg.Web
	if wc.Listen == "" {
		return func() {}, nil
	}
	cats := map[string]*flows.Catalog{}
	for _, lang := range flows.Languages() {
		if lang == a.catalog.Language() {
			cats[lang] = a.catalog // with the configured rewordings
			continue
		}
		if cats[lang], err = flows.LoadCatalog(lang, ""); err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
	}
	s, err := web.New(web.Config{Views: a.engine, PublicURL: wc.PublicURL, Listen: wc.Listen, Session: wc.session(),
		Catalogs: cats, Language: a.cfg.Messages.Language, Logger: a.logger.With("component", "web")})
	if err != nil {
		return nil, err
	}
	if err := s.Open(); err != nil {
		return nil, err
	}
	return func() {
		if err := s.Close(); err != nil {
			a.logger.Error("stop web view", "err", err)
		}
	}, nil
}
