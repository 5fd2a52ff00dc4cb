package flows

import "github.com/coachbot/coachbot/bot"

// allFlows is every flow the engine knows.
func allFlows() []*Flow {
	return []*Flow{startFlow(), linkFlow(), actionFlow(), checkInFlow(), restFlow(), settingsFlow(), forgetFlow(),
		invitationFlow(), recoveryFlow(), assessFlow(), lookbackFlow(), coachFlow(), resumeFlow(), safeFlow(), reflectFlow(),
		afterSessionFlow(), digestSettingsFlow(), sharingFlow()}
}

// Route is one slash command: its name, what it needs, and what it does.
type Route struct {
	Name string
	Args []bot.Arg
	Help string // catalog key of the one-line description
	// Consent means only people who agreed in /start may use it.
	Consent bool
	// Coach means only coaches may use it.
	Coach bool
	// Admin means only admins may use it.
	Admin bool
	// KeepsFlow lets the command run without leaving the flow in progress.
	KeepsFlow bool
	Run       func(s *Session, args string) error
}

// routeTable is every command, in the order /help lists them.
func routeTable() []*Route {
	begin := func(flow string) func(*Session, string) error {
		return func(s *Session, args string) error { return s.begin(flow, args) }
	}
	client := []*Route{
		{Name: "start", Help: "cmd.start", Run: runStart,
			Args: []bot.Arg{{Name: "invite", Description: "Invite code from your coach"}}},
		{Name: "action", Help: "cmd.action", Consent: true, Run: begin("action")},
		{Name: "actions", Help: "cmd.actions", Consent: true, Run: showActions},
		{Name: "checkin", Help: "cmd.checkin", Consent: true, Run: begin("checkin")},
		{Name: "rest", Help: "cmd.rest", Consent: true, Run: begin("rest")},
		{Name: "pause", Help: "cmd.pause", Consent: true, Run: runPause,
			Args: []bot.Arg{{Name: "days", Description: "How many days (default 7)"}}},
		{Name: "resume", Help: "cmd.resume", Consent: true, Run: runResume},
		{Name: "settings", Help: "cmd.settings", Consent: true, Run: begin("settings")},
		{Name: "progress", Help: "cmd.progress", Consent: true, Run: showProgress},
		{Name: "assess", Help: "cmd.assess", Consent: true, Run: runAssess},
		{Name: "link", Help: "cmd.link", Run: runLink,
			Args: []bot.Arg{{Name: "code", Description: "The code from your other app"}}},
		{Name: "export", Help: "cmd.export", Run: runExport},
		{Name: "forget", Help: "cmd.forget", Run: begin("forget")},
		{Name: "cancel", Help: "cmd.cancel", Run: runCancel},
		{Name: "help", Help: "cmd.help", KeepsFlow: true, Run: showHelp},
	}
	return append(append(client, coachRoutes()...), dashboardRoute())
}

// Commands lists the commands for the platforms' command menus.
func (e *Engine) Commands() []bot.Command {
	cmds := make([]bot.Command, 0, len(e.order))
	for _, rt := range e.order {
		c := bot.Command{Name: rt.Name, Description: e.cat.Text(rt.Help), Args: rt.Args, Localized: map[string]string{}}
		for lang, cat := range e.cats {
			if cat != e.cat {
				c.Localized[lang] = cat.Text(rt.Help)
			}
		}
		cmds = append(cmds, c)
	}
	return cmds
}
