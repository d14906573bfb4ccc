package slacktest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Ack is a Socket Mode acknowledgement the fake received.
type Ack struct {
	EnvelopeID string
	// Payload is the ack's payload, raw JSON; empty when there was none.
	Payload json.RawMessage
	// Conn numbers the connection it came on, from 1.
	Conn int
	// Late is set when it came AckDeadline or more after the envelope was sent.
	Late bool
}

// wsState is the Socket Mode side of the fake, guarded by Server.mu.
type wsState struct {
	tickets    map[string]bool
	nextTicket int
	conns      []*wsConn
	current    *wsConn
	acks       []Ack
	pushed     map[string]time.Time
	nextEnv    int
	nextEvent  int
	pingEvery  time.Duration
	pongs      int
	badFrames  []string
}

type wsConn struct {
	id     int
	conn   *websocket.Conn
	wmu    sync.Mutex
	closed bool
}

func (w *wsState) init() {
	w.tickets = map[string]bool{}
	w.pushed = map[string]time.Time{}
}

var upgrader = websocket.Upgrader{
	// slack-go sends Origin: https://api.slack.com; Slack accepts it.
	CheckOrigin: func(*http.Request) bool { return true },
}

// SetPingEvery makes the fake send a WebSocket ping every d on each
// connection (0, the default, sends none), as Slack does about every 10 s.
func (s *Server) SetPingEvery(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ws.pingEvery = d
}

// issueTicket issues a single-use ticket for the WebSocket URL.
func (s *Server) issueTicket() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ws.nextTicket++
	t := fmt.Sprintf("t%d", s.ws.nextTicket)
	s.ws.tickets[t] = true
	return t
}

// serveSocket is the WebSocket endpoint apps.connections.open hands out:
// it takes a single-use ticket, says hello, then records acks until the
// connection ends.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.ws.tickets[ticket]
	delete(s.ws.tickets, ticket)
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	wc := &wsConn{id: len(s.ws.conns) + 1, conn: conn}
	s.ws.conns = append(s.ws.conns, wc)
	s.ws.current = wc
	every := s.ws.pingEvery
	s.mu.Unlock()
	conn.SetPongHandler(func(string) error {
		s.mu.Lock()
		s.ws.pongs++
		s.broadcast()
		s.mu.Unlock()
		return nil
	})
	stop := make(chan struct{})
	defer close(stop)
	if every > 0 {
		go func() {
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					if conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)) != nil {
						return
					}
				}
			}
		}()
	}
	hello := map[string]any{
		"type": "hello", "num_connections": 1,
		"debug_info":      map[string]any{"host": "fake", "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": AppID},
	}
	_ = s.write(wc, hello)
	s.mu.Lock()
	s.broadcast() // connected, after the hello
	s.mu.Unlock()
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			break
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		s.mu.Lock()
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			s.ws.badFrames = append(s.ws.badFrames, string(data))
		} else {
			a := Ack{EnvelopeID: ack.EnvelopeID, Payload: ack.Payload, Conn: wc.id}
			if at, ok := s.ws.pushed[ack.EnvelopeID]; ok && time.Since(at) >= AckDeadline {
				a.Late = true
			}
			s.ws.acks = append(s.ws.acks, a)
		}
		s.broadcast()
		s.mu.Unlock()
	}
	s.mu.Lock()
	wc.closed = true
	if s.ws.current == wc {
		s.ws.current = nil
	}
	s.broadcast()
	s.mu.Unlock()
	conn.Close()
}

func (s *Server) write(wc *wsConn, v any) error {
	wc.wmu.Lock()
	defer wc.wmu.Unlock()
	_ = wc.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return wc.conn.WriteJSON(v)
}

// closeSockets closes every WebSocket connection.
func (s *Server) closeSockets() {
	s.mu.Lock()
	conns := append([]*wsConn(nil), s.ws.conns...)
	s.mu.Unlock()
	for _, wc := range conns {
		_ = wc.conn.Close()
	}
}

// Connections counts the WebSocket connections made so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ws.conns)
}

// Connected reports whether a WebSocket connection is open.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ws.current != nil
}

// WaitConnections waits until n connections were made and one is open.
func (s *Server) WaitConnections(timeout time.Duration, n int) bool {
	return s.Wait(timeout, func() bool { return s.Connections() >= n && s.Connected() })
}

// Pongs counts the pongs answered to the fake's pings.
func (s *Server) Pongs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ws.pongs
}

// Acks returns every ack received, in order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.ws.acks...)
}

// BadFrames returns the frames the client sent that were not acks.
func (s *Server) BadFrames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ws.badFrames...)
}

// WaitAck waits for the ack of an envelope.
func (s *Server) WaitAck(timeout time.Duration, envelopeID string) (Ack, bool) {
	var got Ack
	ok := s.Wait(timeout, func() bool {
		for _, a := range s.Acks() {
			if a.EnvelopeID == envelopeID {
				got = a
				return true
			}
		}
		return false
	})
	return got, ok
}

