package cli

import (
	"context"
	"fmt"
	"herald/internal/testkit"
	"strings"
	"testing"
	"time"
)

// syncBuffer is a log buffer safe for concurrent writers.
type syncBuffer = testkit.SyncBuffer

// startRun starts `herald run -config cfg` with env, writing to out and
// logs, and returns once it is polling and delivering; the test fails if it
// exits first. cancel stops it; done then gets its exit code.
func startRun(t *testing.T, cfg string, env Env, out, logs *syncBuffer) (cancel context.CancelFunc, done <-chan int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	ready := make(chan struct{})
	exit := make(chan int, 1)
	env.Stdout, env.Stderr, env.Ready = out, logs, func() { close(ready) }
	go func() { exit <- Main(ctx, []string{"run", "-config", cfg}, env) }()
	select {
	case <-ready:
	case code := <-exit:
		t.Fatalf("run exited early with %d:\n%s", code, logs.String())
	}
	return cancel, exit
}

func TestRunDeliversAndStopsGracefully(t *testing.T) {
	srv := newFeedServer(t)
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf(`feeds:
  - name: test-wire
    url: %s/feed.xml
entities:
  - id: nuc
    name: NATO-Ukraine Council
rules:
  - name: nuc
    query: '@nuc'
    notify: [console]
`, srv.URL))
	var out, logs syncBuffer
	cancel, done := startRun(t, cfg, Env{Now: func() time.Time { return now }}, &out, &logs)
	deadline := time.After(20 * time.Second)
	for !strings.Contains(out.String(), "■ NATO-Ukraine Council meets on winter air defence") {
		select {
		case <-deadline:
			t.Fatalf("no alert from run\nstdout:\n%s\nlogs:\n%s", out.String(), logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run exited %d after cancellation, want 0\n%s", code, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop after its context was cancelled")
	}
	if n := strings.Count(out.String(), "■ "); n != 1 {
		t.Errorf("run printed %d alerts, want 1:\n%s", n, out.String())
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown line in logs:\n%s", logs.String())
	}
}
