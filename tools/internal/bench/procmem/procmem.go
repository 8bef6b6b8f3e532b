// Package procmem reads a process's resident memory from /proc (Linux) and
// finds the process that listens on a TCP port, so that the benchmark can
// weigh a broker it did not start.
//
//	pid, _ := procmem.ListenerPID(4222)
//	rss, _ := procmem.RSS(pid) // bytes
package procmem

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrNotFound means no process was found listening on the port (or its
// /proc entries are not readable by this user).
var ErrNotFound = errors.New("procmem: no process found listening on the port")

// RSS returns the VmRSS of process pid, in bytes.
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(b)
}

// parseVmRSS finds "VmRSS:  1234 kB" in a /proc/PID/status file.
func parseVmRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && f[0] == "VmRSS:" && f[2] == "kB" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("procmem: bad VmRSS line %q", sc.Text())
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("procmem: no VmRSS line")
}

// ListenerPID returns the pid of the process holding a listening TCP socket
// on port (IPv4 or IPv6), found through /proc/net/tcp{,6} and the processes'
// file descriptors.
func ListenerPID(port int) (int, error) {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, ino := range listeningInodes(b, port) {
			inodes[ino] = true
		}
	}
	if len(inodes) == 0 {
		return 0, ErrNotFound
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		link, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
			pid, err := strconv.Atoi(strings.Split(fd, "/")[2])
			if err == nil {
				return pid, nil
			}
		}
	}
	return 0, ErrNotFound
}

// listeningInodes returns the inodes of the sockets in LISTEN state (0A) on
// port in the text of /proc/net/tcp or tcp6.
func listeningInodes(table []byte, port int) []string {
	var out []string
	want := fmt.Sprintf(":%04X", port)
	sc := bufio.NewScanner(bytes.NewReader(table))
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != "0A" {
			continue
		}
		if strings.HasSuffix(f[1], want) {
			out = append(out, f[9])
		}
	}
	return out
}
