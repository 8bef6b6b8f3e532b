package sdkdriver

import (
	"context"
	"fmt"
	"sync"

	"github.com/heraldmq/herald/tools/internal/bench/driver"
	"github.com/redis/go-redis/v9"
)

// redisPipeline is how many PUBLISHes go-redis sends in one pipeline.
const redisPipeline = 512

// redisConn adapts go-redis: PUBLISH through a pipeline flushed every
// redisPipeline messages and on Flush; SUBSCRIBE through a PubSub.
type redisConn struct {
	client *redis.Client
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	pipe   redis.Pipeliner
	queued int
	ps     *redis.PubSub
	pong   chan struct{}
}

func redisDial(addr string) func(ctx context.Context) (driver.Conn, error) {
	return func(ctx context.Context) (driver.Conn, error) {
		client := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 1})
		if err := client.Ping(ctx).Err(); err != nil {
			client.Close()
			return nil, err
		}
		cctx, cancel := context.WithCancel(context.Background())
		return &redisConn{client: client, ctx: cctx, cancel: cancel, pipe: client.Pipeline(), pong: make(chan struct{}, 1)}, nil
	}
}

func (c *redisConn) Subscribe(topic, group string) error {
	if group != "" {
		return fmt.Errorf("%w: Redis has no queue groups", driver.ErrNotApplicable)
	}
	c.ps = c.client.Subscribe(c.ctx, topic)
	_, err := c.ps.Receive(c.ctx) // the subscription's confirmation
	return err
}

func (c *redisConn) Publish(topic string, payload []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pipe.Publish(c.ctx, topic, payload)
	c.queued++
	if c.queued >= redisPipeline {
		return c.flushLocked()
	}
	return nil
}

func (c *redisConn) flushLocked() error {
	if c.queued == 0 {
		return nil
	}
	c.queued = 0
	_, err := c.pipe.Exec(c.ctx)
	return err
}

func (c *redisConn) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

// Ping is a PING on the subscription, or a flush plus a PING otherwise.
func (c *redisConn) Ping() error {
	if c.ps != nil {
		return c.ps.Ping(c.ctx)
	}
	if err := c.Flush(); err != nil {
		return err
	}
	if err := c.client.Ping(c.ctx).Err(); err != nil {
		return err
	}
	c.pong <- struct{}{}
	return nil
}

func (c *redisConn) Read() (driver.Kind, []byte, error) {
	if c.ps == nil {
		select {
		case <-c.pong:
			return driver.KindPong, nil, nil
		case <-c.ctx.Done():
			return 0, nil, c.ctx.Err()
		}
	}
	for {
		m, err := c.ps.Receive(c.ctx)
		if err != nil {
			return 0, nil, err
		}
		switch m := m.(type) {
		case *redis.Message:
			return driver.KindMsg, []byte(m.Payload), nil
		case *redis.Pong:
			return driver.KindPong, nil, nil
		}
	}
}

func (c *redisConn) Close() error {
	c.cancel()
	if c.ps != nil {
		c.ps.Close()
	}
	return c.client.Close()
}
