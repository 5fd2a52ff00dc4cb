package storage

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// exported names, for every table that holds rows about a client, where
// /export shows them. A table keyed by the client that is missing here fails
// TestExportCoversEveryClientTable: add it to flows.Export and to this list.
var exported = map[string]string{
	"clients":       "client",
	"experiments":   "experiments",
	"check_ins":     "check_ins",
	"non_actions":   "non_actions",
	"assessments":   "assessments",
	"suggestions":   "suggestions",
	"session_notes": "session_notes",
	"safety_events": "safety_events",
	"aliases":       "linked_accounts",
	"link_codes":    "link_codes",
	"invites":       "invites",
	"due":           "moments",
	"conversations": "conversations",
}

// clientKeys are the column names that key a row by a client (besides a
// foreign key to clients): the recipient of a moment, the user of a
// conversation, the client who used an invite.
var clientKeys = []string{"client_id", "recipient_id", "user_id", "used_by"}

func TestExportCoversEveryClientTable(t *testing.T) {
	db, clk := openDB(t)
	coach := seedCoach(t, db, "telegram:100")
	const id = "telegram:1"
	now := clk.Now()
	update(t, db, func(tx flows.Tx) error {
		if err := tx.AddInvite(flows.Invite{Code: "abc", CoachID: coach.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			return err
		}
		if err := tx.SaveClient(flows.Client{ID: id, ChatID: id, Name: "Zoë", Consented: true, CoachID: coach.ID}); err != nil {
			return err
		}
		if err := tx.UseInvite("abc", id, now); err != nil {
			return err
		}
		exp, err := tx.AddExperiment(flows.Experiment{ClientID: id, Kind: flows.KindAction, Action: "walk"})
		if err != nil {
			return err
		}
		if _, err := tx.AddCheckIn(flows.CheckIn{ClientID: id, ExperimentID: exp, Outcome: "done", At: now}); err != nil {
			return err
		}
		if _, err := tx.AddNonAction(flows.NonAction{ClientID: id, Kind: flows.KindRest, Date: "2026-11-22", At: now}); err != nil {
			return err
		}
		if _, err := tx.AddAssessment(flows.Assessment{ClientID: id, Skill: "saying no", Stage: 2, At: now}); err != nil {
			return err
		}
		if _, err := tx.AddSuggestion(flows.Suggestion{CoachID: coach.ID, ClientID: id, Text: "run", At: now}); err != nil {
			return err
		}
		if _, err := tx.AddSessionNote(flows.SessionNote{ClientID: id, Text: "pricing", At: now}); err != nil {
			return err
		}
		if _, err := tx.AddSafetyEvent(flows.SafetyEvent{ClientID: id, Level: flows.SafetyDanger, At: now}); err != nil {
			return err
		}
		if err := tx.AddAlias("discord:1", id, "discord:101"); err != nil {
			return err
		}
		if err := tx.AddLinkCode("XYZ", id, now.Add(15*time.Minute)); err != nil {
			return err
		}
		if _, err := tx.AddDue(flows.Due{RecipientID: id, Kind: "checkin", Date: "2026-11-23", At: now.Add(24 * time.Hour)}); err != nil {
			return err
		}
		return tx.SaveConversation(flows.Conversation{ChatID: id, UserID: id, Flow: "checkin", Step: "noticed", Version: 1,
			Answers: map[string]string{"outcome": "done"}, Updated: now})
	})

	var x flows.Export
	view(t, db, func(tx flows.Tx) (err error) { x, err = flows.ExportClient(tx, id, now); return err })
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}

	tables, err := readerStrings(db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, table := range tables {
		cols, err := readerStrings(db, `SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		refs, err := readerStrings(db, `SELECT "table" FROM pragma_foreign_key_list(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		keyed := table == "clients" || slices.Contains(refs, "clients") ||
			slices.ContainsFunc(cols, func(c string) bool { return slices.Contains(clientKeys, c) })
		if !keyed {
			continue
		}
		found++
		key, ok := exported[table]
		if !ok {
			t.Errorf("table %s holds rows about a client (columns %v) but /export does not cover it", table, cols)
			continue
		}
		raw := string(got[key])
		if raw == "" || raw == "null" || raw == "[]" || raw == "{}" {
			t.Errorf("table %s has a row for the client, but the export's %q is %s", table, key, raw)
		}
	}
	if found < len(exported) {
		t.Errorf("found %d client tables, fewer than the %d the export names: is the schema query right?", found, len(exported))
	}
}

// readerStrings runs a query on the read pool and returns its first column.
func readerStrings(db *DB, query string, args ...any) ([]string, error) {
	rows, err := db.readerDB.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
