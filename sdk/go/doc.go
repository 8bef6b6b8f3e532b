// Package herald is the Go client of the Herald pub/sub broker (protocol
// version 1, spec/PROTOCOL.md).
//
// Connect, publish, subscribe:
//
//	nc, err := herald.Connect(ctx, herald.DefaultURL,
//		herald.WithName("orders-svc"),
//		herald.WithErrorHandler(func(_ *herald.Conn, sub *herald.Subscription, err error) {
//			log.Printf("herald: %v", err) // losses, handler panics, server errors
//		}))
//	if err != nil {
//		return err
//	}
//	defer nc.Close()
//
//	sub, err := nc.Subscribe("/orders/>", func(m *herald.Msg) {
//		fmt.Printf("%s #%d: %s\n", m.Channel, m.Seq, m.Data)
//	})
//	defer sub.Unsubscribe()
//
//	err = nc.Publish(ctx, "/orders/eu/new", []byte("order 42"))
//	err = nc.Flush(ctx) // the broker has routed it
//
// The roles:
//
//   - Publisher: Publish queues a PUB; the writer coalesces queued frames.
//     Flush is a barrier (PING/PONG). While reconnecting, publishes are
//     buffered up to WithReconnectBufSize, then fail with
//     ErrReconnectBufExceeded; nothing buffered is dropped silently.
//   - Subscriber: Subscribe runs a handler per message; SubscribePull gives
//     Next and a Go iterator (Messages). Both keep pending messages within
//     WithPendingLimits. WithContext binds a subscription to a context.
//   - Queue worker: NewWorker on a rotation set (a "/queue..." pattern or
//     WithQueueGroup) runs handlers with WithConcurrency, uses prefetch
//     (= concurrency) so that a slow worker is given less work, and drains
//     when Run's context ends.
//   - Request/reply: Request publishes with a reply-to in the connection's
//     inbox (one wildcard subscription, /_inbox/<nuid>/>) and returns the
//     reply, ErrTimeout, or ErrNoResponders; Msg.Respond answers.
//
// Losses are never silent. Each subscription counts, in Dropped, what the
// broker reported dropping (NOTICE), what sequence gaps reveal, what the
// client dropped at its pending limits, and reconnects (a loss of unknown
// size: sequence numbers restart with each session, and no count is
// invented). Each loss is also passed to the error handler as a *LossError.
//
// The connection reconnects by itself (WithReconnect, WithReconnectBackoff,
// WithMaxReconnects): it fails over between the servers of a
// comma-separated URL list, restores every subscription, then sends the
// buffered publishes. Status reports where it stands; WithDisconnectHandler,
// WithReconnectHandler and WithClosedHandler report the transitions.
//
// Errors the broker sends are *wire.Error values (package
// github.com/heraldmq/herald/spec/wire): errors.Is(err,
// wire.ErrPermissionDenied) compares codes. Errors of the client itself are
// the sentinels of this package (ErrTimeout, ErrNoResponders, ...).
package herald
