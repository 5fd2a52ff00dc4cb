package scheduler

import (
	"fmt"
	"time"
)

// The rhythm's values are stored and exported as the words people read
// ("09:00", "Sat Sun", "every 2 days", "2026-11-22", "Europe/Zurich"), and
// parsed once where they come in: from a person, from the database, from a
// file. These methods are that edge for encoding/json and friends.

// MarshalText writes the clock as "09:00".
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads what ParseClock reads.
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// IsZero reports whether c is midnight, which also stands for "not chosen".
func (c Clock) IsZero() bool { return c == Clock{} }

// MarshalText writes the days as "Sat Sun", or "none".
func (w Weekdays) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText reads what ParseWeekdays reads.
func (w *Weekdays) UnmarshalText(b []byte) error {
	v, err := ParseWeekdays(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// MarshalText writes the cadence as ParseCadence reads it back.
func (c Cadence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads what ParseCadence reads; empty is daily.
func (c *Cadence) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*c = Cadence{}
		return nil
	}
	v, err := ParseCadence(string(b))
	if err != nil {
		return err
	}
	if v.EveryDays == 1 {
		v.EveryDays = 0 // daily is the zero cadence
	}
	*c = v
	return nil
}

// MarshalText writes the date as "2026-11-22", or nothing for the zero date.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads "2026-11-22"; empty is the zero date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Zone is a time zone known by its IANA name. The zero Zone is "not chosen
// yet" and reads as UTC.
type Zone struct{ loc *time.Location }

// ZoneOf wraps a location; nil is the zero Zone.
func ZoneOf(loc *time.Location) Zone { return Zone{loc: loc} }

// LoadZone reads a stored IANA name exactly ("Europe/Zurich"); "" is the zero
// Zone. People's words ("Zurich") go through ParseZone instead.
func LoadZone(name string) (Zone, error) {
	if name == "" {
		return Zone{}, nil
	}
	loc, ok := loadZone(name)
	if !ok {
		return Zone{}, fmt.Errorf("%w: %q", ErrZone, name)
	}
	return Zone{loc: loc}, nil
}

// Location is the zone's location, UTC for the zero Zone.
func (z Zone) Location() *time.Location { return zoneOrUTC(z.loc) }

// IsZero reports whether no zone was chosen.
func (z Zone) IsZero() bool { return z.loc == nil }

// String is the IANA name, "" for the zero Zone.
func (z Zone) String() string {
	if z.loc == nil {
		return ""
	}
	return z.loc.String()
}

// MarshalText writes the IANA name.
func (z Zone) MarshalText() ([]byte, error) { return []byte(z.String()), nil }

// UnmarshalText reads an IANA name, as LoadZone does.
func (z *Zone) UnmarshalText(b []byte) error {
	v, err := LoadZone(string(b))
	if err != nil {
		return err
	}
	*z = v
	return nil
}

// MustZone is LoadZone for names written in code (fixtures, tests); it
// panics on a name that is not a zone.
func MustZone(name string) Zone {
	z, err := LoadZone(name)
	if err != nil {
		panic(err)
	}
	return z
}
