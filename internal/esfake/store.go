// Package esfake is an in-process Elasticsearch 8 test server: enough of the REST API, with the
// response shapes and headers of the real thing, that the unmodified go-elasticsearch v8 client
// works against it over real HTTP. It serves `logtriage es` tests only. It refuses what
// Elasticsearch refuses (mapping.go: unknown parameters and body keys, wrong types, documents
// that do not fit the mapping), and NewOpenSearch gives an OpenSearch 2.17 cluster instead
// (opensearch.go).
//
// Documents live in a column store (one dictionary-encoded column per dotted field name, an
// @timestamp column, CSR postings built on demand), so that a million generated documents fit
// in a few tens of megabytes and a term query is a posting-list lookup, not a scan. Faults
// (429, 5xx, shard failures, resets, PIT expiry, a missing product header, …) are injected per
// endpoint; every request, hit and byte sent is counted so tests can assert what the tool
// transferred.
package esfake

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

const missingTS = math.MinInt64

// column holds one field's values for every document: vals[doc] is an index into dict (0 means
// no value); further values of multi-valued fields sit in multi. gen, when set, computes the
// values of a range of generated documents instead (unique ids of a million filler documents
// would otherwise need a dictionary entry each).
type column struct {
	dict    []string
	lookup  map[string]uint32
	vals    []uint32
	multi   map[int32][]uint32
	numeric bool
	text    bool       // analysed text (message): match_phrase works, term does not
	toks    [][]string // tokens of each dictionary value of a text column, computed on demand
	// tokDict lists, for each token of a text column, the dictionary values holding it (in
	// increasing order), so that a phrase is looked for only in values that hold its rarest token.
	tokDict map[string][]int32

	gen *genColumn

	// CSR postings, rebuilt lazily after writes: docs of value v are order[off[v]:off[v+1]].
	order []int32
	off   []uint32
	dirty bool
}

// genColumn computes values for the documents [base, base+n).
type genColumn struct {
	base, n int32
	value   func(i int32) string   // i is relative to base; "" for none
	inverse func(v string) []int32 // the relative docs holding a value
}

func newColumn() *column {
	return &column{dict: []string{""}, lookup: map[string]uint32{}}
}

func (c *column) intern(v string) uint32 {
	if id, ok := c.lookup[v]; ok {
		return id
	}
	id := uint32(len(c.dict))
	c.dict = append(c.dict, v)
	c.lookup[v] = id
	return id
}

// set records values for doc, which must be the newest document.
func (c *column) set(doc int32, vs []string) {
	for int32(len(c.vals)) <= doc {
		c.vals = append(c.vals, 0)
	}
	if len(vs) == 0 {
		return
	}
	c.vals[doc] = c.intern(vs[0])
	if len(vs) > 1 {
		if c.multi == nil {
			c.multi = map[int32][]uint32{}
		}
		for _, v := range vs[1:] {
			c.multi[doc] = append(c.multi[doc], c.intern(v))
		}
	}
	c.dirty = true
}

// values appends doc's values to buf.
func (c *column) values(doc int32, buf []string) []string {
	if g := c.gen; g != nil && doc >= g.base && doc < g.base+g.n {
		if v := g.value(doc - g.base); v != "" {
			buf = append(buf, v)
		}
		return buf
	}
	if int(doc) >= len(c.vals) || c.vals[doc] == 0 {
		return buf
	}
	buf = append(buf, c.dict[c.vals[doc]])
	for _, v := range c.multi[doc] {
		buf = append(buf, c.dict[v])
	}
	return buf
}

func (c *column) has(doc int32) bool {
	if g := c.gen; g != nil && doc >= g.base && doc < g.base+g.n {
		return g.value(doc-g.base) != ""
	}
	return int(doc) < len(c.vals) && c.vals[doc] != 0
}

