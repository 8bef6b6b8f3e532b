package soak

import (
	"fmt"
	"syscall"
)

// raiseNoFile raises this process's soft RLIMIT_NOFILE to at least want (up
// to the hard limit), so that the soak's clients, and heraldd, which
// inherits the limit, have descriptors enough. It returns the limit in
// force.
func raiseNoFile(want uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur >= want {
		return lim.Cur, nil
	}
	lim.Cur = min(want, lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < want {
		return lim.Cur, fmt.Errorf("RLIMIT_NOFILE hard limit %d is below the %d descriptors needed", lim.Max, want)
	}
	return lim.Cur, nil
}
