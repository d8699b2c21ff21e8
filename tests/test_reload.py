"""Configuration reload (SIGHUP and POST /api/v1/reload) of `sluice run` and
`sluice agent` while a writer appends to a tailed file: every line is stored
exactly once, lines written after a reload carry the new transform's
effect, and a bad config is refused with 400 while the old pipeline keeps
running."""
import json
import signal
import subprocess
import threading
import time

from conftest import SLUICE_BIN, free_port, http, wait_for

PIPELINE = """
[sources.app]
type = "file"
include = ["{path}"]
poll_interval = "10ms"

[transforms.tag]
type = "set"
inputs = ["app"]
fields = {{ "attributes.tag" = "{tag}" }}
{extra}
[sinks.store]
type = "store"
inputs = ["tag"]
stream = "app"
"""

COPY_SINK = """
[sinks.copy]
type = "file"
inputs = ["tag"]
path = "{path}"
encoding = "text"
"""


class Writer(threading.Thread):
    """Appends numbered lines to `path` until stopped; `count` lines are
    complete in the file."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.count = 0
        self.done = threading.Event()

    def run(self):
        with open(self.path, "a") as f:
            while not self.done.is_set():
                for _ in range(20):
                    f.write(f"line {self.count:07d}\n")
                    f.flush()
                    self.count += 1
                time.sleep(0.002)

    def mark(self):
        """Every line numbered at or past this is written from now on."""
        return self.count + 1

    def stop(self):
        self.done.set()
        self.join()
        return self.count


def write_config(s, log, tag, extra=""):
    body = PIPELINE.format(path=log, tag=tag, extra=extra)
    text = s.config.read_text()
    s.config.write_text(text[:text.index("\n[sources.app]")] + body)


def reload(url):
    status, body = http("POST", url + "/api/v1/reload")
    return status, json.loads(body)


def line_number(body):
    """The number of a line as Writer wrote it; fails on a damaged line."""
    n = int(body.split()[1])
    assert body == f"line {n:07d}", body
    return n


def rows_by_line(s):
    rows = s.query("SELECT body, attributes['tag'] FROM app")["rows"]
    return [(line_number(b), t) for b, t in rows]


def test_reload_under_load_via_api_and_sighup(sluice_factory, tmp_path):
    log = tmp_path / "app.log"
    log.touch()
    s = sluice_factory(PIPELINE.format(path=log, tag="v1", extra="")).start()
    w = Writer(log)
    w.start()
    wait_for(lambda: s.scalar("SELECT count(*) FROM app") > 500, what="lines before the first reload")

    # 1. POST /api/v1/reload: the set transform's value changes, and a file
    # sink is added.
    copy = tmp_path / "copy.txt"
    write_config(s, log, "v2", COPY_SINK.format(path=copy))
    status, answer = reload(s.url)
    assert status == 200, answer
    assert answer["reloaded"] == "1 changed (transforms.tag), 1 added (sinks.copy), 0 removed, 2 kept", answer
    mark2 = w.mark()
    wait_for(lambda: s.scalar("SELECT count(*) FROM app") > mark2 + 500, what="lines after the API reload")
    status, metrics = http("GET", s.url + "/metrics")
    assert 'component="copy"' in metrics.decode()

    # 2. SIGHUP: the value changes again and the file sink goes away.
    write_config(s, log, "v3")
    s.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "reload: applied: 1 changed (transforms.tag), 0 added, 1 removed (sinks.copy), 2 kept"
             in s.log.read_text(), what="the SIGHUP reload in the log")
    mark3 = w.mark()
    wait_for(lambda: s.scalar("SELECT count(*) FROM app") > mark3 + 500, what="lines after the SIGHUP reload")
    status, metrics = http("GET", s.url + "/metrics")
    assert 'component="copy"' not in metrics.decode()
    assert 'component="tag"' in metrics.decode()

    total = w.stop()
    wait_for(lambda: s.scalar("SELECT count(*) FROM app") >= total, timeout=60, what="every line stored")
    rows = sorted(rows_by_line(s))
    assert len(rows) == total
    assert [n for n, _ in rows] == list(range(total)), "a line is missing or stored twice"
    tags = [t for _, t in rows]
    # The tailed file is read in order and a reload keeps that order: the
    # tags change once each, in order.
    assert tags == sorted(tags), "a line went through an old transform after a newer one"
    assert set(tags) == {"v1", "v2", "v3"}
    assert all(t != "v1" for n, t in rows if n >= mark2), "a line written after the API reload has the old tag"
    assert all(t == "v3" for n, t in rows if n >= mark3), "a line written after SIGHUP has an old tag"
    # The added sink got lines from its start on, each once.
    copied = [int(l.split()[1]) for l in copy.read_text().splitlines()]
    assert copied and copied == list(range(copied[0], copied[-1] + 1)) and copied[0] < mark2 + 500
    assert s.stop() == 0


def test_a_bad_config_is_refused_and_the_pipeline_keeps_running(sluice_factory, tmp_path):
    log = tmp_path / "app.log"
    s = sluice_factory(PIPELINE.format(path=log, tag="v1", extra="")).start()
    good = s.config.read_text()

    s.config.write_text(good.replace('inputs = ["tag"]', 'inputs = ["tga"]'))
    status, answer = reload(s.url)
    assert status == 400, answer
    line = s.config.read_text().splitlines().index("[sinks.store]") + 1
    assert answer["error"]["message"] == (f'{s.config}:{line}:1: sinks.store.inputs: unknown component "tga"; '
                                          f'did you mean "tag"?')

    s.config.write_text(good.replace('fields = { "attributes.tag" = "v1" }', 'feilds = { "attributes.tag" = "v2" }'))
    status, answer = reload(s.url)
    assert status == 400 and 'unknown key "feilds"' in answer["error"]["message"], answer

    s.config.write_text(good.replace('[store]\n', '[store]\nretention = "1d"\n'))
    status, answer = reload(s.url)
    assert status == 400, answer
    assert "the [store] section changed; it only takes effect at a restart" in answer["error"]["message"]

    s.config.write_text(good.replace('"v1"', '"v2"').replace('inputs = ["app"]', 'inputs = ["nope"]'))
    s.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: 'unknown component "nope"' in s.log.read_text(), what="the refused SIGHUP reload in the log")
    assert s.proc.poll() is None

    with open(log, "a") as f:
        for i in range(100):
            f.write(f"line {i:07d}\n")
    wait_for(lambda: s.scalar("SELECT count(*) FROM app") == 100, what="lines through the old pipeline")
    assert {t for _, t in rows_by_line(s)} == {"v1"}
    status, answer = http("GET", s.url + "/api/v1/reload")
    assert status == 400
    assert s.stop() == 0


def test_agent_reloads_through_its_api(tmp_path):
    log = tmp_path / "app.log"
    out = tmp_path / "out.ndjson"
    port = free_port()
    config = tmp_path / "agent.toml"

    def write(tag):
        config.write_text(f"""
