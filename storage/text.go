package storage

import (
	"encoding"
	"fmt"
)

// textColumn scans a TEXT column into a value that parses itself (a zone, a
// clock time, days, a cadence, a date): the database is an edge, and a value
// that does not parse is an error here, not a silent default later. An empty
// column leaves the value at its zero.
type textColumn struct {
	dst  encoding.TextUnmarshaler
	what string
}

func (c textColumn) Scan(v any) error {
	var s string
	switch x := v.(type) {
	case nil:
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return fmt.Errorf("stored %s: want text, got %T", c.what, v)
	}
	if s == "" {
		return nil
	}
	if err := c.dst.UnmarshalText([]byte(s)); err != nil {
		return fmt.Errorf("stored %s %q: %w", c.what, s, err)
	}
	return nil
}

// asText is the form a value is stored in.
func asText(v encoding.TextMarshaler) (string, error) {
	b, err := v.MarshalText()
	return string(b), err
}
