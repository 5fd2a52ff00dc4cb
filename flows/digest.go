package flows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/scheduler"
)

// showDigest shows the coach's digest now: what is new since the last digest
// that went out, or since a day (a week for weekly digests) when none has.
func showDigest(s *Session, args string) error {
	if strings.EqualFold(strings.TrimSpace(args), "settings") {
		return s.begin("digest_settings", "")
	}
	coach, err := s.tx.Coach(s.msg.UserID)
	if err != nil {
		return err
	}
	since, label := s.digestSince(coach)
	text, _, err := s.digest(coach, since, label)
	if err != nil {
		return err
	}
	return s.reply(bot.Reply{Text: text, Kind: DueDigest})
}

// digestSince is where a digest's news begins: the last digest that went out,
// or a day back (a week for weekly digests); label says it in words for the
// coach ("Monday's digest").
func (s *Session) digestSince(coach Coach) (time.Time, string) {
	since := s.now.AddDate(0, 0, -1)
	if coach.DigestWeekly {
		since = s.now.AddDate(0, 0, -7)
	}
	loc := zoneOf(coach.Zone)
	ds, err := s.tx.DueSince(coach.ID, since.Add(-time.Hour))
	if err == nil {
		var last time.Time
		for _, d := range ds {
			if d.Kind == DueDigest && !d.SentAt.IsZero() && d.SentAt.After(since) && d.SentAt.Before(s.now) && d.SentAt.After(last) {
				last = d.SentAt
			}
		}
		if !last.IsZero() {
			switch scheduler.DaysBetween(scheduler.DateOf(last, loc), scheduler.DateOf(s.now, loc)) {
			case 0:
				return last, s.T("since.digest_today")
			case 1:
				return last, s.T("since.digest_yesterday")
			}
			return last, s.T("since.digest", "day", s.date(last.In(loc), dateWeekday))
		}
	}
	return since, s.T("since.moment", "when", s.date(since.In(loc), dateWeekdayTime))
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
	latest.Status = DueDropped
	if p.Fresh(latest.At, now, freshFor[DueDigest]) || latest.At.Equal(now) {
		s := e.coachSession(tx, coach, DueDigest, now)
		since, label := s.digestSince(coach)
		text, news, err := s.digest(coach, since, label)
		if err != nil {
			return err
		}
		// Nothing new: no digest, no noise. Only private check-ins: one
		// line, unless the coach would rather have nothing.
		send := news == digestNews || news == digestPrivateOnly && coach.PrivateOnly != PrivateOnlyNone
		if send {
			if err := s.reply(bot.Reply{Text: text}); err != nil {
				return err
			}
			latest.Status, latest.SentAt = DueSent, now
			if err := e.digestChart(s, coach); err != nil {
				return err
			}
		}
	}
	if err := tx.UpdateDue(latest); err != nil {
		return err
	}
	return planCoach(tx, coach, now)
}

// viewKind is what a client's view is rendered for.
type viewKind int

const (
	viewDigest viewKind = iota // the digest: what is new since the last one
	viewClient                 // /client: the last four weeks
	viewBrief                  // the brief before a session: since the last one
)

// clientView is what the bot knows about one client over a period, gathered
// once. The client's own view (the look-back) may use everything; the coach's
// uses only what the client shared: a check-in kept private shows as a count,
// nothing of its content or ratings, and feeds no trend and nothing worth
// raising.
type clientView struct {
	client     Client
	since, now time.Time
	exps       []Experiment // every experiment, oldest first
	running    []Experiment
	paused     []Experiment
	ended      []Experiment // closed in the period, with no later version
	tried      []Experiment // designed in the period

	allCheckIns []CheckIn // every check-in ever (the client's own view)
	checkIns    []CheckIn // in the period (the client's own view)
	obstacles   []string  // in the period, private ones too (the client's own view)

	shared    []CheckIn // shared check-ins in the period
	allShared []CheckIn // every shared check-in, for trends
	private   int       // check-ins in the period kept private

	chosenRests []NonAction // shared rest chosen in place of an experiment, in the period
	weekRests   []NonAction // the same over the last 7 days, for worth raising
	notes       []SessionNote
	unanswered  int // invitations in the period that got no reply
	competence  []competence
	assessed    bool         // a self-assessment in the period
	suggestions []Suggestion // made or answered in the period
	raise       []raised
}

// raised is one thing worth raising: a catalog key and its placeholders.
type raised struct {
	key   string
	pairs []string
}

