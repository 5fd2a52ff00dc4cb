package scheduler

import (
	"errors"
	"testing"
	"time"
)

func TestParseZone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Europe/Zurich", "Europe/Zurich"},
		{"europe/zurich", "Europe/Zurich"},
		{"EUROPE/ZURICH", "Europe/Zurich"},
		{"america/new_york", "America/New_York"},
		{"America/New York", "America/New_York"},
		{"america/port_of_spain", "America/Port_of_Spain"},
		{"america/port-au-prince", "America/Port-au-Prince"},
		{"america/argentina/buenos_aires", "America/Argentina/Buenos_Aires"},
		{"asia/kathmandu", "Asia/Kathmandu"},
		{"etc/gmt+5", "Etc/GMT+5"},
		{"Zurich", "Europe/Zurich"},
		{"new york", "America/New_York"},
		{"New_York", "America/New_York"},
		{"London", "Europe/London"},
		{"Berlin", "Europe/Berlin"},
		{"Paris", "Europe/Paris"},
		{"Mumbai", "Asia/Kolkata"},
		{"Delhi", "Asia/Kolkata"},
		{"India", "Asia/Kolkata"},
		{"Tokyo", "Asia/Tokyo"},
		{"Sydney", "Australia/Sydney"},
		{"Los Angeles", "America/Los_Angeles"},
		{"Chicago", "America/Chicago"},
		{"Denver", "America/Denver"},
		{"Toronto", "America/Toronto"},
		{"Sao Paulo", "America/Sao_Paulo"},
		{"São Paulo", "America/Sao_Paulo"},
		{"Singapore", "Asia/Singapore"},
		{"Dubai", "Asia/Dubai"},
		{"Kathmandu", "Asia/Kathmandu"},
		{"Adelaide", "Australia/Adelaide"},
		{"  tokyo  ", "Asia/Tokyo"},
		{"UTC", "UTC"},
		{"utc", "UTC"},
		{"GMT", "UTC"},
		{"UTC+2", "UTC+02:00"},
		{"gmt-3:30", "UTC-03:30"},
		{"+05:30", "UTC+05:30"},
		{"UTC+0545", "UTC+05:45"},
		{"UTC+0", "UTC"},
	}
	for _, tt := range tests {
		loc, err := ParseZone(tt.in)
		if err != nil {
			t.Errorf("ParseZone(%q): %v", tt.in, err)
			continue
		}
		if got := loc.String(); got != tt.want {
			t.Errorf("ParseZone(%q) = %q, want %q", tt.in, got, tt.want)
		}
		back, err := ParseZone(loc.String())
		if err != nil || back.String() != loc.String() {
			t.Errorf("ParseZone(%q) does not read back its own name: %v, %v", loc.String(), back, err)
		}
	}
}

func TestParseZoneBad(t *testing.T) {
	for _, in := range []string{"", "  ", "Local", "local", "Atlantis", "Europe/Atlantis", "new yrok",
		"../etc/passwd", "UTC+15", "UTC+2:75", "+", "usa"} {
		loc, err := ParseZone(in)
		if !errors.Is(err, ErrZone) {
			t.Errorf("ParseZone(%q) = %v, %v; want ErrZone", in, loc, err)
		}
	}
}

// TestEveryZoneWordLoads keeps the city table honest against the embedded zone data.
func TestEveryZoneWordLoads(t *testing.T) {
	for word, name := range zoneWords {
		if _, err := time.LoadLocation(name); err != nil {
			t.Errorf("zone word %q maps to %q: %v", word, name, err)
		}
	}
	if n := len(zoneWords); n < 60 {
		t.Errorf("zone table has %d words, want at least 60", n)
	}
}

func TestParseZoneOffsets(t *testing.T) {
	jan := instant(t, "2026-01-15T12:00:00Z")
	jul := instant(t, "2026-07-15T12:00:00Z")
	tests := []struct {
		in       string
		jan, jul int // offsets in minutes
	}{
		{"India", 330, 330},
		{"Kathmandu", 345, 345},
		{"Adelaide", 630, 570},
		{"Zurich", 60, 120},
		{"New York", -300, -240},
		{"UTC-03:30", -210, -210},
	}
	for _, tt := range tests {
		loc, err := ParseZone(tt.in)
		if err != nil {
			t.Fatalf("ParseZone(%q): %v", tt.in, err)
		}
		_, j := jan.In(loc).Zone()
		_, u := jul.In(loc).Zone()
		if j/60 != tt.jan || u/60 != tt.jul {
			t.Errorf("%s offsets = %d/%d min, want %d/%d", tt.in, j/60, u/60, tt.jan, tt.jul)
		}
	}
}
