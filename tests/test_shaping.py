"""filter, set, rename, drop, dedupe, sample and throttle chained over a tailed
file: the rows SQL sees, and the counters in /metrics, equal what a plain
Python model of the same chain computes."""
import json
import re

import pytest

from conftest import http, wait_for

N = 600


def make_lines():
    out = []
    for i in range(N):
        rec = {"i": i, "status": 503 if i % 7 == 0 else 200, "client": f"c{i % 4}", "msg": f"request {i}",
               "level": "debug" if i % 10 == 0 else "info", "password": "hunter2"}
        out.append(rec)
        if i % 50 == 25:
            out.append(dict(rec))  # an exact repeat, for dedupe
    return out


def model(lines):
    """The chain in Python: (kept records, dropped per transform)."""
    dropped = {}
    recs = [r for r in lines if r["level"] != "debug"]
    dropped["quiet"] = len(lines) - len(recs)
    seen, out = set(), []
    for r in recs:
        if r["msg"] in seen:
            continue
        seen.add(r["msg"])
        out.append(r)
    dropped["unique"] = len(recs) - len(out)
    recs, out, count = out, [], 0
    for r in recs:
        if r["status"] >= 500:  # exclude: always kept, does not advance the counter
            out.append(r)
            continue
        if count % 2 == 0:
            out.append(r)
        count += 1
    dropped["sampled"] = len(recs) - len(out)
    recs, out, per_client = out, [], {}
    for r in recs:
        per_client[r["client"]] = per_client.get(r["client"], 0) + 1
        if per_client[r["client"]] <= 40:
            out.append(r)
    dropped["limited"] = len(recs) - len(out)
    return out, dropped


CONFIG = """
[sources.app]
type = "file"
include = ["{path}"]
start_at = "beginning"
poll_interval = "20ms"

[transforms.parsed]
type = "parse_json"
inputs = ["app"]

[transforms.quiet]
type = "filter"
inputs = ["parsed"]
drop_condition = 'attributes.level == "debug"'

[transforms.tagged]
type = "set"
inputs = ["quiet"]
fields = {{ "attributes.deployment.environment" = "prod", "resource.service.name" = "shop" }}

[transforms.renamed]
type = "rename"
inputs = ["tagged"]
fields = ["attributes.msg=body", "attributes.status=attributes.http.response.status_code"]

[transforms.cleaned]
type = "drop"
inputs = ["renamed"]
fields = ["attributes.password", "attributes.log.file.name"]

[transforms.unique]
type = "dedupe"
inputs = ["cleaned"]
fields = ["body"]

[transforms.sampled]
type = "sample"
inputs = ["unique"]
rate = 2
exclude = 'attributes."http.response.status_code" >= 500'

[transforms.limited]
type = "throttle"
inputs = ["sampled"]
threshold = 40
window = "1h"
key_field = "attributes.client"

[sinks.store]
type = "store"
inputs = ["limited"]
stream = "shaped"
"""


def test_shaping_chain_counts_and_fields(sluice_factory, tmp_path):
    log = tmp_path / "app.log"
    lines = make_lines()
    log.write_text("".join(json.dumps(r) + "\n" for r in lines))
    want, dropped = model(lines)
    assert all(dropped.values()), dropped  # every transform has work to do
    s = sluice_factory(CONFIG.format(path=log)).start()

    def metrics():
        status, body = http("GET", s.url + "/metrics")
        assert status == 200
        out = {}
        for m in re.finditer(r'^sluice_component_filtered_records_total\{component="(\w+)"\} (\d+)$',
                             body.decode(), re.M):
            out[m.group(1)] = int(m.group(2))
        return out

    # Every line has passed the chain once the counters and rows add up.
    wait_for(lambda: s.scalar("SELECT count(*) FROM shaped") >= len(want) and metrics() == dropped, timeout=60,
             what=f"{len(want)} rows and counters {dropped}")
    assert s.scalar("SELECT count(*) FROM shaped") == len(want)
    got = [r[0] for r in s.query("SELECT body FROM shaped ORDER BY _offset")["rows"]]
    assert got == [r["msg"] for r in want]
    assert s.scalar("SELECT count(*) FROM shaped WHERE attributes['deployment.environment'] = 'prod' "
                    "AND service_name = 'shop' AND resource['service.name'] = 'shop'") == len(want)
    assert s.scalar("SELECT count(*) FROM shaped WHERE attributes['password'] IS NOT NULL "
                    "OR attributes['msg'] IS NOT NULL OR attributes['status'] IS NOT NULL "
                    "OR attributes['log.file.name'] IS NOT NULL") == 0
    assert s.scalar("SELECT count(*) FROM shaped WHERE attributes['http.response.status_code'] = '503'") == \
        sum(1 for r in want if r["status"] == 503)
    per_client = dict(s.query("SELECT attributes['client'], count(*) FROM shaped GROUP BY 1")["rows"])
    assert max(per_client.values()) <= 40
    assert metrics() == dropped
    assert s.stop() == 0


def test_bad_condition_is_rejected_at_load_with_column(sluice_factory, tmp_path):
    s = sluice_factory(f"""
[sources.app]
type = "file"
include = ["{tmp_path}/x.log"]

[transforms.bad]
type = "filter"
inputs = ["app"]
condition = 'attributes.status >= and true'

[sinks.store]
type = "store"
inputs = ["bad"]
""")
    with pytest.raises(AssertionError, match="exited at start"):
        s.start()
    log = s.log.read_text()
    assert re.search(r"transforms\.bad: filter: condition: column 22: expected a value \(a field path, a "
                     r"\"string\" or a number\) after '>=', found 'and'", log), log
