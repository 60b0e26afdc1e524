package esfake

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// aggregator computes aggregations over document lists.
type aggregator struct {
	ev      *evaluator
	scope   *bitset // documents the search may see (filters inside aggs are scoped too)
	buckets int
	max     int
	// fielddata, when set, returns an error for a field that cannot be aggregated (OpenSearch
	// mode: wildcard and text fields).
	fielddata func(field string) error
}

func (ag *aggregator) count(n int) error {
	ag.buckets += n
	if ag.max > 0 && ag.buckets > ag.max {
		return &esError{status: 400, typ: "too_many_buckets_exception", shard: true,
			reason: fmt.Sprintf("Trying to create too many buckets. Must be less than or equal to: [%d] but this number of buckets was exceeded. This limit can be set by changing the [search.max_buckets] cluster level setting.", ag.max)}
	}
	return nil
}

// all computes every aggregation named in spec over docs.
func (ag *aggregator) all(spec gjson.Result, docs []int32, top bool) (map[string]any, error) {
	out := map[string]any{}
	var err error
	spec.ForEach(func(name, a gjson.Result) bool {
		var r any
		r, err = ag.one(name.Str, a, docs, top)
		if err != nil {
			return false
		}
		out[name.Str] = r
		return true
	})
	return out, err
}

func subAggs(a gjson.Result) gjson.Result {
	if s := a.Get("aggs"); s.Exists() {
		return s
	}
	return a.Get("aggregations")
}

func (ag *aggregator) withSub(a gjson.Result, docs []int32, m map[string]any) (map[string]any, error) {
	sub := subAggs(a)
	if !sub.Exists() {
		return m, nil
	}
	r, err := ag.all(sub, docs, false)
	if err != nil {
		return nil, err
	}
	for k, v := range r {
		m[k] = v
	}
	return m, nil
}

func (ag *aggregator) one(name string, a gjson.Result, docs []int32, top bool) (any, error) {
	var kind string
	var body gjson.Result
	n := 0
	var bad error
	a.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "aggs", "aggregations", "meta":
			return true
		}
		n++
		kind, body = k.Str, v
		return true
	})
	if bad != nil {
		return nil, bad
	}
	if n != 1 {
		return nil, parsingErr("Expected [START_OBJECT] under [%s], but got a [VALUE_STRING] in [%s]", kind, name)
	}
	s := ag.ev.s
	switch kind {
	case "min", "max":
		field := body.Get("field").String()
		best := math.NaN()
		for _, d := range docs {
			for _, f := range ag.nums(field, d) {
				if math.IsNaN(best) || kind == "min" && f < best || kind == "max" && f > best {
					best = f
				}
			}
		}
		r := map[string]any{"value": nil}
		if !math.IsNaN(best) {
			r["value"] = best
			if field == "@timestamp" {
				r["value_as_string"] = fmtDate(int64(best))
			}
		}
		return r, nil
	case "value_count":
		field := body.Get("field").String()
		c := 0
		var buf []string
		for _, d := range docs {
			if field == "@timestamp" {
				if s.ts[d] != missingTS {
					c++
				}
				continue
			}
			if col := s.cols[field]; col != nil {
				buf = col.values(d, buf[:0])
				c += len(buf)
			}
		}
		return map[string]any{"value": c}, nil
	case "filter":
		b, err := ag.ev.eval(body)
		if err != nil {
			return nil, err
		}
		sub := pick(docs, b)
		return ag.withSub(a, sub, map[string]any{"doc_count": len(sub)})
	case "filters":
		fs := body.Get("filters")
		if fs.IsArray() {
			var list []any
			for _, f := range fs.Array() {
				b, err := ag.ev.eval(f)
				if err != nil {
					return nil, err
				}
				sub := pick(docs, b)
				m, err := ag.withSub(a, sub, map[string]any{"doc_count": len(sub)})
				if err != nil {
					return nil, err
				}
				list = append(list, m)
			}
			return map[string]any{"buckets": list}, ag.count(len(list))
		}
		keyed := map[string]any{}
		var err error
		fs.ForEach(func(k, f gjson.Result) bool {
			var b *bitset
			if b, err = ag.ev.eval(f); err != nil {
				return false
			}
			sub := pick(docs, b)
			var m map[string]any
			if m, err = ag.withSub(a, sub, map[string]any{"doc_count": len(sub)}); err != nil {
				return false
			}
			keyed[k.Str] = m
			return true
		})
		if err != nil {
			return nil, err
		}
		return map[string]any{"buckets": keyed}, ag.count(len(keyed))
	case "range":
		field := body.Get("field").String()
		var list []any
		for _, r := range body.Get("ranges").Array() {
			from, to := r.Get("from"), r.Get("to")
			var sub []int32
			for _, d := range docs {
				for _, f := range ag.nums(field, d) {
					if (!from.Exists() || f >= from.Float()) && (!to.Exists() || f < to.Float()) {
						sub = append(sub, d)
						break
					}
				}
			}
			key := r.Get("key").String()
			if key == "" {
				key = rangeBound(from) + "-" + rangeBound(to)
			}
			m := map[string]any{"key": key, "doc_count": len(sub)}
			if from.Exists() {
				m["from"] = from.Float()
			}
			if to.Exists() {
				m["to"] = to.Float()
			}
			m, err := ag.withSub(a, sub, m)
			if err != nil {
				return nil, err
			}
			list = append(list, m)
		}
		return map[string]any{"buckets": list}, ag.count(len(list))
	case "terms":
		return ag.terms(a, body, docs)
	case "date_histogram":
		return ag.dateHistogram(a, body, docs)
	case "composite":
		if !top {
			return nil, &esError{status: 400, typ: "illegal_argument_exception",
				reason: "[composite] aggregation cannot be used with a parent aggregation of type: [" + name + "]"}
		}
		return ag.composite(a, body, docs)
	}
	return nil, parsingErr("Unknown aggregation type [%s] did you mean [terms]?", kind)
}

