package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"herald/news"
)

// MaxMute is the longest mute: beyond it, unsubscribing is the clearer tool.
const MaxMute = 90 * 24 * time.Hour

// parseMuteDuration reads "30m", "2h", "1h30m", "3d" or "2w".
func parseMuteDuration(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, err := strconv.Atoi(strings.TrimSuffix(s, suffix)); err == nil && strings.HasSuffix(s, suffix) && n > 0 {
			return time.Duration(n) * unit, true
		}
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}

// mute answers /mute <topic> <duration> [--queue].
func (r *Router) mute(ctx context.Context, req Request) (Message, error) {
	usage := Para(Plain("Write "), Cmd(req.Prefix+"mute <topic> <duration>"), Plain(", such as "), Cmd(req.Prefix+"mute elections 2h"),
		Plain(". Muted alerts are dropped; add "), Code("--queue"), Plain(" to get them as one digest when the mute ends."))
	var args []string
	queue := false
	for _, a := range req.Args {
		switch strings.ToLower(a) {
		case "--queue", "-queue", "queue", "—queue":
			queue = true
		default:
			args = append(args, a)
		}
	}
	if len(args) < 2 {
		return msg(usage), nil
	}
	d, ok := parseMuteDuration(args[len(args)-1])
	if !ok {
		return msg(Para(Plain("“"+Clean(args[len(args)-1])+"” is not a duration.")), usage), nil
	}
	if d > MaxMute {
		return msg(Para(Plain("A mute lasts at most 90 days; "), Cmd(req.Prefix+"unsubscribe"), Plain(" stops a topic for good."))), nil
	}
	cat := r.catalog()
	name := topicArg(args[:len(args)-1])
	t, ok := cat.topic(name)
	if !ok {
		return r.unknownTopic(req, cat, name), nil
	}
	if refusal, err := mayManage(ctx, req); refusal != nil {
		return *refusal, err
	}
	until := r.now().Add(d)
	if err := r.store.Mute(ctx, news.Mute{Destination: req.Dest, Rule: t.Name, Until: until, Queue: queue}); err != nil {
		return failed("mute "+t.Name+" in "+req.Dest.String(), err)
	}
	what := "Alerts on this topic are dropped until then."
	if queue {
		what = "Its alerts wait and come as one digest when the mute ends."
	}
	return msg(Para(Plain("Muted "), Code(t.Name), Plain(" here until "+r.when(until, r.now())+". "+what+" "),
		Cmd(req.Prefix+"unmute "+t.Name), Plain(" ends it now."))), nil
}

// unmute answers /unmute <topic>.
func (r *Router) unmute(ctx context.Context, req Request) (Message, error) {
	if len(req.Args) == 0 {
		return msg(Para(Plain("Which topic? Write "), Cmd(req.Prefix+"unmute <topic>"), Plain("; "),
			Cmd(req.Prefix+"subscriptions"), Plain(" shows what is muted."))), nil
	}
	name := topicArg(req.Args)
	if refusal, err := mayManage(ctx, req); refusal != nil {
		return *refusal, err
	}
	removed, released, err := r.store.Unmute(ctx, req.Dest, name, r.now())
	if err != nil {
		return failed("unmute "+name+" in "+req.Dest.String(), err)
	}
	if !removed {
		return msg(Para(Code(Clean(name)), Plain(" is not muted here."))), nil
	}
	what := "its alerts are posted here again."
	switch {
	case released == 1:
		what = "its alerts are posted here again; the one that waited comes now."
	case released > 1:
		what = fmt.Sprintf("its alerts are posted here again; the %d that waited come now, as one digest.", released)
	}
	return msg(Para(Plain("Unmuted "), Code(Clean(name)), Plain(": "+what))), nil
}
