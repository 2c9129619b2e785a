"""Open311 GeoReport v2 conformance with real clients, against a running demo server.

1. The published client `georeport` 0.3.1 (PyPI) reads the service list, a service definition, the request list and
   one request in both formats.
2. A second client, written here from the specification, posts requests in both body encodings (form-encoded, as the
   specification says, and JSON) to both formats, follows each by its token in both formats, and checks errors.
3. Every XML answer is checked against the specification's element structure (schemas/open311/*.xsd).

Usage: python scripts/open311-clients.py BASE_URL API_KEY   (prints a transcript; exits 1 on the first failure)
"""
import json, sys, urllib.parse
import requests, xmlschema, xmltodict
from georeport import GeoReport

BASE, KEY = sys.argv[1].rstrip("/"), sys.argv[2]
ROOT = BASE + "/open311/v2"
XSD = {n: xmlschema.XMLSchema(f"schemas/open311/{n}.xsd")
       for n in ["services", "service_definition", "service_requests", "errors", "discovery"]}
checks = 0


def ok(cond, what):
    global checks
    if not cond:
        print(f"FAIL: {what}")
        sys.exit(1)
    checks += 1


def xml(resp, schema, status=200):
    ok(resp.status_code == status, f"{resp.request.method} {resp.url} → {resp.status_code} (expected {status}): {resp.text[:300]}")
    ok(resp.headers["Content-Type"].startswith("text/xml") and "charset=utf-8" in resp.headers["Content-Type"],
       f"{resp.url}: XML content type, got {resp.headers['Content-Type']}")
    ok(resp.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), f"{resp.url}: XML declaration with UTF-8")
    XSD[schema].validate(resp.content)   # raises on any element out of the specification's structure
    print(f"  {resp.request.method} {urllib.parse.urlsplit(resp.url).path} → {resp.status_code}, valid against {schema}.xsd")
    return xmltodict.parse(resp.content, force_list=("service", "request", "attribute", "value", "error", "endpoint", "format"))


print("1. georeport 0.3.1, both formats")
for fmt in ["json", "xml"]:
    g = GeoReport(ROOT, jurisdiction="kz", output_format=fmt)
    services = g.get_service_list()
    if isinstance(services, dict): services = [services]
    codes = [s["service_code"] for s in services]
    ok("traffic_accident" in codes and len(codes) == 7, f"{fmt}: 7 services, got {codes}")
    d = g.get_service_definition("traffic_accident")
    ok(d["service_code"] == "traffic_accident", f"{fmt}: service definition")
    reqs = g.get_service_requests(status="open")
    if isinstance(reqs, dict): reqs = [reqs]
    ok(len(reqs) >= 1, f"{fmt}: the demo's public requests")
    one = g.get_service_request(reqs[0]["service_request_id"])
    ok(one["service_request_id"] == reqs[0]["service_request_id"], f"{fmt}: one request")
    ok("description" not in one and "media_url" not in one, f"{fmt}: no description or media in public views")
    print(f"  {fmt}: {len(codes)} services, definition of traffic_accident, {len(reqs)} open requests, request {one['service_request_id'][:8]}…")

print("2. a client from the specification: post in both encodings to both formats, follow by token")
for fmt in ["json", "xml"]:
    for encoding in ["form", "json"]:
        fields = {"api_key": KEY, "jurisdiction_id": "kz", "service_code": "traffic_accident", "lat": 51.1012, "long": 71.4203,
                  "description": f"Open311 client check: {encoding} to .{fmt}", "attribute[injured]": "no", "email": "ignored@example.kz"}
        if encoding == "form":
            r = requests.post(f"{ROOT}/requests.{fmt}", data={k: str(v) for k, v in fields.items()})
        else:
            r = requests.post(f"{ROOT}/requests.{fmt}", json=fields)
        if fmt == "xml":
            created = xml(r, "service_requests", 201)["service_requests"]["request"][0]
        else:
            ok(r.status_code == 201, f"POST {encoding} → {r.status_code}: {r.text[:200]}")
            created = r.json()[0]
        rid, token = created["service_request_id"], created["token"]
        ok(token.startswith("trk_") and created.get("service_notice"), f"{encoding}→{fmt}: token and service_notice")
        for follow in ["json", "xml"]:
            t = requests.get(f"{ROOT}/tokens/{token}.{follow}")
            got = (xml(t, "service_requests")["service_requests"]["request"][0] if follow == "xml" else t.json()[0])
            ok(got["service_request_id"] == rid and got["token"] == token, f"token → request ({follow})")
            one = requests.get(f"{ROOT}/requests/{rid}.{follow}")
            req = (xml(one, "service_requests")["service_requests"]["request"][0] if follow == "xml" else one.json()[0])
            ok(req["status"] == "open" and req["service_code"] == "traffic_accident" and "description" not in req, f"request ({follow})")
            ok(req["requested_datetime"].endswith("+05:00"), f"times carry the offset: {req['requested_datetime']}")
        print(f"  POST {encoding} → .{fmt}: request {rid[:8]}…, followed by token in json and xml")

print("3. errors in the specification's form")
for fmt in ["json", "xml"]:
    cases = [
        ("POST", f"requests.{fmt}", {"data": {"api_key": "aqyl_wrong", "service_code": "accident", "kato": "711210000", "description": "x"}}, 403),
        ("POST", f"requests.{fmt}", {"data": {"service_code": "accident", "kato": "711210000", "description": "x"}}, 403),
        ("POST", f"requests.{fmt}", {"data": {"api_key": KEY, "service_code": "accident", "description": "x"}}, 400),
        ("GET", f"services.{fmt}?jurisdiction_id=nowhere", {}, 404),
        ("GET", f"services/no_such_service.{fmt}", {}, 404),
        ("GET", f"requests/does-not-exist.{fmt}", {}, 404),
        ("GET", f"requests.{fmt}?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", {}, 400),
    ]
    for method, path, kw, status in cases:
        r = requests.request(method, f"{ROOT}/{path}", **kw)
        if fmt == "xml":
            err = xml(r, "errors", status)["errors"]["error"][0]
        else:
            ok(r.status_code == status, f"{method} {path} → {r.status_code}, expected {status}: {r.text[:200]}")
            err = r.json()[0]
        ok(int(err["code"]) == status and err["description"], f"{path}: error code and description")
    print(f"  {fmt}: {len(cases)} refusals with the specification's codes (403, 400, 404) and bodies")

print("4. discovery")
d = xml(requests.get(f"{BASE}/open311/discovery.xml"), "discovery")["discovery"]
ok(d["endpoints"]["endpoint"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2", "discovery names the specification")
j = requests.get(f"{BASE}/open311/discovery.json").json()
ok("text/xml" in j["endpoints"][0]["formats"] and "application/json" in j["endpoints"][0]["formats"], "discovery lists both formats")
print(f"  discovery: {j['endpoints'][0]['url']} ({', '.join(j['endpoints'][0]['formats'])}), changeset {j['changeset']}")
print(f"open311-clients: {checks} checks passed")
