package flows

import (
	"context"
	"errors"
	"time"

	"github.com/coachbot/coachbot/bot"
)

// ErrNotFound is returned by Tx lookups when the row does not exist.
var ErrNotFound = errors.New("not found")

// ErrDuplicate is returned when a unique key is already taken, such as a due
// moment that was already scheduled for that day.
var ErrDuplicate = errors.New("duplicate")

// Store runs work in transactions. Update commits everything fn did, including
// the replies it queued, or nothing at all; it returns only after the commit is
// durable, so a reply never leaves for an answer that was not saved.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn on a consistent read-only snapshot; writes fail.
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is what the engine may read and write inside one transaction. Lookups return
// ErrNotFound for a missing row, never a zero value with a nil error.
type Tx interface {
	// MarkSeen records an inbound update ID and reports whether it was new.
	MarkSeen(updateID string, at time.Time) (bool, error)

	Conversation(chatID string) (Conversation, error)
	SaveConversation(c Conversation) error
	EndConversation(chatID string) error

	Client(id string) (Client, error)
	ClientByName(coachID, name string) (Client, error)
	ClientsOf(coachID string) ([]Client, error)
	SaveClient(c Client) error
	// Forget deletes everything stored about a client, linked accounts included.
	Forget(clientID string) error

	// AddLinkCode stores a short-lived code for joining another account.
	AddLinkCode(code, clientID string, expires time.Time) error
	// LinkCode looks a code up without spending it; ErrNotFound when unknown
	// or expired.
	LinkCode(code string, now time.Time) (string, error)
	// UseLinkCode spends a code; ErrNotFound when unknown or expired.
	UseLinkCode(code string, now time.Time) (string, error)
	// Alias returns the client another platform's user speaks for.
	Alias(userID string) (string, error)
	// AddAlias lets userID, writing from chatID, speak for clientID.
	AddAlias(userID, clientID, chatID string) error
	// Aliases lists the other platforms' user IDs that speak for a client.
	Aliases(clientID string) ([]string, error)
	// LinkCodes lists the link codes a client made that are still stored.
	LinkCodes(clientID string) ([]LinkCode, error)
	// InvitesUsedBy lists the invites a client used.
	InvitesUsedBy(clientID string) ([]Invite, error)

	AddExperiment(e Experiment) (int64, error)
	UpdateExperiment(e Experiment) error
	Experiment(id int64) (Experiment, error)
	// Experiments lists a client's experiments, oldest first; status "" means all.
	Experiments(clientID, status string) ([]Experiment, error)

	AddCheckIn(c CheckIn) (int64, error)
	CheckIns(clientID string, since time.Time) ([]CheckIn, error)
	// SetCheckInPrivate shares or un-shares one of a client's check-ins, and
	// the rest it recorded with it; ErrNotFound when it is not theirs.
	SetCheckInPrivate(clientID string, id int64, private bool) error
	AddNonAction(n NonAction) (int64, error)
	NonActions(clientID string, since time.Time) ([]NonAction, error)
	AddSessionNote(n SessionNote) (int64, error)
	SessionNotes(clientID string, since time.Time) ([]SessionNote, error)
	AddAssessment(a Assessment) (int64, error)
	AddSafetyEvent(e SafetyEvent) (int64, error)
	// SafetyEvents lists a client's safety events at or after since.
	SafetyEvents(clientID string, since time.Time) ([]SafetyEvent, error)
	Assessments(clientID string) ([]Assessment, error)

	Coach(id string) (Coach, error)
	SaveCoach(c Coach) error
	Coaches() ([]Coach, error)
	AddInvite(i Invite) error
	Invite(code string) (Invite, error)
	UseInvite(code, clientID string, at time.Time) error
	AddSuggestion(s Suggestion) (int64, error)
	Suggestion(id int64) (Suggestion, error)
	UpdateSuggestion(s Suggestion) error
	// Suggestions lists the suggestions made to a client, oldest first.
	Suggestions(clientID string) ([]Suggestion, error)

	// AddDue schedules a proactive moment; ErrDuplicate when its key exists.
	AddDue(d Due) (int64, error)
	UpdateDue(d Due) error
	// DueBefore lists pending moments due at or before t, oldest first.
	DueBefore(t time.Time, limit int) ([]Due, error)
	// LatestDue returns the newest moment of a kind for a recipient.
	LatestDue(recipientID, kind string) (Due, error)
	// DueSince lists a recipient's moments of any status at or after t.
	DueSince(recipientID string, t time.Time) ([]Due, error)
	// PendingSince lists a recipient's pending moments at or after t.
	PendingSince(recipientID string, t time.Time) ([]Due, error)

	// Send queues a reply in the outbox; it leaves after the commit.
	Send(r bot.Reply, at time.Time) error

	// AddWebToken stores a token of the coach's web view (a one-time link or
	// a session) by its hash, and deletes tokens expired by its CreatedAt;
	// ErrDuplicate when the hash exists.
	AddWebToken(t WebToken) error
	// WebToken looks a token up by its hash; ErrNotFound when unknown.
	WebToken(hash string) (WebToken, error)
	// UseWebToken spends a one-time link: ErrNotFound when it is unknown,
	// used or expired at now.
	UseWebToken(hash string, now time.Time) (WebToken, error)
	// EndWebTokens deletes every web session and link of a coach and
	// reports how many sessions ended.
	EndWebTokens(coachID string, now time.Time) (int, error)
}
