package main

import (
	"strings"
	"testing"
	"time"
)

func TestWebConfig(t *testing.T) {
	for _, tt := range []struct {
		name string
		web  WebConfig
		want string // part of the error; "" for none
	}{
		{"OffByDefault", WebConfig{}, ""},
		{"OK", WebConfig{Listen: "127.0.0.1:8080", PublicURL: "https://coach.example.org", Session: Duration(12 * time.Hour)}, ""},
		{"ErrListen", WebConfig{Listen: "8080", PublicURL: "https://coach.example.org"}, "web.listen"},
		{"ErrPublicURL", WebConfig{Listen: "127.0.0.1:8080"}, "web.public_url"},
		{"ErrSessionShort", WebConfig{Listen: "127.0.0.1:8080", PublicURL: "http://localhost:8080", Session: Duration(time.Minute)}, "web.session"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := defaultConfig()
			c.Web = tt.web
			err := c.validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error naming %s", err, tt.want)
			}
		})
	}
}
