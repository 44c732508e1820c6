package serve

// A minimal client for the Chrome DevTools protocol: a WebSocket (RFC 6455)
// client written with the standard library, and JSON calls over it.

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// wsConn is a client WebSocket connection: it sends masked text frames and
// reads (possibly fragmented) messages, answering pings.
type wsConn struct {
	conn net.Conn
	r    *bufio.Reader
}

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// maxMessage bounds one message (a screenshot is the largest).
const maxMessage = 64 << 20

func dialWS(rawURL string) (*wsConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "ws" {
		return nil, fmt.Errorf("websocket: %s: only ws:// on loopback", rawURL)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
	if err != nil {
		return nil, err
	}
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", u.RequestURI(), u.Host, key)
	r := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	sum := sha1.Sum([]byte(key + wsGUID))
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		conn.Close()
		return nil, fmt.Errorf("websocket: handshake refused: %s", resp.Status)
	}
	return &wsConn{conn: conn, r: r}, nil
}

func (c *wsConn) Close() error { return c.conn.Close() }

// writeFrame sends one final frame with a fresh mask, as clients must.
func (c *wsConn) writeFrame(op byte, payload []byte) error {
	hdr := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	case n < 1<<16:
		hdr = append(hdr, 0x80|126)
		hdr = binary.BigEndian.AppendUint16(hdr, uint16(n))
	default:
		hdr = append(hdr, 0x80|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	var mask [4]byte
	rand.Read(mask[:])
	hdr = append(hdr, mask[:]...)
	masked := make([]byte, len(payload))
	for i, b := range payload {
		masked[i] = b ^ mask[i%4]
	}
	_, err := c.conn.Write(append(hdr, masked...))
	return err
}

// readMessage returns the next text or binary message.
func (c *wsConn) readMessage() ([]byte, error) {
	var msg []byte
	for {
		var h [2]byte
		if _, err := io.ReadFull(c.r, h[:]); err != nil {
			return nil, err
		}
		fin, op := h[0]&0x80 != 0, h[0]&0x0f
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(c.r, b[:]); err != nil {
				return nil, err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(c.r, b[:]); err != nil {
				return nil, err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		if n > maxMessage || uint64(len(msg))+n > maxMessage {
			return nil, fmt.Errorf("websocket: message over %d bytes", maxMessage)
		}
		var mask []byte
		if h[1]&0x80 != 0 {
			mask = make([]byte, 4)
			if _, err := io.ReadFull(c.r, mask); err != nil {
				return nil, err
			}
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(c.r, payload); err != nil {
			return nil, err
		}
		if mask != nil {
			for i := range payload {
				payload[i] ^= mask[i%4]
			}
		}
		switch op {
		case 0x8:
			return nil, errors.New("websocket: closed by the browser")
		case 0x9:
			if err := c.writeFrame(0xA, payload); err != nil {
				return nil, err
			}
			continue
		case 0xA:
			continue
		}
		msg = append(msg, payload...)
		if fin {
			return msg, nil
		}
	}
}

// cdp calls DevTools methods one at a time, skipping the events between.
type cdp struct {
	ws   *wsConn
	next int
	down bool // the mouse button is pressed
}

func (c *cdp) call(method string, params any, result any) error {
	c.next++
	id := c.next
	req, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return err
	}
	c.ws.conn.SetDeadline(time.Now().Add(30 * time.Second))
	if err := c.ws.writeFrame(0x1, req); err != nil {
		return err
	}
	for {
		msg, err := c.ws.readMessage()
		if err != nil {
			return fmt.Errorf("%s: %v", method, err)
		}
		var resp struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(msg, &resp); err != nil {
			return fmt.Errorf("%s: %v", method, err)
		}
		if resp.ID != id {
			continue // an event, or an answer to nobody
		}
		if resp.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, resp.Error.Message, resp.Error.Code)
		}
		if result == nil {
			return nil
		}
		return json.Unmarshal(resp.Result, result)
	}
}

// eval runs a JavaScript expression in the page (awaiting a promise) and
// decodes its JSON-able value into result.
func (c *cdp) eval(expr string, result any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := c.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r); err != nil {
		return err
	}
	if e := r.ExceptionDetails; e != nil {
		return fmt.Errorf("javascript %q: %s %s", expr, e.Text, e.Exception.Description)
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(r.Result.Value, result)
}

// mouse sends one mouse event at (x, y) in CSS pixels of the viewport; a
// move between a press and a release drags with the left button.
func (c *cdp) mouse(typ string, x, y float64) error {
	switch typ {
	case "mousePressed":
		c.down = true
	case "mouseReleased":
		c.down = false
	}
	p := map[string]any{"type": typ, "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1, "pointerType": "mouse"}
	if typ == "mouseReleased" {
		p["buttons"] = 0
	}
	if typ == "mouseMoved" && !c.down {
		p["button"], p["buttons"], p["clickCount"] = "none", 0, 0
	}
	return c.call("Input.dispatchMouseEvent", p, nil)
}

// touch sends the touch event that corresponds to a mouse event type (a
// finger down, moving, lifted) at (x, y).
func (c *cdp) touch(mouseType string, x, y float64) error {
	typ := map[string]string{"mousePressed": "touchStart", "mouseMoved": "touchMove", "mouseReleased": "touchEnd"}[mouseType]
	points := []map[string]any{{"x": x, "y": y, "id": 1}}
	if typ == "touchEnd" {
		points = points[:0]
	}
	return c.call("Input.dispatchTouchEvent", map[string]any{"type": typ, "touchPoints": points}, nil)
}
