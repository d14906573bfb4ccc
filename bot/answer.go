package bot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"
)

// AnswerPrefix is how many characters of a platform's answer an error quotes.
const AnswerPrefix = 200

// answerPeek is how many bytes of a body are kept: enough for AnswerPrefix
// characters of any script.
const answerPeek = 4 * AnswerPrefix

// Answer is what one call to a platform's HTTP API got back: the status and
// the start of the body. The adapters keep it so that an error names what
// really came — a proxy's HTML page, a 404, a JSON body of another API —
// rather than what a client library made of it. It is safe for concurrent use.
type Answer struct {
	mu     sync.Mutex
	got    bool
	code   int
	status string
	body   []byte
}

type answerKey struct{}

// WithAnswer returns a context under which RecordAnswer keeps the answer to
// a request in the returned Answer.
func WithAnswer(ctx context.Context) (context.Context, *Answer) {
	a := &Answer{}
	return context.WithValue(ctx, answerKey{}, a), a
}

// RecordAnswer keeps resp's status and the first bytes of its body in the
// Answer of its request's context, if there is one. The body stays whole
// for whoever reads resp next. An adapter's HTTP doer calls it on every
// response.
func RecordAnswer(resp *http.Response) {
	if resp == nil || resp.Request == nil {
		return
	}
	a, _ := resp.Request.Context().Value(answerKey{}).(*Answer)
	if a == nil {
		return
	}
	var peek []byte
	if resp.Body != nil {
		buf := make([]byte, answerPeek)
		n, err := io.ReadFull(resp.Body, buf)
		peek = buf[:n]
		rest := resp.Body
		if err != nil {
			// All of it was read (or reading failed): the copy is the body.
			rest = http.NoBody
			if err != io.EOF && err != io.ErrUnexpectedEOF {
				rest = io.NopCloser(errReader{err})
			}
		}
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(peek), rest), resp.Body}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got, a.code, a.status, a.body = true, resp.StatusCode, resp.Status, peek
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// readCloser reads from r and closes c.
type readCloser struct {
	r io.Reader
	c io.Closer
}

func (rc readCloser) Read(p []byte) (int, error) { return rc.r.Read(p) }
func (rc readCloser) Close() error               { return rc.c.Close() }

// Received reports whether an answer came at all (false after a network
// failure or a timeout before the headers).
func (a *Answer) Received() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.got
}

// Code returns the HTTP status code, 0 when no answer came.
func (a *Answer) Code() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.code
}

// String describes the answer for an error message: `HTTP 502 Bad Gateway,
// body: <html>…`, the body cut to AnswerPrefix characters with its
// whitespace runs folded into single spaces.
func (a *Answer) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.got {
		return "no answer"
	}
	status := a.status
	if status == "" {
		status = fmt.Sprint(a.code)
	}
	if !strings.HasPrefix(status, fmt.Sprint(a.code)) {
		status = fmt.Sprintf("%d %s", a.code, status)
	}
	body := Snippet(a.body)
	if body == "" {
		return "HTTP " + status + ", empty body"
	}
	return "HTTP " + status + ", body: " + body
}

// Snippet returns the first AnswerPrefix characters of b as text, with
// whitespace runs folded and an ellipsis when cut.
func Snippet(b []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "\uFFFD")), " ")
	if utf8.RuneCountInString(s) <= AnswerPrefix {
		return s
	}
	r := []rune(s)
	return string(r[:AnswerPrefix]) + "…"
}

// AnswerError is a failed platform call with what the server answered, so
// that the log says what really came back.
type AnswerError struct {
	// Err is the platform's error (a Bot API or Web API error), or the
	// adapter's sentinel for an answer that is not the platform's.
	Err error
	// Answer is the HTTP status and the first characters of the body, with
	// secrets removed.
	Answer string
}

// Error returns the failure and the answer.
func (e *AnswerError) Error() string { return e.Err.Error() + " (" + e.Answer + ")" }

// Unwrap returns Err.
func (e *AnswerError) Unwrap() error { return e.Err }
