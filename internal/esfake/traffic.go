package esfake

import (
	"fmt"
	"strconv"
	"time"
)

// Generated traffic for scale tests: requests through four layers (ALB, nginx edge, Envoy
// ingress, app), one document per layer, ECS fields only (no raw line), ids on every hop so
// that the hops join: the ALB's Amazon trace id, nginx's request id and the trace id. One
// request in every Every405 is DELETE /api/carts/{id} answered 405 by the app, relayed by every
// hop; a few DELETEs of the same route succeed before, for the baselines.

// TrafficStart is the time of the first generated request.
var TrafficStart = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// Traffic describes generated documents.
type Traffic struct {
	Docs, Requests, Requests405, Docs405 int
	Start, End                           time.Time
}

const trafficMul = 0x9E3779B97F4A7C15 // odd: multiplication by it is invertible mod 2^64

var trafficInv = func() uint64 {
	// Newton's iteration for the inverse of an odd number mod 2^64.
	x := uint64(trafficMul)
	for i := 0; i < 6; i++ {
		x *= 2 - trafficMul*x
	}
	return x
}()

func trafficID(r int, salt uint64) string {
	return fmt.Sprintf("%016x%016x", salt, uint64(r)*trafficMul)
}

func trafficReq(v string, salt uint64) (int, bool) {
	if len(v) != 32 {
		return 0, false
	}
	hi, err1 := strconv.ParseUint(v[:16], 16, 64)
	lo, err2 := strconv.ParseUint(v[16:], 16, 64)
	if err1 != nil || err2 != nil || hi != salt {
		return 0, false
	}
	return int(lo * trafficInv), true
}

// GenerateTraffic appends about n documents (n/4 requests) of which one request in every405
// has a 405 on every hop.
func GenerateTraffic(s *Server, n, every405 int) Traffic {
	reqs := n / 4
	step := time.Hour / time.Duration(reqs)
	is405 := func(r int) bool { return r%every405 == every405/2 }
	isCartDelete := func(r int) bool { return r%every405 == 7 }
	const saltReq, saltTrace = 0x00000000000000a1, 0x00000000000000b2
	layer := func(i int) int { return i % 4 }
	req := func(i int) int { return i / 4 }
	amzn := func(r int) string {
		v := uint64(r) * trafficMul
		return fmt.Sprintf("Root=1-%08x-%024x", uint32(TrafficStart.Unix())+uint32(r/1000), v)
	}
	amznReq := func(v string) (int, bool) {
		if len(v) != 35 {
			return 0, false
		}
		lo, err := strconv.ParseUint(v[19:], 16, 64)
		if err != nil {
			return 0, false
		}
		return int(lo * trafficInv), true
	}
	spec := GenSpec{
		N: reqs * 4,
		Index: func(i int) (string, bool) {
			switch layer(i) {
			case 0, 2:
				return IncidentFilebeat, true
			case 1:
				return IncidentNginx, true
			}
			return IncidentApp, true
		},
		Time: func(i int) time.Time {
			return TrafficStart.Add(time.Duration(req(i))*step + time.Duration(3-layer(i))*time.Millisecond)
		},
		Fields: map[string]func(int) string{
			"event.dataset": func(i int) string {
				return [...]string{"aws.elb", "nginx.access", "envoyproxy.log", "carts-api.log"}[layer(i)]
			},
			"http.request.method": func(i int) string {
				if r := req(i); is405(r) || isCartDelete(r) {
					return "DELETE"
				}
				return "GET"
			},
			"url.path": func(i int) string {
				r := req(i)
				if is405(r) || isCartDelete(r) {
					return "/api/carts/" + strconv.Itoa(r%997+1)
				}
				return "/api/products/" + strconv.Itoa(r%991+1)
			},
			"http.response.status_code": func(i int) string {
				r := req(i)
				switch {
				case is405(r):
					return "405"
				case isCartDelete(r):
					return "204"
				}
				return "200"
			},
			"service.name": func(i int) string {
				if layer(i) == 3 {
					return "carts-api"
				}
				return ""
			},
		},
		Numeric: map[string]bool{"http.response.status_code": true},
		IDFields: map[string]func(int) string{
			"aws.elb.trace_id": func(i int) string {
				if layer(i) == 0 {
					return amzn(req(i))
				}
				return ""
			},
			"tracing.trace.id": func(i int) string {
				if layer(i) == 1 {
					return amzn(req(i))
				}
				return ""
			},
			"http.request.id": func(i int) string {
				if l := layer(i); l == 1 || l == 3 {
					return trafficID(req(i), saltReq)
				}
				return ""
			},
			"envoyproxy.request_id": func(i int) string {
				if layer(i) == 2 {
					return trafficID(req(i), saltReq)
				}
				return ""
			},
			"trace.id": func(i int) string {
				if l := layer(i); l == 2 || l == 3 {
					return trafficID(req(i), saltTrace)
				}
				return ""
			},
		},
	}
	docsOf := func(r int, layers ...int) []int {
		if r < 0 || r >= reqs {
			return nil
		}
		out := make([]int, 0, len(layers))
		for _, l := range layers {
			out = append(out, r*4+l)
		}
		return out
	}
	byAmzn := func(layer int) func(string) []int {
		return func(v string) []int {
			if len(v) > 5 && v[:5] == "Root=" {
				v = v[5:]
			}
			r, ok := amznReq(v)
			if !ok {
				return nil
			}
			return docsOf(r, layer)
		}
	}
	spec.Inverse = map[string]func(string) []int{
		"aws.elb.trace_id": byAmzn(0),
		"tracing.trace.id": byAmzn(1),
		"http.request.id": func(v string) []int {
			r, ok := trafficReq(v, saltReq)
			if !ok {
				return nil
			}
			return docsOf(r, 1, 3)
		},
		"envoyproxy.request_id": func(v string) []int {
			r, ok := trafficReq(v, saltReq)
			if !ok {
				return nil
			}
			return docsOf(r, 2)
		},
		"trace.id": func(v string) []int {
			r, ok := trafficReq(v, saltTrace)
			if !ok {
				return nil
			}
			return docsOf(r, 2, 3)
		},
	}
	s.CreateIndex(IncidentFilebeat, true)
	s.Generate(spec)
	t := Traffic{Docs: reqs * 4, Requests: reqs, Start: TrafficStart, End: TrafficStart.Add(time.Hour)}
	for r := 0; r < reqs; r++ {
		if is405(r) {
			t.Requests405++
		}
	}
	t.Docs405 = t.Requests405 * 4
	return t
}
