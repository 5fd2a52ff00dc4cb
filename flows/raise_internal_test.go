package flows

import (
	"strings"
	"testing"
	"time"
)

// Each worth-raising rule, firing and not.
func TestWorthRaisingRules(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	hard := func(exp int64, at time.Time) CheckIn {
		return CheckIn{ExperimentID: exp, Challenge: "hard", Outcome: "partly", At: at}
	}
	energy := func(es ...int) []CheckIn {
		var cs []CheckIn
		for i, e := range es {
			cs = append(cs, CheckIn{ExperimentID: 1, Energy: e, Outcome: "done", At: ago(time.Duration(len(es)-i) * time.Hour)})
		}
		return cs
	}
	rest := func(n int, planned bool) []NonAction {
		var rs []NonAction
		for i := range n {
			rs = append(rs, NonAction{Kind: KindRest, Planned: planned, At: ago(time.Duration(i+1) * day)})
		}
		return rs
	}
	client := Client{CoachSince: ago(30 * day), LastSeen: ago(time.Hour)}
	exps := []Experiment{{ID: 1, Action: "walk", Status: StatusClosed}, {ID: 2, Action: "walk less", PreviousID: 1, Status: StatusRunning}}
	tests := []struct {
		name string
		v    clientView
		want string // catalog key, "" for none
	}{
		{"TooHard", clientView{exps: exps, allShared: []CheckIn{hard(2, ago(day)), hard(2, ago(2*day)), hard(2, ago(3*day))}}, "raise.too_hard"},
		{"TooHardAcrossVersions", clientView{exps: exps, allShared: []CheckIn{hard(1, ago(day)), hard(1, ago(2*day)), hard(2, ago(3*day))}}, ""},
		{"TooHardOnAClosedVersion", clientView{exps: exps, allShared: []CheckIn{hard(1, ago(day)), hard(1, ago(2*day)), hard(1, ago(3*day))}}, ""},
		{"TooHardLongAgo", clientView{exps: exps, allShared: []CheckIn{hard(2, ago(day)), hard(2, ago(2*day)), hard(2, ago(30*day))}}, ""},
		{"EnergyRising", clientView{allShared: energy(1, 2, 2, 3, 3, 3)}, "raise.energy_rising"},
		{"EnergySteady", clientView{allShared: energy(2, 2, 3, 3, 2, 3)}, ""},
		{"EnergyTooFew", clientView{allShared: energy(1, 1, 5, 5, 5)}, ""},
		{"Silent", clientView{client: Client{CoachSince: ago(20 * day), LastSeen: ago(8 * day)}}, "raise.silent"},
		{"SilentNeverSeen", clientView{client: Client{CoachSince: ago(8 * day)}}, "raise.silent"},
		{"JoinedTwoDaysAgo", clientView{client: Client{CoachSince: ago(2 * day), CreatedAt: ago(40 * day), LastSeen: ago(30 * day)}}, ""},
		{"WroteYesterday", clientView{client: Client{CoachSince: ago(20 * day), LastSeen: ago(day)}}, ""},
		{"SilentButPaused", clientView{client: Client{CoachSince: ago(20 * day), LastSeen: ago(10 * day), PausedUntil: now.Add(day)}}, ""},
		{"RestOften", clientView{weekRests: rest(3, false)}, "raise.rest_often"},
		{"RestTwice", clientView{weekRests: rest(2, false)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.v.client.CoachSince.IsZero() {
				tt.v.client = client
			}
			var keys []string
			for _, r := range worthRaising(tt.v, now) {
				keys = append(keys, r.key)
			}
			got := strings.Join(keys, " ")
			if got != tt.want {
				t.Errorf("raised %q, want %q", got, tt.want)
			}
		})
	}
}
