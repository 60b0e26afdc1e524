# Sends the traffic of samples/default-logs-real through nginx and writes the answer key
# (expected.json): one entry per request that gets a 405 at some layer. PHASE=1 before the Gin
# deploy, PHASE=2 after. Bursts of identical requests are sent at once from several threads.
import json, os, random, sys, threading, time, http.client

BASE = ("127.0.0.1", 18080)
rnd = random.Random(int(os.environ.get("SEED", "1")) * 10 + int(os.environ["PHASE"]))
phase = int(os.environ["PHASE"])
seconds = float(os.environ.get("SECONDS_PER_PHASE", "60"))
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
IOS = "ShopApp-iOS/3.2.0 (iPhone15,3; iOS 18.1.1; Scale/3.00)"
key, lock = [], threading.Lock()


def send(method, path, ua, expect=None):
    c = http.client.HTTPConnection(*BASE, timeout=5)
    c.request(method, path, body=b"{}" if method in ("POST", "PUT", "PATCH") else None,
              headers={"User-Agent": ua, "Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    c.close()
    if expect is not None:
        scenario, origin, cause, masked = expect
        if scenario == "drift" and r.status != 405:
            return r.status  # served by flask-1: healthy
        with lock:
            key.append({"scenario": scenario, "method": method, "path": path, "origin_layer": origin,
                        "cause": cause, "masked": masked, "client_status": r.status, "time": time.time()})
    return r.status


def rid():
    return rnd.randint(1000, 999999)


def healthy():
    k = rnd.randrange(100)
    if k < 20: return ("GET", "/api/products", BROWSER, None)
    if k < 35: return ("GET", f"/api/products/{rid()}", BROWSER, None)
    if k < 42: return ("PUT", f"/api/products/{rid()}", "python-requests/2.32.3", None)
    if k < 48:
        if phase == 1: return ("DELETE", f"/api/carts/{rid()}", BROWSER, None)
        return ("GET", f"/api/carts/{rid()}", BROWSER, None)
    if k < 58: return ("GET", f"/api/orders/{rid()}", BROWSER, None)
    if k < 63: return ("PUT", f"/api/orders/{rid()}", "ShopApp-Android/3.1.4 okhttp/4.12.0", None)
    if k < 66: return ("POST", "/api/orders", "ShopApp-Android/3.1.4 okhttp/4.12.0", None)
    if k < 72: return ("PUT", f"/api/users/{rid()}/avatar", BROWSER, ("drift", "flask", "backend_drift", False))
    if k < 76: return ("GET", f"/api/v2/accounts/{rid()}", "Go-http-client/1.1", None)
    if k < 86: return ("GET", f"/api/profile/{rid()}", BROWSER, None)
    if k < 90: return ("PATCH", f"/api/profile/{rid()}", BROWSER, None)
    if k < 95: return ("GET", "/api/search?q=" + rnd.choice(["lamp", "desk", "chair"]), BROWSER, None)
    return ("GET", "/static/app.3f9c1b.js", BROWSER, None)


def bad():
    k = rnd.randrange(9 if phase == 1 else 10)
    if k == 0: return ("POST", f"/api/orders/{rid()}", IOS, ("flask-route", "flask", "method_not_routed", False)), rnd.random() < 0.3
    if k == 1: return ("DELETE", f"/api/profile/{rid()}", "python-requests/2.32.3", ("fastapi-route", "fastapi", "method_not_routed", False)), False
    if k == 2: return ("PATCH", f"/api/products/{rid()}", "Go-http-client/1.1", ("gin-route", "gin", "method_not_routed", False)), False
    if k == 3: return ("DELETE", f"/admin/users/{rid()}", "python-requests/2.32.3", ("proxy-block", "edge", "proxy_method_block", False)), False
    if k == 4: return (rnd.choice(["POST", "PUT"]), rnd.choice(["/static/app.3f9c1b.js", "/assets/logo.png"]), "curl/8.5.0", ("static", "edge", "proxy_method_block", False)), False
    if k == 5: return ("OPTIONS", f"/api/profile/{rid()}", BROWSER, ("cors", "fastapi", "cors_preflight", False)), False
    if k == 6: return ("PATCH", f"/api/v2/accounts/{rid()}", "Go-http-client/1.1", ("rewrite", "flask", "path_rewrite", False)), False
    if k == 7: return ("POST", "/api/search", BROWSER, ("masked", "fastapi", "method_not_routed", True)), rnd.random() < 0.3
    if k == 8: return ("PUT", f"/api/users/{rid()}/avatar", BROWSER, ("drift", "flask", "backend_drift", False)), False
    return ("DELETE", f"/api/carts/{rid()}", BROWSER, ("deploy", "gin", "deploy_regression", False)), False


def worker(stop):
    while time.time() < stop:
        send(*healthy())
        time.sleep(rnd.uniform(0.02, 0.12))


stop = time.time() + seconds
threads = [threading.Thread(target=worker, args=(stop,)) for _ in range(4)]
for t in threads: t.start()
last_search = 0.0
while time.time() < stop:
    req, burst = bad()
    if req[1] == "/api/search":
        if time.time() - last_search < 6: continue  # identical requests either in one burst or apart
        last_search = time.time()
    n = rnd.choice([2, 3]) if burst else 1
    ts = [threading.Thread(target=send, args=req) for _ in range(n)]
    for t in ts: t.start()
    for t in ts: t.join()
    time.sleep(rnd.uniform(0.3, 0.9))
for t in threads: t.join()
json.dump(key, sys.stdout)
