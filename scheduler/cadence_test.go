package scheduler

import (
	"errors"
	"testing"
)

func TestParseCadence(t *testing.T) {
	tests := []struct {
		in   string
		want Cadence
	}{
		{"daily", Cadence{EveryDays: 1}},
		{"Every day", Cadence{EveryDays: 1}},
		{"every 2 days", Cadence{EveryDays: 2}},
		{"every other day", Cadence{EveryDays: 2}},
		{"every second day", Cadence{EveryDays: 2}},
		{"every three days", Cadence{EveryDays: 3}},
		{"weekly", Cadence{EveryDays: 7}},
		{"once a week", Cadence{EveryDays: 7}},
		{"every 2 weeks", Cadence{EveryDays: 14}},
		{"3 per session", Cadence{EveryDays: 1, PerSession: 3}},
		{"3 times per session", Cadence{EveryDays: 1, PerSession: 3}},
		{"3 check-ins per session", Cadence{EveryDays: 1, PerSession: 3}},
		{"twice per session", Cadence{EveryDays: 1, PerSession: 2}},
		{"once between sessions", Cadence{EveryDays: 1, PerSession: 1}},
		{"3 per session, every 2 days", Cadence{EveryDays: 2, PerSession: 3}},
		{"weekly and 2 per session", Cadence{EveryDays: 7, PerSession: 2}},
	}
	for _, tt := range tests {
		got, err := ParseCadence(tt.in)
		if err != nil {
			t.Errorf("ParseCadence(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseCadence(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if back, err := ParseCadence(got.String()); err != nil || back != got {
			t.Errorf("ParseCadence(%q) round trip via %q = %+v, %v", tt.in, got.String(), back, err)
		}
	}
}

func TestParseCadenceBad(t *testing.T) {
	for _, in := range []string{"", "sometimes", "every 0 days", "every -2 days", "every 40 days", "0 per session",
		"99 per session", "every day, weekly", "3 per session, 2 per session", "every 2 months", "3 per meeting", ","} {
		if got, err := ParseCadence(in); !errors.Is(err, ErrCadence) {
			t.Errorf("ParseCadence(%q) = %+v, %v; want ErrCadence", in, got, err)
		}
	}
}

func TestCadenceString(t *testing.T) {
	tests := []struct {
		c    Cadence
		want string
	}{
		{Cadence{}, "daily"},
		{Cadence{EveryDays: 1}, "daily"},
		{Cadence{EveryDays: 2}, "every 2 days"},
		{Cadence{EveryDays: 7}, "weekly"},
		{Cadence{EveryDays: 14}, "every 14 days"},
		{Cadence{PerSession: 3}, "3 per session"},
		{Cadence{EveryDays: 3, PerSession: 2}, "2 per session, every 3 days"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestCadenceSlower(t *testing.T) {
	chain := []Cadence{{EveryDays: 1}, {EveryDays: 2}, {EveryDays: 3}, {EveryDays: 7}, {EveryDays: 7}}
	for i := 0; i+1 < len(chain); i++ {
		if got := chain[i].Slower(); got != chain[i+1] {
			t.Errorf("%v.Slower() = %v, want %v", chain[i], got, chain[i+1])
		}
	}
	tests := []struct{ in, want Cadence }{
		{Cadence{}, Cadence{EveryDays: 2}},
		{Cadence{EveryDays: 5}, Cadence{EveryDays: 7}},
		{Cadence{EveryDays: 14}, Cadence{EveryDays: 14}},
		{Cadence{EveryDays: 1, PerSession: 3}, Cadence{EveryDays: 2, PerSession: 2}},
		{Cadence{EveryDays: 7, PerSession: 1}, Cadence{EveryDays: 7, PerSession: 1}},
	}
	for _, tt := range tests {
		if got := tt.in.Slower(); got != tt.want {
			t.Errorf("%+v.Slower() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
