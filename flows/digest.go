package flows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/scheduler"
)

func showDigest(s *Session, _ string) error {
	coach, err := s.tx.Coach(s.msg.UserID)
	if err != nil {
		return err
	}
	since := s.now.AddDate(0, 0, -1)
	if coach.DigestWeekly {
		since = s.now.AddDate(0, 0, -7)
	}
	text, err := s.digest(coach, since)
	if err != nil {
		return err
	}
	return s.reply(bot.Reply{Text: text, Kind: DueDigest})
}

// sweepCoach sends a coach's due digest and plans the next.
func (e *Engine) sweepCoach(tx Tx, coachID string, due []Due, now time.Time) error {
	coach, err := tx.Coach(coachID)
	if errors.Is(err, ErrNotFound) {
		return dropAll(tx, due)
	}
	if err != nil {
		return err
	}
	latest := due[len(due)-1]
	if err := dropAll(tx, due[:len(due)-1]); err != nil {
		return err
	}
	p := scheduler.Prefs{Zone: zoneOf(coach.Zone)}
	if p.Fresh(latest.At, now, freshFor[DueDigest]) || latest.At.Equal(now) {
		s := &Session{e: e, tx: tx, now: now, kind: DueDigest,
			msg: bot.Message{ChatID: coach.ChatID, UserID: coach.ID, Name: coach.Name}}
		since := now.AddDate(0, 0, -1)
		if coach.DigestWeekly {
			since = now.AddDate(0, 0, -7)
		}
		if prev, err := tx.LatestDue(coach.ID, DueDigest); err == nil && !prev.SentAt.IsZero() && prev.SentAt.After(since) {
			since = prev.SentAt
		}
		news, err := e.digestHasNews(tx, coach.ID, since, now)
		if err != nil {
			return err
		}
		latest.Status = DueDropped // nothing new: no digest, no noise
		if news {
			text, err := s.digest(coach, since)
			if err != nil {
				return err
			}
			if err := s.reply(bot.Reply{Text: text}); err != nil {
				return err
			}
			latest.Status, latest.SentAt = DueSent, now
		}
	} else {
		latest.Status = DueDropped
	}
	if err := tx.UpdateDue(latest); err != nil {
		return err
	}
	return planCoach(tx, coach, now)
}

// clientView is what the bot knows about one client over a period, gathered
// once and rendered for the coach (without private reflections) or for the
// client.
type clientView struct {
	client      Client
	running     []Experiment
	tried       []Experiment // designed in the period
	allCheckIns []CheckIn    // every check-in ever, for "last check-in" and trends
	checkIns    []CheckIn    // in the period
	obstacles   []string     // in the period, including private ones
	rests       []NonAction  // in the period
	notes       []SessionNote
	unanswered  int // invitations in the period that got no reply
	competence  []competence
	raise       []string // catalog texts worth raising in the next session
}

// viewOf gathers a client's view for the period since.
func (e *Engine) viewOf(tx Tx, c Client, since, now time.Time) (clientView, error) {
	v := clientView{client: c}
	exps, err := tx.Experiments(c.ID, "")
	if err != nil {
		return v, err
	}
	for _, x := range exps {
		if x.Status == StatusRunning {
			v.running = append(v.running, x)
		}
		if !x.CreatedAt.Before(since) {
			v.tried = append(v.tried, x)
		}
	}
	if v.allCheckIns, err = tx.CheckIns(c.ID, time.Time{}); err != nil {
		return v, err
	}
	for _, ci := range v.allCheckIns {
		if !ci.At.Before(since) {
			v.checkIns = append(v.checkIns, ci)
			if ci.Obstacle != "" {
				v.obstacles = append(v.obstacles, ci.Obstacle)
			}
		}
	}
	if v.rests, err = tx.NonActions(c.ID, since); err != nil {
		return v, err
	}
	if v.notes, err = tx.SessionNotes(c.ID, since); err != nil {
		return v, err
	}
	dues, err := tx.DueSince(c.ID, since)
	if err != nil {
		return v, err
	}
	for _, d := range dues {
		if d.Kind == DueCheckIn && d.Status == DueSent {
			v.unanswered++
		}
	}
	as, err := tx.Assessments(c.ID)
	if err != nil {
		return v, err
	}
	v.competence = competenceChanges(as)
	v.raise = worthRaising(v, exps, now)
	return v, nil
}

