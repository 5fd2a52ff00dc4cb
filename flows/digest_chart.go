package flows

import (
	"fmt"
	"strings"
	"time"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/scheduler"
)

// digestChartWeeks is how many weeks the weekly digest's chart shows.
const digestChartWeeks = 8

// DigestChart is what the weekly digest's chart shows: per client, the
// shared check-ins of each week and their mean energy. Private check-ins
// are not in it: they feed no trend.
type DigestChart struct {
	Weeks   []time.Time // the first day of each week, oldest first, in the coach's zone
	Clients []ClientWeeks
	// Labels are the chart's words in the coach's language, WeekLabels the
	// weeks named in it ("Mo 23. Nov").
	CheckInsLabel, EnergyLabel string
	WeekLabels                 []string
}

// ClientWeeks is one client's line in the digest's chart.
type ClientWeeks struct {
	Name     string
	CheckIns []int     // shared check-ins per week
	Energy   []float64 // mean shared energy per week; 0 for a week without
}

// digestChart sends, after a weekly digest, its chart as a PNG with the same
// numbers in words for whoever cannot see the picture. A chart that fails to
// draw is left out; the digest itself has gone.
func (e *Engine) digestChart(s *Session, coach Coach) error {
	draw := e.cfg.Web.DigestChart
	if draw == nil || !coach.DigestWeekly {
		return nil
	}
	ch, err := e.digestChartOf(s, coach)
	if err != nil || len(ch.Clients) == 0 {
		return err
	}
	png, err := draw(ch)
	if err != nil {
		e.logger.Warn("draw digest chart", "coach", coach.ID, "err", err)
		return nil
	}
	var lines []string
	for _, c := range ch.Clients {
		var energy []string
		for _, x := range c.Energy {
			if x > 0 {
				energy = append(energy, fmt.Sprintf("%.1f", x))
			} else {
				energy = append(energy, "–")
			}
		}
		lines = append(lines, s.T("digest.chart_line", "name", c.Name,
			"checkins", strings.Trim(fmt.Sprint(c.CheckIns), "[]"), "energy", strings.Join(energy, " ")))
	}
	text := s.T("digest.chart_alt", "weeks", fmt.Sprint(len(ch.Weeks))) + "\n" + strings.Join(lines, "\n")
	day := scheduler.DateOf(s.now, zoneOf(coach.Zone)).String()
	return s.reply(bot.Reply{Text: text, Document: &bot.Document{Name: "digest-" + day + ".png", Content: png}})
}

// digestChartOf gathers the chart's numbers over the last weeks.
func (e *Engine) digestChartOf(s *Session, coach Coach) (DigestChart, error) {
	loc := zoneOf(coach.Zone)
	today := scheduler.DateOf(s.now, loc)
	monday := today.AddDays(-((int(scheduler.At(today, scheduler.Clock{}, loc).Weekday()) + 6) % 7))
	first := monday.AddDays(-7 * (digestChartWeeks - 1))
	ch := DigestChart{CheckInsLabel: s.T("digest.chart_checkins"), EnergyLabel: s.T("digest.chart_energy")}
	for w := range digestChartWeeks {
		week := scheduler.At(first.AddDays(7*w), scheduler.Clock{}, loc)
		ch.Weeks = append(ch.Weeks, week)
		ch.WeekLabels = append(ch.WeekLabels, s.date(week, dateShort))
	}
	clients, err := s.tx.ClientsOf(coach.ID)
	if err != nil {
		return ch, err
	}
	for _, c := range clients {
		cis, err := s.tx.CheckIns(c.ID, ch.Weeks[0])
		if err != nil {
			return ch, err
		}
		cw := ClientWeeks{Name: displayName(c), CheckIns: make([]int, digestChartWeeks), Energy: make([]float64, digestChartWeeks)}
		rated := make([]int, digestChartWeeks)
		seen := false
		for _, ci := range cis {
			if ci.Private || ci.At.After(s.now) {
				continue
			}
			d := scheduler.DaysBetween(first, scheduler.DateOf(ci.At, loc))
			w := d / 7
			if d < 0 || w >= digestChartWeeks {
				continue
			}
			seen = true
			cw.CheckIns[w]++
			if ci.Energy > 0 {
				cw.Energy[w] += float64(ci.Energy)
				rated[w]++
			}
		}
		if !seen {
			continue
		}
		for w, n := range rated {
			if n > 0 {
				cw.Energy[w] /= float64(n)
			}
		}
		ch.Clients = append(ch.Clients, cw)
	}
	return ch, nil
}
