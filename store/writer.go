package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// maxGroupItems bounds the items of one shared transaction, so that the other
// writes (the dispatcher's outbox updates) never wait long for the writer.
const maxGroupItems = 500

// addRequest is one AddItems call waiting for the writer.
type addRequest struct {
	ctx       context.Context
	fetchedAt time.Time
	items     []NewItem
	rows      []itemRow
	out       []Stored
	ready     int // items without an Err of their own
	err       error
	done      chan struct{} // closed when out and err are final
}

// writer stores the items of concurrent AddItems calls in shared
// transactions: one goroutine takes a request, then every request that is
// already waiting, up to maxGroupItems items, and writes them all in one
// transaction. A lone call is written at once; under load, the batches grow
// by themselves.
type writer struct {
	db       *DB
	requests chan *addRequest
	quit     chan struct{} // closed by close
	stopped  chan struct{} // closed when run has returned
	// received counts the requests taken from the queue; txs and items the
	// transactions committed and the items in them.
	received, txs, items atomic.Int64
	closeOnce            sync.Once
}

func newWriter(db *DB) *writer {
	w := &writer{db: db, requests: make(chan *addRequest, 256), quit: make(chan struct{}), stopped: make(chan struct{})}
	go w.run()
	return w
}

// errClosed answers the calls made after Close.
var errClosed = errors.New("the database is closed")

// submit hands req to the writer and waits until it is written or ctx ends.
func (w *writer) submit(ctx context.Context, req *addRequest) error {
	select {
	case w.requests <- req:
	case <-w.stopped:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-req.done:
		return nil
	case <-w.stopped:
		select {
		case <-req.done: // written as the writer stopped
			return nil
		default:
			return errClosed
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops the writer once the requests handed to it are written.
func (w *writer) close() {
	w.closeOnce.Do(func() { close(w.quit) })
	<-w.stopped
}

func (w *writer) run() {
	defer close(w.stopped)
	for {
		var req *addRequest
		select {
		case req = <-w.requests:
		case <-w.quit:
			select {
			case req = <-w.requests: // written before stopping
			default:
				return
			}
		}
		w.received.Add(1)
		group, n := []*addRequest{req}, req.ready
	gather:
		for n < maxGroupItems {
			select {
			case more := <-w.requests:
				w.received.Add(1)
				group, n = append(group, more), n+more.ready
			default:
				break gather
			}
		}
		w.write(group)
	}
}

// write stores a group of requests and answers each of them.
func (w *writer) write(group []*addRequest) {
	live := group[:0:0]
	for _, req := range group {
		if err := req.ctx.Err(); err != nil {
			w.answer(req, fmt.Errorf("store: add items: %w", err)) // its caller has gone; the items stay new
			continue
		}
		live = append(live, req)
	}
	if len(live) == 0 {
		return
	}
	err := w.commit(live)
	if err != nil && len(live) > 1 {
		// One call's items may be what failed: try each alone, so that
		// the others are stored all the same.
		for _, req := range live {
			w.answer(req, w.commit([]*addRequest{req}))
		}
		return
	}
	for _, req := range live {
		w.answer(req, err)
	}
}

// answer gives req its result. A request that failed has no ids.
func (w *writer) answer(req *addRequest, err error) {
	if err != nil {
		req.err, req.out = err, nil
	}
	close(req.done)
}

// commit writes a group in one transaction and counts it when it commits.
// A failed try leaves nothing to undo in the requests: writing them again
// sets every id they report.
func (w *writer) commit(group []*addRequest) error {
	if err := w.db.writeItems(group); err != nil {
		return err
	}
	w.txs.Add(1)
	for _, req := range group {
		w.items.Add(int64(req.ready))
	}
	return nil
}
