package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// page is what every template gets: the words in the page's language, the
// coach's zone for dates, and the page's own data.
type page struct {
	lang  string
	cat   *flows.Catalog
	zone  *time.Location
	Title string
	// SignedIn shows the sign-out button.
	SignedIn bool
	Data     any
}

// Lang is the page's language, for <html lang>.
func (p *page) Lang() string { return p.lang }

// T says a catalog key with its placeholders.
func (p *page) T(key string, pairs ...string) string { return p.cat.Text(key, pairs...) }

// Date says a day the short way ("Mon 2 Jan", "Mo, 2. Jan.").
func (p *page) Date(t time.Time) string { return sayDate(p.cat, t.In(p.where()), "day") }

// DateTime says a day and time.
func (p *page) DateTime(t time.Time) string { return sayDate(p.cat, t.In(p.where()), "time") }

// ISO is a moment for <time datetime>.
func (p *page) ISO(t time.Time) string { return t.UTC().Format("2006-01-02T15:04Z") }

func (p *page) where() *time.Location {
	if p.zone == nil {
		return time.UTC
	}
	return p.zone
}

// sayDate says a day in the catalog's words: "Mon 2 Jan", or with the time
// "Mon 2 Jan, 15:04".
func sayDate(cat *flows.Catalog, t time.Time, form string) string {
	if form == "time" {
		return cat.Date(t, "short") + ", " + t.Format("15:04")
	}
	return cat.Date(t, "short")
}

// overviewRow is one client in the overview.
type overviewRow struct {
	flows.ClientGlance
	Spark template.HTML
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, coachID string) {
	o, err := s.cfg.Views.CoachOverview(r.Context(), coachID)
	if err != nil {
		s.fail(w, r, s.language(r), "overview", err)
		return
	}
	p := s.coachPage(o.Lang, o.Zone)
	p.Title = p.T("web.title")
	rows, err := overviewRows(p, o)
	if err != nil {
		s.fail(w, r, p.lang, "overview", err)
		return
	}
	p.Data = struct {
		Now  time.Time
		Rows []overviewRow
	}{o.Now, rows}
	s.render(w, r, http.StatusOK, "overview", p)
}

// overviewRows draws each client's sparkline.
func overviewRows(p *page, o flows.CoachOverview) ([]overviewRow, error) {
	rows := make([]overviewRow, len(o.Clients))
	from := o.Now.AddDate(0, 0, -28)
	for i, c := range o.Clients {
		label := p.T("web.spark_none")
		if n := len(c.Energy); n > 0 {
			label = p.T("web.spark_alt", "count", strconv.Itoa(n), "last", strconv.Itoa(c.Energy[n-1].Value))
		}
		spark, err := sparkline(ratings(c.Energy), from, o.Now, label)
		if err != nil {
			return nil, err
		}
		rows[i] = overviewRow{ClientGlance: c, Spark: spark}
	}
	return rows, nil
}

func ratings(rs []flows.Rating) []point {
	pts := make([]point, len(rs))
	for i, r := range rs {
		pts[i] = point{r.At, float64(r.Value)}
	}
	return pts
}

// clientModel is the client page's data.
type clientModel struct {
	flows.ClientPage
	Energy, Challenge       template.HTML
	EnergyAlt, ChallengeAlt string
	Raise                   []string
	Skills                  []string
	// Shown are the check-ins in the table: the last weeks', or all;
	// Earlier counts those left out.
	Shown   []flows.CheckIn
	Earlier int
}

// tableWeeks is how many weeks of check-ins the client page lists unless
// asked for all; the charts show every one.
const tableWeeks = 8

func (s *Server) client(w http.ResponseWriter, r *http.Request, coachID string) {
	c, err := s.cfg.Views.CoachClient(r.Context(), coachID, r.PathValue("id"))
	if s.missing(w, r, err) {
		return
	}
	p := s.coachPage(c.Lang, c.Zone)
	p.Title = c.Name
	m := clientModel{ClientPage: c}
	day := func(t time.Time) string { return sayDate(p.cat, t.In(p.where()), "day") }
	if m.Energy, m.EnergyAlt, err = ratingChart(p, weekly(ratings(c.AllEnergy)), 1, 5, day); err != nil {
		s.fail(w, r, p.lang, "client chart", err)
		return
	}
	challenge := make([]point, len(c.Challenge))
	for i, ch := range c.Challenge {
		challenge[i] = point{ch.At, float64(map[string]int{"easy": 1, "right": 2, "hard": 3}[ch.Challenge])}
	}
	if m.Challenge, m.ChallengeAlt, err = ratingChart(p, weekly(challenge), 1, 3, day); err != nil {
		s.fail(w, r, p.lang, "client chart", err)
		return
	}
	m.Shown = c.CheckIns
	if r.URL.Query().Get("all") == "" {
		recent := c.Now.AddDate(0, 0, -7*tableWeeks)
		for i, ci := range c.CheckIns {
			if ci.At.Before(recent) {
				m.Shown, m.Earlier = c.CheckIns[:i], len(c.CheckIns)-i
				break
			}
		}
	}
	for _, x := range c.Raise {
		m.Raise = append(m.Raise, p.T(x.Key, x.Pairs...))
	}
	for _, sk := range c.Skills {
		var stages []string
		for _, st := range sk.Stages {
			stages = append(stages, fmt.Sprintf("%d %s (%s)", st.Value, p.T(fmt.Sprintf("stage.%d", st.Value)), p.Date(st.At)))
		}
		m.Skills = append(m.Skills, p.T("web.skill_line", "skill", sk.Skill, "stages", strings.Join(stages, " → ")))
	}
	p.Data = m
	s.render(w, r, http.StatusOK, "client", p)
}