func rangeBound(v gjson.Result) string {
	if !v.Exists() {
		return "*"
	}
	return strconv.FormatFloat(v.Float(), 'f', 1, 64)
}

func pick(docs []int32, b *bitset) []int32 {
	var out []int32
	for _, d := range docs {
		if b.get(d) {
			out = append(out, d)
		}
	}
	return out
}

// nums returns a document's numeric values of a field (dates as epoch ms).
func (ag *aggregator) nums(field string, d int32) []float64 {
	s := ag.ev.s
	if field == "@timestamp" {
		if s.ts[d] == missingTS {
			return nil
		}
		return []float64{float64(s.ts[d])}
	}
	col := s.cols[field]
	if col == nil {
		return nil
	}
	var out []float64
	for _, v := range col.values(d, nil) {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			out = append(out, f)
		} else if ms, ok := parseDate(v); ok {
			out = append(out, float64(ms))
		}
	}
	return out
}

// keyVal is one composite/terms key value.
type keyVal struct {
	null bool
	num  bool
	f    float64
	s    string
}

func (k keyVal) json() any {
	switch {
	case k.null:
		return nil
	case k.num:
		if k.f == math.Trunc(k.f) && math.Abs(k.f) < 1e15 {
			return int64(k.f)
		}
		return k.f
	}
	return k.s
}

func cmpKey(a, b keyVal) int {
	switch {
	case a.null && b.null:
		return 0
	case a.null:
		return -1
	case b.null:
		return 1
	case a.num && b.num:
		if a.f < b.f {
			return -1
		} else if a.f > b.f {
			return 1
		}
		return 0
	}
	return strings.Compare(a.s, b.s)
}

// keyVals returns a document's values of a field as keys.
func (ag *aggregator) keyVals(field string, d int32) []keyVal {
	s := ag.ev.s
	switch field {
	case "_index":
		return []keyVal{{s: s.indices[s.idx[d]].name}}
	case "@timestamp":
		if s.ts[d] == missingTS {
			return nil
		}
		return []keyVal{{num: true, f: float64(s.ts[d])}}
	}
	col := s.cols[field]
	if col == nil || col.text {
		return nil
	}
	vs := col.values(d, nil)
	out := make([]keyVal, 0, len(vs))
	for _, v := range vs {
		if col.numeric {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				out = append(out, keyVal{num: true, f: f})
				continue
			}
		}
		out = append(out, keyVal{s: v})
	}
	return out
}

