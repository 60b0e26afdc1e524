package parsers

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// FormatIIS names Microsoft IIS W3C extended logs (parsers/iis.go).
const FormatIIS = "iis"

// IIS W3C extended log files start with directives ("#Software: Microsoft Internet Information
// Services 10.0", "#Version: 1.0", "#Date: …", "#Fields: date time s-ip cs-method …") and repeat
// them whenever the service restarts or the field selection changes; each data line holds the
// fields the last #Fields line names, separated by single spaces, "-" for an empty value and
// "+" for a space inside a value (the User-Agent). Times are UTC. sc-substatus and
// sc-win32-status refine the status (405.0: a module such as WebDAV refused the verb); IIS
// answers the request itself or through its in-process application, so a record is always the
// hop's own answer unless it names an upstream (ARR).

// IISParser parses IIS W3C extended log lines. It keeps the field list of the last #Fields
// line, so one parser reads one file in order (Sequential).
type IISParser struct {
	fields []iisField
	a      arena
	det    []byte
	cols   [64][]byte
}

type iisField uint8

const (
	iisOther iisField = iota
	iisDate
	iisTime
	iisMethod
	iisStem
	iisQuery
	iisClientIP
	iisUA
	iisHost
	iisStatus
	iisSubstatus
	iisWin32
	iisBytes
	iisTaken
	iisVersion
	iisXFF
	iisRequestID
	iisTraceparent
	iisSite
)

// iisDefaultFields is IIS 7–10's default selection, used until a #Fields line says otherwise.
const iisDefaultFields = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"

// NewIIS returns a parser for IIS W3C extended logs.
func NewIIS() *IISParser {
	p := &IISParser{}
	p.setFields([]byte(iisDefaultFields))
	return p
}

// Sequential implements the detection's hint: the #Fields lines apply to the lines after them.
func (p *IISParser) Sequential() bool { return true }

func (p *IISParser) setFields(b []byte) {
	p.fields = p.fields[:0]
	for _, f := range bytes.Fields(b) {
		p.fields = append(p.fields, iisFieldOf(string(bytes.ToLower(f))))
	}
}

func iisFieldOf(name string) iisField {
	switch name {
	case "date":
		return iisDate
	case "time":
		return iisTime
	case "cs-method":
		return iisMethod
	case "cs-uri-stem":
		return iisStem
	case "cs-uri-query":
		return iisQuery
	case "c-ip":
		return iisClientIP
	case "cs(user-agent)":
		return iisUA
	case "cs-host":
		return iisHost
	case "sc-status":
		return iisStatus
	case "sc-substatus":
		return iisSubstatus
	case "sc-win32-status":
		return iisWin32
	case "sc-bytes":
		return iisBytes
	case "time-taken":
		return iisTaken
	case "cs-version":
		return iisVersion
	case "x-forwarded-for", "cs(x-forwarded-for)", "originalip":
		return iisXFF
	case "x-request-id", "cs(x-request-id)":
		return iisRequestID
	case "traceparent", "cs(traceparent)":
		return iisTraceparent
	case "s-sitename":
		return iisSite
	}
	return iisOther
}

var (
	errIISFields   = errors.New("not an IIS W3C line: the field count differs from #Fields")
	errIISNoStatus = errors.New("not an IIS W3C line: no date, time, method or status")
)

