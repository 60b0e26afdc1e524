package main

// The configurations the generated logs were "written" with. loggen writes them next to the
// logs so that logtriage can read the log formats (--nginx-conf, --envoy-config) and a reader can
// see why each hop answered as it did. Addresses match topology.go.

const nginxConf = `# nginx "edge" in front of the Envoy ingress; behind the ALB app/shop-api-prod.
# Logs: /var/log/nginx/edge.log in the "triage" format below.
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;

events {
    worker_connections  4096;
}

http {
    # mime.types trimmed to what this server sends, so the file stands alone.
    types {
        text/html                 html;
        text/css                  css;
        application/javascript    js;
        application/json          json;
        image/x-icon              ico;
        image/png                 png;
    }
    default_type  application/octet-stream;

    # One line per request with the ids of every hop: the ALB's X-Amzn-Trace-Id, nginx's own
    # $request_id (sent upstream as X-Request-ID), the client's X-Request-ID, the upstream
    # attempts, the routed $uri, the Allow header and the CORS preflight headers.
    log_format triage '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                      '"$http_referer" "$http_user_agent" rt=$request_time rid=$request_id '
                      'xrid=$http_x_request_id amzn="$http_x_amzn_trace_id" us="$upstream_status" '
                      'ua="$upstream_addr" uri="$uri" allow="$sent_http_allow" origin="$http_origin" '
                      'acrm="$http_access_control_request_method"';

    access_log  /var/log/nginx/edge.log  triage;

    sendfile           on;
    tcp_nopush         on;
    keepalive_timeout  65;
    server_tokens      on;

    # The two Envoy ingress pods. A refused connection is retried on the other one
    # (proxy_next_upstream error timeout, the default).
    upstream ingress {
        server 10.0.2.7:8080 max_fails=3 fail_timeout=10s;
        server 10.0.2.8:8080 max_fails=3 fail_timeout=10s;
        keepalive 64;
    }

    server {
        listen       80 default_server;
        server_name  api.example.com;
        root         /srv/shop-web/dist;

        # ALB target group health check.
        location = /healthz {
            default_type text/plain;
            return 200 "ok\n";
        }

        # Single-page app: every unknown path falls back to index.html. Only GET and HEAD make
        # sense here; the static handler answers anything else with 405.
        location / {
            try_files $uri $uri/ /index.html;
        }

        location /assets/ {
            expires 1y;
            add_header Cache-Control "public, immutable";
            try_files $uri =404;
        }

        location /api/ {
            proxy_pass http://ingress;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Request-ID $request_id;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;
            proxy_next_upstream error timeout;
            proxy_read_timeout 30s;
        }

        # accounts v2 is served by accounts-api under /v2/accounts/.
        # BUG (scenario f): the replacement drops "v2", so /api/v2/accounts/42 reaches the
        # app as /accounts/42, its read-only v1 route.
        location /api/v2/accounts/ {
            rewrite ^/api/v2/accounts/(.*)$ /accounts/$1 break;
            proxy_pass http://ingress;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Request-ID $request_id;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }

        # Search degrades to an empty result instead of failing the page. This also turns the
        # app's 405 for POST /api/search into a 200 (scenario i).
        location = /api/search {
            proxy_pass http://ingress;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Request-ID $request_id;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_intercept_errors on;
            error_page 405 =200 /search-fallback.json;
        }

        location = /search-fallback.json {
            internal;
            root /srv/shop-web/fallback;
            default_type application/json;
        }
    }
}
`

