package bot

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tokens := []string{
		"123456:AAH-plain_token",
		"123:with/slash",
		"123:per%cent",
		"123:per%41cent",
		"123:sp ace+plus",
		"123:quote\"&amp?#",
		"123:ünïcode",
	}
	for _, token := range tokens {
		t.Run(token, func(t *testing.T) {
			// What net/http and url.Parse say about a request carrying the token.
			var texts []string
			raw := "http://127.0.0.1:1/bot" + token + "/getMe"
			if _, err := url.Parse(raw); err != nil {
				texts = append(texts, err.Error())
			}
			u := &url.URL{Scheme: "http", Host: "127.0.0.1:1", Path: "/bot" + token + "/getMe"}
			req, err := http.NewRequest(http.MethodPost, u.String(), nil)
			if err == nil {
				_, err = http.DefaultClient.Do(req)
				texts = append(texts, err.Error())
			}
			texts = append(texts,
				"token "+token+" rejected",
				"Post \"http://x/bot"+url.PathEscape(token)+"/getMe\": refused",
				"q="+url.QueryEscape(token),
				fmt.Sprintf("%v", errors.New(token)),
			)
			for _, text := range texts {
				got := Redact(text, token)
				for _, form := range secretForms(token) {
					if len(form) > 4 && strings.Contains(got, form) {
						t.Errorf("Redact(%q) = %q: still shows %q", text, got, form)
					}
				}
				if !strings.Contains(got, Redacted) {
					t.Errorf("Redact(%q) = %q: nothing redacted", text, got)
				}
			}
		})
	}
	if got := Redact("nothing to hide", "", "secret"); got != "nothing to hide" {
		t.Errorf("Redact changed text without a secret: %q", got)
	}
}
