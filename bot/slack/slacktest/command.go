package slacktest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Sign returns the X-Slack-Signature of a request: "v0=" and the hex
// HMAC-SHA256, keyed by the signing secret, of "v0:<timestamp>:<body>".
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + strconv.FormatInt(timestamp, 10) + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// Signing says how CommandRequest and InteractionRequest sign a request.
type Signing struct {
	// Secret signs the request; the fake's SigningSecret when empty.
	Secret string
	// At is the request's timestamp; now when zero.
	At time.Time
	// NoTimestamp and NoSignature leave those headers out.
	NoTimestamp bool
	NoSignature bool
	// Tamper changes the body after it was signed.
	Tamper bool
}

// CommandRequest returns the POST Slack makes to a slash command's Request
// URL (target): the command's fields urlencoded (PROTOCOLS B3), with
// X-Slack-Request-Timestamp and X-Slack-Signature as sg says. Its
// response_url leads to the fake.
func (s *Server) CommandRequest(ctx context.Context, target string, c Command, sg Signing) (*http.Request, error) {
	form := url.Values{}
	for k, v := range s.commandPayload(c) {
		form.Set(k, v)
	}
	return s.signedRequest(ctx, target, form.Encode(), sg, func(b string) string { return strings.Replace(b, "text=", "text=x", 1) })
}

// signedRequest returns a POST of the urlencoded body to target, signed as
// sg says; tamper changes the body after signing when sg.Tamper is set.
func (s *Server) signedRequest(ctx context.Context, target, body string, sg Signing, tamper func(string) string) (*http.Request, error) {
	secret := sg.Secret
	if secret == "" {
		secret = s.opts.SigningSecret
	}
	at := sg.At
	if at.IsZero() {
		at = time.Now()
	}
	sig := Sign(secret, at.Unix(), []byte(body))
	if sg.Tamper {
		body = tamper(body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	if !sg.NoTimestamp {
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(at.Unix(), 10))
	}
	if !sg.NoSignature {
		req.Header.Set("X-Slack-Signature", sig)
	}
	return req, nil
}
