#!/usr/bin/env python3
"""Traffic for the untimed and proxy-chain samples: the edge (nginx) on 18090, in front of Express
on 18091 (untimed) or of HAProxy in front of it (proxy-chain), and a kubelet-like probe straight to
Express. Writes expected.json: one object per request that got a 405 at some layer. BLOCK_ORIGIN
names the layer that refuses DELETE /admin/… (edge; lb behind HAProxy); SEARCH_MASKED=0 says the
edge relays Express's 405 on POST /api/search instead of masking it."""
import json, os, random, sys, threading, time, urllib.request

EDGE, APP = "http://127.0.0.1:18090", "http://127.0.0.1:18091"
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 20
BLOCK_ORIGIN = os.environ.get("BLOCK_ORIGIN", "edge")
SEARCH_MASKED = os.environ.get("SEARCH_MASKED", "1") == "1"
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
key, lock = [], threading.Lock()

def send(method, url, ua="python-urllib/3"):
    req = urllib.request.Request(url, method=method, headers={"User-Agent": ua},
                                 data=b"{}" if method in ("POST", "PUT", "PATCH") else None)
    try:
        with urllib.request.urlopen(req) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code

# (weight, method, path, scenario, origin, cause, masked, user agent)
MIX = [
    (40, "GET", "/api/items", None, None, None, False, None),
    (30, "GET", "/api/items/{n}", None, None, None, False, None),
    (10, "PUT", "/api/items/{n}", None, None, None, False, None),
    (5, "GET", "/static/app.css", None, None, None, False, BROWSER),
    (3, "DELETE", "/api/items/{n}", "route", "express", "method_not_routed", False, None),
    (2, "POST", "/api/search", "masked" if SEARCH_MASKED else "search", "express", "method_not_routed", SEARCH_MASKED, None),
    (2, "OPTIONS", "/api/items/{n}", "cors", "express", "cors_preflight", False, BROWSER),
    (2, "PUT", "/static/app.css", "static", "edge", "proxy_method_block", False, None),
    (2, "DELETE", "/admin/users/{n}", "proxy-block", BLOCK_ORIGIN, "proxy_method_block", False, None),
]
weights = [m[0] for m in MIX]

def worker(seed):
    rnd = random.Random(seed)
    end = time.time() + SECONDS
    while time.time() < end:
        _, method, path, scen, origin, cause, masked, ua = rnd.choices(MIX, weights)[0]
        p = path.replace("{n}", str(rnd.randint(1, 500)))
        st = send(method, EDGE + p, ua or "python-urllib/3")
        if scen:
            with lock:
                key.append({"scenario": scen, "method": method, "path": p, "origin_layer": origin,
                            "cause": cause, "masked": masked, "client_status": st})
        time.sleep(rnd.uniform(0.005, 0.05))

def probe():
    end = time.time() + SECONDS
    while time.time() < end:
        send("GET", APP + "/healthz", "kube-probe/1.31")
        time.sleep(0.5)

ts = [threading.Thread(target=worker, args=(i,)) for i in range(4)] + [threading.Thread(target=probe)]
for t in ts: t.start()
for t in ts: t.join()
json.dump(sorted(key, key=lambda k: (k["scenario"], k["method"], k["path"])), open("expected.json", "w"), indent=1)
print(len(key), "requests with a 405")