[api]
listen = "127.0.0.1:{port}"

[sources.app]
type = "file"
include = ["{log}"]
poll_interval = "10ms"

[transforms.tag]
type = "set"
inputs = ["app"]
fields = {{ "attributes.tag" = "{tag}" }}

[sinks.out]
type = "file"
inputs = ["tag"]
path = "{out}"
""")

    write("v1")
    agent_log = open(tmp_path / "agent.log", "ab")
    proc = subprocess.Popen([SLUICE_BIN, "agent", "--config", str(config), "--data-dir", str(tmp_path / "state")],
                            stdout=agent_log, stderr=agent_log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: http("GET", url + "/readyz")[0] == 200, what="agent /readyz")
        w = Writer(log)
        w.start()
        wait_for(lambda: out.exists() and len(out.read_text().splitlines()) > 300, what="agent output")
        before_reload = len(out.read_text().splitlines())
        write("v2")
        status, answer = reload(url)
        assert status == 200 and answer["reloaded"].startswith("1 changed (transforms.tag)"), answer
        mark = w.mark()
        wait_for(lambda: len(out.read_text().splitlines()) > mark + 300, what="agent output after the reload")
        total = w.stop()
        wait_for(lambda: len(out.read_text().splitlines()) >= total, timeout=60, what="every line shipped")
        recs = [json.loads(l) for l in out.read_text().splitlines()]
        numbers = [line_number(r["body"]) for r in recs]
        assert numbers == list(range(total))
        tags = [r["attributes"]["tag"] for r in recs]
        assert tags == sorted(tags) and tags[-1] == "v2"
        assert set(tags[:before_reload]) == {"v1"}, "a line shipped before the reload has the new tag"
        assert all(r["attributes"]["tag"] == "v2" for r in recs if line_number(r["body"]) >= mark)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
