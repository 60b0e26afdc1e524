package main

import (
	"strings"
	"time"
)

// The simulated system. Every address and name here also appears in nginx.conf and envoy.yaml
// (conf.go), so that a reader of the samples can follow a request through the configuration.
//
//	client ──TLS──▶ ALB app/shop-api-prod ──HTTP/1.1──▶ nginx "edge" 10.0.1.10/.11:80
//	       ──▶ Envoy "ingress" 10.0.2.7/.8:8080 ──▶ services 10.0.3.x:8080, legacy 10.0.4.5:8080
const (
	apiHost   = "api.example.com"
	albName   = "app/shop-api-prod/7f3a9c2e5b1d4a68"
	albTG     = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-edge-nginx/4c2d8e1f9a0b3c57"
	albCert   = "arn:aws:acm:eu-west-1:123456789012:certificate/3b2f0c1e-8a4d-4f6b-9c2e-5d7a1b3c9e4f"
	albRule   = "10" // listener rule "Host: api.example.com → forward to shop-edge-nginx"
	adminRule = "5"  // listener rule "DELETE /admin/* → fixed-response 405"

	envoyA = "10.0.2.7:8080"
	envoyB = "10.0.2.8:8080"

	// nginxPage405 is the size of nginx's own "405 Not Allowed" page with server_tokens on:
	// 150 bytes plus "/1.26.2" (docs/formats.md §1.6).
	nginxPage405 = 157
	// envoyBody405 is the body of the direct_response 405 in envoy.yaml.
	envoyBody405 = "method not allowed"
	// appBody405 is the JSON error body the Go services write for a 405.
	appBody405 = `{"error":"method not allowed"}` + "\n"
	// searchFallback is /search-fallback.json, served by nginx's error_page for a masked 405.
	searchFallback = `{"results":[],"total":0,"degraded":true}` + "\n"
)

var (
	nginxHosts = []string{"10.0.1.10:80", "10.0.1.11:80"}
	// albNodes are the private addresses of the ALB nodes, nginx's $remote_addr.
	albNodes = []string{"10.0.0.23", "10.0.0.87", "10.0.0.142"}
	// deployAt is when carts-api 1.5.0 replaced 1.4.2 (scenario g).
	deployAt = time.Date(2026, 11, 24, 10, 32, 0, 0, time.UTC)
)

// instance is one running copy of a service.
type instance struct {
	addr    string
	version string
	// newVersion, when set, replaces version from deployAt on (rolling deploy of carts-api).
	newVersion string
}

func (in *instance) versionAt(t time.Time) string {
	if in.newVersion != "" && !t.Before(deployAt) {
		return in.newVersion
	}
	return in.version
}

// service is one upstream of Envoy.
type service struct {
	name    string
	cluster string
	insts   []*instance
	logRID  bool // the service's access middleware also logs X-Request-ID
	shipped bool // its log reaches app.json
}

var (
	svcOrders = &service{name: "orders-api", cluster: "orders_api", logRID: true, shipped: true,
		insts: []*instance{{addr: "10.0.3.21:8080", version: "3.4.1"}, {addr: "10.0.3.22:8080", version: "3.4.1"}}}
	// users-api: 10.0.3.12 still runs the previous image, without PUT /users/{id}/avatar (scenario h).
	svcUsers = &service{name: "users-api", cluster: "users_api", shipped: true,
		insts: []*instance{{addr: "10.0.3.11:8080", version: "2.8.0"}, {addr: "10.0.3.12:8080", version: "2.7.3"}}}
	svcCarts = &service{name: "carts-api", cluster: "carts_api", logRID: true, shipped: true,
		insts: []*instance{{addr: "10.0.3.31:8080", version: "1.4.2", newVersion: "1.5.0"},
			{addr: "10.0.3.32:8080", version: "1.4.2", newVersion: "1.5.0"}}}
	svcProfile = &service{name: "profile-api", cluster: "profile_api", shipped: true,
		insts: []*instance{{addr: "10.0.3.41:8080", version: "1.12.0"}}}
	svcAccounts = &service{name: "accounts-api", cluster: "accounts_api", shipped: true,
		insts: []*instance{{addr: "10.0.3.51:8080", version: "2.0.3"}}}
	svcSearch = &service{name: "search-api", cluster: "search_api", logRID: true, shipped: true,
		insts: []*instance{{addr: "10.0.3.61:8080", version: "0.9.7"}}}
	svcCatalog = &service{name: "catalog-api", cluster: "catalog_api", shipped: true,
		insts: []*instance{{addr: "10.0.3.71:8080", version: "5.2.0"}, {addr: "10.0.3.72:8080", version: "5.2.0"}}}
	// legacy-billing runs outside the cluster; its logs are not shipped (scenario k).
	svcLegacy = &service{name: "legacy-billing", cluster: "legacy_billing",
		insts: []*instance{{addr: "10.0.4.5:8080", version: "0.3"}}}

	allServices = []*service{svcOrders, svcUsers, svcCarts, svcProfile, svcAccounts, svcSearch, svcCatalog, svcLegacy}
)

// envoyRoute mirrors the route table of envoy.yaml: it returns the cluster's service and the
// path sent upstream (after prefix_rewrite), or direct=true for the DELETE /api/items/ route
// that answers 405 itself. Paths here have no query.
func envoyRoute(method, path string) (svc *service, upstreamPath string, direct bool) {
	switch {
	case strings.HasPrefix(path, "/api/items/") && method == "DELETE":
		return nil, path, true
	case strings.HasPrefix(path, "/api/items/"):
		return svcCatalog, path, false
	case strings.HasPrefix(path, "/api/orders"):
		return svcOrders, path, false
	case strings.HasPrefix(path, "/api/users/"):
		return svcUsers, "/users/" + strings.TrimPrefix(path, "/api/users/"), false
	case strings.HasPrefix(path, "/api/carts/"):
		return svcCarts, path, false
	case strings.HasPrefix(path, "/api/profile"):
		return svcProfile, path, false
	case strings.HasPrefix(path, "/accounts/"), strings.HasPrefix(path, "/v2/accounts/"):
		return svcAccounts, path, false
	case strings.HasPrefix(path, "/api/search"):
		return svcSearch, path, false
	case strings.HasPrefix(path, "/api/legacy/"):
		return svcLegacy, path, false
	}
	return nil, path, false
}

// User agents by kind of client.
var (
	browserUAs = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.39 Mobile Safari/537.36",
	}
	// iosUA is the mobile release that calls POST /api/orders/{id} (scenario a).
	iosUA      = "ShopApp-iOS/3.2.0 (iPhone15,3; iOS 18.1.1; Scale/3.00)"
	androidUA  = "ShopApp-Android/3.1.4 (Linux; Android 14; SM-S918B) okhttp/4.12.0"
	partnerUAs = []string{"python-requests/2.32.3", "Go-http-client/2.0", "axios/1.7.7", "PostmanRuntime/7.42.0"}
	scannerUAs = []string{
		"Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
		"curl/8.5.0",
		"Mozilla/5.0 (compatible; Nikto/2.5.0)",
	}
)