// errNotConnected is returned by the Send methods when no client connected in time.
var errNotConnected = errors.New("slacktest: no Socket Mode connection")

// SendFrame sends a raw frame on the open connection, waiting up to 10 s
// for one.
func (s *Server) SendFrame(frame any) error {
	var wc *wsConn
	s.Wait(10*time.Second, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		wc = s.ws.current
		return wc != nil
	})
	if wc == nil {
		return errNotConnected
	}
	return s.write(wc, frame)
}

// envelope sends a request envelope of a type with payload and returns its id.
func (s *Server) envelope(kind string, payload any, acceptsPayload bool, retry int) (string, error) {
	s.mu.Lock()
	s.ws.nextEnv++
	id := fmt.Sprintf("env-%d", s.ws.nextEnv)
	s.ws.pushed[id] = time.Now()
	s.mu.Unlock()
	frame := map[string]any{
		"envelope_id": id, "type": kind, "payload": payload,
		"accepts_response_payload": acceptsPayload, "retry_attempt": retry, "retry_reason": "",
	}
	if retry > 0 {
		frame["retry_reason"] = "timeout"
	}
	return id, s.SendFrame(frame)
}

// Command is a slash command someone types.
type Command struct {
	// Channel is the channel id it was typed in; ChannelName its name
	// ("directmessage" in a DM).
	Channel     string
	ChannelName string
	User        string
	UserName    string
	// Command is the command, "/herald" when empty; Text what follows it.
	Command string
	Text    string
}

// payload returns the command's fields as Slack sends them (PROTOCOLS B3),
// with a new response_url.
func (s *Server) commandPayload(c Command) map[string]string {
	if c.Command == "" {
		c.Command = "/herald"
	}
	if c.UserName == "" {
		c.UserName = strings.ToLower(c.User)
	}
	if c.ChannelName == "" {
		c.ChannelName = "channel-" + strings.ToLower(c.Channel)
	}
	return map[string]string{
		"token": "verification-token-not-used", "team_id": TeamID, "team_domain": "fake-newsroom",
		"enterprise_id": "", "enterprise_name": "", "channel_id": c.Channel, "channel_name": c.ChannelName,
		"user_id": c.User, "user_name": c.UserName, "command": c.Command, "text": c.Text,
		"api_app_id": AppID, "is_enterprise_install": "false",
		"response_url": s.newResponseURL(c.Channel, c.User), "trigger_id": "13345224609.738474920.8088930838d88f008e0",
	}
}

// SlashCommand sends a slash_commands envelope over Socket Mode and returns
// its envelope id.
func (s *Server) SlashCommand(c Command) (string, error) {
	return s.envelope("slash_commands", s.commandPayload(c), true, 0)
}

// Mention is an app_mention event: someone wrote @herald in a channel.
type Mention struct {
	Channel string
	User    string
	// Text is the message as Slack sends it: the mention is "<@U0HERALD>".
	Text string
	// TS is the message's timestamp (a new one when empty); ThreadTS the
	// parent's when it was written in a thread.
	TS       string
	ThreadTS string
	// BotID is set when a bot wrote it.
	BotID string
	// EventID identifies the event (a new one when empty); Slack resends an
	// event with the same id, RetryAttempt counting up, when it had no ack.
	EventID      string
	RetryAttempt int
}

// AppMention sends an events_api envelope with an app_mention event and
// returns its envelope id.
func (s *Server) AppMention(m Mention) (string, error) {
	s.mu.Lock()
	s.ws.nextEvent++
	n := s.ws.nextEvent
	s.mu.Unlock()
	if m.TS == "" {
		m.TS = fmt.Sprintf("1700000500.%06d", n)
	}
	if m.EventID == "" {
		m.EventID = fmt.Sprintf("Ev%04d", n)
	}
	ev := map[string]any{
		"type": "app_mention", "user": m.User, "text": m.Text, "channel": m.Channel,
		"ts": m.TS, "event_ts": m.TS,
	}
	if m.ThreadTS != "" {
		ev["thread_ts"] = m.ThreadTS
	}
	if m.BotID != "" {
		ev["bot_id"] = m.BotID
	}
	payload := map[string]any{
		"token": "verification-token-not-used", "team_id": TeamID, "api_app_id": AppID,
		"type": "event_callback", "event_id": m.EventID, "event_time": 1700000000 + n,
		"event": ev,
	}
	return s.envelope("events_api", payload, false, m.RetryAttempt)
}

// Disconnect sends a disconnect frame ("warning", "refresh_requested",
// "link_disabled"): the client is expected to open a new connection.
func (s *Server) Disconnect(reason string) error {
	return s.SendFrame(map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "fake"}})
}

// Drop cuts the open connection without a close frame, as a network
// failure would.
func (s *Server) Drop() {
	s.mu.Lock()
	wc := s.ws.current
	s.mu.Unlock()
	if wc != nil {
		_ = wc.conn.NetConn().Close()
	}
}
