// Command workqueue shows a producer and N workers sharing a queue: first
// plain rotation (each worker gets the same share), then prefetch with one
// worker ten times slower (it is given about a tenth of a fast worker's
// share, and no job waits behind it).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	herald "github.com/heraldmq/herald/sdk/go"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.url, "url", herald.DefaultURL, "broker URL(s), comma-separated")
	flag.IntVar(&cfg.workers, "workers", 4, "number of workers")
	flag.IntVar(&cfg.jobs, "jobs", 400, "jobs per demonstration")
	flag.DurationVar(&cfg.work, "work", 2*time.Millisecond, "time a fast worker spends on a job in the prefetch demonstration")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

type config struct {
	url     string
	workers int
	jobs    int
	work    time.Duration
}

// run runs both demonstrations and prints each worker's share.
func run(ctx context.Context, cfg config, out io.Writer) error {
	if err := rotation(ctx, cfg, out); err != nil {
		return err
	}
	return prefetch(ctx, cfg, out)
}

// pool is a set of workers, each on a connection of its own.
type pool struct {
	conns   []*herald.Conn
	workers []*herald.Worker
	shares  []atomic.Int64 // jobs each worker finished
	stop    context.CancelFunc
	runs    sync.WaitGroup
}

func startPool(ctx context.Context, cfg config, channel string, handler func(p *pool, i int) herald.MsgHandler, opts ...herald.WorkerOption) (*pool, error) {
	runCtx, stop := context.WithCancel(ctx)
	p := &pool{stop: stop, shares: make([]atomic.Int64, cfg.workers)}
	for i := range cfg.workers {
		nc, err := herald.Connect(ctx, cfg.url, herald.WithName("worker-"+strconv.Itoa(i+1)))
		if err != nil {
			p.close()
			return nil, err
		}
		p.conns = append(p.conns, nc)
		w, err := nc.NewWorker(channel, handler(p, i), opts...)
		if err != nil {
			p.close()
			return nil, err
		}
		if err := nc.Flush(ctx); err != nil { // the worker is in the rotation set
			p.close()
			return nil, err
		}
		p.workers = append(p.workers, w)
		p.runs.Add(1)
		go func() {
			defer p.runs.Done()
			if err := w.Run(runCtx); err != nil {
				log.Printf("worker %d: %v", i+1, err)
			}
		}()
	}
	return p, nil
}

func (p *pool) close() {
	p.stop()
	p.runs.Wait()
	for _, nc := range p.conns {
		nc.Close()
	}
}

// rotation publishes every job at once to workers without prefetch: the
// broker hands them out in turn.
func rotation(ctx context.Context, cfg config, out io.Writer) error {
	var done sync.WaitGroup
	done.Add(cfg.jobs)
	p, err := startPool(ctx, cfg, "/queue/demo/rotation", func(p *pool, i int) herald.MsgHandler {
		return func(*herald.Msg) {
			p.shares[i].Add(1)
			done.Done()
		}
	}, herald.WithPrefetch(0))
	if err != nil {
		return err
	}
	defer p.close()
	producer, err := herald.Connect(ctx, cfg.url, herald.WithName("producer"))
	if err != nil {
		return err
	}
	defer producer.Close()
	for i := range cfg.jobs {
		if err := producer.Publish(ctx, "/queue/demo/rotation", []byte("job "+strconv.Itoa(i))); err != nil {
			return err
		}
	}
	done.Wait()
	fmt.Fprintf(out, "rotation: %d workers, prefetch off, %d jobs published at once\n", cfg.workers, cfg.jobs)
	for i := range p.workers {
		fmt.Fprintf(out, "  worker %d: %d jobs\n", i+1, p.shares[i].Load())
	}
	return nil
}

// prefetch gives each worker one job at a time (prefetch = concurrency = 1)
// and makes the last worker ten times slower. The producer keeps one job in
// flight per worker, sending each as a request: a worker acknowledges the
// job (returning its credit) before it replies, so every new job finds a
// worker with credit.
func prefetch(ctx context.Context, cfg config, out io.Writer) error {
	slow := cfg.workers - 1
	p, err := startPool(ctx, cfg, "/queue/demo/prefetch", func(p *pool, i int) herald.MsgHandler {
		work := cfg.work
		if i == slow {
			work *= 10
		}
		return func(m *herald.Msg) {
			time.Sleep(work) // the job
			p.shares[i].Add(1)
			m.Ack()
			m.Respond([]byte("done"))
		}
	})
	if err != nil {
		return err
	}
	defer p.close()
	producer, err := herald.Connect(ctx, cfg.url, herald.WithName("producer"))
	if err != nil {
		return err
	}
	defer producer.Close()
	jobs := make(chan int)
	errs := make(chan error, cfg.workers)
	start := time.Now()
	for range cfg.workers {
		go func() {
			for j := range jobs {
				if _, err := producer.Request(ctx, "/queue/demo/prefetch", []byte("job "+strconv.Itoa(j))); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for j := range cfg.jobs {
		jobs <- j
	}
	close(jobs)
	for range cfg.workers {
		if err := <-errs; err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "prefetch: %d workers, prefetch 1, worker %d is 10x slower, %d jobs in %v\n",
		cfg.workers, slow+1, cfg.jobs, time.Since(start).Round(time.Millisecond))
	for i := range p.workers {
		note := ""
		if i == slow {
			note = " (slow)"
		}
		fmt.Fprintf(out, "  worker %d: %d jobs%s\n", i+1, p.shares[i].Load(), note)
	}
	return nil
}
