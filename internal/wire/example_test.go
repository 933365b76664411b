package wire_test

import (
	"fmt"
	"net"
	"os"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/wire"
)

// Example shows how s_client wires the observer in: wrap the raw conn,
// hand the engine the observer's Event, read the Summary after the
// handshake.
func Example() {
	raw, err := net.Dial("tcp", "127.0.0.1:4433")
	if err != nil {
		return
	}
	ob := wire.New(wire.Options{
		Client: true,
		Msg:    os.Stdout, // -msg
		State:  os.Stderr, // -state
	})
	ob.OnNewSessionTicket(func(t wire.NewSessionTicket) {
		fmt.Println("Post-Handshake New Session Ticket arrived:")
	})
	c := engine.Client(ob.Wrap(raw), &engine.Config{ServerName: "localhost", OnEvent: ob.Event})
	if err := c.Handshake(); err != nil {
		return
	}
	s := ob.Summary()
	fmt.Printf("SSL handshake has read %d bytes and written %d bytes\n",
		s.HandshakeBytesRead, s.HandshakeBytesWritten)
}
