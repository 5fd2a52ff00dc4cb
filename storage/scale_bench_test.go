package storage

import (
	"testing"
	"time"

	"github.com/coachbot/coachbot/flows"
)

// BenchmarkDueSweep measures what the minute's sweep asks the database with a
// million clients: the pending moments due by now, through the (status, at)
// index. The million rows (one check-in a day per client, spread over the
// day's minutes, as many already sent as the hour says) are written by one
// INSERT ... SELECT. It reports the milliseconds one sweep's query takes and
// how many moments it found.
func BenchmarkDueSweep(b *testing.B) {
	const clients = 1_000_000
	db, _ := openDB(b)
	day := t0.Truncate(24 * time.Hour)
	err := db.write(b.Context(), func(t *tx) error {
		// Client i is due at minute i%1440 of the day; everything before the
		// sweep's minute was sent already.
		_, err := t.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO due (recipient_id, kind, date, at, status)
			SELECT 'telegram:' || i, 'checkin', ?, ? + (i % 1440) * 60000,
				CASE WHEN ? + (i % 1440) * 60000 < ? THEN 'sent' ELSE 'pending' END FROM n`,
			clients-1, day.Format(time.DateOnly), day.UnixMilli(), day.UnixMilli(), t0.UnixMilli())
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	rows, err := db.readerDB.QueryContext(b.Context(), `EXPLAIN QUERY PLAN
		SELECT `+dueColumns+` FROM due WHERE status = 'pending' AND at <= ? ORDER BY at, id LIMIT 5000`, t0.UnixMilli())
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			b.Fatal(err)
		}
		b.Logf("query plan: %s", detail)
	}
	rows.Close()
	var found int
	b.ResetTimer()
	for b.Loop() {
		err := db.View(b.Context(), func(tx flows.Tx) error {
			ds, err := tx.DueBefore(t0, 5000)
			found = len(ds)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/sweep")
	b.ReportMetric(float64(found), "due")
}
