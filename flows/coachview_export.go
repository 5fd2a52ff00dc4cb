package flows

import (
	"context"
	"fmt"
	"time"
)

// The coach's web view reads through these types and methods. They are the
// same client view /client, the digest and the brief are written from, so
// the same privacy holds: a check-in kept private is only counted, feeds no
// chart and nothing worth raising; a client who left the coach, or was
// forgotten, is not there.

// Rating is one rating at a moment: an energy rating (1–5) or a stage of
// competence (1–4).
type Rating struct {
	At    time.Time
	Value int
}

// ChallengeRating is how hard a shared check-in said its experiment felt:
// easy, right or hard.
type ChallengeRating struct {
	At        time.Time
	Challenge string
}

// ClientGlance is one client at a glance, a row of the overview.
type ClientGlance struct {
	ID   string
	Name string
	// Running are the running experiments' actions.
	Running []string
	// LastCheckIn is the client's latest check-in, shared or private (that
	// one happened is what a private check-in shows); zero for none.
	LastCheckIn time.Time
	// Energy are the shared energy ratings of the last four weeks.
	Energy []Rating
	// Raise counts the things worth raising.
	Raise       int
	NextSession time.Time
	Paused      bool // a /pause is in effect
}

// CoachOverview is every client of a coach at a glance.
type CoachOverview struct {
	CoachName string
	Zone      *time.Location
	Lang      string // the language the coach is spoken to in
	Now       time.Time
	Clients   []ClientGlance
}

// Version is one version of an experiment, with how many shared check-ins
// were about it.
type Version struct {
	Experiment
	CheckIns int
}

// Design is one experiment as designed, with every version it went through,
// oldest first.
type Design struct {
	Versions []Version
}

// Latest is the design's current version.
func (d Design) Latest() Version { return d.Versions[len(d.Versions)-1] }

// SkillTrack is one skill's self-assessed stages of competence, oldest first.
type SkillTrack struct {
	Skill  string
	Stages []Rating
}

// SuggestionPage is one of the coach's suggestions and what became of it.
type SuggestionPage struct {
	Suggestion
	// ReshapedInto is the experiment the client made of it, when reshaped.
	ReshapedInto string
}

// Raised is one thing worth raising, as a catalog key and its placeholders.
type Raised struct {
	Key   string
	Pairs []string
}

// ClientPage is one client in full, for the coach.
type ClientPage struct {
	ClientGlance
	CoachName   string
	Zone        *time.Location
	Lang        string
	Now         time.Time
	LastSession time.Time
	Cadence     string
	Designs     []Design // newest design first
	// CheckIns are the shared check-ins, newest first; a private one is
	// only counted in Private.
	CheckIns []CheckIn
	Private  int
	// AllEnergy and Challenge are every shared rating, oldest first.
	AllEnergy []Rating
	Challenge []ChallengeRating
	Skills    []SkillTrack
	// Bring is what the client shared to bring to the next session.
	Bring       []SessionNote
	Suggestions []SuggestionPage // the coach's own, newest first
	Raise       []Raised
	// ChosenRests counts shared rest chosen in place of an experiment in
	// the last four weeks; Unanswered the invitations that got no reply.
	ChosenRests int
	Unanswered  int
}

// ClientBrief is the brief before a session, as the bot sends it.
type ClientBrief struct {
	Name        string
	Lang        string
	Zone        *time.Location
	NextSession time.Time
	Text        string    // the brief's lines
	Energy      []Rating  // shared energy ratings since the last session
	Since       time.Time // where the brief begins
}

// glanceDays is how far back the overview's sparkline and the client page's
// period reach.
const glanceDays = 28

// CoachOverview reads every current client of a coach, in one snapshot.
func (e *Engine) CoachOverview(ctx context.Context, coachID string) (CoachOverview, error) {
	var o CoachOverview
	err := e.store.View(ctx, func(tx Tx) error {
		coach, err := tx.Coach(coachID)
		if err != nil {
			return err
		}
		now := e.now()
		o = CoachOverview{CoachName: coach.Name, Zone: zoneOf(coach.Zone), Lang: e.coachLanguage(coach), Now: now}
		clients, err := tx.ClientsOf(coachID)
		if err != nil {
			return err
		}
		o.Clients = make([]ClientGlance, 0, len(clients))
		for _, c := range clients {
			v, err := e.glanceView(tx, c, now)
			if err != nil {
				return err
			}
			o.Clients = append(o.Clients, glanceOf(v))
		}
		return nil
	})
	return o, err
}

