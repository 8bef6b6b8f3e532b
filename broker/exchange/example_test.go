package exchange_test

import (
	"context"
	"fmt"

	"github.com/heraldmq/herald/broker/exchange"
)

func Example() {
	reg := exchange.NewRegistry()
	defer reg.Close()
	ctx := context.Background()

	orders := reg.Get("/orders/eu")
	printer := exchange.Func(func(m exchange.Message) { fmt.Println(m.Exchange, m.Value) })
	defer orders.AttachAll(printer)()

	orders.Send(exchange.Message{Value: "order 42"})
	orders.Send(exchange.Message{Value: "order 43"})
	reg.Flush(ctx) // wait until the sinks have them
	// Output:
	// /orders/eu order 42
	// /orders/eu order 43
}

// A "/queue" exchange hands each message to one sink, in turn.
func Example_queue() {
	reg := exchange.NewRegistry()
	defer reg.Close()
	jobs := reg.Get("/queue/jobs")
	for _, name := range []string{"alice", "bob"} {
		jobs.Attach(exchange.Func(func(m exchange.Message) { fmt.Println(name, "takes", m.Value) }))
	}
	for i := 1; i <= 4; i++ {
		jobs.Send(exchange.Message{Value: i})
		reg.Flush(context.Background()) // one at a time, for a stable output
	}
	// Output:
	// alice takes 1
	// bob takes 2
	// alice takes 3
	// bob takes 4
}

// A sink attached to a pattern hears every exchange it matches; Subscribe
// keeps it attached until the context ends.
func ExampleExchange_Subscribe() {
	reg := exchange.NewRegistry()
	defer reg.Close()
	ctx, cancel := context.WithCancel(context.Background())
	reg.Get("/orders/*").Subscribe(ctx, exchange.Func(func(m exchange.Message) {
		fmt.Println(m.Exchange, m.Value)
	}))
	reg.Get("/orders/eu").Send(exchange.Message{Value: 1})
	reg.Get("/orders/us").Send(exchange.Message{Value: 2})
	reg.Get("/billing").Send(exchange.Message{Value: 3})
	reg.Flush(ctx)
	cancel()
	// Output:
	// /orders/eu 1
	// /orders/us 2
}
