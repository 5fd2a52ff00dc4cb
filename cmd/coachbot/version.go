package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// mainModules are the modules the bot is built on, in the order the README's
// dependency table names them; coachbot version prints their versions.
var mainModules = []string{
	"modernc.org/sqlite",
	"github.com/go-telegram-bot-api/telegram-bot-api/v5",
	"github.com/bwmarrin/discordgo",
	"github.com/robfig/cron/v3",
	"go.yaml.in/yaml/v3",
	"golang.org/x/time",
	"github.com/VictoriaMetrics/metrics",
}

// buildVersion is the version this binary reports: the one set at build time
// (-ldflags "-X main.version=v1.2.3"), else the module version go install
// recorded, else "dev"; with the commit it was built from, when known.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	return describeBuild(version, info)
}

func describeBuild(set string, info *debug.BuildInfo) string {
	v := set
	if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	var rev, at string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return v
	}
	var extra []string
	extra = append(extra, rev[:min(len(rev), 12)])
	if at != "" {
		extra = append(extra, at)
	}
	if modified {
		extra = append(extra, "modified")
	}
	return v + " (" + strings.Join(extra, ", ") + ")"
}

// writeVersion prints the version, the Go release and platform, and the
// versions of the main modules (every module with all).
func writeVersion(w io.Writer, info *debug.BuildInfo, all bool) {
	if info == nil {
		fmt.Fprintf(w, "coachbot %s\n%s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return
	}
	fmt.Fprintf(w, "coachbot %s\n%s %s/%s\n", describeBuild(version, info), info.GoVersion, runtime.GOOS, runtime.GOARCH)
	byPath := map[string]*debug.Module{}
	for _, m := range info.Deps {
		byPath[m.Path] = m
	}
	var list []*debug.Module
	if all {
		list = info.Deps
	} else {
		for _, p := range mainModules {
			if m := byPath[p]; m != nil {
				list = append(list, m)
			}
		}
	}
	width := 0
	for _, m := range list {
		width = max(width, len(m.Path))
	}
	for _, m := range list {
		v := m.Version
		if m.Replace != nil {
			v = strings.TrimSpace(v + " => " + m.Replace.Path + " " + m.Replace.Version)
		}
		fmt.Fprintf(w, "%-*s  %s\n", width, m.Path, v)
	}
}
