package flows

import (
	"fmt"
	"strings"
	"time"

	"github.com/coachbot/coachbot/scheduler"
)

// zone is the client's time zone, UTC until they choose one.
func (s *Session) zone() *time.Location { return zoneOf(s.client.Zone) }

// zoneOf loads a stored zone name; names are validated when stored, so UTC
// stands in only for "not chosen yet".
func zoneOf(z scheduler.Zone) *time.Location { return z.Location() }

// nextCheckInText says when the next check-in invitation will come.
func (s *Session) nextCheckInText() string {
	p, ok := s.prefs()
	if !ok {
		return s.T("when.unknown")
	}
	if !p.PausedUntil.IsZero() && s.now.Before(p.PausedUntil) {
		return s.T("when.paused", "date", s.date(p.PausedUntil.In(p.Zone), dateDay))
	}
	after := s.now
	if today := s.today(); s.client.ClosedOn == today {
		after = scheduler.At(today.AddDays(1), scheduler.Clock{}, p.Zone).Add(-time.Second)
	}
	at, err := nextCheckIn(s.tx, s.client, p, after)
	if err != nil || at.IsZero() {
		return s.T("when.unknown")
	}
	return formatMoment(s, at.In(p.Zone))
}

// formatMoment says a moment the way people do: "today at 09:00",
// "tomorrow at 09:00", "Thursday at 09:00".
func formatMoment(s *Session, t time.Time) string {
	today := scheduler.DateOf(s.now, t.Location())
	d := scheduler.DateOf(t, t.Location())
	clock := t.Format("15:04")
	switch scheduler.DaysBetween(today, d) {
	case 0:
		return s.T("when.today", "time", clock)
	case 1:
		return s.T("when.tomorrow", "time", clock)
	}
	return s.T("when.day", "day", s.date(t, dateDay), "time", clock)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func lastN[T any](xs []T, n int) []T {
	if len(xs) <= n {
		return xs
	}
	return xs[len(xs)-n:]
}

// count says a number of things through the catalog, so each language can say
// "once" or "1 experiment" its own way: keys count.NOUN.1, count.NOUN.2 and
// count.NOUN.n.
func (s *Session) count(noun string, n int) string {
	key := "count." + noun + ".n"
	if n == 1 || n == 2 {
		if k := fmt.Sprintf("count.%s.%d", noun, n); s.e.cat.Has(k) {
			key = k
		}
	}
	return s.T(key, "n", fmt.Sprint(n))
}