// in reports whether t lies in the view's period.
func (v clientView) in(t time.Time) bool { return !t.IsZero() && !t.Before(v.since) && !t.After(v.now) }

// viewOf gathers a client's view for the period since.
func (e *Engine) viewOf(tx Tx, c Client, since, now time.Time) (clientView, error) {
	v := clientView{client: c, since: since, now: now}
	var err error
	if v.exps, err = tx.Experiments(c.ID, ""); err != nil {
		return v, err
	}
	succeeded := map[int64]bool{}
	for _, x := range v.exps {
		succeeded[x.PreviousID] = true
	}
	for _, x := range v.exps {
		switch {
		case x.Status == StatusRunning:
			v.running = append(v.running, x)
		case x.Status == StatusPaused:
			v.paused = append(v.paused, x)
		case x.Status == StatusClosed && !succeeded[x.ID] && v.in(x.UpdatedAt):
			v.ended = append(v.ended, x)
		}
		if v.in(x.CreatedAt) {
			v.tried = append(v.tried, x)
		}
	}
	if v.allCheckIns, err = tx.CheckIns(c.ID, time.Time{}); err != nil {
		return v, err
	}
	for _, ci := range v.allCheckIns {
		if !ci.Private {
			v.allShared = append(v.allShared, ci)
		}
		if !v.in(ci.At) {
			continue
		}
		v.checkIns = append(v.checkIns, ci)
		if ci.Obstacle != "" {
			v.obstacles = append(v.obstacles, ci.Obstacle)
		}
		if ci.Private {
			v.private++
		} else {
			v.shared = append(v.shared, ci)
		}
	}
	week := now.AddDate(0, 0, -7)
	rests, err := tx.NonActions(c.ID, earlier(since, week))
	if err != nil {
		return v, err
	}
	for _, r := range rests {
		if r.Planned || r.Private {
			continue // recovery on a planned rest day, or a rest kept private
		}
		if v.in(r.At) {
			v.chosenRests = append(v.chosenRests, r)
		}
		if !r.At.Before(week) {
			v.weekRests = append(v.weekRests, r)
		}
	}
	notes, err := tx.SessionNotes(c.ID, since)
	if err != nil {
		return v, err
	}
	for _, n := range notes {
		if !n.Private && v.in(n.At) {
			v.notes = append(v.notes, n)
		}
	}
	dues, err := tx.DueSince(c.ID, since)
	if err != nil {
		return v, err
	}
	for _, d := range dues {
		if d.Kind == DueCheckIn && d.Status == DueSent && !d.At.After(now) {
			v.unanswered++
		}
	}
	as, err := tx.Assessments(c.ID)
	if err != nil {
		return v, err
	}
	v.competence = competenceChanges(as)
	for _, a := range as {
		if v.in(a.At) {
			v.assessed = true
		}
	}
	sgs, err := tx.Suggestions(c.ID)
	if err != nil {
		return v, err
	}
	for _, sg := range sgs {
		if sg.CoachID == c.CoachID && (v.in(sg.AnsweredAt) || sg.Status == "open" && v.in(sg.At)) {
			v.suggestions = append(v.suggestions, sg)
		}
	}
	v.raise = worthRaising(v, now)
	return v, nil
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Thresholds of the worth-raising rules.
const (
	raiseHardCount   = 3                   // "too hard" check-ins on one version
	raiseHardWithin  = 28 * 24 * time.Hour // ... within this
	raiseSilentFor   = 7 * 24 * time.Hour  // no message from the client for this long
	raiseRestCount   = 3                   // rest chosen in place of an experiment, in 7 days
	raiseEnergyRise  = 1.0                 // points the last three energy ratings rose
	raiseEnergyGroup = 3                   // ratings compared on each side
)

// worthRaising picks patterns a coach would want to bring up: never a
// judgement, always an opening for the session. Only what the client shared
// counts. The rules, exactly:
//
//   - too hard: one version of an experiment (CheckIn.ExperimentID), still
//     running or paused, got "too hard" in at least 3 shared check-ins in the
//     last 28 days.
//   - energy rising: the last 3 shared check-ins with an energy rating
//     average at least 1 point more than the 3 before them.
//   - silence: the client has been with the coach for at least 7 days, has
//     written nothing for at least 7 days (Client.LastSeen; when never seen,
//     since joining), and is not paused.
//   - rest often: rest (or boundary repair, observing, letting things
//     settle) chosen in place of an experiment at least 3 times in the last
//     7 days, shared; recovery on planned rest days does not count.
func worthRaising(v clientView, now time.Time) []raised {
	var raise []raised
	hard := map[int64]int{}
	for _, ci := range v.allShared {
		if ci.Challenge == "hard" && now.Sub(ci.At) < raiseHardWithin {
			hard[ci.ExperimentID]++
		}
	}
	for _, x := range v.exps {
		if n := hard[x.ID]; n >= raiseHardCount && x.Status != StatusClosed {
			raise = append(raise, raised{"raise.too_hard", []string{"action", x.Action, "count", fmt.Sprint(n)}})
		}
	}
	if before, after, ok := energyRise(v.allShared); ok {
		raise = append(raise, raised{"raise.energy_rising", []string{"before", fmt.Sprintf("%.1f", before), "now", fmt.Sprintf("%.1f", after)}})
	}
	if days, ok := silentDays(v.client, now); ok {
		raise = append(raise, raised{"raise.silent", []string{"days", fmt.Sprint(days)}})
	}
	if n := len(v.weekRests); n >= raiseRestCount {
		raise = append(raise, raised{"raise.rest_often", []string{"count", fmt.Sprint(n)}})
	}
	return raise
}

// silentDays reports whether the silence rule fires, and for how many whole
// days the client has written nothing.
func silentDays(c Client, now time.Time) (int, bool) {
	joined := c.CoachSince
	if joined.IsZero() {
		joined = c.CreatedAt
	}
	last := c.LastSeen
	if last.IsZero() || last.Before(joined) {
		last = joined
	}
	paused := !c.PausedUntil.IsZero() && now.Before(c.PausedUntil)
	if joined.IsZero() || paused || now.Sub(joined) < raiseSilentFor || now.Sub(last) < raiseSilentFor {
		return 0, false
	}
	return int(now.Sub(last) / (24 * time.Hour)), true
}

// energyRise compares the last three energy ratings with the three before.
func energyRise(cis []CheckIn) (before, after float64, ok bool) {
	var es []int
	for _, ci := range cis {
		if ci.Energy > 0 {
			es = append(es, ci.Energy)
		}
	}
	n, g := len(es), raiseEnergyGroup
	if n < 2*g {
		return 0, 0, false
	}
	before, after = mean(es[n-2*g:n-g]), mean(es[n-g:])
	return before, after, after-before >= raiseEnergyRise
}

func mean(xs []int) float64 {
	t := 0
	for _, x := range xs {
		t += x
	}
	return float64(t) / float64(len(xs))
}

// energyTrend says how the energy shared check-ins took in the period
// compares with before.
func (s *Session) energyTrend(v clientView) string {
	var before, during []int
	for _, ci := range v.allShared {
		if ci.Energy == 0 {
			continue
		}
		if v.in(ci.At) {
			during = append(during, ci.Energy)
		} else if ci.At.Before(v.since) {
			before = append(before, ci.Energy)
		}
	}
	if len(during) == 0 {
		return ""
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

// experimentLine is one experiment for the coach: its versions, its why,
// and what the latest shared check-in in the period said.
func (s *Session) experimentLine(v clientView, x Experiment, latest map[int64]CheckIn, sinceLabel string) string {
	// Each earlier version says what happened with it, so an outcome is
	// never read as the new version's.
	l := "• " + chainWith(v.exps, x, func(prev Experiment) string {
		ci, ok := latest[prev.ID]
		if !ok {
			return ""
		}
		n := s.T("outcome." + ci.Outcome)
		if ci.Challenge != "" {
			n += ", " + s.T("challenge."+ci.Challenge)
		}
		return n
	})
	if x.Why != "" {
		l += " " + s.T("actions.why", "why", x.Why)
	}
	if x.SuggestedBy != "" && x.SuggestedBy == v.client.CoachID {
		l += " " + s.T("view.suggested")
	}
	if x.Status != StatusRunning {
		return l
	}
	switch ci, ok := latest[x.ID]; {
	case ok:
		l += " — " + s.T("outcome."+ci.Outcome)
		if ci.Challenge != "" {
			l += ", " + s.T("challenge."+ci.Challenge)
		}
	case v.private > 0:
		// Saying which experiment had no check-in would tell which one
		// the private check-in was about.
	case v.in(x.CreatedAt):
		l += " — " + s.T("view.no_checkin_yet")
	default:
		l += " — " + s.T("view.no_checkin_since", "since", sinceLabel)
	}
	return l
}

// renderForCoach writes a client's view for their coach. A check-in kept
// private shows only in the count of private check-ins.
func (s *Session) renderForCoach(v clientView, kind viewKind, sinceLabel string) string {
	var lines []string
	line := func(text string) { lines = append(lines, text) }
	loc := s.coachZone()
	latest := map[int64]CheckIn{}
	for _, ci := range v.shared {
		latest[ci.ExperimentID] = ci
	}
	for _, x := range v.running {
		line(s.experimentLine(v, x, latest, sinceLabel))
	}
	for _, x := range v.paused {
		if kind == viewClient || v.in(x.UpdatedAt) {
			line(s.T("view.paused", "experiment", strings.TrimPrefix(s.experimentLine(v, x, latest, sinceLabel), "• ")))
		}
	}
	for _, x := range v.ended {
		line(s.T("view.closed", "experiment", strings.TrimPrefix(s.experimentLine(v, x, latest, sinceLabel), "• "),
			"day", s.date(x.UpdatedAt.In(loc), dateShort)))
	}
	if v.private > 0 {
		line(s.T("view.private", "count", s.count("private", v.private)))
	}
	var noticed, obstacles []string
	for _, ci := range v.shared {
		if ci.Noticed != "" {
			noticed = append(noticed, "“"+shorten(ci.Noticed, 140)+"”")
		}
		if ci.Obstacle != "" {
			obstacles = append(obstacles, shorten(ci.Obstacle, 80))
		}
	}
	if len(noticed) > 0 {
		line(s.T("view.noticed") + "\n  " + strings.Join(lastN(noticed, 3), "\n  "))
	}
	if len(obstacles) > 0 {
		line(s.T("view.obstacles", "obstacles", strings.Join(lastN(obstacles, 3), "; ")))
	}
	if t := s.energyTrend(v); t != "" {
		line(t)
	}
	if n := len(v.chosenRests); n > 0 {
		line(s.T("view.rest", "count", s.count("times", n)))
	}
	if v.unanswered > 0 {
		line(s.T("view.unanswered", "count", fmt.Sprint(v.unanswered)))
	}
	for _, l := range s.rhythmLines(v, kind) {
		line(l)
	}
	for _, sg := range v.suggestions {
		line(s.suggestionLine(v, sg))
	}
	if kind == viewClient || v.assessed {
		for _, c := range v.competence {
			if c.from != c.to {
				line(s.T("view.competence", "skill", c.skill, "from", fmt.Sprint(c.from), "to", fmt.Sprint(c.to)))
			}
		}
	}
	for _, n := range v.notes {
		line(s.T("view.bring", "text", shorten(n.Text, 200)))
	}
	if len(v.raise) > 0 {
		line(s.T("view.raise"))
		for _, r := range v.raise {
			line("  – " + s.T(r.key, r.pairs...))
		}
	}
	if len(lines) == 0 {
		return s.T("view.nothing_new")
	}
	return strings.Join(lines, "\n")
}

// rhythmLines tell the coach about the client's rhythm: pauses, resumes and a
// rhythm the bot slowed, each once, in the period; /client also says which
// rhythm they are on, and whether they chose it.
func (s *Session) rhythmLines(v clientView, kind viewKind) []string {
	c := v.client
	loc := s.coachZone()
	var out []string
	if v.in(c.PausedAt) {
		if c.PausedUntil.After(c.PausedAt) {
			out = append(out, s.T("view.paused_rhythm", "day", s.date(c.PausedAt.In(loc), dateShort),
				"until", s.date(c.PausedUntil.In(loc), dateShort)))
		} else {
			out = append(out, s.T("view.paused_rhythm_ended", "day", s.date(c.PausedAt.In(loc), dateShort)))
		}
	}
	if v.in(c.ResumedAt) {
		out = append(out, s.T("view.resumed", "day", s.date(c.ResumedAt.In(loc), dateShort)))
	}
	slowed := !c.SlowedAt.IsZero()
	switch {
	case kind != viewClient && slowed && v.in(c.SlowedAt):
		out = append(out, s.T("view.slowed", "cadence", s.cadenceText(c.Cadence), "day", s.date(c.SlowedAt.In(loc), dateShort)))
	case kind == viewClient && slowed:
		out = append(out, s.T("view.cadence_slowed", "cadence", s.cadenceText(c.Cadence), "day", s.date(c.SlowedAt.In(loc), dateShort)))
	case kind == viewClient && c.Cadence != (scheduler.Cadence{}) && c.Cadence.String() != "daily":
		out = append(out, s.T("view.cadence_chosen", "cadence", s.cadenceText(c.Cadence)))
	}
	return out
}

// suggestionLine says what became of one of the coach's suggestions.
func (s *Session) suggestionLine(v clientView, sg Suggestion) string {
	text := shorten(sg.Text, 80)
	if sg.Status == "reshaped" {
		for _, x := range v.exps {
			if x.SuggestedBy == sg.CoachID && x.PreviousID == 0 && !x.CreatedAt.Before(sg.AnsweredAt) &&
				x.CreatedAt.Sub(sg.AnsweredAt) < 24*time.Hour {
				return s.T("view.suggestion_reshaped_into", "text", text, "action", shorten(x.Action, 80))
			}
		}
	}
	return s.T("view.suggestion_"+sg.Status, "text", text)
}

// news is what a client's view holds for the coach.
type news int

const (
	digestQuiet       news = iota // nothing new
	digestPrivateOnly             // only check-ins kept private
	digestNews                    // something shared
)

// newsOf says what a client's view holds for the coach.
func (v clientView) newsOf() news {
	changed := false
	for _, x := range v.paused {
		changed = changed || v.in(x.UpdatedAt)
	}
	c := v.client
	if len(v.shared) > 0 || len(v.tried) > 0 || len(v.ended) > 0 || changed || len(v.chosenRests) > 0 ||
		len(v.notes) > 0 || v.unanswered > 0 || len(v.raise) > 0 || len(v.suggestions) > 0 || v.assessed ||
		v.in(c.PausedAt) || v.in(c.ResumedAt) || v.in(c.SlowedAt) {
		return digestNews
	}
	if v.private > 0 {
		return digestPrivateOnly
	}
	return digestQuiet
}

// digest is a coach's digest since a moment: one block per client with news,
// one line naming clients whose only news is private check-ins, one line for
// clients without news. It reports the most any client had.
func (s *Session) digest(coach Coach, since time.Time, label string) (string, news, error) {
	clients, err := s.tx.ClientsOf(coach.ID)
	if err != nil {
		return "", digestQuiet, err
	}
	if len(clients) == 0 {
		return s.T("digest.no_clients"), digestQuiet, nil
	}
	var body strings.Builder
	var quiet, private []string
	most, withNews := digestQuiet, 0
	for _, c := range clients {
		v, err := s.e.viewOf(s.tx, c, since, s.now)
		if err != nil {
			return "", digestQuiet, err
		}
		n := v.newsOf()
		most = max(most, n)
		switch n {
		case digestNews:
			withNews++
			body.WriteString("\n\n" + displayName(c) + "\n" + s.renderForCoach(v, viewDigest, label))
		case digestPrivateOnly:
			private = append(private, s.T("digest.private_name", "name", displayName(c), "count", s.count("private", v.private)))
		default:
			quiet = append(quiet, displayName(c))
		}
	}
	switch most {
	case digestQuiet:
		return s.T("digest.all_quiet", "count", s.count("clients", len(clients)), "since", label), most, nil
	case digestPrivateOnly:
		return s.T("digest.private_only", "since", label, "names", strings.Join(private, ", ")), most, nil
	}
	if len(private) > 0 {
		body.WriteString("\n\n" + s.T("digest.private", "names", strings.Join(private, ", ")))
	}
	if len(quiet) > 0 {
		body.WriteString("\n\n" + s.T("digest.quiet", "names", strings.Join(quiet, ", ")))
	}
	return s.T("digest.header", "since", label, "news", s.count("clients", withNews)) + body.String(), most, nil
}

// digestSettingsFlow lets a coach choose what a digest whose only news is
// private check-ins becomes: one line, or nothing.
func digestSettingsFlow() *Flow {
	return &Flow{
		Name:    "digest_settings",
		Version: 1,
		Steps: []*Step{{Name: "private_only", Prompt: "digest.settings_ask", Input: Choice,
			Options: []Option{{PrivateOnlyLine, "btn.private_only_line"}, {PrivateOnlyNone, "btn.private_only_none"}}}},
		Done: func(s *Session, a Answers) error {
			coach, err := s.tx.Coach(s.msg.UserID)
			if err != nil {
				return err
			}
			coach.PrivateOnly = a["private_only"]
			if err := s.tx.SaveCoach(coach); err != nil {
				return fmt.Errorf("save coach: %w", err)
			}
			return s.say("digest.settings_saved_" + coach.PrivateOnly)
		},
	}
}
