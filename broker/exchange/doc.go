// Package exchange is publish/subscribe between goroutines, with no network:
// named exchanges that fan messages out to attached sinks.
//
// It runs on Herald's routing core (package router), the engine heraldd
// routes with, so it follows the same rules (PROTOCOL.md section 7): names
// are channels ("/orders/eu"), a sink attached to a pattern ("/orders/*",
// "/orders/>") receives from every exchange it matches, and an exchange whose
// name starts with "/queue" hands each message to one sink at a time in
// strict rotation. Given a broker's router (WithRouter), exchanges and
// network clients reach each other.
//
// A sink is anything with a Send method. Each attached sink has a bounded
// buffer and a goroutine of its own that calls Send, so a slow sink never
// blocks Exchange.Send nor delays any other sink: when its buffer is full the
// registry's overflow policy drops the newest message for that sink (counted)
// or detaches the sink (OverflowDisconnect).
//
// A sketch:
//
//	orders := exchange.Get("/orders/eu")           // created on first use
//	tap := exchange.NewTap(slog.Default())         // logs every message
//	defer exchange.Get("/orders/*").AttachAll(tap)() // every /orders/x exchange
//
//	sink := exchange.Func(func(m exchange.Message) {
//		fmt.Println(m.Exchange, m.Value)
//	})
//	orders.Subscribe(ctx, sink) // detached when ctx ends
//
//	orders.Send(exchange.Message{Value: Order{ID: 42}})
//
// Tests that want exchanges of their own use NewRegistry and Close it when
// done.
package exchange
