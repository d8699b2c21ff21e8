"""The `route` transform over a tailed file: each record reaches every stream
whose route condition it matches, the rest reach `_unmatched`; every sink
commits the source's positions, so a restart repeats nothing; a consumer
naming an unknown output is refused at load with the file location and the
nearest output name."""
import json
import re
import subprocess

from conftest import SLUICE_BIN, http, wait_for

CONFIG = """
[sources.app]
type = "file"
include = ["{path}"]
poll_interval = "20ms"

[transforms.parse]
type = "parse_json"
inputs = ["app"]
body_field = "msg"
severity_field = "level"

[transforms.split]
type = "route"
inputs = ["parse"]
route.errors = 'severity_number >= 17'
route.slow = 'attributes."http.duration_ms" > 500'

[sinks.errors]
type = "store"
inputs = ["split.errors"]
stream = "errors"

[sinks.slow]
type = "store"
inputs = ["split.slow"]
stream = "slow"

[sinks.rest]
type = "store"
inputs = ["{rest_input}"]
stream = "rest"
"""


def make_lines(start, count):
    out = []
    for i in range(start, start + count):
        level = "error" if i % 5 == 0 else "info"
        out.append({"level": level, "msg": f"request {i}", "http.duration_ms": 700 if i % 3 == 0 else 20})
    return out


def model(lines):
    errors = [l["msg"] for l in lines if l["level"] == "error"]
    slow = [l["msg"] for l in lines if l["http.duration_ms"] > 500]
    rest = [l["msg"] for l in lines if l["level"] != "error" and l["http.duration_ms"] <= 500]
    return {"errors": errors, "slow": slow, "rest": rest}


def bodies(s, stream):
    return sorted(r[0] for r in s.query(f"SELECT body FROM {stream}")["rows"])


def append(path, lines):
    with open(path, "a") as f:
        for l in lines:
            f.write(json.dumps(l) + "\n")


def test_route_splits_a_stream_and_restarts_without_repeats(sluice_factory, tmp_path):
    log = tmp_path / "app.log"
    lines = make_lines(0, 300)
    append(log, lines)
    s = sluice_factory(CONFIG.format(path=log, rest_input="split._unmatched")).start()
    want = model(lines)

    def counts():
        return {k: s.scalar(f"SELECT count(*) FROM {k}") for k in want}

    wait_for(lambda: counts() == {k: len(v) for k, v in want.items()}, timeout=60, what="routed records")
    for k, v in want.items():
        assert bodies(s, k) == sorted(v), k
    # A record matching two routes went to both; each route is counted.
    both = [l for l in lines if l["level"] == "error" and l["http.duration_ms"] > 500]
    assert both and all(l["msg"] in want["errors"] and l["msg"] in want["slow"] for l in both)
    status, metrics = http("GET", s.url + "/metrics")
    assert status == 200
    for out, n in (("errors", len(want["errors"])), ("slow", len(want["slow"])), ("_unmatched", len(want["rest"]))):
        assert f'sluice_route_records_total{{component="split",output="{out}"}} {n}' in metrics.decode(), out

    # All three sinks committed the source's positions: a restart reads on
    # from there, repeating nothing.
    assert s.stop() == 0
    more = make_lines(300, 100)
    append(log, more)
    s.start()
    want = model(lines + more)
    wait_for(lambda: counts() == {k: len(v) for k, v in want.items()}, timeout=60, what="records after restart")
    for k, v in want.items():
        assert bodies(s, k) == sorted(v), k
    assert s.stop() == 0


def test_unknown_outputs_are_refused_at_load(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text(CONFIG.format(path=tmp_path / "app.log", rest_input="split._unmached"))
    r = subprocess.run([SLUICE_BIN, "config", "check", str(config)], capture_output=True, text=True)
    assert r.returncode == 1
    line = CONFIG.splitlines().index("[sinks.rest]") + 1
    assert (f'{config}:{line}:1: sinks.rest.inputs: "split._unmached": transforms.split has no output "_unmached"; '
            f'did you mean "split._unmatched"?') in r.stderr, r.stderr

    config.write_text(CONFIG.format(path=tmp_path / "app.log", rest_input="split"))
    r = subprocess.run([SLUICE_BIN, "config", "check", str(config)], capture_output=True, text=True)
    assert r.returncode == 1
    assert re.search(r'sinks\.rest\.inputs: "split": transforms\.split has named outputs; name one of '
                     r'"split\.errors", "split\.slow", "split\._unmatched"', r.stderr), r.stderr
