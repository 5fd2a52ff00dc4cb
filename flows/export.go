package flows

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/coachbot/coachbot/bot"
)

// Export is everything stored about one client, as handed to them by /export.
type Export struct {
	ExportedAt  time.Time    `json:"exported_at"`
	Client      Client       `json:"client"`
	Experiments []Experiment `json:"experiments"`
	CheckIns    []CheckIn    `json:"check_ins"`
	NonActions  []NonAction  `json:"non_actions"`
	Assessments []Assessment `json:"assessments"`
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
