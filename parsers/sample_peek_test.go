package parsers

import (
	"bufio"
	"bytes"
	"io"
	"math/rand"
	"reflect"
	"testing"
	"testing/iotest"
)

// sampleWhole is Sample as it was before it read ahead in steps: it peeked the whole buffer.
// Kept as the oracle of TestSampleSteps.
func sampleWhole(br *bufio.Reader, n int) [][]byte {
	buf, _ := br.Peek(br.Size())
	return sampleOf(buf, n, true)
}

// sampleInputWhole is sampleInput as it was, with sampleWhole.
func sampleInputWhole(br *bufio.Reader, n int) (*bufio.Reader, [][]byte) {
	buf, _ := br.Peek(br.Size())
	if len(buf) < br.Size() || bytes.IndexByte(buf, '\n') >= 0 {
		return br, sampleWhole(br, n)
	}
	var head []byte
	for len(head) < sampleHeadMax {
		chunk, err := br.ReadSlice('\n')
		head = append(head, chunk...)
		if err != bufio.ErrBufferFull {
			break
		}
	}
	sample := sampleWhole(br, n)
	if len(sample) < n {
		sample = append([][]byte{bytes.TrimRight(head, "\r\n")}, sample...)
	}
	return bufio.NewReaderSize(io.MultiReader(bytes.NewReader(head), br), br.Size()), sample
}

// TestSampleSteps: sampling in steps (16 KiB, 64, 256) gives the same lines, and leaves the
// same bytes to scan, as peeking the whole buffer did, for inputs of short, long (past each
// step) and over-long first lines, blank lines, CRLF, no final newline, and readers that
// return a few bytes at a time or an error with the data.
func TestSampleSteps(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	lengths := []int{0, 1, 80, 600, 16<<10 - 1, 16 << 10, 16<<10 + 1, 70 << 10, 256<<10 - 1, 256 << 10, 300 << 10}
	for iter := 0; iter < 100; iter++ {
		var in []byte
		long := 0
		for l := rng.Intn(40); l > 0; l-- {
			n := rng.Intn(200)
			if rng.Intn(6) == 0 && long < 2 {
				n = lengths[rng.Intn(len(lengths))]
				long++
			}
			switch rng.Intn(10) {
			case 0:
				in = append(in, " \t"...)
			case 1:
				in = append(in, bytes.Repeat([]byte{'x'}, n)...)
				in = append(in, '\r')
			default:
				in = append(in, bytes.Repeat([]byte{byte('a' + l%26)}, n)...)
			}
			in = append(in, '\n')
		}
		if rng.Intn(3) == 0 && len(in) > 0 {
			in = in[:len(in)-1] // no final newline
		}
		want := func(r io.Reader) (*bufio.Reader, [][]byte) {
			return sampleInputWhole(bufio.NewReaderSize(r, 256<<10), sampleLines)
		}
		got := func(r io.Reader) (*bufio.Reader, [][]byte) {
			return sampleInput(bufio.NewReaderSize(r, 256<<10), sampleLines)
		}
		for k, wrap := range []func(io.Reader) io.Reader{
			func(r io.Reader) io.Reader { return r },
			iotest.HalfReader,
			func(r io.Reader) io.Reader { return iotest.DataErrReader(r) },
			func(r io.Reader) io.Reader { return chunked{r, 1 + rng.Intn(40000)} },
		} {
			wr, ws := want(wrap(bytes.NewReader(in)))
			gr, gs := got(wrap(bytes.NewReader(in)))
			if !reflect.DeepEqual(gs, ws) {
				t.Fatalf("input %d (%d bytes), reader %d: sampled lines of %d bytes, want %d", iter, len(in), k, lineLens(gs), lineLens(ws))
			}
			wb, _ := io.ReadAll(wr)
			gb, _ := io.ReadAll(gr)
			if !bytes.Equal(gb, wb) {
				t.Fatalf("input %d, reader %d: the scan would read %d bytes, want %d", iter, k, len(gb), len(wb))
			}
		}
	}
}

func lineLens(lines [][]byte) []int {
	var n []int
	for _, l := range lines {
		n = append(n, len(l))
	}
	return n
}

// chunked returns at most n bytes per Read, as a gzip reader returns a window at a time.
type chunked struct {
	r io.Reader
	n int
}

func (c chunked) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}