// ratingChart draws ratings over time with the alt text that says the same.
func ratingChart(p *page, pts []point, lo, hi float64, day func(time.Time) string) (template.HTML, string, error) {
	if len(pts) == 0 {
		return "", p.T("web.chart_none"), nil
	}
	low, high := pts[0].v, pts[0].v
	for _, pt := range pts {
		low, high = min(low, pt.v), max(high, pt.v)
	}
	alt := p.T("web.chart_alt", "count", strconv.Itoa(len(pts)), "from", day(pts[0].at), "to", day(pts[len(pts)-1].at),
		"min", fmt.Sprint(low), "max", fmt.Sprint(high), "last", fmt.Sprint(pts[len(pts)-1].v))
	svg, err := timeChart(pts, lo, hi, day, alt)
	return svg, alt, err
}

// briefModel is the brief page's data.
type briefModel struct {
	flows.ClientBrief
	ID     string
	Lines  []string
	Energy template.HTML
	Alt    string
}

func (s *Server) brief(w http.ResponseWriter, r *http.Request, coachID string) {
	id := r.PathValue("id")
	b, err := s.cfg.Views.CoachBrief(r.Context(), coachID, id)
	if s.missing(w, r, err) {
		return
	}
	p := s.coachPage(b.Lang, b.Zone)
	p.Title = p.T("web.brief_heading", "name", b.Name)
	m := briefModel{ClientBrief: b, ID: id, Lines: strings.Split(b.Text, "\n")}
	day := func(t time.Time) string { return sayDate(p.cat, t.In(p.where()), "day") }
	if m.Energy, m.Alt, err = ratingChart(p, ratings(b.Energy), 1, 5, day); err != nil {
		s.fail(w, r, p.lang, "brief chart", err)
		return
	}
	p.Data = m
	s.render(w, r, http.StatusOK, "brief", p)
}

// missing answers a client that is not the coach's with 404, the same as
// one that does not exist, and reports whether it answered.
func (s *Server) missing(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, flows.ErrNotFound):
		s.message(w, r, s.language(r), http.StatusNotFound, "web.not_found")
	default:
		s.fail(w, r, s.language(r), "client", err)
	}
	return true
}

func (s *Server) coachPage(lang string, zone *time.Location) *page {
	if s.cfg.Catalogs[lang] == nil {
		lang = s.cfg.Language
	}
	return &page{lang: lang, cat: s.cat(lang), zone: zone, SignedIn: true}
}

// message answers with a page of one sentence.
func (s *Server) message(w http.ResponseWriter, r *http.Request, lang string, status int, key string) {
	p := &page{lang: lang, cat: s.cat(lang)}
	p.Title = p.T(key)
	s.render(w, r, status, "message", p)
}

// fail logs an error once and answers 500 without its details.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, lang, what string, err error) {
	s.logger.Error(what, "path", r.URL.Path, "err", err)
	s.message(w, r, lang, http.StatusInternalServerError, "web.error")
}

// render writes a page whole, or a plain 500 when the template fails.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var b bytes.Buffer
	if err := s.pages.ExecuteTemplate(&b, name, p); err != nil {
		s.logger.Error("render", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (s *Server) cat(lang string) *flows.Catalog {
	if c := s.cfg.Catalogs[lang]; c != nil {
		return c
	}
	return s.cfg.Catalogs[s.cfg.Language]
}

// language picks, before anyone is signed in, the language of the
// browser's Accept-Language that the bot speaks, else the default.
func (s *Server) language(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag, _, _ = strings.Cut(strings.ToLower(tag), "-")
		if s.cfg.Catalogs[tag] != nil {
			return tag
		}
	}
	return s.cfg.Language
}
