// Package num formats counts for people: every report, sentence and table of logtriage writes
// its numbers through it, so that they read the same everywhere.
package num

import (
	"sort"
	"strconv"
	"strings"
)

// Thousands formats n with comma thousands separators: 1234567 → "1,234,567".
func Thousands[T ~int | ~int64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	b := make([]byte, 0, len(s)+len(s)/3+1)
	if neg {
		b = append(b, '-')
	}
	for i := 0; i < len(s); i++ {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// Count writes n with the noun that agrees with it: Count(1, "request", "requests") is
// "1 request", Count(2000, "request", "requests") "2,000 requests".
func Count[T ~int | ~int64](n T, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Thousands(n) + " " + many
}

// Plural is Count of a noun whose plural adds an s: Plural(3, "record") is "3 records".
func Plural[T ~int | ~int64](n T, one string) string { return Count(n, one, one+"s") }

// Statuses lists upstream statuses as logged: "502, 405"; -1 (an attempt without a status) is "-".
func Statuses(s []int) string {
	var b strings.Builder
	for i, x := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		if x < 0 {
			b.WriteByte('-')
		} else {
			b.WriteString(strconv.Itoa(x))
		}
	}
	return b.String()
}

// Mix lists counts by name, largest first, ties by name: "app 12, edge 3".
func Mix(m map[string]int64) string {
	type kv struct {
		k string
		v int64
	}
	s := make([]kv, 0, len(m))
	for k, v := range m {
		s = append(s, kv{k, v})
	}
	sort.Slice(s, func(i, j int) bool {
		if s[i].v != s[j].v {
			return s[i].v > s[j].v
		}
		return s[i].k < s[j].k
	})
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = x.k + " " + Thousands(x.v)
	}
	return strings.Join(parts, ", ")
}
