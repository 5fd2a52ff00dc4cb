package main

import (
	"context"

	"github.com/coachbot/coachbot/bot"
	"github.com/coachbot/coachbot/bot/discord"
)

// startDiscord adds Discord to the platforms when a token is configured.
func (a *app) startDiscord(ctx context.Context, d *bot.Dispatcher, platforms *[]platform) error {
	dc := a.cfg.Discord
	if dc.Token == "" {
		return nil
	}
	cat := a.catalog
	adapter, err := discord.New(ctx, discord.Config{
		Token: dc.Token, GuildID: dc.GuildID, APIURL: dc.APIURL,
		Texts:  discord.Texts{MovedToDM: cat.Text("discord.moved_to_dm"), Received: cat.Text("discord.received")},
		Logger: a.logger.With("component", "discord"),
	})
	if err != nil {
		return err
	}
	if err := adapter.RegisterCommands(ctx, a.engine.Commands()); err != nil {
		a.logger.Warn("register slash commands", "platform", bot.Discord, "err", err)
	}
	// discordgo has no overall limit; Discord allows about 50 requests/s per bot.
	// Per-route limits come back in headers and 429s, which the dispatcher honours.
	d.Register(bot.Discord, a.sender(bot.Discord, adapter), bot.Limits{PerSecond: 45, Burst: 5})
	*platforms = append(*platforms, platform{bot.Discord, adapter.Run, adapter})
	return nil
}
