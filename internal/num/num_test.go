package num

import (
	"math"
	"testing"
)

func TestThousands(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567: "1,234,567",
		-45000: "-45,000", -999: "-999", math.MinInt64: "-9,223,372,036,854,775,808"} {
		if got := Thousands(in); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", in, got, want)
		}
	}
	if got := Thousands(12345); got != "12,345" {
		t.Errorf("Thousands(int) = %q", got)
	}
}

func TestStatusesAndMix(t *testing.T) {
	if got := Statuses([]int{502, -1, 405}); got != "502, -, 405" {
		t.Errorf("Statuses = %q", got)
	}
	if got := Statuses(nil); got != "" {
		t.Errorf("Statuses(nil) = %q", got)
	}
	if got := Mix(map[string]int64{"edge": 3, "app": 12000, "alb": 3}); got != "app 12,000, alb 3, edge 3" {
		t.Errorf("Mix = %q", got)
	}
}

func TestCountAndPlural(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Count(1, "success", "successes"), "1 success"},
		{Count(0, "success", "successes"), "0 successes"},
		{Count(int64(2500), "request", "requests"), "2,500 requests"},
		{Plural(1, "record"), "1 record"},
		{Plural(-1, "record"), "-1 records"},
		{Plural(1234567, "bulk request"), "1,234,567 bulk requests"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
