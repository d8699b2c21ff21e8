"""The `elasticsearch` source end to end: _bulk requests written as the Bulk
API reference documents them (NDJSON action/source pairs, plain and gzip) are
posted to a real `sluice run`, the answers are checked against
Elasticsearch's response format, and SQL checks what was stored. The probe
and setup endpoints are called the way Filebeat, Fluent Bit and Vector call
them."""
import gzip
import json

import pytest
import requests

from conftest import free_port


@pytest.fixture
def es(sluice_factory):
    """Starts sluice with an elasticsearch source; returns (sluice, base url)."""
    def start(extra=""):
        port = free_port()
        s = sluice_factory(f'[sources.es]\ntype = "elasticsearch"\nlisten = "127.0.0.1:{port}"\n{extra}').start()
        return s, f"http://127.0.0.1:{port}"
    return start


def ndjson(*lines):
    return "".join((l if isinstance(l, str) else json.dumps(l)) + "\n" for l in lines)


def bulk(url, body, path="/_bulk", method="POST", headers=None):
    h = {"Content-Type": "application/x-ndjson"}
    h.update(headers or {})
    return requests.request(method, url + path, data=body, headers=h)


def test_index_and_create_into_two_streams(es):
    s, url = es()
    docs = [({"index": {"_index": "app-logs", "_id": "a-1"}},
             {"@timestamp": "2024-05-01T10:00:00.123456789Z", "message": "GET /api 200",
              "http": {"request": {"method": "GET"}, "response": {"status_code": 200}}, "tags": ["x", "y"]}),
            ({"create": {"_index": "Audit"}}, {"@timestamp": 1714557600123, "message": "user login", "user": "bob"}),
            # Numbers and arrays are kept as written in the JSON text.
            ({"index": {"_index": "app-logs"}}, '{"@timestamp":"1714557600124","message":"second","n":1.50}')]
    r = bulk(url, ndjson(*[x for pair in docs for x in pair]))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["errors"] is False and isinstance(out["took"], int)
    assert [list(i.keys())[0] for i in out["items"]] == ["index", "create", "index"]
    items = [list(i.values())[0] for i in out["items"]]
    assert [(i["_index"], i["status"], i["result"], i["_version"], i["_primary_term"]) for i in items] == [
        ("app-logs", 201, "created", 1, 1), ("Audit", 201, "created", 1, 1), ("app-logs", 201, "created", 1, 1)]
    assert items[0]["_id"] == "a-1" and len(items[1]["_id"]) == 20 and items[1]["_id"] != items[2]["_id"]
    assert all(i["_shards"] == {"total": 1, "successful": 1, "failed": 0} for i in items)
    assert len({i["_seq_no"] for i in items}) == 3
    # Answered after the batches were durable: queryable now, one stream per index.
    got = s.query('SELECT body, epoch_ns(timestamp), attributes[\'http.request.method\'], '
                  'attributes[\'http.response.status_code\'], attributes[\'tags\'], attributes[\'n\'] '
                  'FROM "app-logs" ORDER BY timestamp')["rows"]
    assert got == [["GET /api 200", 1714557600123456789, "GET", "200", '["x", "y"]', None],
                   ["second", 1714557600124000000, None, None, None, "1.50"]]
    got = s.query("SELECT body, epoch_ns(timestamp), attributes['user'], "
                  "cardinality(attributes) FROM audit")["rows"]
    assert got == [["user login", 1714557600123000000, "bob", 1]]


def test_gzip_path_index_and_put(es):
    s, url = es()
    body = gzip.compress(ndjson({"index": {}}, {"message": "zipped 1"}, {"create": {}}, {"message": "zipped 2"})
                         .encode())
    r = bulk(url, body, path="/web-2024.05.01/_bulk", method="PUT", headers={"Content-Encoding": "gzip"})
    assert r.status_code == 200, r.text
    assert [i["index" if "index" in i else "create"]["_index"] for i in r.json()["items"]] == ["web-2024.05.01"] * 2
    assert s.query('SELECT body FROM "web-2024.05.01" ORDER BY body')["rows"] == [["zipped 1"], ["zipped 2"]]


def test_configured_stream_and_fields(es):
    s, url = es('stream = "es"\nmessage_field = "log"\ntimestamp_field = "ts"\n')
    r = bulk(url, ndjson({"index": {"_index": "a"}}, {"log": "one", "ts": "2024-01-01T00:00:00Z", "message": "m"},
                         {"index": {"_index": "b"}}, {"log": "two", "ts": "not a time"}))
    assert r.status_code == 200 and r.json()["errors"] is False, r.text
    got = s.query("SELECT body, epoch_ns(timestamp) = 1704067200000000000, attributes['message'], "
                  "attributes['ts'] FROM es ORDER BY body")["rows"]
    assert got == [["one", True, "m", None], ["two", False, None, "not a time"]]