func (c *column) build() {
	if !c.dirty && c.off != nil {
		return
	}
	counts := make([]uint32, len(c.dict)+1)
	for _, v := range c.vals {
		counts[v+1]++
	}
	for d, vs := range c.multi {
		_ = d
		for _, v := range vs {
			counts[v+1]++
		}
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	c.off = counts
	c.order = make([]int32, counts[len(counts)-1])
	pos := append([]uint32(nil), counts[:len(counts)-1]...)
	for d, v := range c.vals {
		c.order[pos[v]] = int32(d)
		pos[v]++
	}
	for d, vs := range c.multi {
		for _, v := range vs {
			c.order[pos[v]] = d
			pos[v]++
		}
	}
	c.dirty = false
}

// docsOf adds the documents holding value v (exact) to b.
func (c *column) docsOf(v string, b *bitset) {
	if g := c.gen; g != nil {
		for _, i := range g.inverse(v) {
			if i >= 0 && i < g.n {
				b.set(g.base + i)
			}
		}
	}
	id, ok := c.lookup[v]
	if !ok {
		return
	}
	c.build()
	for _, d := range c.order[c.off[id]:c.off[id+1]] {
		b.set(d)
	}
}

// eachValue calls fn for every distinct stored value with a predicate result; the documents
// of matching values are added to b. Generated values are tested one by one.
func (c *column) match(pred func(string) bool, b *bitset) {
	c.build()
	for id := 1; id < len(c.dict); id++ {
		if pred(c.dict[id]) {
			for _, d := range c.order[c.off[id]:c.off[id+1]] {
				b.set(d)
			}
		}
	}
	if g := c.gen; g != nil {
		for i := int32(0); i < g.n; i++ {
			if v := g.value(i); v != "" && pred(v) {
				b.set(g.base + i)
			}
		}
	}
}

// tokenize computes the tokens of the dictionary values added since it last ran, and indexes
// them by token.
func (c *column) tokenize() {
	if c.tokDict == nil {
		c.tokDict = map[string][]int32{}
	}
	for len(c.toks) < len(c.dict) {
		id := int32(len(c.toks))
		toks := tokens(c.dict[id])
		c.toks = append(c.toks, toks)
		for _, tok := range toks {
			if l := c.tokDict[tok]; len(l) == 0 || l[len(l)-1] != id {
				c.tokDict[tok] = append(l, id)
			}
		}
	}
}

// phrase adds the documents whose text holds the token sequence want.
func (c *column) phrase(want []string, b *bitset) {
	c.build()
	c.tokenize()
	match := func(id int) {
		if id >= 1 && hasPhrase(c.toks[id], want) {
			for _, d := range c.order[c.off[id]:c.off[id+1]] {
				b.set(d)
			}
		}
	}
	if len(want) == 0 {
		for id := 1; id < len(c.dict); id++ {
			match(id)
		}
		return
	}
	cands := c.tokDict[want[0]]
	for _, w := range want[1:] {
		if l := c.tokDict[w]; len(l) < len(cands) {
			cands = l
		}
	}
	for _, id := range cands {
		match(int(id))
	}
}

// bitset is a set of document numbers.
type bitset struct{ w []uint64 }

func newBitset(n int32) *bitset { return &bitset{w: make([]uint64, (n+63)/64)} }

func (b *bitset) set(d int32) {
	if int(d>>6) < len(b.w) {
		b.w[d>>6] |= 1 << (uint(d) & 63)
	}
}
func (b *bitset) get(d int32) bool {
	return int(d>>6) < len(b.w) && b.w[d>>6]&(1<<(uint(d)&63)) != 0
}
func (b *bitset) and(o *bitset) {
	for i := range b.w {
		b.w[i] &= o.w[i]
	}
}
func (b *bitset) or(o *bitset) {
	for i := range b.w {
		b.w[i] |= o.w[i]
	}
}
func (b *bitset) andNot(o *bitset) {
	for i := range b.w {
		b.w[i] &^= o.w[i]
	}
}

// fill adds the documents [0, n).
func (b *bitset) fill(n int32) {
	full := int(n >> 6)
	for i := 0; i < full && i < len(b.w); i++ {
		b.w[i] = ^uint64(0)
	}
	if r := n & 63; r != 0 && full < len(b.w) {
		b.w[full] |= (1 << uint(r)) - 1
	}
}

// next returns the first member >= d, or -1.
func (b *bitset) next(d int32) int32 {
	if d < 0 {
		d = 0
	}
	i := int(d >> 6)
	if i >= len(b.w) {
		return -1
	}
	w := b.w[i] >> (uint(d) & 63)
	if w != 0 {
		return d + int32(trailingZeros(w))
	}
	for i++; i < len(b.w); i++ {
		if b.w[i] != 0 {
			return int32(i<<6) + int32(trailingZeros(b.w[i]))
		}
	}
	return -1
}

func trailingZeros(w uint64) int {
	n := 0
	for w&1 == 0 {
		w >>= 1
		n++
	}
	return n
}

func (b *bitset) count() int {
	n := 0
	for _, w := range b.w {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

// index is a concrete index: a plain index, or the backing index of a data stream.
type index struct {
	name       string // concrete name (".ds-logs-nginx.access-default-2026.11.24-000001")
	dataStream string // data stream name, or ""
	ids        map[string]int32
	mapping    *mapping
}

// store is the document store. Callers hold Server.mu.
type store struct {
	n       int32
	ts      []int64
	idx     []uint16
	ids     []string // "" for generated documents: their id is derived from the doc number
	src     []json.RawMessage
	deleted map[int32]bool
	cols    map[string]*column
	indices []*index
	byName  map[string]int // concrete or data stream name → index
	genSrc  func(doc int32) json.RawMessage
	genBase int32
	genN    int32
}

func newStore() *store {
	return &store{cols: map[string]*column{}, byName: map[string]int{}, deleted: map[int32]bool{}}
}

func (s *store) col(name string) *column {
	c := s.cols[name]
	if c == nil {
		c = newColumn()
		s.cols[name] = c
		switch name {
		case "message", "error.message":
			c.text = true
		}
	}
	return c
}

// ensureIndex returns the index for a name, creating a plain index (or a data stream when
// dataStream is set) when it does not exist.
func (s *store) ensureIndex(name string, dataStream bool) int {
	if i, ok := s.byName[name]; ok {
		return i
	}
	ix := &index{name: name, ids: map[string]int32{}, mapping: newMapping()}
	if dataStream {
		ix.dataStream = name
		ix.name = ".ds-" + name + "-2026.11.24-000001"
	}
	s.indices = append(s.indices, ix)
	i := len(s.indices) - 1
	s.byName[name] = i
	if dataStream {
		s.byName[ix.name] = i
	}
	return i
}

// add indexes one document from its JSON source. It returns the doc number and whether an
// earlier document with the same id was replaced.
func (s *store) add(ixn int, id string, src []byte) (int32, bool, error) {
	var obj map[string]any
	dec := json.NewDecoder(strings.NewReader(string(src)))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return 0, false, &esError{status: 400, typ: "document_parsing_exception", reason: "[1:1] failed to parse: " + err.Error()}
	}
	ix := s.indices[ixn]
	shownID := id
	if shownID == "" {
		shownID = fmt.Sprintf("fk%08dA", s.n)
	}
	added, err := ix.mapping.check(obj, shownID)
	if err != nil {
		return 0, false, err
	}
	for k, v := range added {
		ix.mapping.types[k] = v
	}
	replaced := false
	if id != "" {
		if old, ok := ix.ids[id]; ok {
			s.deleted[old] = true
			replaced = true
		}
	} else {
		id = fmt.Sprintf("fk%08dA", s.n)
	}
	doc := s.n
	s.n++
	ix.ids[id] = doc
	s.ids = append(s.ids, id)
	s.idx = append(s.idx, uint16(ixn))
	s.src = append(s.src, json.RawMessage(append([]byte(nil), src...)))
	ts := int64(missingTS)
	flat := map[string][]string{}
	numeric := map[string]bool{}
	flatten("", obj, flat, numeric)
	if v, ok := flat["@timestamp"]; ok && len(v) > 0 {
		if t, ok := parseDate(v[0]); ok {
			ts = t
		}
	}
	s.ts = append(s.ts, ts)
	for k, vs := range flat {
		c := s.col(k)
		if numeric[k] {
			c.numeric = true
		}
		c.set(doc, vs)
	}
	return doc, replaced, nil
}

// flatten turns a JSON object into dotted field names → values; nested objects and literal
// dotted keys give the same names, as Elasticsearch indexes them.
func flatten(prefix string, v any, out map[string][]string, numeric map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			flatten(name, vv, out, numeric)
		}
	case []any:
		for _, e := range x {
			flatten(prefix, e, out, numeric)
		}
	case json.Number:
		out[prefix] = append(out[prefix], canonNumber(string(x)))
		numeric[prefix] = true
	case string:
		out[prefix] = append(out[prefix], x)
	case bool:
		out[prefix] = append(out[prefix], strconv.FormatBool(x))
	case nil:
	}
}

