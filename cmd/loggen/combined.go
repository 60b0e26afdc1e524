package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// nginx-combined: a large, varied nginx "combined" log for the ingest benchmark. Lines are built
// by appending precomputed pieces into one buffer, so the generator itself is never the
// bottleneck (several million lines per second).

func runCombined(args []string) error {
	fs := flag.NewFlagSet("nginx-combined", flag.ContinueOnError)
	lines := fs.Int("lines", 2000000, "number of lines")
	out := fs.String("o", "", "output file (default stdout)")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return writeOut(*out, func(w *bufio.Writer) error { return writeCombined(w, *lines, *seed) })
}

// writeOut runs fn on a buffered writer to the file at path (standard output when path is
// empty), and reports the first error of fn, the flush or the close.
func writeOut(path string, fn func(*bufio.Writer) error) error {
	var w io.Writer = os.Stdout
	var f *os.File
	if path != "" {
		var err error
		if f, err = os.Create(path); err != nil {
			return err
		}
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	err := fn(bw)
	if err == nil {
		err = bw.Flush()
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

type combinedPath struct {
	method, uri string
	status      int
	size        [2]int
	weight      int
}

// combinedPaths is the mix: a shop front with an API behind the same nginx. The 405 rows are
// the nginx static handler refusing methods (157-byte page) and an upstream's 405.
var combinedPaths = []combinedPath{
	{"GET", "/", 200, [2]int{1800, 1900}, 60},
	{"GET", "/assets/app.3f9c1b.js", 200, [2]int{248312, 248313}, 90},
	{"GET", "/assets/vendor.81d2e4.js", 200, [2]int{612904, 612905}, 60},
	{"GET", "/assets/app.5e7a10.css", 304, [2]int{0, 1}, 70},
	{"GET", "/favicon.ico", 200, [2]int{4286, 4287}, 30},
	{"GET", "/api/orders/1048213", 200, [2]int{600, 2400}, 180},
	{"GET", "/api/orders?status=open&page=2", 200, [2]int{3000, 12000}, 50},
	{"POST", "/api/orders", 201, [2]int{400, 700}, 40},
	{"PUT", "/api/orders/1051877", 200, [2]int{500, 900}, 40},
	{"GET", "/api/users/48213", 200, [2]int{300, 900}, 120},
	{"GET", "/api/carts/6f1c2a9e-3b7d-4e5f-9a1b-2c3d4e5f6a7b", 200, [2]int{200, 1800}, 90},
	{"GET", "/api/search?q=rain+jacket", 200, [2]int{1500, 9000}, 40},
	{"GET", "/api/items/204417", 200, [2]int{900, 4000}, 70},
	{"GET", "/api/items/209999", 404, [2]int{21, 22}, 12},
	{"GET", "/wp-login.php", 404, [2]int{153, 154}, 8},
	{"GET", "/.env", 404, [2]int{153, 154}, 5},
	{"GET", "/old-shop", 301, [2]int{169, 170}, 6},
	{"GET", "/api/orders/1049001", 502, [2]int{157, 158}, 2},
	{"POST", "/api/orders", 499, [2]int{0, 1}, 2},
	{"PUT", "/assets/app.3f9c1b.js", 405, [2]int{157, 158}, 4},
	{"POST", "/settings", 405, [2]int{157, 158}, 3},
	{"DELETE", "/index.html", 405, [2]int{157, 158}, 2},
	{"POST", "/api/orders/1044120", 405, [2]int{31, 32}, 3},
}

var combinedUAs = append(append([]string{iosUA, androidUA, "curl/8.5.0",
	// A quote inside a header value: nginx escapes it as \x22 (docs/formats.md §1.3).
	`Dalvik/2.1.0 (Linux; U; Android 5.1; Alba 10\x22 Build/LMY47I)`,
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
	browserUAs...), partnerUAs...)

var combinedReferers = []string{"-", "-", "-", "https://www.example.com/", "https://www.example.com/orders",
	"https://www.google.com/", "https://app.example.com/"}

func writeCombined(w io.Writer, n int, seed uint64) error {
	g := newRnd(seed, 3)
	ips := make([]string, 4000)
	for i := range ips {
		ips[i] = g.clientIP()
	}
	total := 0
	for _, p := range combinedPaths {
		total += p.weight
	}
	// Pick a path in O(1) from a table of indexes.
	table := make([]uint8, 0, total)
	for i, p := range combinedPaths {
		for range p.weight {
			table = append(table, uint8(i))
		}
	}
	reqs := make([]string, len(combinedPaths))
	for i, p := range combinedPaths {
		reqs[i] = `"` + p.method + " " + p.uri + ` HTTP/1.1" ` + strconv.Itoa(p.status) + " "
	}
	quoted := func(s []string) []string {
		out := make([]string, len(s))
		for i, v := range s {
			out[i] = `"` + v + `"`
		}
		return out
	}
	uas, refs := quoted(combinedUAs), quoted(combinedReferers)

	t := windowStart.Add(-10 * time.Hour) // starts at midnight
	var sec int64 = -1
	var stamp []byte
	buf := make([]byte, 0, 1<<16)
	for i := 0; i < n; i++ {
		t = t.Add(time.Duration(g.IntN(80)) * time.Millisecond)
		if s := t.Unix(); s != sec {
			sec = s
			stamp = t.AppendFormat(stamp[:0], " - - [02/Jan/2006:15:04:05 -0700] ")
		}
		k := table[g.IntN(len(table))]
		p := &combinedPaths[k]
		buf = append(buf, ips[g.IntN(len(ips))]...)
		buf = append(buf, stamp...)
		buf = append(buf, reqs[k]...)
		buf = strconv.AppendInt(buf, int64(p.size[0]+g.IntN(p.size[1]-p.size[0])), 10)
		buf = append(buf, ' ')
		buf = append(buf, refs[g.IntN(len(refs))]...)
		buf = append(buf, ' ')
		buf = append(buf, uas[g.IntN(len(uas))]...)
		buf = append(buf, '\n')
		if len(buf) > 1<<16-2048 {
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("nginx-combined: %w", err)
			}
			buf = buf[:0]
		}
	}
	_, err := w.Write(buf)
	return err
}
