package herald_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/heraldmq/herald/broker"
	herald "github.com/heraldmq/herald/sdk/go"
)

var (
	exampleOnce sync.Once
	exampleAddr string
)

// serverURL returns the URL of a broker started in this process for the
// examples. A program would use herald.DefaultURL, or its own list.
func serverURL() string {
	exampleOnce.Do(func() {
		srv, err := broker.New(broker.DefaultConfig())
		if err != nil {
			panic(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		go srv.Serve(ln)
		exampleAddr = "herald://" + ln.Addr().String()
	})
	return exampleAddr
}

var quiet = herald.WithLogger(slog.New(slog.DiscardHandler))

func ExampleConnect() {
	ctx := context.Background()
	nc, err := herald.Connect(ctx, serverURL(),
		herald.WithName("example"),
		herald.WithReconnectBackoff(100*time.Millisecond, 5*time.Second),
		quiet)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nc.Close()
	fmt.Println(nc.Status())
	// Output: connected
}

func ExampleConn_Subscribe() {
	ctx := context.Background()
	nc, _ := herald.Connect(ctx, serverURL(), quiet)
	defer nc.Close()

	done := make(chan struct{})
	sub, _ := nc.Subscribe("/news/>", func(m *herald.Msg) {
		fmt.Printf("%s #%d: %s\n", m.Channel, m.Seq, m.Data)
		if m.Seq == 2 {
			close(done)
		}
	})
	defer sub.Unsubscribe()

	nc.Publish(ctx, "/news/sport", []byte("goal"))
	nc.Publish(ctx, "/news/weather", []byte("rain"))
	<-done
	// Output:
	// /news/sport #1: goal
	// /news/weather #2: rain
}

func ExampleSubscription_Messages() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	nc, _ := herald.Connect(ctx, serverURL(), quiet)
	defer nc.Close()

	sub, _ := nc.SubscribePull("/metrics/*")
	sub.AutoUnsubscribe(3) // the loop ends after three messages
	for _, host := range []string{"a", "b", "c"} {
		nc.Publish(ctx, "/metrics/"+host, []byte("up"))
	}
	for m := range sub.Messages(ctx) {
		fmt.Println(m.Channel, string(m.Data))
	}
	fmt.Println(sub.Err())
	// Output:
	// /metrics/a up
	// /metrics/b up
	// /metrics/c up
	// herald: subscription closed
}

func ExampleConn_NewWorker() {
	ctx := context.Background()
	nc, _ := herald.Connect(ctx, serverURL(), quiet)
	defer nc.Close()

	var mu sync.Mutex
	var done []string
	var jobs sync.WaitGroup
	jobs.Add(3)
	w, _ := nc.NewWorker("/queue/thumbnails", func(m *herald.Msg) {
		mu.Lock()
		done = append(done, string(m.Data))
		mu.Unlock()
		jobs.Done()
	}, herald.WithConcurrency(4)) // prefetch defaults to 4 too
	nc.Flush(ctx)

	runCtx, stop := context.WithCancel(ctx)
	finished := make(chan error)
	go func() { finished <- w.Run(runCtx) }()

	producer, _ := herald.Connect(ctx, serverURL(), quiet)
	defer producer.Close()
	for _, img := range []string{"a.png", "b.png", "c.png"} {
		producer.Publish(ctx, "/queue/thumbnails", []byte(img))
	}
	producer.Flush(ctx)
	jobs.Wait()
	stop() // Run drains: in-flight jobs finish, then it returns
	fmt.Println(<-finished)
	sort.Strings(done)
	fmt.Println(done)
	// Output:
	// <nil>
	// [a.png b.png c.png]
}

func ExampleConn_Request() {
	ctx := context.Background()
	nc, _ := herald.Connect(ctx, serverURL(), quiet)
	defer nc.Close()

	nc.Subscribe("/svc/upper", func(m *herald.Msg) {
		m.Respond(bytes.ToUpper(m.Data))
	})
	nc.Flush(ctx)

	reply, err := nc.Request(ctx, "/svc/upper", []byte("hello"))
	fmt.Println(string(reply.Data), err)

	_, err = nc.Request(ctx, "/svc/nobody", []byte("hello"))
	fmt.Println(errors.Is(err, herald.ErrNoResponders))

	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	nc.Subscribe("/svc/silent", func(*herald.Msg) {})
	_, err = nc.Request(tctx, "/svc/silent", nil)
	fmt.Println(errors.Is(err, herald.ErrTimeout))
	// Output:
	// HELLO <nil>
	// true
	// true
}

func ExampleWithErrorHandler() {
	ctx := context.Background()
	losses := make(chan *herald.LossError, 1)
	nc, _ := herald.Connect(ctx, serverURL(), quiet,
		herald.WithErrorHandler(func(_ *herald.Conn, sub *herald.Subscription, err error) {
			var loss *herald.LossError
			if errors.As(err, &loss) {
				losses <- loss
			}
		}))
	defer nc.Close()

	// A subscriber that holds at most two messages drops the third.
	sub, _ := nc.SubscribePull("/ticks", herald.WithPendingLimits(2, 0))
	for range 3 {
		nc.Publish(ctx, "/ticks", []byte("tick"))
	}
	loss := <-losses
	fmt.Println(loss)
	fmt.Println(errors.Is(loss, herald.ErrSlowConsumer), sub.Dropped().Client)
	// Output:
	// herald: /ticks: 1 message dropped by the client (pending limits reached)
	// true 1
}

func ExampleConn_Drain() {
	ctx := context.Background()
	nc, _ := herald.Connect(ctx, serverURL(), quiet)

	var n int
	nc.Subscribe("/audit", func(*herald.Msg) {
		time.Sleep(time.Millisecond) // slow work
		n++
	})
	for range 10 {
		nc.Publish(ctx, "/audit", []byte("event"))
	}
	nc.Flush(ctx)
	// Every message already received is handled before the connection
	// closes.
	fmt.Println(nc.Drain(ctx), n, nc.Status())
	// Output: <nil> 10 closed
}
