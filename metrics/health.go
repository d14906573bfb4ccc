package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Check is one part of herald's health: nil when it is fine.
type Check func(ctx context.Context) error

// checkTimeout bounds each check, so that a stuck store answers /healthz
// with 503 rather than never.
const checkTimeout = 5 * time.Second

// HealthHandler serves /healthz: 200 and {"status":"ok"} when every check
// passes, else 503 with the failing checks' messages by name. Monitors
// need only the status code.
func HealthHandler(checks map[string]Check) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
		defer cancel()
		failed := map[string]string{}
		for name, check := range checks {
			if err := check(ctx); err != nil {
				failed[name] = err.Error()
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if len(failed) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(map[string]any{"status": "unhealthy", "failed": failed})
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
}

// Alive returns a Check that fails when beat says the loop last went round
// more than within ago, or never: the poll loop is stuck or not running.
func Alive(beat func() time.Time, within time.Duration, now func() time.Time) Check {
	return func(context.Context) error {
		last := beat()
		if last.IsZero() {
			return errNotRunning
		}
		if d := now().Sub(last); d > within {
			return fmt.Errorf("the poll loop has not gone round for %s", d.Round(time.Second))
		}
		return nil
	}
}

// errNotRunning reports a loop that has not started or has stopped.
var errNotRunning = errors.New("the poll loop is not running")