// worthRaising picks patterns a coach would want to bring up: never a
// judgement, always an opening for the session.
func worthRaising(v clientView, exps []Experiment, now time.Time) []string {
	var raise []string
	hard := map[int64]int{}
	for _, ci := range v.allCheckIns {
		if ci.Challenge == "hard" && now.Sub(ci.At) < 28*24*time.Hour {
			hard[ci.ExperimentID]++
		}
	}
	for _, x := range exps {
		if hard[x.ID] >= 3 {
			raise = append(raise, "raise.too_hard|"+x.Action)
		}
	}
	if falling(v.allCheckIns) {
		raise = append(raise, "raise.energy_falling|")
	}
	quiet := true
	for _, ci := range v.allCheckIns {
		if now.Sub(ci.At) < 7*24*time.Hour {
			quiet = false
		}
	}
	if quiet && v.unanswered >= 2 {
		raise = append(raise, "raise.quiet_week|")
	}
	recent := 0
	for _, r := range v.rests {
		if now.Sub(r.At) < 7*24*time.Hour {
			recent++
		}
	}
	if recent >= 3 {
		raise = append(raise, fmt.Sprintf("raise.rest_often|%d", recent))
	}
	return raise
}

// falling reports whether energy cost has risen over the latest check-ins:
// the last three average at least one point above the three before.
func falling(cis []CheckIn) bool {
	var es []int
	for _, ci := range cis {
		if ci.Energy > 0 {
			es = append(es, ci.Energy)
		}
	}
	if len(es) < 6 {
		return false
	}
	avg := func(xs []int) float64 {
		t := 0
		for _, x := range xs {
			t += x
		}
		return float64(t) / float64(len(xs))
	}
	n := len(es)
	return avg(es[n-3:])-avg(es[n-6:n-3]) >= 1
}

// energyTrend says how the energy check-ins took compares with before.
func (s *Session) energyTrend(v clientView) string {
	var before, during []int
	for _, ci := range v.allCheckIns {
		if ci.Energy == 0 {
			continue
		}
		if len(v.checkIns) > 0 && !ci.At.Before(v.checkIns[0].At) {
			during = append(during, ci.Energy)
		} else {
			before = append(before, ci.Energy)
		}
	}
	if len(during) == 0 {
		return ""
	}
	mean := func(xs []int) float64 {
		t := 0
		for _, x := range xs {
			t += x
		}
		return float64(t) / float64(len(xs))
	}
	now := mean(during)
	text := fmt.Sprintf("%.1f/5", now)
	if len(before) > 0 {
		switch d := now - mean(before); {
		case d >= 0.5:
			text += " " + s.T("trend.costlier")
		case d <= -0.5:
			text += " " + s.T("trend.lighter")
		default:
			text += " " + s.T("trend.steady")
		}
	}
	return s.T("view.energy", "energy", text)
}