// CoachClient reads one client of a coach in full; ErrNotFound when the
// client is not (or no longer) theirs, so another coach's client does not
// exist as far as this coach can tell.
func (e *Engine) CoachClient(ctx context.Context, coachID, clientID string) (ClientPage, error) {
	var p ClientPage
	err := e.store.View(ctx, func(tx Tx) error {
		coach, c, err := ownClient(tx, coachID, clientID)
		if err != nil {
			return err
		}
		now := e.now()
		v, err := e.viewOf(tx, c, now.AddDate(0, 0, -glanceDays), now)
		if err != nil {
			return err
		}
		p = ClientPage{ClientGlance: glanceOf(v), CoachName: coach.Name, Zone: zoneOf(coach.Zone),
			Lang: e.coachLanguage(coach), Now: now, LastSession: c.LastSession, Cadence: c.Cadence.String(),
			ChosenRests: len(v.chosenRests), Unanswered: v.unanswered}
		p.Designs = designsOf(v)
		for i := len(v.allCheckIns) - 1; i >= 0; i-- {
			ci := v.allCheckIns[i]
			if ci.Private {
				p.Private++
				continue
			}
			p.CheckIns = append(p.CheckIns, ci)
		}
		for _, ci := range v.allShared {
			if ci.Energy > 0 {
				p.AllEnergy = append(p.AllEnergy, Rating{ci.At, ci.Energy})
			}
			if ci.Challenge != "" {
				p.Challenge = append(p.Challenge, ChallengeRating{ci.At, ci.Challenge})
			}
		}
		as, err := tx.Assessments(c.ID)
		if err != nil {
			return err
		}
		bySkill := map[string]int{}
		for _, a := range as {
			i, ok := bySkill[a.Skill]
			if !ok {
				i = len(p.Skills)
				bySkill[a.Skill] = i
				p.Skills = append(p.Skills, SkillTrack{Skill: a.Skill})
			}
			p.Skills[i].Stages = append(p.Skills[i].Stages, Rating{a.At, a.Stage})
		}
		notes, err := tx.SessionNotes(c.ID, earlier(c.LastSession, now.AddDate(0, 0, -glanceDays)))
		if err != nil {
			return err
		}
		for i := len(notes) - 1; i >= 0; i-- {
			if !notes[i].Private {
				p.Bring = append(p.Bring, notes[i])
			}
		}
		sgs, err := tx.Suggestions(c.ID)
		if err != nil {
			return err
		}
		for i := len(sgs) - 1; i >= 0; i-- {
			sg := sgs[i]
			if sg.CoachID != coachID {
				continue
			}
			sp := SuggestionPage{Suggestion: sg}
			if sg.Status == "reshaped" {
				for _, x := range v.exps {
					if x.SuggestedBy == sg.CoachID && x.PreviousID == 0 && !x.CreatedAt.Before(sg.AnsweredAt) &&
						x.CreatedAt.Sub(sg.AnsweredAt) < 24*time.Hour {
						sp.ReshapedInto = x.Action
						break
					}
				}
			}
			p.Suggestions = append(p.Suggestions, sp)
		}
		for _, r := range v.raise {
			p.Raise = append(p.Raise, Raised{Key: r.key, Pairs: r.pairs})
		}
		return nil
	})
	return p, err
}

// CoachBrief writes the brief before a session with one client, as the bot
// sends it: since the last session, or two weeks back.
func (e *Engine) CoachBrief(ctx context.Context, coachID, clientID string) (ClientBrief, error) {
	var b ClientBrief
	err := e.store.View(ctx, func(tx Tx) error {
		coach, c, err := ownClient(tx, coachID, clientID)
		if err != nil {
			return err
		}
		now := e.now()
		cs := e.coachSession(tx, coach, DueBrief, now)
		v, since, body, err := cs.brief(c, coach)
		if err != nil {
			return err
		}
		b = ClientBrief{Name: displayName(c), Lang: e.coachLanguage(coach), Zone: zoneOf(coach.Zone),
			NextSession: c.NextSession, Since: since, Text: body}
		for _, ci := range v.shared {
			if ci.Energy > 0 {
				b.Energy = append(b.Energy, Rating{ci.At, ci.Energy})
			}
		}
		return nil
	})
	return b, err
}

