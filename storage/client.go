package storage

import (
	"database/sql"
	"encoding"
	"fmt"
	"strings"

	"github.com/coachbot/coachbot/flows"
)

const clientColumns = `id, chat_id, name, consented, zone, check_in, rest_days, cadence, coach_id,
	paused_until, unreachable, unanswered, last_session, next_session, anchor, created_at, updated_at,
	closed_on, assess_at, assess_postponed, last_seen, coach_since, slowed_at, paused_at, resumed_at, language`

// scanClient reads the columns of clientColumns.
func scanClient(scan func(dest ...any) error) (flows.Client, error) {
	var c flows.Client
	var coach sql.NullString
	var paused, last, next, created, updated, assess sql.NullInt64
	var seen, since, slowed, pausedAt, resumedAt sql.NullInt64
	err := scan(&c.ID, &c.ChatID, &c.Name, &c.Consented, textColumn{&c.Zone, "zone"}, textColumn{&c.CheckIn, "check-in time"},
		textColumn{&c.RestDays, "rest days"}, textColumn{&c.Cadence, "cadence"},
		&coach, &paused, &c.Unreachable, &c.Unanswered, &last, &next, textColumn{&c.Anchor, "anchor"}, &created, &updated,
		textColumn{&c.ClosedOn, "closed day"}, &assess, &c.AssessPostponed, &seen, &since, &slowed, &pausedAt, &resumedAt, &c.Language)
	if err != nil {
		return flows.Client{}, err
	}
	c.CoachID = coach.String
	c.PausedUntil = fromMillis(paused)
	c.LastSession = fromMillis(last)
	c.NextSession = fromMillis(next)
	c.CreatedAt = fromMillis(created)
	c.UpdatedAt = fromMillis(updated)
	c.AssessAt = fromMillis(assess)
	c.LastSeen = fromMillis(seen)
	c.CoachSince = fromMillis(since)
	c.SlowedAt = fromMillis(slowed)
	c.PausedAt = fromMillis(pausedAt)
	c.ResumedAt = fromMillis(resumedAt)
	return c, nil
}

// Client returns a client by ID; flows.ErrNotFound when there is none.
func (t *tx) Client(id string) (flows.Client, error) {
	if c, ok := t.cachedClient(id); ok {
		return c, nil
	}
	c, err := scanClient(t.row(`SELECT `+clientColumns+` FROM clients WHERE id = ?`, id).Scan)
	if err != nil {
		return flows.Client{}, fmt.Errorf("client %s: %w", id, err)
	}
	t.rememberClient(c)
	return c, nil
}

// ClientsOf lists a coach's clients by name.
func (t *tx) ClientsOf(coachID string) ([]flows.Client, error) {
	cs, err := list(t, scanClient, `SELECT `+clientColumns+` FROM clients WHERE coach_id = ?
		ORDER BY name COLLATE NOCASE, id`, coachID)
	if err != nil {
		return nil, fmt.Errorf("clients of %s: %w", coachID, err)
	}
	return cs, nil
}

// ClientByName finds one of a coach's clients by name, ignoring case (Unicode
// case folding, not just ASCII). An exact name wins; otherwise a prefix that
// matches exactly one client is accepted. No match, or a name or prefix shared
// by several clients, returns an error wrapping flows.ErrNotFound; the message
// says which it was.
func (t *tx) ClientByName(coachID, name string) (flows.Client, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return flows.Client{}, fmt.Errorf("client by name: empty name: %w", flows.ErrNotFound)
	}
	cs, err := t.ClientsOf(coachID)
	if err != nil {
		return flows.Client{}, err
	}
	var exact, prefix []flows.Client
	folded := strings.ToLower(name)
	for _, c := range cs {
		switch {
		case strings.EqualFold(c.Name, name):
			exact = append(exact, c)
		case strings.HasPrefix(strings.ToLower(c.Name), folded):
			prefix = append(prefix, c)
		}
	}
	for _, match := range [][]flows.Client{exact, prefix} {
		switch len(match) {
		case 0:
			continue
		case 1:
			return match[0], nil
		default:
			return flows.Client{}, fmt.Errorf("client %q: %d clients match: %w", name, len(match), flows.ErrNotFound)
		}
	}
	return flows.Client{}, fmt.Errorf("client %q: %w", name, flows.ErrNotFound)
}

// SaveClient inserts or replaces a client. UpdatedAt is set from the DB's clock;
// CreatedAt is kept from the first save (the DB's clock when it was zero).
// CoachSince is set from the DB's clock whenever CoachID changes (kept while
// it stays), and cleared with it.
func (t *tx) SaveClient(c flows.Client) error {
	t.forgetClient(c.ID)
	now := t.now()
	var since any
	if c.CoachID != "" {
		since = now.UnixMilli()
		if !c.CoachSince.IsZero() {
			since = c.CoachSince.UnixMilli()
		}
	}
	var text [6]string
	for i, v := range []encoding.TextMarshaler{c.Zone, c.CheckIn, c.RestDays, c.Cadence, c.Anchor, c.ClosedOn} {
		var err error
		if text[i], err = asText(v); err != nil {
			return fmt.Errorf("save client %s: %w", c.ID, err)
		}
	}
	_, err := t.exec(`INSERT INTO clients (`+clientColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
		chat_id = excluded.chat_id, name = excluded.name, consented = excluded.consented,
		zone = excluded.zone, check_in = excluded.check_in, rest_days = excluded.rest_days,
		cadence = excluded.cadence, coach_id = excluded.coach_id, paused_until = excluded.paused_until,
		unreachable = excluded.unreachable, unanswered = excluded.unanswered,
		last_session = excluded.last_session, next_session = excluded.next_session,
		anchor = excluded.anchor, updated_at = excluded.updated_at, closed_on = excluded.closed_on,
		assess_at = excluded.assess_at, assess_postponed = excluded.assess_postponed,
		last_seen = excluded.last_seen, slowed_at = excluded.slowed_at, paused_at = excluded.paused_at,
		resumed_at = excluded.resumed_at, language = excluded.language,
		coach_since = CASE WHEN excluded.coach_id IS NULL THEN NULL
			WHEN clients.coach_id IS excluded.coach_id THEN coalesce(clients.coach_since, excluded.coach_since)
			ELSE excluded.updated_at END`,
		c.ID, c.ChatID, c.Name, boolInt(c.Consented), text[0], text[1], text[2], text[3],
		nullString(c.CoachID), millis(c.PausedUntil), boolInt(c.Unreachable), c.Unanswered,
		millis(c.LastSession), millis(c.NextSession), text[4],
		t.orNow(c.CreatedAt).UnixMilli(), now.UnixMilli(), text[5], millis(c.AssessAt), boolInt(c.AssessPostponed),
		millis(c.LastSeen), since, millis(c.SlowedAt), millis(c.PausedAt), millis(c.ResumedAt), c.Language)
	if err != nil {
		return fmt.Errorf("save client %s: %w", c.ID, err)
	}
	return nil
}
