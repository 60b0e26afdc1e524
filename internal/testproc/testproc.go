// Package testproc finds and stops the real programs (nginx, apache2, haproxy, caddy) that the
// end-to-end tests start on loopback. Test code only.
package testproc

import (
	"os"
	"os/exec"
	"time"
)

// Binary returns the path of the program name: on PATH, or in /usr/sbin where Debian installs
// the servers (not on an ordinary user's PATH); "" when it is not installed.
func Binary(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if p := "/usr/sbin/" + name; fileExists(p) {
		return p
	}
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Stop asks a started process to stop (SIGINT), waits up to 5 s, then kills it; only the
// process the test started, by its PID.
func Stop(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}
