// Command loggen writes realistic, deterministic log samples for logtriage: a multi-hop incident
// hour with its ground truth, a large nginx combined log for the ingest benchmark, and a scaled
// multi-hop dataset for the analyze memory benchmark.
//
//	loggen incidents [-out samples/incidents] [-seed 1]
//	loggen nginx-combined [-lines 2000000] [-o FILE] [-seed 1]
//	loggen multihop -requests N [-error-rate 0.01] [-healthy 1] -out DIR [-seed 1]
//	loggen default-logs [-out samples/default-logs] [-requests 6000] [-scale 1] [-window 40m] [-app-json] [-seed 1]
//	loggen many405 [-lines 1000000] [-routes template|distinct] [-o FILE]
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

func main() {
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "incidents":
		err = runIncidents(args)
	case "nginx-combined":
		err = runCombined(args)
	case "multihop":
		err = runMultihop(args)
	case "default-logs":
		err = runDefaultLogs(args)
	case "many405":
		err = runMany405(args)
	case "help", "-h", "-help", "--help":
		usage(os.Stdout)
		return
	default:
		fmt.Fprintf(os.Stderr, "loggen: unknown command %q\n", cmd)
		usage(os.Stderr)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loggen:", err)
		os.Exit(1)
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  loggen incidents [-out samples/incidents] [-seed 1]
      one hour (2026-11-24 10:00-11:00 UTC) of ALB, nginx, Envoy and app logs with the
      incident scenarios a-l, expected.json (ground truth), README.md and the configs
  loggen nginx-combined [-lines 2000000] [-o FILE] [-seed 1]
      nginx combined log lines (about 1% 405) for the ingest benchmark; stdout without -o
  loggen multihop -requests N [-error-rate 0.01] [-healthy 1] -out DIR [-seed 1]
      the incidents' four-hop shape with N requests, N*error-rate of them 405s; -healthy K
      multiplies only the healthy traffic
  loggen default-logs [-out samples/default-logs] [-requests 6000] [-scale 1] [-window 40m] [-app-json] [-seed 1]
      nginx combined in front of flask (gunicorn, two instances), FastAPI (uvicorn) and Gin default
      access lines, no ids, every playbook scenario; expected.json (ground truth) and README.md
  loggen many405 [-lines 1000000] [-routes template|distinct] [-o FILE]
      app JSON lines that all answer 405, each with its own request id, on one route template or
      on a route per line, for the memory benchmark of requests with a 405
`)
}

// incidentsHealthy is the number of healthy outside requests in the incidents hour.
const incidentsHealthy = 1600

func runIncidents(args []string) error {
	fs := flag.NewFlagSet("incidents", flag.ContinueOnError)
	out := fs.String("out", "samples/incidents", "output directory")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sum, err := writeDataset(*out, plan{seed: *seed, healthy: incidentsHealthy, scale: 1})
	if err != nil {
		return err
	}
	if err := writeReadme(*out, sum); err != nil {
		return err
	}
	report(sum)
	return nil
}

func runMultihop(args []string) error {
	fs := flag.NewFlagSet("multihop", flag.ContinueOnError)
	out := fs.String("out", "", "output directory (required)")
	n := fs.Int("requests", 100000, "requests before -healthy scaling")
	rate := fs.Float64("error-rate", 0.01, "fraction of the requests that end in a 405 somewhere")
	healthy := fs.Int("healthy", 1, "multiplier of the healthy traffic only")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *n <= 0 || *rate < 0 || *rate > 1 || *healthy < 0 {
		return fmt.Errorf("multihop: need -out, -requests > 0, 0 <= -error-rate <= 1, -healthy >= 0")
	}
	base := 0
	for _, s := range scenarios {
		base += s.base
	}
	bad := int(math.Round(float64(*n) * *rate))
	sum, err := writeDataset(*out, plan{seed: *seed, healthy: (*n - bad) * *healthy, scale: float64(bad) / float64(base)})
	if err != nil {
		return err
	}
	report(sum)
	return nil
}

func report(sum *summary) {
	names := make([]string, 0, len(sum.Records))
	for k := range sum.Records {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(os.Stderr, "loggen: %d requests, %d with a 405;", sum.Requests, len(sum.Expected))
	for _, k := range names {
		fmt.Fprintf(os.Stderr, " %s=%d", k, sum.Records[k])
	}
	fmt.Fprintln(os.Stderr)
}
