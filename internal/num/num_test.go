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
