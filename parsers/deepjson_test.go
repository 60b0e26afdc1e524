package parsers

import (
	"strings"
	"testing"
)

// A JSON line of deeply nested objects (allowed by a large --max-line) is read to a bounded
// depth: before, nginx JSON lines recursed once per level (quadratic time, a frame per level).
func TestDeeplyNestedJSON(t *testing.T) {
	const n = 100_000
	deep := strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
	line := `{"time":"2026-11-24T10:10:01+00:00","method":"POST","uri":"/v1/orders","x":` + deep + `,"status":405}`
	var rec Record
	if err := NewNginxJSON().Parse([]byte(line), &rec); err != nil || rec.Status != 405 || rec.Method != "POST" {
		t.Errorf("nginx JSON: %v, status %d", err, rec.Status)
	}
	app, err := NewApp(nil)
	if err != nil {
		t.Fatal(err)
	}
	rec.Reset()
	pino := `{"level":30,"time":1795514400500,"msg":"request completed","x":` + deep + `,"req":{"method":"POST","url":"/cart"},"res":{"statusCode":405}}`
	if err := app.Parse([]byte(pino), &rec); err != nil || rec.Status != 405 {
		t.Errorf("app JSON: %v, status %d", err, rec.Status)
	}
}
