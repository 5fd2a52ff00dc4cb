package flows_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/coachbot/coachbot/flows"
	"github.com/coachbot/coachbot/scheduler"
)

// seedWave stores n clients whose check-in invitation is due now, in one
// transaction.
func seedWave(b *testing.B, w *world, n int) {
	b.Helper()
	now := w.clock.Now()
	day := now.Format(time.DateOnly)
	err := w.db.Update(b.Context(), func(tx flows.Tx) error {
		for i := range n {
			id := fmt.Sprintf("telegram:%d", 700000+i)
			c := flows.Client{ID: id, ChatID: id, Name: "Wave", Consented: true, Zone: scheduler.MustZone("UTC"), CheckIn: scheduler.Clock{Hour: 8, Minute: 30},
				Anchor: scheduler.DateOf(now, time.UTC), CreatedAt: now, UpdatedAt: now}
			if err := tx.SaveClient(c); err != nil {
				return err
			}
			if _, err := tx.AddDue(flows.Due{RecipientID: id, Kind: flows.DueCheckIn, Date: day, At: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSweepWave measures how fast the sweep turns a morning wave into
// queued invitations: one transaction per client, each read again, decided,
// replanned and written with its outbox row. It reports invitations per
// second, to set against Telegram's 30 messages per second.
func BenchmarkSweepWave(b *testing.B) {
	const clients = 1000
	for b.Loop() {
		b.StopTimer()
		w := newWorld(b)
		seedWave(b, w, clients)
		b.StartTimer()
		n, err := w.e.Sweep(b.Context())
		if err != nil || n != clients {
			b.Fatalf("swept %d, %v; want %d", n, err, clients)
		}
	}
	b.ReportMetric(float64(clients*b.N)/b.Elapsed().Seconds(), "invitations/s")
}

// BenchmarkDigests composes the digests of 1,000 coaches with 30 clients
// each, due at the same minute: every client with a running experiment and
// a week of check-ins, some shared and some private. It reports the seconds
// one sweep takes to write all 1,000.
func BenchmarkDigests(b *testing.B) {
	const coaches, perCoach = 1000, 30
	for b.Loop() {
		b.StopTimer()
		w := newWorld(b)
		now := w.clock.Now()
		day := now.Format(time.DateOnly)
		err := w.db.Update(b.Context(), func(tx flows.Tx) error {
			for c := range coaches {
				coachID := fmt.Sprintf("telegram:%d", 100000+c)
				if err := tx.SaveCoach(flows.Coach{ID: coachID, ChatID: coachID, Name: "Coach", Zone: scheduler.MustZone("UTC"), DigestAt: scheduler.Clock{Hour: 8, Minute: 30}, CreatedAt: now.AddDate(0, -1, 0)}); err != nil {
					return err
				}
				if _, err := tx.AddDue(flows.Due{RecipientID: coachID, Kind: flows.DueDigest, Date: day, At: now}); err != nil {
					return err
				}
				for k := range perCoach {
					id := fmt.Sprintf("telegram:%d", 200000+c*perCoach+k)
					cl := flows.Client{ID: id, ChatID: id, Name: fmt.Sprintf("Client %d", k), Consented: true, Zone: scheduler.MustZone("UTC"),
						CheckIn: scheduler.Clock{Hour: 18}, RestDays: scheduler.WeekdaysOf(time.Sunday), Cadence: scheduler.Cadence{}, CoachID: coachID, CreatedAt: now.AddDate(0, -1, 0), UpdatedAt: now}
					if err := tx.SaveClient(cl); err != nil {
						return err
					}
					x, err := tx.AddExperiment(flows.Experiment{ClientID: id, Kind: "action", Action: "walk 10 minutes after lunch",
						Energy: 2, Load: "low", Carry: 8, Status: "running", CreatedAt: now.AddDate(0, 0, -10)})
					if err != nil {
						return err
					}
					for d := 1; d <= 6; d++ {
						ci := flows.CheckIn{ClientID: id, ExperimentID: x, Outcome: "done", Noticed: "my head was clearer",
							Energy: 1 + d%4, Challenge: "right", Next: "keep", Private: d%3 == 0, At: now.AddDate(0, 0, -d)}
						if _, err := tx.AddCheckIn(ci); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := w.e.Sweep(b.Context())
		if err != nil || n != coaches {
			b.Fatalf("swept %d, %v; want %d digests", n, err, coaches)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/1000-digests")
}
