package flows

import (
	"time"

	"github.com/coachbot/coachbot/scheduler"
)

// Client is a person using coachbot between sessions, alone or with a coach. The ID
// is the platform-qualified user ID they first wrote from ("telegram:42").
type Client struct {
	ID        string `json:"id"`
	ChatID    string `json:"chat_id,omitempty"` // where proactive messages go
	Name      string `json:"name,omitempty"`
	Consented bool   `json:"consented,omitempty"`
	// The rhythm's settings, parsed where they come in (from the person,
	// from the database) and never again: zone, local check-in time, rest
	// days and cadence ("daily", "every 2 days", "3 per session").
	Zone     scheduler.Zone     `json:"zone,omitzero"`
	CheckIn  scheduler.Clock    `json:"check_in,omitzero"`
	RestDays scheduler.Weekdays `json:"rest_days,omitzero"`
	Cadence  scheduler.Cadence  `json:"cadence"`
	CoachID  string             `json:"coach_id,omitempty"` // empty when the client uses coachbot alone
	// PausedUntil stops every proactive message before this instant.
	PausedUntil time.Time `json:"paused_until,omitzero"`
	// Unreachable is set when the platform refuses delivery (blocked bot, closed
	// DMs) and cleared when the client writes again.
	Unreachable bool `json:"unreachable,omitempty"`
	// Unanswered counts invitations in a row that got no reply; it slows the
	// cadence down rather than pressing harder.
	Unanswered  int            `json:"unanswered,omitempty"`
	LastSession time.Time      `json:"last_session,omitzero"`
	NextSession time.Time      `json:"next_session,omitzero"`
	Anchor      scheduler.Date `json:"anchor,omitzero"` // local date the rhythm counts from
	// ClosedOn is the local date the client closed by checking in, resting or
	// answering the rest-day question: nothing more about experiments that day.
	ClosedOn scheduler.Date `json:"closed_on,omitzero"`
	// Language is the language the client is spoken to in ("de"); "" is the
	// bot's default.
	Language string `json:"language,omitempty"`
	// AssessAt is when the next self-assessment may be offered; AssessPostponed
	// is set once "Not now" has moved it by a few days, which it does only once.
	AssessAt        time.Time `json:"assess_at,omitzero"`
	AssessPostponed bool      `json:"assess_postponed,omitempty"`
	// LastSeen is when the client last wrote, kept to the hour: silence is
	// measured from it, not from invitations.
	LastSeen time.Time `json:"last_seen,omitzero"`
	// CoachSince is when the client joined their current coach; storage
	// sets it whenever CoachID changes.
	CoachSince time.Time `json:"coach_since,omitzero"`
	// SlowedAt is when the bot last slowed the rhythm after unanswered
	// invitations; zero once the client chose a rhythm themselves.
	SlowedAt time.Time `json:"slowed_at,omitzero"`
	// PausedAt and ResumedAt are the client's last /pause and /resume.
	PausedAt  time.Time `json:"paused_at,omitzero"`
	ResumedAt time.Time `json:"resumed_at,omitzero"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
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
	ID       int64  `json:"id"`
	ClientID string `json:"client_id,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Action   string `json:"action,omitempty"`   // what they will try
	Why      string `json:"why,omitempty"`      // the outcome it serves, when they named one
	When     string `json:"when,omitempty"`     // when they will try it, in their words
	Energy   int    `json:"energy,omitempty"`   // 1-5, what it will cost
	Load     string `json:"load,omitempty"`     // emotional load: low, medium, high
	People   string `json:"people,omitempty"`   // effect on the people around them
	Recovery string `json:"recovery,omitempty"` // what recovery it needs
	Carry    int    `json:"carry,omitempty"`    // 1-10, how carryable it feels
	Status   string `json:"status,omitempty"`
	// SuggestedBy is the coach who suggested it, when the client accepted a
	// suggestion; empty when the client designed it alone.
	SuggestedBy string `json:"suggested_by,omitempty"`
	// PlanFrom and PlanBy are the local dates the client means to try it
	// (equal for one day); PlanClock a time of day they named, "" when none.
	PlanFrom  string `json:"plan_from,omitempty"`
	PlanBy    string `json:"plan_by,omitempty"`
	PlanClock string `json:"plan_clock,omitempty"`
	// CheckFrom is the first moment to invite a reflection on it: after the
	// planned attempt, at the client's check-in time.
	CheckFrom time.Time `json:"check_from,omitzero"`
	// PreviousID is the version this one grew from (made smaller, stretched or
	// swapped); 0 for a first version.
	PreviousID int64     `json:"previous_id,omitempty"`
	CreatedAt  time.Time `json:"created_at,omitzero"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// CheckIn is one reflection on an experiment: what happened and what was noticed.
type CheckIn struct {
	ID           int64     `json:"id"`
	ClientID     string    `json:"client_id,omitempty"`
	ExperimentID int64     `json:"experiment_id,omitempty"`
	Outcome      string    `json:"outcome,omitempty"` // done, partly, adapted, not_yet, rest
	Noticed      string    `json:"noticed,omitempty"`
	Energy       int       `json:"energy,omitempty"`    // 1-5, what it took; 0 when not asked
	Obstacle     string    `json:"obstacle,omitempty"`  // what got in the way; empty for nothing
	Challenge    string    `json:"challenge,omitempty"` // easy, right, hard; empty when not asked
	Next         string    `json:"next,omitempty"`      // keep, smaller, stretch, swap, pause
	Private      bool      `json:"private,omitempty"`   // never reaches the coach
	At           time.Time `json:"at,omitzero"`
}

// NonAction is a day the client consciously chose rest, boundary repair,
// observation or integration. It is a valid entry, not a gap.
type NonAction struct {
	ID       int64  `json:"id"`
	ClientID string `json:"client_id,omitempty"`
	Kind     string `json:"kind,omitempty"` // rest, boundary, observe, integrate
	Note     string `json:"note,omitempty"`
	Date     string `json:"date,omitempty"` // local date, "2026-11-22"
	Private  bool   `json:"private,omitempty"`
	// Planned marks recovery on a planned rest day (the rest-day question),
	// as opposed to rest chosen in place of an experiment.
	Planned bool      `json:"planned,omitempty"`
	At      time.Time `json:"at,omitzero"`
}

// Coach is someone whose clients joined through their invites.
type Coach struct {
	ID            string          `json:"id"`
	ChatID        string          `json:"chat_id,omitempty"`
	Name          string          `json:"name,omitempty"`
	Zone          scheduler.Zone  `json:"zone,omitzero"`
	DigestAt      scheduler.Clock `json:"digest_at,omitzero"` // local time
	DigestWeekly  bool            `json:"digest_weekly,omitempty"`
	DigestWeekday time.Weekday    `json:"digest_weekday"`
	// PrivateOnly is what a digest whose only news is private check-ins
	// becomes: PrivateOnlyLine (the default, also "") or PrivateOnlyNone
	// (not sent).
	PrivateOnly string `json:"private_only,omitempty"`
	// Language is the language the coach's digests and answers are in; ""
	// is the bot's default.
	Language  string    `json:"language,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// Invite is a single-use, expiring code that links a client to a coach.
type Invite struct {
	Code      string    `json:"code,omitempty"`
	CoachID   string    `json:"coach_id,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	UsedBy    string    `json:"used_by,omitempty"`
	UsedAt    time.Time `json:"used_at,omitzero"`
}

// Assessment is one self-rating of a skill on the four stages of competence
// (1 unaware of the gap, 2 aware of it, 3 can with effort, 4 without thinking).
type Assessment struct {
	ID       int64     `json:"id"`
	ClientID string    `json:"client_id,omitempty"`
	Skill    string    `json:"skill,omitempty"`
	Stage    int       `json:"stage,omitempty"`
	At       time.Time `json:"at,omitzero"`
}

// Suggestion is an experiment a coach proposed; the client accepts, reshapes or
// declines it.
type Suggestion struct {
	ID       int64     `json:"id"`
	CoachID  string    `json:"coach_id,omitempty"`
	ClientID string    `json:"client_id,omitempty"`
	Text     string    `json:"text,omitempty"`
	Status   string    `json:"status,omitempty"` // open, accepted, reshaped, declined
	At       time.Time `json:"at,omitzero"`
	// AnsweredAt is when the client took, reshaped or declined it.
	AnsweredAt time.Time `json:"answered_at,omitzero"`
}

// What a digest whose only news is private check-ins becomes.
const (
	PrivateOnlyLine = "line"
	PrivateOnlyNone = "none"
)

// Due is one proactive moment for one recipient. The key (recipient, kind, local
// date) is unique, so a sweep that runs twice sends nothing twice.
type Due struct {
	ID          int64     `json:"id"`
	RecipientID string    `json:"recipient_id,omitempty"` // client or coach ID
	Kind        string    `json:"kind,omitempty"`         // checkin, nudge, restday, eve, assessment, digest, brief
	Date        string    `json:"date,omitempty"`         // the recipient's local date, "2026-11-22"
	At          time.Time `json:"at,omitzero"`
	Status      string    `json:"status,omitempty"` // pending, sent, answered, dropped
	SentAt      time.Time `json:"sent_at,omitzero"`
}

// Conversation is the durable state of one chat's current flow: which flow, which
// step, under which version, the answers so far, and the token its buttons carry.
type Conversation struct {
	ChatID   string            `json:"chat_id,omitempty"`
	UserID   string            `json:"user_id,omitempty"`
	Flow     string            `json:"flow,omitempty"`
	Step     string            `json:"step,omitempty"`
	Version  int               `json:"version,omitempty"`
	Answers  map[string]string `json:"answers"`
	Token    string            `json:"token,omitempty"`
	Deadline time.Time         `json:"deadline,omitzero"`
	Updated  time.Time         `json:"updated,omitzero"`
}

// SessionNote is what a client wants to bring to their next session, written
// when the bot invites them to look back the day before.
type SessionNote struct {
	ID       int64     `json:"id"`
	ClientID string    `json:"client_id,omitempty"`
	Text     string    `json:"text"`
	Private  bool      `json:"private,omitempty"`
	At       time.Time `json:"at,omitzero"`
}

// Safety event levels.
const (
	// SafetyDanger is a message that clearly suggested danger.
	SafetyDanger = "danger"
	// SafetyUnsafeAnswer is "not safe" or "not sure" in answer to "are you safe?".
	SafetyUnsafeAnswer = "unsafe_answer"
)

// SafetyEvent records that a message suggested the client may be in danger,
// and when. It never holds what they wrote.
type SafetyEvent struct {
	ID           int64     `json:"id"`
	ClientID     string    `json:"client_id,omitempty"`
	Level        string    `json:"level,omitempty"`
	CoachAlerted bool      `json:"coach_alerted,omitempty"`
	At           time.Time `json:"at,omitzero"`
}

// LinkCode is a short-lived code a client made to join another account.
type LinkCode struct {
	Code      string    `json:"code,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}
