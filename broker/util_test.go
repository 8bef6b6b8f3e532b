package broker

import "time"

const tenMillis = 10 * time.Millisecond

func timeAfter(d time.Duration) <-chan time.Time { return time.After(d) }
