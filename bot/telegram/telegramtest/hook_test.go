package telegramtest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// newHookServer serves h as a webhook receiver and returns its URL.
func newHookServer(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/hook"
}
