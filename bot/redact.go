package bot

import (
	"net/url"
	"strings"
)

// Redacted stands where a secret was.
const Redacted = "<redacted>"

// Redact returns s with every secret replaced by Redacted, in each form an
// error may quote it: as it is, escaped for a URL path (net/http quotes the
// request URL, and Telegram puts the token in it: /bot<token>/getMe), escaped
// for a query, and unescaped when it contains %-escapes. Empty secrets are
// ignored. Errors and logs that may carry a token pass through it before they
// are printed.
func Redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		for _, form := range secretForms(secret) {
			if form != "" && strings.Contains(s, form) {
				s = strings.ReplaceAll(s, form, Redacted)
			}
		}
	}
	return s
}

// secretForms lists the ways a secret may be written, longest first, so a form
// that contains another is replaced whole.
func secretForms(secret string) []string {
	if secret == "" {
		return nil
	}
	forms := []string{
		url.PathEscape(secret),
		url.QueryEscape(secret),
		(&url.URL{Path: "/" + secret}).EscapedPath()[1:],
		secret,
	}
	if u, err := url.PathUnescape(secret); err == nil {
		forms = append(forms, u)
	}
	if u, err := url.QueryUnescape(secret); err == nil {
		forms = append(forms, u)
	}
	// Longest first; the list is tiny.
	for i := 1; i < len(forms); i++ {
		for j := i; j > 0 && len(forms[j]) > len(forms[j-1]); j-- {
			forms[j], forms[j-1] = forms[j-1], forms[j]
		}
	}
	return forms
}