// renderClient writes a client's view. For the coach, reflections marked
// private are left out entirely: not summarised, not counted by content.
func (s *Session) renderClient(v clientView, forCoach bool) string {
	var b strings.Builder
	line := func(text string) {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(text)
	}
	latest := map[int64]CheckIn{}
	for _, ci := range v.checkIns {
		latest[ci.ExperimentID] = ci
	}
	for _, x := range v.running {
		l := "• " + x.Action
		if ci, ok := latest[x.ID]; ok {
			l += " — " + s.T("outcome."+ci.Outcome)
			if ci.Challenge != "" {
				l += ", " + s.T("challenge."+ci.Challenge)
			}
		} else {
			l += " — " + s.T("view.no_checkin")
		}
		if x.SuggestedBy != "" {
			l += " " + s.T("view.suggested")
		}
		line(l)
	}
	var shared, obstacles []string
	for _, ci := range v.checkIns {
		if forCoach && ci.Private {
			continue
		}
		if ci.Noticed != "" {
			shared = append(shared, "“"+shorten(ci.Noticed, 140)+"”")
		}
		if ci.Obstacle != "" {
			obstacles = append(obstacles, shorten(ci.Obstacle, 80))
		}
	}
	if len(shared) > 0 {
		line(s.T("view.noticed") + "\n  " + strings.Join(lastN(shared, 3), "\n  "))
	}
	if len(obstacles) > 0 {
		line(s.T("view.obstacles", "obstacles", strings.Join(lastN(obstacles, 3), "; ")))
	}
	if t := s.energyTrend(v); t != "" {
		line(t)
	}
	if n := len(v.rests); n > 0 {
		line(s.T("view.rest", "count", s.count("times", n)))
	}
	if v.unanswered > 0 {
		line(s.T("view.unanswered", "count", fmt.Sprint(v.unanswered)))
	}
	if v.client.Cadence != "" && v.client.Cadence != "daily" {
		line(s.T("view.cadence", "cadence", v.client.Cadence))
	}
	for _, c := range v.competence {
		if c.from != c.to {
			line(s.T("view.competence", "skill", c.skill, "from", fmt.Sprint(c.from), "to", fmt.Sprint(c.to)))
		}
	}
	for _, n := range v.notes {
		if forCoach && n.Private {
			continue
		}
		line(s.T("view.bring", "text", shorten(n.Text, 200)))
	}
	if len(v.raise) > 0 {
		line(s.T("view.raise"))
		for _, r := range v.raise {
			key, arg, _ := strings.Cut(r, "|")
			line("  – " + s.T(key, "action", arg, "count", arg))
		}
	}
	if b.Len() == 0 {
		return s.T("view.nothing_new")
	}
	return b.String()
}

// hasNews reports whether anything happened in the period worth more than
// one line.
func (v clientView) hasNews() bool {
	return len(v.checkIns) > 0 || len(v.tried) > 0 || len(v.rests) > 0 || len(v.notes) > 0 ||
		v.unanswered > 0 || len(v.raise) > 0
}

// digest is a coach's digest since a moment: one block per client with news,
// one line per client without.
func (s *Session) digest(coach Coach, since time.Time) (string, error) {
	clients, err := s.tx.ClientsOf(coach.ID)
	if err != nil {
		return "", err
	}
	if len(clients) == 0 {
		return s.T("digest.no_clients"), nil
	}
	var body strings.Builder
	var quiet []string
	for _, c := range clients {
		v, err := s.e.viewOf(s.tx, c, since, s.now)
		if err != nil {
			return "", err
		}
		if !v.hasNews() {
			quiet = append(quiet, displayName(c))
			continue
		}
		body.WriteString("\n\n" + displayName(c) + "\n" + s.renderClient(v, true))
	}
	if len(quiet) > 0 {
		body.WriteString("\n\n" + s.T("digest.quiet", "names", strings.Join(quiet, ", ")))
	}
	news := len(clients) - len(quiet)
	if news == 0 {
		return s.T("digest.all_quiet", "count", s.count("clients", len(clients))), nil
	}
	return s.T("digest.header", "news", s.count("clients", news)) + body.String(), nil
}

// digestHasNews reports whether any of the coach's clients has news since a
// moment; a scheduled digest with nothing in it is not sent.
func (e *Engine) digestHasNews(tx Tx, coachID string, since, now time.Time) (bool, error) {
	clients, err := tx.ClientsOf(coachID)
	if err != nil {
		return false, err
	}
	for _, c := range clients {
		v, err := e.viewOf(tx, c, since, now)
		if err != nil {
			return false, err
		}
		if v.hasNews() {
			return true, nil
		}
	}
	return false, nil
}
