// Package testproc finds and stops the real programs (nginx, apache2, haproxy, caddy) that the
// end-to-end tests start on loopback. Test code only.
package testproc

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
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

// FreePort returns a loopback TCP port free at the time of the call.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// WaitPort waits up to 10 s for a server started by the test to listen on the loopback port,
// and otherwise fails the test with the logs it wrote.
func WaitPort(t testing.TB, port int, what string, logs ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	msg := fmt.Sprintf("%s did not listen on %d within 10s:", what, port)
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		msg += "\n" + string(b)
	}
	t.Fatal(msg)
}
