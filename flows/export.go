package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/coachbot/coachbot/bot"
)

// Export is everything stored about one client, as handed to them by /export:
// every table keyed by the client has its place here (a storage test checks
// the schema against it).
type Export struct {
	ExportedAt   time.Time     `json:"exported_at"`
	Client       Client        `json:"client"`
	Experiments  []Experiment  `json:"experiments"`
	CheckIns     []CheckIn     `json:"check_ins"`
	NonActions   []NonAction   `json:"non_actions"`
	Assessments  []Assessment  `json:"assessments"`
	SessionNotes []SessionNote `json:"session_notes"`
	Suggestions  []Suggestion  `json:"suggestions"`
	// SafetyEvents say when a message suggested danger; they hold no words.
	SafetyEvents []SafetyEvent `json:"safety_events"`
	// LinkedAccounts are the other platforms' user IDs that speak for them.
	LinkedAccounts []string   `json:"linked_accounts"`
	LinkCodes      []LinkCode `json:"link_codes"`
	Invites        []Invite   `json:"invites"`
	// Moments are the proactive messages planned, sent or let go.
	Moments []Due `json:"moments"`
	// Conversations are questions in progress, with the answers so far.
	Conversations []Conversation `json:"conversations"`
}

// ExportClient gathers everything stored about a client.
func ExportClient(tx Tx, clientID string, now time.Time) (Export, error) {
	c, err := tx.Client(clientID)
	if err != nil {
		return Export{}, err
	}
	x := Export{ExportedAt: now.UTC(), Client: c}
	if x.Experiments, err = tx.Experiments(clientID, ""); err != nil {
		return Export{}, err
	}
	if x.CheckIns, err = tx.CheckIns(clientID, time.Time{}); err != nil {
		return Export{}, err
	}
	if x.NonActions, err = tx.NonActions(clientID, time.Time{}); err != nil {
		return Export{}, err
	}
	if x.Assessments, err = tx.Assessments(clientID); err != nil {
		return Export{}, err
	}
	if x.SessionNotes, err = tx.SessionNotes(clientID, time.Time{}); err != nil {
		return Export{}, err
	}
	if x.Suggestions, err = tx.Suggestions(clientID); err != nil {
		return Export{}, err
	}
	if x.SafetyEvents, err = tx.SafetyEvents(clientID, time.Time{}); err != nil {
		return Export{}, err
	}
	if x.LinkedAccounts, err = tx.Aliases(clientID); err != nil {
		return Export{}, err
	}
	if x.LinkCodes, err = tx.LinkCodes(clientID); err != nil {
		return Export{}, err
	}
	if x.Invites, err = tx.InvitesUsedBy(clientID); err != nil {
		return Export{}, err
	}
	if x.Moments, err = tx.DueSince(clientID, time.Time{}); err != nil {
		return Export{}, err
	}
	seen := map[string]bool{}
	for _, chat := range append([]string{c.ChatID, c.ID}, x.LinkedAccounts...) {
		if chat == "" || seen[chat] {
			continue
		}
		seen[chat] = true
		conv, err := tx.Conversation(chat)
		switch {
		case err == nil:
			x.Conversations = append(x.Conversations, conv)
		case !errors.Is(err, ErrNotFound):
			return Export{}, err
		}
	}
	return x, nil
}

func runExport(s *Session, _ string) error {
	if !s.known {
		return s.say("export.nothing")
	}
	x, err := ExportClient(s.tx, s.client.ID, s.now)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return s.reply(bot.Reply{
		Text:     s.T("export.ready"),
		Document: &bot.Document{Name: "coachbot-export.json", Content: b},
	})
}
