package elastic

import "github.com/tidwall/gjson"

// GetForTest reads a dotted field from a JSON document as esGet does.
func GetForTest(src, name string) string { return esGet(gjson.Parse(src), name).String() }

// RouteRegexpForTest is esRouteRegexp.
func RouteRegexpForTest(route string, absolute bool) string { return esRouteRegexp(route, absolute) }
