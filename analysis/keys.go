package analysis

import "github.com/logtriage/logtriage/parsers"

// Join keys (reference: docs/formats.md §5.3). A record yields up to maxKeys typed keys; two records
// that share a key belong to the same request. Keys are hashed to 64 bits: the engine keeps a
// map entry per key of every open request, and a hash is a quarter of the size of a string
// header plus its bytes. A collision merges two unrelated requests with probability ~n²/2⁶⁴.

const maxKeys = 8

// keyPart is a key before hashing: kind, then the value in up to three pieces, so that derived
// keys (the trace id inside an X-Ray root) need no string concatenation.
type keyPart struct{ kind, a, b, c string }

func (k keyPart) String() string { return k.kind + k.a + k.b + k.c }

const zeros16 = "0000000000000000"

// joinKeys fills out with the keys of ids and returns how many there are.
func joinKeys(ids *parsers.IDs, out *[maxKeys]keyPart) int {
	n := 0
	add := func(kind, a, b, c string) {
		if n < maxKeys {
			out[n] = keyPart{kind, a, b, c}
			n++
		}
	}
	if ids.RequestID != "" {
		add("rid:", ids.RequestID, "", "")
	}
	// nginx's own $request_id becomes the next hop's X-Request-ID where the config forwards it.
	if ids.NginxRequestID != "" {
		add("rid:", ids.NginxRequestID, "", "")
	}
	if t := ids.TraceID; t != "" {
		add("trace:", t, "", "")
		if len(t) == 32 {
			add("trace64:", t[16:], "", "")
		}
	}
	if r := ids.AmznRoot; r != "" {
		add("amzn:", r, "", "")
		if len(r) == 35 { // 1-<8 hex>-<24 hex>: the OTel X-Ray propagator's trace id
			add("trace:", r[2:10], r[11:], "")
			add("trace64:", r[19:], "", "")
		}
	}
	if t := ids.B3TraceID; t != "" {
		switch len(t) {
		case 32:
			add("trace:", t, "", "")
			add("trace64:", t[16:], "", "")
		case 16:
			add("trace:", zeros16, t, "")
			add("trace64:", t, "", "")
		}
	}
	return n
}

// hash returns the FNV-1a hash of the key's text.
func (k *keyPart) hash() uint64 {
	h := uint64(14695981039346656037)
	for _, s := range [4]string{k.kind, k.a, k.b, k.c} {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
	}
	return h
}

// keyHashes appends the distinct hashed keys of ids to dst.
func keyHashes(dst []uint64, ids *parsers.IDs) []uint64 {
	var parts [maxKeys]keyPart
	n := joinKeys(ids, &parts)
next:
	for i := 0; i < n; i++ {
		h := parts[i].hash()
		for _, x := range dst {
			if x == h {
				continue next
			}
		}
		dst = append(dst, h)
	}
	return dst
}

// keyText returns the text of the key of ids whose hash is h, for reports.
func keyText(ids *parsers.IDs, h uint64) string {
	var parts [maxKeys]keyPart
	n := joinKeys(ids, &parts)
	for i := 0; i < n; i++ {
		if parts[i].hash() == h {
			return parts[i].String()
		}
	}
	return ""
}
