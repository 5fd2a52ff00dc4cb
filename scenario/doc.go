// Package scenario runs scenario files: what several people write to the bot and
// what they receive over days, on a test clock, with the real engine over a
// real SQLite database. A scenario is short enough for a coach to read and know
// what a client experiences; run, it checks that the bot still behaves so.
//
//	# A coach invites Ana; she lets Tuesday's invitation pass and hears once
//	# more that day, gently; the coach learns of it in the digest.
//	start 2026-11-23 09:30 Europe/Zurich      # a Monday
//	set coach_code let-me-coach
//
//	coach: /coach let-me-coach
//	coach < time zone
//	coach: Zurich
//	coach < digest … [18:00]
//	coach: [18:00]
//	coach < daily … weekly
//	coach: [daily]
//	coach < set up as a coach
//	coach: /invite
//	coach < /start (?P<invite>\w+)/           # the code is kept as $invite
//
//	ana: /start $invite
//	ana < welcome … what I keep
//	ana: [Yes, let's begin]
//	ana < Coach … will see … [Yes] [No]
//	ana: [1]
//	ana < time zone
//	ana: Atlantis
//	ana < know that time zone                 # asked again, kindly
//	ana: Zurich
//	ana < check-in
//	ana: 09:00
//	ana < rest days
//	ana: none
//	ana < connected … set up
//	check ana client.zone Europe/Zurich
//
//	@ Tue 09:30
//	ana < 09:00 /reflect|noticed/
//	@ +3h
//	ana < 12:00 nudge
//	@ Tue 20:00
//	coach < 18:00 Ana … unanswered
//	ana < nothing                             # nothing more today
//
// # Lines
//
// Blank lines are ignored; "#" starts a comment at the start of a line or after a
// space ("\#" is a plain "#"). The comment lines before the first statement
// say what the scenario is about.
//
//   - start DATE HH:MM [ZONE]: the first statement. The clock starts there, and
//     every time in the file is read in ZONE (an IANA name or a city; UTC when
//     left out).
//   - set KEY VALUE: engine configuration, before the first step. Keys as in
//     config.yaml: coach_code, admins (names or platform IDs), rhythm.quiet_hours,
//     rhythm.max_messages_per_day, rhythm.nudge_after, rhythm.assess_every_weeks,
//     rhythm.invite_ttl, rhythm.default_checkin, safety.help_line, safety.words
//     (comma-separated), messages.language.
//   - NAME: TEXT: NAME writes TEXT. "NAME:" alone sends an empty message.
//     "NAME: [Label]" presses the button with that label (any case) on the
//     latest message NAME received that had buttons; "NAME: [2]" presses the
//     second one. A label that is not there fails and lists the labels there
//     are. People are console users (console:NAME, shown as "Ana"); NAME@telegram
//     or NAME@discord is another person, with that platform's ID, on any line.
//   - NAME < PATTERN: the next message NAME received contains PATTERN. Parts
//     separated by "…" (or "...") must appear in that order; parts that are not
//     in the rest of that message may go on in the messages right after it, each
//     holding some, so a scenario reads the same whether the bot says something
//     in one message or two. Case and runs of spaces do not matter; buttons are
//     part of the message, shown as [Label].
//     A PATTERN written /like this/ is a regular expression (case-insensitive,
//     "." matches line ends too); its named groups, (?P<code>\w+), capture words
//     that later lines use as $code. A PATTERN may begin with when the message
//     arrived, in the scenario's zone: "09:00", "Mon 09:00" or
//     "2026-11-23 09:00" (to look for text that itself begins with a time, use a
//     regular expression). "*" matches any message.
//   - NAME < nothing: NAME has received nothing that is not yet matched.
//   - @ WHEN: the clock moves forward to WHEN: "2026-11-23 09:05", "Mon 09:00"
//     (the next Monday at 09:00), "09:00" (the next 09:00) or "+3h", "+2d",
//     "+1d2h30m". On the way the due sweep runs at every moment something is
//     due, in order, so each message carries the time it was really sent, and
//     once more at WHEN. The clock moves only here: everyone's messages and the
//     answers to them happen at the current time.
//   - check NAME PATH VALUE: what is stored about NAME, as /export shows it:
//     PATH is a dotted path into the export (client.zone, client.cadence,
//     experiments.0.action); a list compares its length ("check ana experiments
//     1"); "-" is an empty or missing value.
//
// Every message a person receives must be matched before that person's next
// message and before the end of the file; otherwise the scenario fails and lists
// what arrived unexpectedly, with times. So "one message per step" and
// "nothing more today" are both testable. The first failure ends the run.
package scenario
