package flows

import "time"

// Client is a person using coachbot between sessions, alone or with a coach. The ID
// is the platform-qualified user ID they first wrote from ("telegram:42").
type Client struct {
	ID        string
	ChatID    string // where proactive messages go
	Name      string
	Consented bool
	Zone      string // IANA zone name
	CheckIn   string // local check-in time, "09:00"
	RestDays  string // "Sat Sun", or "none"
	Cadence   string // "daily", "every 2 days", "3 per session"
	CoachID   string // empty when the client uses coachbot alone
	// PausedUntil stops every proactive message before this instant.
	PausedUntil time.Time
	// Unreachable is set when the platform refuses delivery (blocked bot, closed
	// DMs) and cleared when the client writes again.
	Unreachable bool
	// Unanswered counts invitations in a row that got no reply; it slows the
	// cadence down rather than pressing harder.
	Unanswered  int
	LastSession time.Time
	NextSession time.Time
	Anchor      string // local date the rhythm counts from, "2026-11-22"
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Experiment kinds. An experiment is something the client chooses to try; the
// non-action kinds record a conscious choice not to push, which counts too.
const (
	KindAction    = "action"
	KindRest      = "rest"
	KindBoundary  = "boundary"
	KindObserve   = "observe"
	KindIntegrate = "integrate"
)

// Experiment statuses.
const (
	StatusRunning = "running"
	StatusPaused  = "paused"
	StatusClosed  = "closed"
)

// Experiment is one small action the client designed, sized to their capacity.
type Experiment struct {
	ID       int64
	ClientID string
	Kind     string
	Action   string // what they will try
	Why      string // the outcome it serves, when they named one
	When     string // when they will try it, in their words
	Energy   int    // 1-5, what it will cost
	Load     string // emotional load: low, medium, high
	People   string // effect on the people around them
	Recovery string // what recovery it needs
	Carry    int    // 1-10, how carryable it feels
	Status   string
	// SuggestedBy is the coach who suggested it, when the client accepted a
	// suggestion; empty when the client designed it alone.
	SuggestedBy string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CheckIn is one reflection on an experiment: what happened and what was noticed.
type CheckIn struct {
	ID           int64
	ClientID     string
	ExperimentID int64
	Outcome      string // done, partly, adapted, not_yet, rest
	Noticed      string
	Energy       int    // 1-5, what it took; 0 when not asked
	Obstacle     string // what got in the way; empty for nothing
	Challenge    string // easy, right, hard; empty when not asked
	Next         string // keep, smaller, stretch, swap, pause
	Private      bool   // never reaches the coach
	At           time.Time
}

// NonAction is a day the client consciously chose rest, boundary repair,
// observation or integration. It is a valid entry, not a gap.
type NonAction struct {
	ID       int64
	ClientID string
	Kind     string // rest, boundary, observe, integrate
	Note     string
	Date     string // local date, "2026-11-22"
	Private  bool
	At       time.Time
}

// Coach is someone whose clients joined through their invites.
type Coach struct {
	ID            string
	ChatID        string
	Name          string
	Zone          string
	DigestAt      string // local time, "18:00"
	DigestWeekly  bool
	DigestWeekday time.Weekday
	CreatedAt     time.Time
}

// Invite is a single-use, expiring code that links a client to a coach.
type Invite struct {
	Code      string
	CoachID   string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedBy    string
	UsedAt    time.Time
}

// Assessment is one self-rating of a skill on the four stages of competence
// (1 unaware of the gap, 2 aware of it, 3 can with effort, 4 without thinking).
type Assessment struct {
	ID       int64
	ClientID string
	Skill    string
	Stage    int
	At       time.Time
}

// Suggestion is an experiment a coach proposed; the client accepts, reshapes or
// declines it.
type Suggestion struct {
	ID       int64
	CoachID  string
	ClientID string
	Text     string
	Status   string // open, accepted, reshaped, declined
	At       time.Time
}

// Due is one proactive moment for one recipient. The key (recipient, kind, local
// date) is unique, so a sweep that runs twice sends nothing twice.
type Due struct {
	ID          int64
	RecipientID string // client or coach ID
	Kind        string // checkin, nudge, restday, eve, assessment, digest, brief
	Date        string // the recipient's local date, "2026-11-22"
	At          time.Time
	Status      string // pending, sent, answered, dropped
	SentAt      time.Time
}

// Conversation is the durable state of one chat's current flow: which flow, which
// step, under which version, the answers so far, and the token its buttons carry.
type Conversation struct {
	ChatID   string
	UserID   string
	Flow     string
	Step     string
	Version  int
	Answers  map[string]string
	Token    string
	Deadline time.Time
	Updated  time.Time
}