def test_delete_and_update_are_item_errors_and_the_rest_is_stored(es):
    s, url = es()
    r = bulk(url, ndjson({"index": {"_index": "mixed"}}, {"message": "kept 1"},
                         {"delete": {"_index": "mixed", "_id": "1"}},
                         {"update": {"_index": "mixed", "_id": "2"}}, {"doc": {"message": "ignored"}},
                         {"index": {"_index": "mixed"}}, "[1, 2]",
                         {"index": {"_index": ".."}}, {"message": "no valid stream"},
                         {"create": {"_index": "mixed"}}, {"message": "kept 2"}))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["errors"] is True
    kinds = [(list(i.keys())[0], list(i.values())[0]["status"]) for i in out["items"]]
    assert kinds == [("index", 201), ("delete", 400), ("update", 400), ("index", 400), ("index", 400),
                     ("create", 201)]
    errors = [list(i.values())[0].get("error", {}).get("type") for i in out["items"]]
    assert errors == [None, "illegal_argument_exception", "illegal_argument_exception",
                      "document_parsing_exception", "invalid_index_name_exception", None]
    assert s.query("SELECT body FROM mixed ORDER BY body")["rows"] == [["kept 1"], ["kept 2"]]


def test_malformed_requests_get_400_and_the_server_keeps_serving(es):
    s, url = es()
    cases = [(ndjson({"index": {"_index": "m"}}, {"message": "a"}, {"index": {"_index": "m"}}), "line 4"),
             (ndjson({"index": {"_index": "m"}}, {"message": "a"}, {"bogus": {}}, {}), "line [3]"),
             (ndjson("not json", {}), "line [1]")]
    for body, where in cases:
        r = bulk(url, body)
        assert r.status_code == 400, r.text
        err = r.json()
        assert err["status"] == 400 and err["error"]["type"] == "illegal_argument_exception"
        assert err["error"]["root_cause"][0]["reason"] == err["error"]["reason"]
        assert where in err["error"]["reason"], err
    r = bulk(url, b"\x1f\x8b not gzip", headers={"Content-Encoding": "gzip"})
    assert r.status_code == 400 and r.json()["status"] == 400
    assert bulk(url, "x", headers={"Content-Encoding": "br"}).status_code == 415
    assert requests.get(url + "/_bulk").status_code == 405
    # Nothing of the malformed requests was stored; the next request works.
    r = bulk(url, ndjson({"index": {"_index": "m"}}, {"message": "good"}))
    assert r.status_code == 200 and r.json()["errors"] is False
    assert s.query("SELECT body FROM m")["rows"] == [["good"]]


def test_zip_bomb_gets_413(es):
    s, url = es('max_decompressed_bytes = "1MiB"\n')
    bomb = gzip.compress(b"\n" * (32 << 20), compresslevel=9)
    r = bulk(url, bomb, headers={"Content-Encoding": "gzip"})
    assert r.status_code == 413, r.text
    assert r.json()["status"] == 413
    assert bulk(url, ndjson({"index": {"_index": "after"}}, {"message": "ok"})).status_code == 200
    assert s.scalar("SELECT count(*) FROM after") == 1


def test_probe_and_setup_endpoints(es):
    _, url = es()
    root = requests.get(url + "/")
    assert root.status_code == 200
    info = root.json()
    assert info["version"]["number"] == "8.11.0" and info["version"]["build_flavor"] == "default"
    assert info["tagline"] == "You Know, for Search"
    assert {"name", "cluster_name", "cluster_uuid"} <= info.keys() and "lucene_version" in info["version"]
    head = requests.head(url + "/")
    assert head.status_code == 200 and head.content == b""
    lic = requests.get(url + "/_license?human=false").json()["license"]
    assert lic["status"] == "active" and lic["type"] == "basic"
    xpack = requests.get(url + "/_xpack").json()
    assert xpack["features"]["ilm"] == {"available": True, "enabled": True}
    assert requests.get(url + "/_cluster/health").json()["status"] == "green"
    nodes = requests.get(url + "/_nodes/_local").json()
    assert nodes["_nodes"]["total"] == 1 and len(nodes["nodes"]) == 1
    # Setup steps of Filebeat and others: templates, ILM policies, ingest pipelines.
    for path in ["/_index_template/filebeat-8.11.0", "/_ilm/policy/filebeat", "/_ingest/pipeline/p1"]:
        assert requests.put(url + path, json={"x": 1}).json() == {"acknowledged": True}
        assert requests.head(url + path).status_code == 200
        g = requests.get(url + path)
        assert g.status_code == 200 and g.json() == {}
    nf = requests.get(url + "/some-index/_search")
    assert nf.status_code == 404
    assert nf.json()["status"] == 404 and nf.json()["error"]["type"] == "resource_not_found_exception"


def test_every_answer_says_it_is_elasticsearch(es):
    _, url = es()
    for r in [requests.get(url + "/"), requests.post(url + "/_bulk", data="{}\n"), requests.get(url + "/nope")]:
        assert r.headers.get("X-Elastic-Product") == "Elasticsearch"
