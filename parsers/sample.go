package parsers

import (
	"bufio"
	"bytes"
	"io"
)

// sampleHeadMax bounds how much of an over-long first line detection reads past to reach the
// lines after it.
const sampleHeadMax = 8 << 20

var utf8BOM = []byte("\xef\xbb\xbf")

// sampleInput returns the lines detection looks at and the reader to scan from. Sample sees
// only what the reader's buffer holds: when the first line fills the whole buffer (a first line
// over 256 KiB), it is read past (up to sampleHeadMax) so that the lines after it are sampled,
// and the returned reader replays it, so that the scan still reads (and rejects or parses) it.
// A UTF-8 byte order mark at the start (Windows editors and PowerShell's Out-File write one) is
// dropped: it would be read as part of the first line's first field.
func sampleInput(br *bufio.Reader, n int) (*bufio.Reader, [][]byte) {
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	for size := min(samplePeek, br.Size()); ; size = min(4*size, br.Size()) {
		buf, _ := br.Peek(size)
		if len(buf) < size || bytes.IndexByte(buf, '\n') >= 0 {
			return br, Sample(br, n)
		}
		if size == br.Size() {
			break // a first line that fills the whole buffer
		}
	}
	var head []byte
	for len(head) < sampleHeadMax {
		chunk, err := br.ReadSlice('\n')
		head = append(head, chunk...)
		if err != bufio.ErrBufferFull {
			break // the end of the line, of the input, or a read error the scan will meet
		}
	}
	sample := Sample(br, n)
	if len(sample) < n {
		sample = append([][]byte{bytes.TrimRight(head, "\r\n")}, sample...) // a lone long line
	}
	return bufio.NewReaderSize(io.MultiReader(bytes.NewReader(head), br), br.Size()), sample
}
