package report

import (
	"fmt"
	"strings"

	"github.com/logtriage/logtriage/analysis"
	"github.com/logtriage/logtriage/internal/num"
)

// orderText is the sentence about app inputs without a time in their lines (Summary.ByLogOrder),
// whose records were placed by log order at the time of the proxy record that relayed them; ""
// when there is none.
func orderText(s *analysis.Summary) string {
	if len(s.ByLogOrder) == 0 {
		return ""
	}
	var p []string
	for _, o := range s.ByLogOrder {
		x := fmt.Sprintf("%s (%s of %s placed", o.Input, num.Thousands(int(o.Placed)), num.Plural(int(o.Records), "record"))
		if o.NotHeld > 0 {
			x += fmt.Sprintf("; %s beyond the 200,000 held were not", num.Thousands(int(o.NotHeld)))
		}
		p = append(p, x+")")
	}
	return "Without times: " + strings.Join(p, ", ") +
		" — these logs have no time in their lines, so each record was paired, by its place in its log, with the record of the proxy in front that relayed the same request (order_match), and took that record's time; a record that found none (a request that did not pass that proxy) stays without a time and unjoined. Log with a time (morgan 'combined', uvicorn under a container runtime or journald, `kubectl logs --timestamps`) for joins as exact as the others'."
}
