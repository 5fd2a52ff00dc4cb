package flows

import "slices"

// isAdmin reports whether the person writing is listed as an admin in the config.
func (s *Session) isAdmin() bool { return slices.Contains(s.e.cfg.Admins, s.msg.UserID) }

// isCoach reports whether the person writing is a coach.
func (s *Session) isCoach() bool {
	_, err := s.tx.Coach(s.msg.UserID)
	return err == nil
}
