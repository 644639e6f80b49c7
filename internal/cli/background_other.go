//go:build !(aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris)

package cli

import "time"

// queryBackground does not ask terminals on this system.
func queryBackground(time.Duration) (dark, ok bool) { return false, false }
