// Package router is Herald's routing core: the subscription index and the
// delivery rules of PROTOCOL.md section 7, independent of any connection or
// wire format.
//
// A Router holds subscriptions (*Sub) in a trie keyed by pattern segments,
// with "*" and ">" children for wildcards. Plain subscriptions sit in a slice
// at their node (removed by swapping, O(1)); rotation sets sit in a map at
// their node, each a ring of members in join order with a cursor (join,
// leave and advance are O(1)). Subscribe, Unsubscribe and removal of a whole
// connection therefore cost O(segments) per subscription, never
// O(subscribers).
//
// Delivery goes to an Outbox, the interface a connection (or an in-process
// sink) implements. The router never blocks on an Outbox: Offer, Deliver and
// Charge must return at once, queueing or dropping as the Outbox's bounds
// dictate.
//
// The hot path, Publish, is:
//
//  1. Take the index's read lock and walk the trie once for the batch's
//     channel, collecting matching plain subscriptions and rotation sets into
//     the Publisher's reusable scratch slices (no allocation).
//  2. Release the lock: subscribing and unsubscribing never wait for
//     deliveries, and deliveries never wait for them (a subscription removed
//     meanwhile is marked closed and its Outbox ignores it).
//  3. For each plain subscription, one Outbox.Deliver call for the whole
//     batch (one lock acquisition per subscriber per batch).
//  4. For each rotation set, per message: lock the set, offer the message to
//     members from the cursor on, charge the member at the cursor if none
//     takes it, advance the cursor.
//
// A sketch of use, with an Outbox of your own:
//
//	r := router.New()
//	sub := &router.Sub{Out: myOutbox, Sid: 1, Pattern: "/orders/>"}
//	r.Subscribe(sub)
//	var p router.Publisher
//	r.Publish(&p, "/orders/eu/new", []router.Message{{Channel: ch, Payload: data}})
//	r.Unsubscribe(sub)
package router
