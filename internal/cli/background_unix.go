//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package cli

import (
	"os"
	"regexp"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// queryBackground asks the terminal for its background colour (OSC 11),
// followed by a cursor-position query (CSI 6n) that every terminal
// answers, so that a terminal ignoring the first is known at once. It
// waits at most wait, and always puts the terminal back as it was.
func queryBackground(wait time.Duration) (dark, ok bool) {
	if t := os.Getenv("TERM"); t == "dumb" || t == "" {
		return false, false
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return false, false
	}
	defer tty.Close()
	fd := int(tty.Fd())
	// A background job that touches the terminal is stopped (SIGTTOU).
	if pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err != nil || pgrp != unix.Getpgrp() {
		return false, false
	}
	state, err := term.MakeRaw(fd)
	if err != nil {
		return false, false
	}
	defer term.Restore(fd, state) //nolint:errcheck // best effort: nothing else to do
	if _, err := tty.WriteString("\x1b]11;?\x1b\\\x1b[6n"); err != nil {
		return false, false
	}
	var got []byte
	deadline := time.Now().Add(wait)
	buf := make([]byte, 64)
	for !cursorReportRE.Match(got) {
		left := time.Until(deadline)
		if left <= 0 {
			return false, false
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if n, err := unix.Poll(fds, int(left.Milliseconds())+1); err != nil || n == 0 {
			if err == unix.EINTR {
				continue
			}
			return false, false
		}
		n, err := tty.Read(buf)
		if err != nil {
			return false, false
		}
		got = append(got, buf[:n]...)
	}
	return parseBackground(got)
}

var (
	cursorReportRE = regexp.MustCompile(`\x1b\[\d+;\d+R`)
	backgroundRE   = regexp.MustCompile(`\x1b\]11;rgb:([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})`)
)

// parseBackground reads an OSC 11 answer: dark when the colour's
// luminance is below one half.
func parseBackground(answer []byte) (dark, ok bool) {
	m := backgroundRE.FindSubmatch(answer)
	if m == nil {
		return false, false
	}
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(string(m[i+1]), 16, 16)
		if err != nil {
			return false, false
		}
		c[i] = float64(v) / float64(uint64(1)<<(4*len(m[i+1]))-1)
	}
	lum := 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
	return lum < 0.5, true
}
