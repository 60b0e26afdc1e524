//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd

package progress

import (
	"io"
	"os"
)

// IsTerminal reports whether w is a character device (a console; also the null device, where
// the line is harmlessly lost).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
