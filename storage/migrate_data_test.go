package storage

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// TestMigrateKeepsData builds a database at the schema of the last release
// (migration 006) with a client, an experiment and its check-ins, then opens
// it with this version: every row is still there, experiments are first
// versions with no plan, and check-ins stay with the experiment they were
// about.
func TestMigrateKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", dsn(path, "_pragma=foreign_keys(1)"))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	for _, m := range ms {
		if m.version > 6 {
			break
		}
		mustExec(m.sql)
		mustExec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.version, m.name)
	}
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC).UnixMilli()
	mustExec(`INSERT INTO clients (id, chat_id, name, consented, zone, check_in, rest_days, cadence, anchor, created_at, updated_at)
		VALUES ('console:ana', 'console:ana', 'Ana', 1, 'Europe/Zurich', '09:00', 'Sat Sun', 'daily', '2026-11-20', ?, ?)`, at, at)
	mustExec(`INSERT INTO experiments (id, client_id, kind, action, why, when_text, energy, load, people, recovery, carry, status, created_at, updated_at)
		VALUES (7, 'console:ana', 'action', 'email one past client', 'grow my business', 'tomorrow', 2, 'low', 'hardly', 'a walk', 8, 'running', ?, ?)`, at, at)
	mustExec(`INSERT INTO check_ins (client_id, experiment_id, outcome, noticed, energy, challenge, next, private, at)
		VALUES ('console:ana', 7, 'partly', 'it felt lighter than I feared', 2, 'right', 'keep', 0, ?)`, at)
	mustExec(`INSERT INTO non_actions (client_id, kind, note, date, private, at) VALUES ('console:ana', 'rest', 'slept in', '2026-11-21', 0, ?)`, at)
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(ctx, func(tx flows.Tx) error {
		x, err := flows.ExportClient(tx, "console:ana", time.Now())
		if err != nil {
			return err
		}
		if len(x.Experiments) != 1 || x.Experiments[0].Action != "email one past client" || x.Experiments[0].PreviousID != 0 ||
			x.Experiments[0].Why != "grow my business" || x.Experiments[0].PlanFrom != "" {
			t.Errorf("experiments = %+v", x.Experiments)
		}
		if len(x.CheckIns) != 1 || x.CheckIns[0].ExperimentID != 7 || x.CheckIns[0].Noticed != "it felt lighter than I feared" {
			t.Errorf("check-ins = %+v", x.CheckIns)
		}
		if len(x.NonActions) != 1 || x.NonActions[0].Planned {
			t.Errorf("non-actions = %+v", x.NonActions)
		}
		if !x.Client.ClosedOn.IsZero() || !x.Client.AssessAt.IsZero() {
			t.Errorf("client = %+v", x.Client)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A new version can follow the migrated one, and a check-in may close it.
	err = db.Update(ctx, func(tx flows.Tx) error {
		id, err := tx.AddExperiment(flows.Experiment{ClientID: "console:ana", Kind: flows.KindAction, Action: "email two past clients", PreviousID: 7})
		if err != nil {
			return err
		}
		_, err = tx.AddCheckIn(flows.CheckIn{ClientID: "console:ana", ExperimentID: id, Outcome: "done", Next: "close", At: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
