package server

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// kind is a frame's slot: a viewer keeps at most one undelivered frame per kind, and a
// newer frame of the same kind replaces it. Writers deliver pending frames in this order.
type kind int

const (
	kindHello kind = iota
	kindBank
	kindStatus
	kindMetrics
	kindFilters
	kindActivations
	kindMatches
	kindEdges
	kindError
	numKinds
)

// frame is one encoded message, shared (read-only) by every viewer it goes to.
type frame struct {
	kind   kind
	binary bool
	data   []byte
	// pm is data framed once for every viewer (one write per viewer, no copy); frames
	// made for one viewer leave it nil.
	pm *websocket.PreparedMessage
}

// prepare frames f's data once for all viewers.
func (f frame) prepare() frame {
	typ := websocket.TextMessage
	if f.binary {
		typ = websocket.BinaryMessage
	}
	pm, err := websocket.NewPreparedMessage(typ, f.data)
	if err == nil { // it cannot fail without compression; WriteMessage is the fallback
		f.pm = pm
	}
	return f
}

// hub owns the set of viewers. Its run goroutine is the only one that touches clients;
// frames are fanned out by reference, encoded once.
type hub struct {
	tm         Timings
	register   chan *client
	unregister chan *client
	broadcast  chan frame
	done       chan struct{} // closed when run returns
	viewers    atomic.Int64  // connected viewers, read by the training goroutine
	onMessage  func(c *client, msg []byte)
	onLeave    func(viewers int) // tests: called in the hub goroutine when a viewer leaves
	wg         sync.WaitGroup    // client goroutines (reader and writer)
	mu         sync.Mutex        // guards shut and the wg.Add that it excludes
	shut       bool              // no new viewers: the server is closing
}

// join counts a new viewer's goroutines; false means the hub is closing.
func (h *hub) join() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.shut {
		return false
	}
	h.wg.Add(2)
	return true
}

// wait refuses new viewers and waits for the goroutines of every viewer to end (the
// hub's run closes their connections).
func (h *hub) wait() {
	h.mu.Lock()
	h.shut = true
	h.mu.Unlock()
	h.wg.Wait()
}

func newHub(tm Timings, onMessage func(*client, []byte)) *hub {
	return &hub{
		tm:         tm,
		register:   make(chan *client),
		unregister: make(chan *client),
		// A little slack so the snapshot goroutine does not wait while the hub fans out.
		broadcast: make(chan frame, 16),
		done:      make(chan struct{}),
		onMessage: onMessage,
	}
}

// run owns the client set until ctx is done; then it closes every connection and
// returns (client goroutines end on their own once their sockets are closed).
func (h *hub) run(ctx context.Context) {
	defer close(h.done)
	clients := map[*client]struct{}{}
	var latest [numKinds]*frame
	for {
		select {
		case c := <-h.register:
			clients[c] = struct{}{}
			h.viewers.Store(int64(len(clients)))
			for _, f := range latest {
				if f != nil {
					c.offerIfEmpty(*f)
				}
			}
		case c := <-h.unregister:
			if _, ok := clients[c]; ok {
				delete(clients, c)
				h.viewers.Store(int64(len(clients)))
				if h.onLeave != nil {
					h.onLeave(len(clients))
				}
			}
		case f := <-h.broadcast:
			latest[f.kind] = &f
			for c := range clients {
				c.offer(f)
			}
		case <-ctx.Done():
			for c := range clients {
				c.conn.Close()
			}
			h.viewers.Store(0)
			return
		}
	}
}

// send hands f to every viewer (and keeps it for newcomers). It waits only for the hub's
// loop, which never blocks, and gives up when the hub has stopped.
func (h *hub) send(f frame) {
	f = f.prepare()
	select {
	case h.broadcast <- f:
	case <-h.done:
	}
}

// client is one websocket viewer: a reader goroutine (which also owns the connection's
// lifetime) and a writer goroutine.
type client struct {
	hub  *hub
	conn *websocket.Conn

	mu      sync.Mutex
	pending [numKinds]*frame // newest undelivered frame of each kind

	notify chan struct{} // capacity 1: "pending has something"
	closed chan struct{} // closed by the reader when it ends
}

// offer replaces the pending frame of f's kind and wakes the writer. It never blocks.
func (c *client) offer(f frame) {
	c.mu.Lock()
	c.pending[f.kind] = &f
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// offerIfEmpty offers f unless a frame of its kind is already pending (a fresher one
// made for this viewer, such as its first metrics).
func (c *client) offerIfEmpty(f frame) {
	c.mu.Lock()
	empty := c.pending[f.kind] == nil
	c.mu.Unlock()
	if empty {
		c.offer(f)
	}
}

// take empties the pending slots, in delivery order.
func (c *client) take(buf []*frame) []*frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, f := range c.pending {
		if f != nil {
			buf = append(buf, f)
			c.pending[i] = nil
		}
	}
	return buf
}

// serve runs a new viewer: it queues the hello frames, registers with the hub, starts the
// writer and reads until the connection fails or closes. It returns when both its
// goroutines are done.
func (h *hub) serve(conn *websocket.Conn, first ...frame) {
	c := &client{hub: h, conn: conn, notify: make(chan struct{}, 1), closed: make(chan struct{})}
	for _, f := range first {
		c.offer(f)
	}
	if !h.join() {
		conn.Close()
		return
	}
	defer h.wg.Done()
	select {
	case h.register <- c:
	case <-h.done:
		h.wg.Done()
		conn.Close()
		return
	}
	// The writer exits when the reader has ended (closed) or a write fails.
	go func() {
		defer h.wg.Done()
		c.write()
	}()
	c.read()
}

func (c *client) read() {
	defer func() {
		close(c.closed)
		c.conn.Close()
		select {
		case c.hub.unregister <- c:
		case <-c.hub.done:
		}
	}()
	c.conn.SetReadLimit(maxMessage)
	c.conn.SetReadDeadline(time.Now().Add(c.hub.tm.PongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(c.hub.tm.PongWait))
	})
	for {
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		if c.hub.onMessage != nil {
			c.hub.onMessage(c, msg)
		}
	}
}

func (c *client) write() {
	ping := time.NewTicker(c.hub.tm.PingPeriod)
	defer func() {
		ping.Stop()
		c.conn.Close() // wakes the reader if the write side failed first
	}()
	var buf []*frame
	for {
		select {
		case <-c.notify:
			buf = c.take(buf[:0])
			for _, f := range buf {
				typ := websocket.TextMessage
				if f.binary {
					typ = websocket.BinaryMessage
				}
				c.conn.SetWriteDeadline(time.Now().Add(c.hub.tm.WriteWait))
				var err error
				if f.pm != nil {
					err = c.conn.WritePreparedMessage(f.pm)
				} else {
					err = c.conn.WriteMessage(typ, f.data)
				}
				if err != nil {
					return
				}
			}
			clear(buf)
		case <-ping.C:
			c.conn.SetWriteDeadline(time.Now().Add(c.hub.tm.WriteWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		case <-c.closed:
			c.conn.SetWriteDeadline(time.Now().Add(c.hub.tm.WriteWait))
			c.conn.WriteMessage(websocket.CloseMessage, nil)
			return
		}
	}
}

// maxMessage is the largest client → server message; bigger ones close the connection.
const maxMessage = 4 << 10
