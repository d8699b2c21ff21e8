"""Attribute columns: a log stream's frequent attribute keys are queryable as
nested columns (`http.response.status_code`) that always equal the map's
value, on hot rows, on compacted rows and across a restart."""
import json
import random

from conftest import http, wait_for


def records(n, rng, start=0):
    out = []
    for i in range(start, start + n):
        attrs = {"http.response.status_code": rng.choice(["200", "404", "500"]),
                 "http.request.method": rng.choice(["GET", "POST"]),
                 "url.path": f"/p/{rng.randrange(50)}"}
        if rng.random() < 0.2:
            attrs["user.name"] = f"u{i}"  # in a fifth of the records: not a column
        if rng.random() < 0.8:
            attrs["level"] = "warn"  # in most: a column, NULL where absent
        if rng.random() < 0.9:
            attrs["body.size"] = "1"  # would shadow the body column: never a column
        out.append({"body": f"line {i}", "attributes": attrs})
    return out


def ingest(s, recs):
    for i in range(0, len(recs), 10):  # batches of 10, as a shipper sends them
        assert s.ingest("app", recs[i:i + 10])[0] == 200


def columns(s):
    return {c["name"]: c["type"] for c in s.query("SELECT * FROM app LIMIT 0")["columns"]}


def check_equal_to_map(s, recs):
    assert s.scalar("SELECT count(*) FROM app") == len(recs)
    for key in ["http.response.status_code", "http.request.method", "url.path", "level"]:
        same = s.scalar(f"SELECT count(*) FROM app WHERE {key} IS NOT DISTINCT FROM attributes['{key}']")
        assert same == len(recs), key
    assert s.scalar("SELECT count(*) FROM app WHERE level IS NULL") == sum("level" not in r["attributes"] for r in recs)
    by_column = s.query("SELECT http.response.status_code, count(*) FROM app GROUP BY 1 ORDER BY 1")["rows"]
    by_map = s.query("SELECT attributes['http.response.status_code'], count(*) FROM app GROUP BY 1 ORDER BY 1")
    assert by_column == by_map["rows"]


def test_frequent_keys_become_columns_equal_to_the_map(sluice_factory):
    rng = random.Random(7)
    recs = records(200, rng)
    s = sluice_factory('compact_interval = "1h"\nretention = "0"\n').start()
    ingest(s, recs)
    # Promoted from a sample of the hot records, before any compaction.
    wait_for(lambda: "http" in columns(s), timeout=30, what="attribute columns on hot rows")
    listed = {x["name"]: x for x in json.loads(http("GET", s.url + "/api/v1/streams")[1])["streams"]}
    assert set(listed["app"]["attribute_columns"]) == {"http.request.method", "http.response.status_code", "url.path",
                                                       "level"}
    cols = columns(s)
    assert cols["http"] == "STRUCT(request STRUCT(method VARCHAR), response STRUCT(status_code VARCHAR))"
    assert cols["url"] == "STRUCT(path VARCHAR)"
    assert cols["level"] == "VARCHAR"
    assert "user" not in cols and cols["body"] == "VARCHAR"
    # The map keeps every key.
    users = sum("user.name" in r["attributes"] for r in recs)
    assert s.scalar("SELECT count(*) FROM app WHERE attributes['user.name'] IS NOT NULL") == users
    assert s.scalar("SELECT count(*) FROM app WHERE attributes['body.size'] = '1'") == \
        sum("body.size" in r["attributes"] for r in recs)
    check_equal_to_map(s, recs)
    assert s.stop() == 0

    # Restarted with compaction: the rows move to Parquet with the columns,
    # and the view is rebuilt from the catalog.
    s = sluice_factory('compact_interval = "1s"\nretention = "0"\n').start()
    more = records(100, rng, start=200)
    ingest(s, more)
    catalog = s.data_dir / "app" / "catalog.json"
    wait_for(lambda: json.loads(catalog.read_text())["compacted_offset"] == 300, timeout=30,
             what="every record compacted")
    doc = json.loads(catalog.read_text())
    assert set(doc["attribute_columns"]) == {"http.request.method", "http.response.status_code", "url.path", "level"}
    assert all(seg["attribute_columns"] == len(doc["attribute_columns"]) for seg in doc["segments"])
    check_equal_to_map(s, recs + more)
    assert s.stop() == 0