// ownClient loads a coach and one of their current clients; ErrNotFound
// when either is missing or the client is someone else's.
func ownClient(tx Tx, coachID, clientID string) (Coach, Client, error) {
	coach, err := tx.Coach(coachID)
	if err != nil {
		return Coach{}, Client{}, err
	}
	c, err := tx.Client(clientID)
	if err != nil {
		return Coach{}, Client{}, err
	}
	if c.CoachID != coachID {
		return Coach{}, Client{}, fmt.Errorf("client of another coach: %w", ErrNotFound)
	}
	return coach, c, nil
}

// glanceView is a client's view for the overview's row. A glance needs
// only the experiments, the rests and the last weeks' check-ins: the latest
// one, the sparkline, "too hard" (counted over the same four weeks) and the
// last six energy ratings for "energy rising"; notes, assessments,
// suggestions and invitations show on the client's page, not in a row. So it
// reads those alone, and every check-in, as viewOf does, only when the weeks
// hold none or too few ratings: a year of history costs a glance nothing.
func (e *Engine) glanceView(tx Tx, c Client, now time.Time) (clientView, error) {
	since := now.AddDate(0, 0, -glanceDays)
	v, err := e.viewOf(glanceTx{Tx: tx, from: since}, c, since, now)
	if err != nil {
		return v, err
	}
	rated := 0
	for _, ci := range v.allShared {
		if ci.Energy > 0 {
			rated++
		}
	}
	if len(v.allCheckIns) > 0 && rated >= 2*raiseEnergyGroup {
		return v, nil
	}
	return e.viewOf(glanceTx{Tx: tx}, c, since, now)
}

// glanceTx reads what a glance shows: check-ins from a moment on (all when
// from is zero), and no notes, assessments, suggestions or invitations.
type glanceTx struct {
	Tx
	from time.Time
}

// CheckIns implements Tx.
func (t glanceTx) CheckIns(clientID string, since time.Time) ([]CheckIn, error) {
	if since.Before(t.from) {
		since = t.from
	}
	return t.Tx.CheckIns(clientID, since)
}

// SessionNotes implements Tx: none, for a glance.
func (glanceTx) SessionNotes(string, time.Time) ([]SessionNote, error) { return nil, nil }

// Assessments implements Tx: none, for a glance.
func (glanceTx) Assessments(string) ([]Assessment, error) { return nil, nil }

// Suggestions implements Tx: none, for a glance.
func (glanceTx) Suggestions(string) ([]Suggestion, error) { return nil, nil }

// DueSince implements Tx: none, for a glance.
func (glanceTx) DueSince(string, time.Time) ([]Due, error) { return nil, nil }

// PendingSince implements Tx: none, for a glance.
func (glanceTx) PendingSince(string, time.Time) ([]Due, error) { return nil, nil }

// glanceOf sums a client's view up in one row.
func glanceOf(v clientView) ClientGlance {
	c := v.client
	g := ClientGlance{ID: c.ID, Name: displayName(c), Raise: len(v.raise), NextSession: c.NextSession,
		Paused: !c.PausedUntil.IsZero() && v.now.Before(c.PausedUntil)}
	if !g.NextSession.After(v.now) {
		g.NextSession = time.Time{}
	}
	for _, x := range v.running {
		g.Running = append(g.Running, x.Action)
	}
	if n := len(v.allCheckIns); n > 0 {
		g.LastCheckIn = v.allCheckIns[n-1].At
	}
	for _, ci := range v.shared {
		if ci.Energy > 0 {
			g.Energy = append(g.Energy, Rating{ci.At, ci.Energy})
		}
	}
	return g
}

// designsOf groups a client's experiments into designs, each with its
// versions, newest design first.
func designsOf(v clientView) []Design {
	checkIns := map[int64]int{}
	for _, ci := range v.allShared {
		checkIns[ci.ExperimentID]++
	}
	root := map[int64]int{} // experiment ID -> index of its design
	var ds []Design
	for _, x := range v.exps { // oldest first: a version comes after the one it grew from
		i, ok := root[x.PreviousID]
		if x.PreviousID == 0 || !ok {
			i = len(ds)
			ds = append(ds, Design{})
		}
		root[x.ID] = i
		ds[i].Versions = append(ds[i].Versions, Version{Experiment: x, CheckIns: checkIns[x.ID]})
	}
	for l, r := 0, len(ds)-1; l < r; l, r = l+1, r-1 {
		ds[l], ds[r] = ds[r], ds[l]
	}
	return ds
}

// coachLanguage is the language a coach is spoken to in.
func (e *Engine) coachLanguage(c Coach) string { return e.catalog(c.Language).lang }

// Language is the language the catalog speaks.
func (c *Catalog) Language() string { return c.lang }