func (ag *aggregator) terms(a, body gjson.Result, docs []int32) (any, error) {
	field := body.Get("field").String()
	if ag.fielddata != nil {
		if err := ag.fielddata(field); err != nil {
			return nil, err
		}
	}
	size := 10
	if body.Get("size").Exists() {
		size = int(body.Get("size").Int())
	}
	missing := body.Get("missing")
	type tb struct {
		k    keyVal
		docs []int32
	}
	m := map[string]*tb{}
	for _, d := range docs {
		ks := ag.keyVals(field, d)
		if len(ks) == 0 && missing.Exists() {
			ks = []keyVal{{s: missing.String()}}
		}
		for _, k := range ks {
			id := fmt.Sprint(k.json())
			b := m[id]
			if b == nil {
				b = &tb{k: k}
				m[id] = b
			}
			b.docs = append(b.docs, d)
		}
	}
	list := make([]*tb, 0, len(m))
	for _, b := range m {
		list = append(list, b)
	}
	sort.Slice(list, func(i, j int) bool {
		if len(list[i].docs) != len(list[j].docs) {
			return len(list[i].docs) > len(list[j].docs)
		}
		return cmpKey(list[i].k, list[j].k) < 0
	})
	other := 0
	if len(list) > size {
		for _, b := range list[size:] {
			other += len(b.docs)
		}
		list = list[:size]
	}
	buckets := []any{}
	for _, b := range list {
		bm := map[string]any{"key": b.k.json(), "doc_count": len(b.docs)}
		bm, err := ag.withSub(a, b.docs, bm)
		if err != nil {
			return nil, err
		}
		buckets = append(buckets, bm)
	}
	return map[string]any{"doc_count_error_upper_bound": 0, "sum_other_doc_count": other, "buckets": buckets},
		ag.count(len(buckets))
}

