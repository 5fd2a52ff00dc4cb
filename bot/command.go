package bot

// Command describes one command for a platform's command menu (Telegram's
// setMyCommands, Discord's slash commands). The engine owns the list; adapters
// publish it in their platform's shape.
type Command struct {
	Name        string // without the slash
	Description string
	// Localized holds the description in other languages, by base language
	// code ("de"), for menus that show each person their own language.
	Localized map[string]string
	Args      []Arg
}

// Arg is one optional or required argument of a command. Adapters that collect
// arguments separately (Discord options) join them back into "/name arg1 arg2".
type Arg struct {
	Name        string
	Description string
	Required    bool
}
