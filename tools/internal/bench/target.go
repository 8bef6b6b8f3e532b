package bench

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/heraldmq/herald/tools/internal/bench/driver"
	"github.com/heraldmq/herald/tools/internal/bench/procmem"
)

// Target is one system to measure.
type Target struct {
	System driver.System
	// PID is the broker's process, for the memory figures. 0 finds the
	// process listening on the system's port through /proc; -1 means the
	// broker cannot be weighed (it runs inside this process).
	PID int
}

// errNoPID is returned by memory figures of a broker that cannot be weighed.
var errNoPID = errors.New("the broker's memory cannot be weighed: pass --pid, or run the broker on this machine")

// pid resolves the broker's pid.
func (t Target) pid() (int, error) {
	switch {
	case t.PID > 0:
		return t.PID, nil
	case t.PID < 0:
		return 0, errNoPID
	}
	_, port, err := net.SplitHostPort(t.System.Addr)
	if err != nil {
		return 0, err
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return 0, err
	}
	pid, err := procmem.ListenerPID(p)
	if err != nil {
		return 0, fmt.Errorf("%w (%v)", errNoPID, err)
	}
	if pid == os.Getpid() {
		return 0, errNoPID
	}
	return pid, nil
}

// rss returns the broker's VmRSS in bytes, or 0 when it cannot be weighed.
func (t Target) rss() int64 {
	pid, err := t.pid()
	if err != nil {
		return 0
	}
	rss, err := procmem.RSS(pid)
	if err != nil {
		return 0
	}
	return rss
}

var names atomic.Uint64

// uniqueName returns a topic name no earlier run used.
func uniqueName(prefix string) string {
	return prefix + "-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatUint(names.Add(1), 10)
}