// Parse implements Parser.
func (p *IISParser) Parse(line []byte, rec *Record) error {
	line = bytes.TrimRight(line, " \t\r\n")
	if len(bytes.TrimSpace(line)) == 0 {
		return ErrBlank
	}
	if line[0] == '#' {
		if f, ok := bytes.CutPrefix(line, []byte("#Fields:")); ok {
			p.setFields(f)
		}
		// Directives are well-formed lines of the file, not requests: counted as skipped.
		return ErrNotAccess
	}
	n := 0
	for rest := line; ; {
		if n == len(p.cols) {
			return errIISFields
		}
		i := bytes.IndexByte(rest, ' ')
		if i < 0 {
			p.cols[n] = rest
			n++
			break
		}
		p.cols[n] = rest[:i]
		n++
		rest = rest[i+1:]
	}
	if n != len(p.fields) {
		return errIISFields
	}
	p.a.reset()
	p.det = p.det[:0]
	rec.Format = FormatIIS
	rec.Local = LocalYes
	var date, tod, stem, query, sub, win32 []byte
	for i, f := range p.fields {
		v := p.cols[i]
		if dash(v) {
			continue
		}
		switch f {
		case iisDate:
			date = v
		case iisTime:
			tod = v
		case iisMethod:
			rec.Method = bstr(v)
		case iisStem:
			stem = v
		case iisQuery:
			query = v
		case iisClientIP:
			rec.ClientIP = bstr(v)
			rec.Peer = rec.ClientIP
		case iisUA:
			if bytes.IndexByte(v, '+') >= 0 {
				u := p.a.alloc(v)
				for j, c := range u {
					if c == '+' {
						u[j] = ' '
					}
				}
				v = u
			}
			rec.UserAgent = bstr(v)
		case iisHost:
			rec.Host = bstr(stripDefaultPort(v))
		case iisStatus:
			s, ok := parseInt(v)
			if !ok || s < 100 || s > 999 {
				return fmt.Errorf("sc-status %q is not a status", v)
			}
			rec.Status = s
		case iisSubstatus:
			sub = v
		case iisWin32:
			win32 = v
		case iisBytes:
			if b, ok := parseInt(v); ok {
				rec.BytesSent = int64(b)
			}
		case iisTaken:
			if ms, ok := parseInt(v); ok {
				rec.Duration = time.Duration(ms) * time.Millisecond
			}
		case iisVersion:
			rec.Proto = bstr(v)
		case iisXFF:
			rec.ForwardedFor = bstr(v)
		case iisRequestID:
			rec.IDs.setRequestID(v, &p.a)
		case iisTraceparent:
			rec.IDs.setTraceparent(v, &p.a)
		case iisSite:
			rec.Service = bstr(v)
		}
	}
	if date == nil || tod == nil || rec.Method == "" || rec.Status == 0 {
		return errIISNoStatus
	}
	t, ok := iisParseTime(date, tod)
	if !ok {
		return fmt.Errorf("date %q time %q are not an IIS UTC time", date, tod)
	}
	rec.Time = t
	if rec.Duration >= 0 {
		rec.Start = t.Add(-rec.Duration)
	}
	rec.Path = bstr(stem)
	rec.URI = rec.Path
	if query != nil {
		u := p.a.alloc(append(append(append(p.det[:0], stem...), '?'), query...))
		rec.URI = bstr(u)
	}
	if sub != nil || win32 != nil {
		d := p.det[:0]
		d = append(d, "sc-substatus "...)
		d = append(d, orDashBytes(sub)...)
		d = append(d, ", sc-win32-status "...)
		d = append(d, orDashBytes(win32)...)
		if w, ok := parseInt(win32); ok && w != 0 {
			d = append(d, " ("...)
			d = append(d, iisWin32Text(w)...)
			d = append(d, ')')
		}
		p.det = d
		rec.Detail = p.a.add(d)
	}
	return nil
}

func orDashBytes(b []byte) []byte {
	if b == nil {
		return []byte("-")
	}
	return b
}

// iisWin32Text names the Windows error codes IIS logs most often with a refused request.
func iisWin32Text(code int) string {
	switch code {
	case 1:
		return "ERROR_INVALID_FUNCTION"
	case 2:
		return "ERROR_FILE_NOT_FOUND"
	case 5:
		return "ERROR_ACCESS_DENIED"
	case 50:
		return "ERROR_NOT_SUPPORTED"
	case 64:
		return "ERROR_NETNAME_DELETED"
	case 1236:
		return "ERROR_CONNECTION_ABORTED"
	}
	return "win32 " + strconv.Itoa(code)
}

// iisParseTime reads "2018-08-28" and "18:24:25" (or "18:24:25.123"), UTC.
func iisParseTime(date, tod []byte) (time.Time, bool) {
	if len(date) != 10 || date[4] != '-' || date[7] != '-' || len(tod) < 8 || tod[2] != ':' || tod[5] != ':' {
		return time.Time{}, false
	}
	y, ok1 := digits(date[0:4], 4)
	mo, ok2 := digits(date[5:7], 2)
	d, ok3 := digits(date[8:10], 2)
	h, ok4 := digits(tod[0:2], 2)
	mi, ok5 := digits(tod[3:5], 2)
	s, ok6 := digits(tod[6:8], 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 {
		return time.Time{}, false
	}
	ns := 0
	if len(tod) > 9 && tod[8] == '.' {
		frac := tod[9:]
		if len(frac) > 9 {
			frac = frac[:9]
		}
		v, ok := digits(frac, len(frac))
		if !ok {
			return time.Time{}, false
		}
		for i := len(frac); i < 9; i++ {
			v *= 10
		}
		ns = v
	} else if len(tod) != 8 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC), true
}

// iisLike reports whether a sample looks like an IIS W3C log: a "#Software: Microsoft Internet
// Information Services" or "#Fields:" directive among the sampled lines.
func iisLike(sample [][]byte) bool {
	for _, l := range sample {
		if bytes.HasPrefix(l, []byte("#Fields:")) || bytes.HasPrefix(l, []byte("#Software: Microsoft Internet Information Services")) {
			return true
		}
	}
	return false
}
