package parsers

// The app parser's one-pass JSON scan (app.go parseJSON) replaced a gjson.Valid pass followed by
// a gjson Result.ForEach walk (issue 14). The walk is kept here, so that FuzzAppScanSame can
// check that the scan gives the same records and the same errors on any input.

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// legacyAppParse is AppParser.Parse with the JSON read as it was before the scan.
func legacyAppParse(p *AppParser, line []byte, rec *Record) error {
	p.a.reset()
	p.cand = [appNumFields]appCand{}
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return ErrBlank
	}
	var err error
	if line[0] == '{' {
		err = legacyAppJSON(p, line)
	} else {
		err = p.parseLogfmt(line)
	}
	if err != nil {
		return err
	}
	return p.fill(rec)
}

func legacyAppJSON(p *AppParser, line []byte) error {
	s := bstr(line)
	if !gjson.Valid(s) {
		if line[len(line)-1] != '}' {
			return errAppIncomplete
		}
		return errAppInvalid
	}
	p.path = p.path[:0]
	p.depth = 0
	offer := func(e appKey, v gjson.Result) {
		switch v.Type {
		case gjson.String:
			p.offer(e, v.Str, false)
		case gjson.Number:
			p.offer(e, v.Raw, true)
		}
	}
	var visit func(k, v gjson.Result) bool
	visit = func(k, v gjson.Result) bool {
		base := len(p.path)
		if base > 0 {
			p.path = append(p.path, '.')
		}
		p.path = appAppendLower(p.path, k.Str)
		e, ok := p.key(p.path)
		if ok {
			switch {
			case v.IsObject():
				if e.prefix && p.depth < appMaxDepth {
					p.depth++
					v.ForEach(visit)
					p.depth--
				}
			case v.IsArray():
				if e.field >= 0 {
					v.ForEach(func(_, el gjson.Result) bool {
						offer(e, el)
						return false
					})
				}
			case e.field >= 0:
				offer(e, v)
			}
		}
		p.path = p.path[:base]
		return true
	}
	gjson.Parse(s).ForEach(visit)
	return nil
}

// appScanSeeds are lines that probe the JSON rules: white space, escapes in keys and values,
// numbers, literals, lists, nesting, and each way a line can be invalid.
var appScanSeeds = []string{
	`{"time":"2026-11-24T10:00:00.012632705Z","level":"INFO","msg":"request","method":"GET","path":"/users/66718","status":200,"duration_ms":6.246,"trace_id":"fa8882b85f704a6c8f1023f5d156067a"}`,
	` { "method" : "post" , "path":"/a?b=1", "status" : "405" } `,
	`{"m\u0065thod":"GET","pat\"h":"/x","status":405,"url":"/y\u00e9\ud83d\ude00\n\t\"\\\/"}`,
	`{"req":{"method":"PUT","url":"/r","headers":{"x-request-id":["ab-CD",2],"user-agent":["ua"]}},"res":{"statusCode":405},"time":1795514400500}`,
	`{"http":{"request":{"method":"DELETE"},"response":{"status_code":405.0}},"url":{"path":"/p","query":"q=1"},"event":{"duration":1.5e6}}`,
	`{"status":"active","status_code":404,"method":null,"path":true,"x":false,"y":[],"z":{},"w":[[1],{"a":[]}]}`,
	`{"method":"GET","path":"/","status":200,"duration":"1.2ms","ts":1.7e9,"a":-0.5e-3,"b":0,"c":-0}`,
	`{"method":"GET","path":"/","status":200,}`,
	`{"method":"GET","path":"/","status":200`,
	`{"method":"GET","path":"/","status":01}`,
	`{"method":"GET","path":"/","status":1.}`,
	`{"method":"GET","path":"/","status":-}`,
	`{"method":"GET","path":"/","status":1e}`,
	`{"method":"GET","path":"/","status":200} x`,
	`{"method":"GET","path":"/","status":200}}`,
	`{"method":"GET","path":"/","status":200,"a":tru}`,
	`{"method":"GET","path":"/","status":200,"a":nulll}`,
	`{"method":"GET","path":"/a` + "\t" + `b","status":200}`,
	`{"method":"GET","path":"/a\x","status":200}`,
	`{"method":"GET","path":"/a\u12g4","status":200}`,
	`{"method":"GET" "path":"/","status":200}`,
	`{"method":"GET","path":"/","status":200,"l":[1,]}`,
	`{"method":"GET","path":"/","status":200,"l":[1 2]}`,
	`{method:"GET"}`,
	`{"method":"GET","path":"/é\xff\x7f","status":200}`,
	"{\"method\":\"GET\",\"path\":\"/é\xff\x7f\",\"status\":200,\"ua\":\"\x01\"}",
	"{\"method\":\"GET\",\"path\":\"/é\xff\x7f\",\"status\":200}\v",
	`{"method":"GET","path":"/","status":405,"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":1}}}}}}}}`,
	`{"http.request.method":"PATCH","http":{"route":"/o/{id}"},"service":{"name":"s","version":"1"},"env":"prod"}`,
	`{}`,
	`{`,
	`{"a`,
	`{"a"`,
	`{"a":`,
	`{"a":"`,
	`{"a":"\`,
	`{"a":[`,
	`{"a":{`,
}

func appScanSame(t *testing.T, pNew, pOld *AppParser, line []byte) {
	t.Helper()
	var got, want Record
	got.Reset()
	want.Reset()
	errGot := pNew.Parse(line, &got)
	errWant := legacyAppParse(pOld, line, &want)
	if (errGot == nil) != (errWant == nil) || errGot != nil && errGot.Error() != errWant.Error() {
		t.Fatalf("%q: error %v, the gjson walk gave %v", line, errGot, errWant)
	}
	if errGot == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %+v\nwant %+v", line, appGot(&got), appGot(&want))
	}
}

func appScanParsers(t testing.TB) (*AppParser, *AppParser) {
	pNew, err := NewApp(nil)
	if err != nil {
		t.Fatal(err)
	}
	pOld, _ := NewApp(nil)
	return pNew, pOld
}

// TestAppScanSame runs the seeds, every JSON line of samples/app and testdata/app, and each seed
// cut short at every byte.
func TestAppScanSame(t *testing.T) {
	pNew, pOld := appScanParsers(t)
	lines := append([]string(nil), appScanSeeds...)
	for _, pat := range []string{"../samples/app/*.json", "testdata/app/*"} {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, strings.Split(string(data), "\n")...)
		}
	}
	if len(lines) < len(appScanSeeds)+20 {
		t.Fatalf("only %d lines: the sample files were not found", len(lines))
	}
	for _, l := range lines {
		appScanSame(t, pNew, pOld, []byte(l))
	}
	for _, l := range appScanSeeds {
		for n := 0; n < len(l); n++ {
			appScanSame(t, pNew, pOld, []byte(l[:n]))
		}
	}
}

// FuzzAppScanSame: the scan and the gjson walk give the same record or the same error.
func FuzzAppScanSame(f *testing.F) {
	for _, l := range appScanSeeds {
		f.Add([]byte(l))
	}
	if data, err := os.ReadFile("testdata/app/seeds.txt"); err == nil {
		for _, l := range bytes.Split(data, []byte("\n")) {
			f.Add(l)
		}
	}
	pNew, pOld := appScanParsers(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		appScanSame(t, pNew, pOld, line)
	})
}