// envoyYAML is an Envoy v3 bootstrap. The access log format is the one loggen writes to
// ingress.log. Routes: a direct_response 405 for DELETE /api/items/, a prefix_rewrite for
// /api/users/, and a CORS policy that only allows https://www.example.com (preflights from
// other origins are forwarded upstream: forward_not_matching_preflights defaults to true).
const envoyYAML = `# Envoy "ingress" (10.0.2.7:8080, 10.0.2.8:8080), upstream of the nginx edge.
admin:
  address:
    socket_address: { address: 127.0.0.1, port_value: 9901 }

static_resources:
  listeners:
  - name: ingress_http
    address:
      socket_address: { address: 0.0.0.0, port_value: 8080 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_http
          codec_type: AUTO
          # nginx sets X-Request-ID to its $request_id; keep it instead of minting a UUID.
          preserve_external_request_id: true
          tracing:
            random_sampling: { value: 100 }
            provider:
              name: envoy.tracers.opentelemetry
              typed_config:
                "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
                grpc_service:
                  envoy_grpc: { cluster_name: otel_collector }
                  timeout: 0.250s
                service_name: ingress
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: /var/log/envoy/ingress.log
              log_format:
                text_format_source:
                  inline_string: |
                    [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(TRACEPARENT)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER% "%REQ(:PATH)%" "%RESP(ALLOW)%" "%REQ(ORIGIN)%" "%REQ(ACCESS-CONTROL-REQUEST-METHOD)%"
          route_config:
            name: api
            virtual_hosts:
            - name: api
              domains: ["api.example.com", "api.example.com:*"]
              typed_per_filter_config:
                envoy.filters.http.cors:
                  "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy
                  allow_origin_string_match:
                  - exact: https://www.example.com
                  allow_methods: "GET, POST, PUT, PATCH, DELETE"
                  allow_headers: "authorization, content-type, x-request-id"
                  max_age: "600"
              routes:
              # Item deletion is disabled while the catalog migration runs.
              - name: items_delete_blocked
                match:
                  prefix: /api/items/
                  headers:
                  - name: ":method"
                    string_match: { exact: DELETE }
                direct_response:
                  status: 405
                  body: { inline_string: "method not allowed" }
              - name: items
                match: { prefix: /api/items/ }
                route: { cluster: catalog_api }
              - name: orders
                match: { prefix: /api/orders }
                route: { cluster: orders_api }
              - name: users
                match: { prefix: /api/users/ }
                route: { cluster: users_api, prefix_rewrite: /users/ }
              - name: carts
                match: { prefix: /api/carts/ }
                route: { cluster: carts_api }
              - name: profile
                match: { prefix: /api/profile }
                route: { cluster: profile_api }
              - name: accounts_v1
                match: { prefix: /accounts/ }
                route: { cluster: accounts_api }
              - name: accounts_v2
                match: { prefix: /v2/accounts/ }
                route: { cluster: accounts_api }
              - name: search
                match: { prefix: /api/search }
                route: { cluster: search_api }
              - name: legacy
                match: { prefix: /api/legacy/ }
                route: { cluster: legacy_billing, timeout: 10s }
          http_filters:
          - name: envoy.filters.http.cors
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router

  clusters:
  - name: orders_api
    type: STATIC
    lb_policy: ROUND_ROBIN
    load_assignment:
      cluster_name: orders_api
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.0.3.21, port_value: 8080 } } }
        - endpoint: { address: { socket_address: { address: 10.0.3.22, port_value: 8080 } } }
  - name: users_api
    type: STATIC
    lb_policy: ROUND_ROBIN
    load_assignment:
      cluster_name: users_api
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.0.3.11, port_value: 8080 } } }
        - endpoint: { address: { socket_address: { address: 10.0.3.12, port_value: 8080 } } }
  - name: carts_api
    type: STATIC
    lb_policy: ROUND_ROBIN
    load_assignment:
      cluster_name: carts_api
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.0.3.31, port_value: 8080 } } }
        - endpoint: { address: { socket_address: { address: 10.0.3.32, port_value: 8080 } } }
  - name: profile_api
    type: STATIC
    load_assignment:
      cluster_name: profile_api
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.0.3.41, port_value: 8080 } } }
  - name: accounts_api
    type: STATIC
    load_assignment:
      cluster_name: accounts_api
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.0.3.51, port_value: 8080 } } }
  - name: search_api
    type: STATIC
    load_assignment:
      cluster_name: search_api
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.0.3.61, port_value: 8080 } } }
  - name: catalog_api
    type: STATIC
    lb_policy: ROUND_ROBIN
    load_assignment:
      cluster_name: catalog_api
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.0.3.71, port_value: 8080 } } }
        - endpoint: { address: { socket_address: { address: 10.0.3.72, port_value: 8080 } } }
  # Billing still runs on a VM outside the cluster; its logs are not shipped.
  - name: legacy_billing
    type: STATIC
    load_assignment:
      cluster_name: legacy_billing
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.0.4.5, port_value: 8080 } } }
  - name: otel_collector
    type: STRICT_DNS
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        explicit_http_config:
          http2_protocol_options: {}
    load_assignment:
      cluster_name: otel_collector
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: otel-collector.observability, port_value: 4317 } } }
`
