package main

import (
	"bufio"
	"flag"
	"fmt"
	"time"
)

// runMany405 writes app JSON access lines that all answer 405, each with its own request id, for
// the memory benchmark of requests with a 405: -routes distinct gives each line a route of its
// own (a word, which route templates do not fold), -routes template one /api/orders/{id} route.
func runMany405(args []string) error {
	fs := flag.NewFlagSet("many405", flag.ContinueOnError)
	lines := fs.Int("lines", 1_000_000, "lines to write")
	routes := fs.String("routes", "template", "template (one route, ids in the path) or distinct (a route per line)")
	out := fs.String("o", "", "output file (default stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *routes != "template" && *routes != "distinct" {
		return fmt.Errorf("-routes: %q is neither template nor distinct", *routes)
	}
	return writeOut(*out, func(bw *bufio.Writer) error { return writeMany405(bw, *lines, *routes == "distinct") })
}

func writeMany405(bw *bufio.Writer, lines int, distinct bool) error {
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var buf []byte
	for i := 0; i < lines; i++ {
		t := start.Add(time.Duration(i) * 10 * time.Millisecond)
		buf = append(buf[:0], `{"time":"`...)
		buf = t.AppendFormat(buf, "2006-01-02T15:04:05.000Z07:00")
		buf = append(buf, `","level":"INFO","msg":"request","method":"POST","path":"`...)
		if distinct {
			buf = append(buf, "/docs/"...)
			buf = appendWord(buf, i)
			buf = append(buf, "/edit"...)
		} else {
			buf = fmt.Appendf(buf, "/api/orders/%d", i)
		}
		buf = fmt.Appendf(buf, `","status":405,"duration_ms":1.2,"request_id":"%08x-7f3a-4c2e-9b1d-%012x","service":"orders-api"}`+"\n", i, i)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// appendWord writes n in the letters g-z, a word no route template mistakes for an id.
func appendWord(b []byte, n int) []byte {
	for {
		b = append(b, byte('g'+n%20))
		n /= 20
		if n == 0 {
			return b
		}
	}
}
