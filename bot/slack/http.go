package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

const (
	// maxCommandBody caps a slash command's body; Slack's are a few hundred bytes.
	maxCommandBody = 64 << 10
	// maxInteractionBody caps a button press's body, which carries the
	// whole message the button is under (up to 50 blocks), URL-encoded.
	maxInteractionBody = 1 << 20
	// maxSkew is how far from now a request's timestamp may be: older
	// requests may be replays.
	maxSkew = 5 * time.Minute
)

// Why a request from Slack is refused.
var (
	errMissingHeaders = errors.New("no X-Slack-Request-Timestamp or X-Slack-Signature header")
	errBadTimestamp   = errors.New("X-Slack-Request-Timestamp is not a unix time")
	errStale          = errors.New("the request's timestamp is more than 5 minutes from now")
	errBadSignature   = errors.New("X-Slack-Signature does not match the request")
)

// checkTimestamp checks a request's headers before anything else is read:
// both present, the timestamp within maxSkew of now.
func (c *Client) checkTimestamp(h http.Header) (string, error) {
	ts, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return "", errMissingHeaders
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", errBadTimestamp
	}
	if d := c.now().Sub(time.Unix(n, 0)); d > maxSkew || d < -maxSkew {
		return "", errStale
	}
	return ts, nil
}

// validSignature checks X-Slack-Signature: "v0=" and the hex HMAC-SHA256,
// keyed by the signing secret, of "v0:<timestamp>:<body>", compared in
// constant time.
func validSignature(secret, ts string, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "v0=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// httpHandler serves HTTP mode: slash commands at CommandPath and button
// presses at InteractivePath. A request without both signature headers,
// with a timestamp more than 5 minutes from now, or whose signature does
// not match is answered 401 before its body is parsed, and nothing else
// happens. A valid request is answered 200 with an empty body at once —
// Slack wants an answer within 3 s — and the reply follows at the
// request's response_url.
func (c *Client) httpHandler(ctx context.Context, r Router, handlers *sync.WaitGroup) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		what, limit := "", int64(0)
		switch req.URL.Path {
		case CommandPath:
			what, limit = "slash command", maxCommandBody
		case InteractivePath:
			what, limit = "interaction", maxInteractionBody
		default:
			http.NotFound(w, req)
			return
		}
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, ok := c.readSigned(w, req, what, limit)
		if !ok {
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if req.URL.Path == InteractivePath {
			c.serveInteraction(ctx, w, req, r, handlers)
			return
		}
		s, err := slack.SlashCommandParse(req)
		if err != nil {
			http.Error(w, "not a slash command", http.StatusBadRequest)
			return
		}
		if req.PostForm.Get("ssl_check") != "" {
			w.WriteHeader(http.StatusOK) // Slack checking the certificate
			return
		}
		cmd := slashCommand(s, "http")
		w.WriteHeader(http.StatusOK)
		handlers.Go(func() { c.handle(ctx, r, cmd) })
	})
}

// readSigned reads the body of a request that says it comes from Slack,
// at most limit bytes, and checks its signature. When the request is
// refused it answers it (401, 413 or 400), logs why, and returns false.
func (c *Client) readSigned(w http.ResponseWriter, req *http.Request, what string, limit int64) ([]byte, bool) {
	ts, err := c.checkTimestamp(req.Header)
	if err != nil {
		c.log.Warn(what+" request refused", "remote", req.RemoteAddr, "reason", err.Error())
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, limit+1))
	if err != nil {
		c.log.Warn(what+" request: reading its body failed", "remote", req.RemoteAddr, keyErr, err)
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return nil, false
	}
	if int64(len(body)) > limit {
		c.log.Warn(what+" request refused", "remote", req.RemoteAddr, "reason", fmt.Sprintf("a body over %d bytes", limit))
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	if !validSignature(c.opts.SigningSecret, ts, body, req.Header.Get("X-Slack-Signature")) {
		c.log.Warn(what+" request refused", "remote", req.RemoteAddr, "reason", errBadSignature.Error())
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// serveMux answers slash commands at CommandPath and button presses at
// InteractivePath of a server herald runs, until ctx ends and the commands
// under way are answered.
func (c *Client) serveMux(ctx context.Context, mux *http.ServeMux, r Router) {
	var handlers sync.WaitGroup
	h := c.httpHandler(ctx, r, &handlers)
	mux.Handle(CommandPath, h)
	mux.Handle(InteractivePath, h)
	c.log.Info("serving slash commands and button presses", "listen", c.opts.Listen, "path", CommandPath, "interactive_path", InteractivePath)
	<-ctx.Done()
	handlers.Wait()
}

// serveHTTP serves slash commands and button presses on ln until ctx ends.
func (c *Client) serveHTTP(ctx context.Context, ln net.Listener, r Router) {
	var handlers sync.WaitGroup
	srv := &http.Server{Handler: c.httpHandler(ctx, r, &handlers), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.log.Error("the slash command server stopped", keyErr, err)
		}
	}()
	c.log.Info("serving slash commands and button presses", "listen", ln.Addr().String(), "path", CommandPath, "interactive_path", InteractivePath)
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		c.log.Error("stopping the slash command server", keyErr, fmt.Errorf("slack: %w", err))
	}
	<-done
	handlers.Wait()
}
