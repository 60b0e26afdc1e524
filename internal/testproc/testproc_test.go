package testproc

import (
	"os/exec"
	"testing"
)

// Stop ends a process that ignores nothing, and Binary finds a program every machine has.
func TestStopAndBinary(t *testing.T) {
	sh := Binary("sh")
	if sh == "" {
		t.Skip("no sh")
	}
	if Binary("no-such-program-logtriage") != "" {
		t.Error("found a program that does not exist")
	}
	cmd := exec.Command(sh, "-c", "sleep 30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	Stop(cmd)
	if cmd.ProcessState == nil || cmd.ProcessState.Success() {
		t.Errorf("not stopped by the signal: %v", cmd.ProcessState)
	}
}