func canonNumber(s string) string {
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return s
}

// parseDate reads an ISO-8601 date or epoch milliseconds; it returns epoch milliseconds.
func parseDate(s string) (int64, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	return 0, false
}

func fmtDate(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// id returns a document's _id.
func (s *store) id(doc int32) string {
	if s.ids[doc] != "" {
		return s.ids[doc]
	}
	return fmt.Sprintf("g%09d", doc)
}

// source returns a document's _source.
func (s *store) source(doc int32) json.RawMessage {
	if s.src[doc] != nil {
		return s.src[doc]
	}
	if s.genSrc != nil {
		return s.genSrc(doc)
	}
	return json.RawMessage("{}")
}

// GenSpec describes generated documents: Fields maps a dotted field name to a function of the
// document's number (0-based within the generated range) returning its value, or "" for none.
// Numeric lists the fields whose values are numbers. IDFields are high-cardinality fields
// whose values are computed on the fly with Inverse mapping a value back to its document.
type GenSpec struct {
	N        int
	Index    func(i int) (name string, dataStream bool)
	Time     func(i int) time.Time
	Fields   map[string]func(i int) string
	Numeric  map[string]bool
	IDFields map[string]func(i int) string
	Inverse  map[string]func(v string) []int
}

// generate appends spec.N documents without storing their JSON.
func (s *store) generate(spec GenSpec) {
	base := s.n
	s.genBase, s.genN = base, int32(spec.N)
	idxCache := map[string]int{}
	for i := 0; i < spec.N; i++ {
		name, ds := spec.Index(i)
		ixn, ok := idxCache[name]
		if !ok {
			ixn = s.ensureIndex(name, ds)
			idxCache[name] = ixn
		}
		doc := s.n
		s.n++
		s.ids = append(s.ids, "")
		s.idx = append(s.idx, uint16(ixn))
		s.src = append(s.src, nil)
		s.ts = append(s.ts, spec.Time(i).UnixMilli())
		var one [1]string
		for k, f := range spec.Fields {
			c := s.col(k)
			if spec.Numeric[k] {
				c.numeric = true
			}
			if v := f(i); v != "" {
				one[0] = v
				c.set(doc, one[:])
			} else {
				c.set(doc, nil)
			}
		}
	}
	for k, f := range spec.IDFields {
		c := s.col(k)
		f, inv := f, spec.Inverse[k]
		c.gen = &genColumn{base: base, n: int32(spec.N),
			value: func(i int32) string { return f(int(i)) },
			inverse: func(v string) []int32 {
				if inv == nil {
					return nil
				}
				var out []int32
				for _, i := range inv(v) {
					out = append(out, int32(i))
				}
				return out
			}}
	}
	fields := make([]string, 0, len(spec.Fields)+len(spec.IDFields))
	for k := range spec.Fields {
		fields = append(fields, k)
	}
	for k := range spec.IDFields {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	s.genSrc = func(doc int32) json.RawMessage {
		tree := map[string]any{"@timestamp": fmtDate(s.ts[doc])}
		var buf []string
		for _, k := range fields {
			buf = s.cols[k].values(doc, buf[:0])
			if len(buf) == 0 {
				continue
			}
			var v any = buf[0]
			if s.cols[k].numeric {
				if n, err := strconv.ParseInt(buf[0], 10, 64); err == nil {
					v = n
				}
			}
			setPath(tree, strings.Split(k, "."), v)
		}
		b, _ := json.Marshal(tree)
		return b
	}
}

func setPath(m map[string]any, path []string, v any) {
	for len(path) > 1 {
		next, ok := m[path[0]].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[path[0]] = next
		}
		m, path = next, path[1:]
	}
	m[path[0]] = v
}

// clone returns a deep copy of a store without generated documents, its postings and phrase
// tokens built first so that copies do not each build them again. Document sources and strings
// are shared: nothing writes to them after they are stored.
func (s *store) clone() *store {
	if s.genSrc != nil {
		panic("esfake: clone of a store with generated documents")
	}
	for _, c := range s.cols {
		c.build()
		if c.text {
			c.tokenize()
		}
	}
	o := &store{n: s.n, ts: append([]int64(nil), s.ts...), idx: append([]uint16(nil), s.idx...),
		ids: append([]string(nil), s.ids...), src: append([]json.RawMessage(nil), s.src...),
		deleted: make(map[int32]bool, len(s.deleted)), cols: make(map[string]*column, len(s.cols)),
		byName: make(map[string]int, len(s.byName))}
	for d := range s.deleted {
		o.deleted[d] = true
	}
	for k, v := range s.byName {
		o.byName[k] = v
	}
	for _, ix := range s.indices {
		c := &index{name: ix.name, dataStream: ix.dataStream, ids: make(map[string]int32, len(ix.ids)),
			mapping: &mapping{types: make(map[string]string, len(ix.mapping.types)), dynamic: ix.mapping.dynamic}}
		for k, v := range ix.ids {
			c.ids[k] = v
		}
		for k, v := range ix.mapping.types {
			c.mapping.types[k] = v
		}
		o.indices = append(o.indices, c)
	}
	for name, c := range s.cols {
		o.cols[name] = c.clone()
	}
	return o
}

// clone returns a deep copy of a column (every slice its own, so that appends to the copy
// never reach the original's spare capacity).
func (c *column) clone() *column {
	o := &column{dict: append([]string(nil), c.dict...), lookup: make(map[string]uint32, len(c.lookup)),
		vals: append([]uint32(nil), c.vals...), numeric: c.numeric, text: c.text,
		order: append([]int32(nil), c.order...), off: append([]uint32(nil), c.off...), dirty: c.dirty}
	for k, v := range c.lookup {
		o.lookup[k] = v
	}
	if c.multi != nil {
		o.multi = make(map[int32][]uint32, len(c.multi))
		for d, vs := range c.multi {
			o.multi[d] = append([]uint32(nil), vs...)
		}
	}
	if c.toks != nil {
		// Each value's tokens are only read once computed: the outer slice is the copy's own.
		o.toks = append([][]string(nil), c.toks...)
	}
	if c.tokDict != nil {
		o.tokDict = make(map[string][]int32, len(c.tokDict))
		for tok, ids := range c.tokDict {
			o.tokDict[tok] = append([]int32(nil), ids...)
		}
	}
	return o
}
