package esfake

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/tidwall/gjson"
)

// esError is an error response in Elasticsearch's shape.
type esError struct {
	status int
	typ    string
	reason string
	// shard is set for errors raised per shard (a terms query over the limit): with every shard
	// failing, Elasticsearch wraps them in search_phase_execution_exception.
	shard bool
	// cause, when set, is the reason of the caused_by object (a document's field that failed).
	cause string
}

func (e *esError) Error() string { return e.typ + ": " + e.reason }

func parsingErr(format string, args ...any) *esError {
	return &esError{status: 400, typ: "parsing_exception", reason: fmt.Sprintf(format, args...)}
}

// evaluator evaluates queries over a store.
type evaluator struct {
	s        *store
	maxTerms int
}

// eval returns the documents matching q (before scoping to indices and snapshots).
func (ev *evaluator) eval(q gjson.Result) (*bitset, error) {
	s := ev.s
	if !q.Exists() {
		b := newBitset(s.n)
		b.fill(s.n)
		return b, nil
	}
	if !q.IsObject() {
		return nil, parsingErr("[_na] query malformed, must start with start_object")
	}
	var out *bitset
	var err error
	n := 0
	q.ForEach(func(k, v gjson.Result) bool {
		n++
		if n > 1 {
			err = parsingErr("[%s] malformed query, expected [END_OBJECT] but found [FIELD_NAME]", k.Str)
			return false
		}
		out, err = ev.leaf(k.Str, v)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, parsingErr("query malformed, empty clause found")
	}
	return out, nil
}

// fieldValue splits {"field": value} or {"field": {"value": …, opts}}.
func fieldClause(kind string, v gjson.Result) (field string, val gjson.Result, opts gjson.Result, err error) {
	if !v.IsObject() {
		return "", val, opts, parsingErr("[%s] query malformed, no start_object after query name", kind)
	}
	n := 0
	v.ForEach(func(k, x gjson.Result) bool {
		if k.Str == "boost" || k.Str == "_name" {
			return true
		}
		n++
		field, val = k.Str, x
		return true
	})
	if n != 1 {
		return "", val, opts, parsingErr("[%s] query doesn't support multiple fields, found [%d]", kind, n)
	}
	if val.IsObject() && kind != "range" {
		opts = val
		val = val.Get("value")
		if kind == "match_phrase" {
			val = opts.Get("query")
		}
		if !val.Exists() {
			return "", val, opts, parsingErr("[%s] query does not support [%s] without a value", kind, field)
		}
	}
	return field, val, opts, nil
}

// termString is how a term value compares with stored values: numbers in canonical form, so
// that 405 matches both a long 405 and a keyword "405".
func termString(v gjson.Result) string {
	switch v.Type {
	case gjson.Number:
		return canonNumber(v.Raw)
	case gjson.True:
		return "true"
	case gjson.False:
		return "false"
	}
	return v.String()
}

func (ev *evaluator) leaf(kind string, v gjson.Result) (*bitset, error) {
	s := ev.s
	b := newBitset(s.n)
	switch kind {
	case "match_all":
		b.fill(s.n)
		return b, nil
	case "match_none":
		return b, nil
	case "bool":
		return ev.boolQuery(v)
	case "term", "terms":
		var field string
		var vals []gjson.Result
		ci := false
		if kind == "term" {
			f, val, opts, err := fieldClause(kind, v)
			if err != nil {
				return nil, err
			}
			field, vals = f, []gjson.Result{val}
			ci = opts.Get("case_insensitive").Bool()
		} else {
			n := 0
			var bad error
			v.ForEach(func(k, x gjson.Result) bool {
				if k.Str == "boost" || k.Str == "_name" {
					return true
				}
				n++
				field = k.Str
				if !x.IsArray() {
					bad = parsingErr("[terms] query does not support [%s]", k.Str)
					return false
				}
				vals = x.Array()
				return true
			})
			if bad != nil {
				return nil, bad
			}
			if n != 1 {
				return nil, parsingErr("[terms] query does not support multiple fields")
			}
			if ev.maxTerms > 0 && len(vals) > ev.maxTerms {
				return nil, &esError{status: 400, typ: "illegal_argument_exception", shard: true,
					reason: fmt.Sprintf("The number of terms [%d] used in the Terms Query request has exceeded the allowed maximum of [%d]. This maximum can be set by changing the [index.max_terms_count] index level setting.", len(vals), ev.maxTerms)}
			}
		}
		for _, val := range vals {
			ev.term(field, termString(val), ci, b)
		}
		return b, nil
	case "ids":
		for _, val := range v.Get("values").Array() {
			ev.term("_id", val.String(), false, b)
		}
		return b, nil
	case "exists":
		field := v.Get("field").String()
		if field == "" {
			return nil, parsingErr("[exists] must be provided with a [field]")
		}
		if field == "@timestamp" {
			for d := int32(0); d < s.n; d++ {
				if s.ts[d] != missingTS {
					b.set(d)
				}
			}
			return b, nil
		}
		if c := s.cols[field]; c != nil {
			for d := int32(0); d < s.n; d++ {
				if c.has(d) {
					b.set(d)
				}
			}
		}
		return b, nil
	case "range":
		return ev.rangeQuery(v)
	case "prefix":
		field, val, _, err := fieldClause(kind, v)
		if err != nil {
			return nil, err
		}
		p := val.String()
		if c := s.cols[field]; c != nil {
			c.match(func(x string) bool { return strings.HasPrefix(x, p) }, b)
		}
		return b, nil
	case "regexp":
		field, val, _, err := fieldClause(kind, v)
		if err != nil {
			return nil, err
		}
		m, rerr := regexpMatcher(val.String())
		if rerr != nil {
			return nil, &esError{status: 400, typ: "illegal_argument_exception", shard: true, reason: "invalid regular expression: " + rerr.Error()}
		}
		if c := s.cols[field]; c != nil {
			c.match(m, b)
		}
		return b, nil
	case "match_phrase":
		field, val, _, err := fieldClause(kind, v)
		if err != nil {
			return nil, err
		}
		want := tokens(val.String())
		if c := s.cols[field]; c != nil && len(want) > 0 {
			c.phrase(want, b)
		}
		return b, nil
	}
	return nil, parsingErr("unknown query [%s]", kind)
}

// regexpMatcher compiles an anchored regexp query once per process and remembers its answer for
// each value: the es runs of the tests ask the same route regexps of the same dictionary values
// on every copy of the seeded store (under -race the matching was a tenth of an es run's CPU).
func regexpMatcher(src string) (func(string) bool, error) {
	regexps.mu.Lock()
	defer regexps.mu.Unlock()
	if regexps.m == nil || len(regexps.m) > 10000 {
		regexps.m = map[string]*regexpMemo{}
	}
	e := regexps.m[src]
	if e == nil {
		re, err := regexp.Compile("^(?:" + src + ")$")
		if err != nil {
			return nil, err
		}
		e = &regexpMemo{re: re, seen: map[string]bool{}}
		regexps.m[src] = e
	}
	return e.match, nil
}

var regexps struct {
	mu sync.Mutex
	m  map[string]*regexpMemo
}

type regexpMemo struct {
	re   *regexp.Regexp
	mu   sync.Mutex
	seen map[string]bool // value → matched (at most 100,000 values remembered)
}

func (e *regexpMemo) match(v string) bool {
	e.mu.Lock()
	hit, ok := e.seen[v]
	e.mu.Unlock()
	if ok {
		return hit
	}
	hit = e.re.MatchString(v)
	e.mu.Lock()
	if len(e.seen) < 100000 {
		e.seen[v] = hit
	}
	e.mu.Unlock()
	return hit
}

// term adds the documents whose field holds val.
func (ev *evaluator) term(field, val string, ci bool, b *bitset) {
	s := ev.s
	switch field {
	case "_id":
		for _, ix := range s.indices {
			if d, ok := ix.ids[val]; ok && !s.deleted[d] {
				b.set(d)
			}
		}
		if strings.HasPrefix(val, "g") {
			if n, err := strconv.Atoi(val[1:]); err == nil && int32(n) >= s.genBase && int32(n) < s.genBase+s.genN {
				b.set(int32(n))
			}
		}
		return
	case "_index":
		for d := int32(0); d < s.n; d++ {
			ix := s.indices[s.idx[d]]
			if ix.name == val || ix.dataStream == val {
				b.set(d)
			}
		}
		return
	}
	c := s.cols[field]
	if c == nil || c.text {
		return
	}
	if ci {
		c.match(func(x string) bool { return strings.EqualFold(x, val) }, b)
		return
	}
	c.docsOf(val, b)
}

func (ev *evaluator) boolQuery(v gjson.Result) (*bitset, error) {
	s := ev.s
	out := newBitset(s.n)
	out.fill(s.n)
	var shoulds []*bitset
	msm := -1
	var err error
	v.ForEach(func(k, x gjson.Result) bool {
		clauses := []gjson.Result{x}
		if x.IsArray() {
			clauses = x.Array()
		}
		switch k.Str {
		case "filter", "must", "must_not", "should":
			for _, c := range clauses {
				var r *bitset
				if r, err = ev.eval(c); err != nil {
					return false
				}
				switch k.Str {
				case "filter", "must":
					out.and(r)
				case "must_not":
					out.andNot(r)
				case "should":
					shoulds = append(shoulds, r)
				}
			}
		case "minimum_should_match":
			msm = int(x.Int())
		case "boost", "_name":
		default:
			err = parsingErr("[bool] query does not support [%s]", k.Str)
			return false
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if len(shoulds) > 0 {
		if msm < 0 {
			// Without filter/must clauses, at least one should clause must match.
			if v.Get("filter").Exists() || v.Get("must").Exists() {
				msm = 0
			} else {
				msm = 1
			}
		}
		if msm == 1 {
			any := newBitset(s.n)
			for _, r := range shoulds {
				any.or(r)
			}
			out.and(any)
		} else if msm > 1 {
			for d := out.next(0); d >= 0; d = out.next(d + 1) {
				n := 0
				for _, r := range shoulds {
					if r.get(d) {
						n++
					}
				}
				if n < msm {
					out.w[d>>6] &^= 1 << (uint(d) & 63)
				}
			}
		}
	}
	return out, nil
}

func (ev *evaluator) rangeQuery(v gjson.Result) (*bitset, error) {
	s := ev.s
	b := newBitset(s.n)
	field, spec, _, err := fieldClause("range", v)
	if err != nil {
		return nil, err
	}
	date := field == "@timestamp" || spec.Get("format").Exists()
	lo, hi := math.Inf(-1), math.Inf(1)
	loInc, hiInc := true, true
	var perr error
	spec.ForEach(func(k, x gjson.Result) bool {
		var f float64
		if k.Str == "format" || k.Str == "boost" || k.Str == "time_zone" {
			return true
		}
		if date {
			ms, ok := parseDate(x.String())
			if !ok {
				perr = &esError{status: 400, typ: "parse_exception", shard: true,
					reason: fmt.Sprintf("failed to parse date field [%s] with format [strict_date_optional_time||epoch_millis]", x.String())}
				return false
			}
			f = float64(ms)
		} else if k.Str != "format" && k.Str != "boost" && k.Str != "time_zone" {
			var e error
			if f, e = strconv.ParseFloat(x.String(), 64); e != nil {
				perr = &esError{status: 400, typ: "number_format_exception", shard: true, reason: "For input string: \"" + x.String() + "\""}
				return false
			}
		}
		switch k.Str {
		case "gte":
			lo, loInc = f, true
		case "gt":
			lo, loInc = f, false
		case "lte":
			hi, hiInc = f, true
		case "lt":
			hi, hiInc = f, false
		case "format", "boost", "time_zone":
		default:
			perr = parsingErr("[range] query does not support [%s]", k.Str)
			return false
		}
		return true
	})
	if perr != nil {
		return nil, perr
	}
	in := func(f float64) bool {
		return (f > lo || loInc && f == lo) && (f < hi || hiInc && f == hi)
	}
	if field == "@timestamp" {
		for d := int32(0); d < s.n; d++ {
			if t := s.ts[d]; t != missingTS && in(float64(t)) {
				b.set(d)
			}
		}
		return b, nil
	}
	c := s.cols[field]
	if c == nil {
		return b, nil
	}
	c.match(func(x string) bool {
		if date {
			ms, ok := parseDate(x)
			return ok && in(float64(ms))
		}
		f, err := strconv.ParseFloat(x, 64)
		return err == nil && in(f)
	}, b)
	return b, nil
}

// tokens splits text as the standard analyzer roughly does: lower-cased runs of letters and
// digits.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	})
}

func hasPhrase(toks, want []string) bool {
	for i := 0; i+len(want) <= len(toks); i++ {
		ok := true
		for j := range want {
			if toks[i+j] != want[j] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
