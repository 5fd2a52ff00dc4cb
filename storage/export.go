package storage

import (
	"database/sql"
	"fmt"

	"github.com/coachbot/coachbot/flows"
)

// Aliases lists the other platforms' user IDs that speak for a client.
func (t *tx) Aliases(clientID string) ([]string, error) {
	ids, err := t.strings(`SELECT user_id FROM aliases WHERE client_id = ? ORDER BY user_id`, clientID)
	if err != nil {
		return nil, fmt.Errorf("aliases of %s: %w", clientID, err)
	}
	return ids, nil
}

// LinkCodes lists the link codes a client made that are still stored.
func (t *tx) LinkCodes(clientID string) ([]flows.LinkCode, error) {
	cs, err := list(t, func(scan func(dest ...any) error) (flows.LinkCode, error) {
		var c flows.LinkCode
		var expires sql.NullInt64
		err := scan(&c.Code, &expires)
		c.ExpiresAt = fromMillis(expires)
		return c, err
	}, `SELECT code, expires_at FROM link_codes WHERE client_id = ? ORDER BY expires_at`, clientID)
	if err != nil {
		return nil, fmt.Errorf("link codes of %s: %w", clientID, err)
	}
	return cs, nil
}

// InvitesUsedBy lists the invites a client used, oldest first.
func (t *tx) InvitesUsedBy(clientID string) ([]flows.Invite, error) {
	is, err := list(t, func(scan func(dest ...any) error) (flows.Invite, error) {
		var i flows.Invite
		var usedBy sql.NullString
		var created, expires, used sql.NullInt64
		err := scan(&i.Code, &i.CoachID, &created, &expires, &usedBy, &used)
		i.CreatedAt, i.ExpiresAt, i.UsedAt = fromMillis(created), fromMillis(expires), fromMillis(used)
		i.UsedBy = usedBy.String
		return i, err
	}, `SELECT code, coach_id, created_at, expires_at, used_by, used_at FROM invites
		WHERE used_by = ? ORDER BY used_at`, clientID)
	if err != nil {
		return nil, fmt.Errorf("invites used by %s: %w", clientID, err)
	}
	return is, nil
}