// interval reads fixed_interval / calendar_interval in milliseconds.
func interval(body gjson.Result) (int64, error) {
	v := body.Get("fixed_interval").String()
	if v == "" {
		v = body.Get("calendar_interval").String()
		switch v {
		case "minute", "1m":
			return 60_000, nil
		case "hour", "1h":
			return 3_600_000, nil
		case "day", "1d":
			return 86_400_000, nil
		case "":
			return 0, parsingErr("Required one of fields [fixed_interval, calendar_interval], but none were specified.")
		}
		return 0, &esError{status: 400, typ: "illegal_argument_exception", reason: "The supplied interval [" + v + "] could not be parsed as a calendar interval."}
	}
	units := map[string]int64{"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
	for _, u := range []string{"ms", "s", "m", "h", "d"} {
		if strings.HasSuffix(v, u) {
			if n, err := strconv.ParseInt(strings.TrimSuffix(v, u), 10, 64); err == nil && n > 0 {
				return n * units[u], nil
			}
		}
	}
	return 0, &esError{status: 400, typ: "illegal_argument_exception", reason: "failed to parse setting [date_histogram.fixedInterval] with value [" + v + "] as a time value"}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q * b
}

func (ag *aggregator) dateHistogram(a, body gjson.Result, docs []int32) (any, error) {
	iv, err := interval(body)
	if err != nil {
		return nil, err
	}
	field := body.Get("field").String()
	m := map[int64][]int32{}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, d := range docs {
		for _, f := range ag.nums(field, d) {
			k := floorDiv(int64(f), iv)
			m[k] = append(m[k], d)
			lo, hi = min(lo, k), max(hi, k)
		}
	}
	minCount := body.Get("min_doc_count").Int()
	if eb := body.Get("extended_bounds"); eb.Exists() && minCount == 0 {
		if ms, ok := parseDate(eb.Get("min").String()); ok {
			lo = min(lo, floorDiv(ms, iv))
		}
		if ms, ok := parseDate(eb.Get("max").String()); ok {
			hi = max(hi, floorDiv(ms, iv))
		}
	}
	buckets := []any{}
	if lo <= hi {
		if (hi-lo)/iv > 100_000 {
			return nil, ag.count(ag.max + 1)
		}
		for k := lo; k <= hi; k += iv {
			ds := m[k]
			if int64(len(ds)) < minCount || minCount > 0 && len(ds) == 0 {
				continue
			}
			bm := map[string]any{"key": k, "key_as_string": fmtDate(k), "doc_count": len(ds)}
			if bm, err = ag.withSub(a, ds, bm); err != nil {
				return nil, err
			}
			buckets = append(buckets, bm)
		}
	}
	return map[string]any{"buckets": buckets}, ag.count(len(buckets))
}

type compSource struct {
	name    string
	field   string
	iv      int64 // date_histogram interval; 0 for terms
	missing bool
	desc    bool
}

func (ag *aggregator) composite(a, body gjson.Result, docs []int32) (any, error) {
	size := 10
	if body.Get("size").Exists() {
		size = int(body.Get("size").Int())
	}
	if ag.max > 0 && size > ag.max {
		return nil, ag.count(size)
	}
	var srcs []compSource
	for _, s := range body.Get("sources").Array() {
		var err error
		s.ForEach(func(name, def gjson.Result) bool {
			cs := compSource{name: name.Str}
			def.ForEach(func(kind, spec gjson.Result) bool {
				cs.field = spec.Get("field").String()
				if ag.fielddata != nil && kind.Str == "terms" {
					if err = ag.fielddata(cs.field); err != nil {
						return false
					}
				}
				cs.missing = spec.Get("missing_bucket").Bool()
				cs.desc = spec.Get("order").String() == "desc"
				switch kind.Str {
				case "terms":
				case "date_histogram":
					cs.iv, err = interval(spec)
				default:
					err = parsingErr("Invalid source type [%s] for composite aggregation", kind.Str)
				}
				return false
			})
			srcs = append(srcs, cs)
			return false
		})
		if err != nil {
			return nil, err
		}
	}
	if len(srcs) == 0 {
		return nil, &esError{status: 400, typ: "illegal_argument_exception", reason: "Composite [sources] cannot be null or empty"}
	}
	type cb struct {
		key  []keyVal
		docs []int32
	}
	m := map[string]*cb{}
	var sb strings.Builder
	for _, d := range docs {
		combos := [][]keyVal{nil}
		for _, src := range srcs {
			var ks []keyVal
			if src.iv > 0 {
				for _, f := range ag.nums(src.field, d) {
					ks = append(ks, keyVal{num: true, f: float64(floorDiv(int64(f), src.iv))})
				}
			} else {
				ks = ag.keyVals(src.field, d)
			}
			if len(ks) == 0 {
				if !src.missing {
					combos = nil
					break
				}
				ks = []keyVal{{null: true}}
			}
			var next [][]keyVal
			for _, c := range combos {
				for _, k := range ks {
					next = append(next, append(append([]keyVal(nil), c...), k))
				}
			}
			combos = next
		}
		for _, c := range combos {
			sb.Reset()
			for _, k := range c {
				fmt.Fprintf(&sb, "%v|%v|%v|%q;", k.null, k.num, k.f, k.s)
			}
			id := sb.String()
			b := m[id]
			if b == nil {
				b = &cb{key: c}
				m[id] = b
			}
			if len(b.docs) == 0 || b.docs[len(b.docs)-1] != d {
				b.docs = append(b.docs, d)
			}
		}
	}
	cmp := func(x, y []keyVal) int {
		for i, src := range srcs {
			c := cmpKey(x[i], y[i])
			if src.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	list := make([]*cb, 0, len(m))
	for _, b := range m {
		list = append(list, b)
	}
	sort.Slice(list, func(i, j int) bool { return cmp(list[i].key, list[j].key) < 0 })
	if after := body.Get("after"); after.Exists() {
		ak := make([]keyVal, len(srcs))
		for i, src := range srcs {
			v := after.Get(gjson.Escape(src.name))
			switch v.Type {
			case gjson.Null:
				ak[i] = keyVal{null: true}
			case gjson.Number:
				ak[i] = keyVal{num: true, f: v.Float()}
			case gjson.String:
				ak[i] = keyVal{s: v.Str}
				if src.iv > 0 {
					if ms, ok := parseDate(v.Str); ok {
						ak[i] = keyVal{num: true, f: float64(ms)}
					}
				}
			default:
				return nil, &esError{status: 400, typ: "illegal_argument_exception", reason: "Missing value for [after." + src.name + "]"}
			}
		}
		i := sort.Search(len(list), func(i int) bool { return cmp(list[i].key, ak) > 0 })
		list = list[i:]
	}
	if len(list) > size {
		list = list[:size]
	}
	if err := ag.count(len(list)); err != nil {
		return nil, err
	}
	buckets := []any{}
	keyMap := func(k []keyVal) map[string]any {
		km := map[string]any{}
		for i, src := range srcs {
			km[src.name] = k[i].json()
		}
		return km
	}
	for _, b := range list {
		bm := map[string]any{"key": keyMap(b.key), "doc_count": len(b.docs)}
		bm, err := ag.withSub(a, b.docs, bm)
		if err != nil {
			return nil, err
		}
		buckets = append(buckets, bm)
	}
	out := map[string]any{"buckets": buckets}
	if len(list) > 0 {
		out["after_key"] = keyMap(list[len(list)-1].key)
	}
	return out, nil
}

var _ = time.Second
