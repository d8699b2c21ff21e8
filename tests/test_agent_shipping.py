"""`sluice agent` shipping to a `sluice run` server with the `sluice` sink
(OTLP/HTTP protobuf + the X-Sluice-* positions protocol) into the server's
`otlp` source: every field arrives intact, and every line written arrives
exactly once through file rotation, a server outage and agent SIGKILLs."""
import json
import os
import shutil
import signal
import threading
import time

import pytest

from conftest import Agent, free_port, http, wait_for



def server_config(port):
    return f"""
[sources.otlp]
type = "otlp"
listen = "127.0.0.1:{port}"
grpc_listen = ""
"""


def test_round_trip_keeps_every_field(sluice_factory, agents, tmp_path):
    otlp_port = free_port()
    server = sluice_factory(server_config(otlp_port)).start()
    logdir = tmp_path / "in"
    logdir.mkdir()
    copy = tmp_path / "copy.ndjson"
    agent = Agent(tmp_path, f"""
[sources.app]
type = "file"
include = ["{logdir}/*.log"]

[transforms.parse]
type = "parse_json"
inputs = ["app"]
severity_field = "level"
timestamp_field = "time"

[transforms.label]
type = "set"
inputs = ["parse"]
fields = {{ "resource.host.name" = "web-1", "resource.service.name" = "checkout", service_name = "checkout", scope_name = "app.logger", scope_version = "1.2.3", trace_id = "5b8efff798038103d269b633813fc60c", span_id = "eee19b7ec3c1b174", "attributes.quote" = "say \\"hi\\" \\u00e9" }}

[sinks.server]
type = "sluice"
inputs = ["label"]
endpoint = "http://127.0.0.1:{otlp_port}"
stream = "shipped"
agent_id = "web-1"

[sinks.copy]
type = "file"
inputs = ["label"]
path = "{copy}"
""")
    agents.append(agent)
    agent.start()
    levels = ["info", "warn", "error", "debug"]
    with open(logdir / "app.log", "w") as f:
        for i in range(50):
            f.write(json.dumps({"time": f"2026-03-01T10:00:{i:02d}.123456789Z", "level": levels[i % 4],
                                "user": f"u{i}", "seq": i, "msg": f"hello {i}"}) + "\n")
    wait_for(lambda: server.scalar("SELECT count(*) FROM shipped") == 50, what="50 records at the server")
    wait_for(lambda: copy.exists() and len(copy.read_text().splitlines()) == 50, what="the agent's own copy")
    want = sorted((json.loads(l) for l in copy.read_text().splitlines()), key=lambda r: int(r["attributes"]["seq"]))
    got = server.query(
        "SELECT epoch_ns(timestamp)::VARCHAR, epoch_ns(observed_timestamp)::VARCHAR, severity_number, severity_text, "
        "body, to_json(attributes)::VARCHAR, to_json(resource)::VARCHAR, service_name, scope_name, scope_version, "
        "trace_id, span_id, trace_flags FROM shipped ORDER BY attributes['seq']::INT")["rows"]
    assert len(got) == 50
    for row, w in zip(got, want):
        (ts, observed, sev_n, sev_t, body, attributes, resource, service, scope, scope_v, trace, span, flags) = row
        assert (ts, observed) == (w["timestamp"], w["observed_timestamp"])
        assert (sev_n, sev_t, body) == (w["severity_number"], w["severity_text"], w["body"])
        assert json.loads(attributes) == w["attributes"]
        assert json.loads(resource) == w["resource"]
        assert (service, scope, scope_v) == (w["service_name"], w["scope_name"], w["scope_version"])
        assert (trace, span, flags) == (w["trace_id"], w["span_id"], w.get("trace_flags", 0))
    first = want[0]
    assert first["severity_number"] == 9 and first["severity_text"] == "info"
    assert first["attributes"]["log.file.path"] == str(logdir / "app.log")
    assert first["attributes"]["quote"] == 'say "hi" \u00e9'
    assert first["resource"] == {"host.name": "web-1", "service.name": "checkout"}
    # Nothing went to the otlp source's own stream: X-Sluice-Stream was honoured.
    assert server.scalar("SELECT count(*) FROM shipped WHERE service_name = 'checkout'") == 50
    assert "otlp" not in [s["name"] for s in json.loads(http("GET", server.url + "/api/v1/streams")[1])["streams"]]
    # The server has the agent's positions; the agent keeps no checkpoint for the sink.
    status, body = http("GET", f"http://127.0.0.1:{otlp_port}/v1/sluice/positions?agent=web-1&source=app")
    assert status == 200
    (offset,) = json.loads(body).values()
    assert offset == (logdir / "app.log").stat().st_size
    assert not (agent.dir / "checkpoints" / "server.json").exists()
    agent.stop()

    # What the server does with a replayed request (a retry whose answer was
    # lost): success, nothing stored; with progress: stored.
    def replay(offset, body):
        status, _ = http("POST", f"http://127.0.0.1:{otlp_port}/v1/logs", otlp_request(body), {
            "Content-Type": "application/x-protobuf", "X-Sluice-Agent": "web-1", "X-Sluice-Stream": "shipped",
            "X-Sluice-Positions": json.dumps([["app", key, offset]])})
        return status

    (key,) = json.loads(body).keys()
    assert replay(offset, "replayed") == 200
    assert replay(offset - 10, "replayed") == 200
    assert server.scalar("SELECT count(*) FROM shipped WHERE body = 'replayed'") == 0
    assert replay(offset + 10, "new") == 200
    assert server.scalar("SELECT count(*) FROM shipped WHERE body = 'new'") == 1
    status, metrics = http("GET", server.url + "/metrics")
    assert b'sluice_otlp_duplicate_requests_total{source="otlp"} 2' in metrics
    assert server.stop() == 0


def otlp_request(body):
    """A binary ExportLogsServiceRequest with one log record whose body is
    `body` (protobuf wire format written out by hand: field 1 resource_logs
    > field 2 scope_logs > field 2 log_records > field 5 body > field 1
    string_value)."""
    def ld(field, payload):
        assert len(payload) < 128
        return bytes([field << 3 | 2, len(payload)]) + payload
    return ld(1, ld(2, ld(2, ld(5, ld(1, body.encode())))))


class Writer(threading.Thread):
    """Appends numbered lines to `path` and rotates it every `rotate_every`
    seconds, between writes (so no line is lost to the rotation itself):
    "rename" moves it to path.N; "copytruncate" copies it to path.N and
    truncates it. Rotated files are kept, so every line written exists."""

    def __init__(self, path, mode, rotate_every=0.1, lines_per_write=10, pause=0.01):
        super().__init__(daemon=True)
        self.path, self.mode, self.rotate_every = path, mode, rotate_every
        self.lines_per_write, self.pause = lines_per_write, pause
        self.written = 0
        self.rotations = 0
        self.halt = threading.Event()
        self.error = None

    def run(self):
        try:
            last_rotation = time.monotonic()
            while not self.halt.is_set():
                with open(self.path, "a") as f:
                    for _ in range(self.lines_per_write):
                        f.write(f"id {self.written:08d} {self.mode} padding-to-make-the-line-longer\n")
                        self.written += 1
                if time.monotonic() - last_rotation >= self.rotate_every:
                    self.rotations += 1
                    rotated = f"{self.path}.{self.rotations:05d}"
                    if self.mode == "rename":
                        os.rename(self.path, rotated)
                    else:
                        shutil.copyfile(self.path, rotated)
                        os.truncate(self.path, 0)
                    last_rotation = time.monotonic()
                time.sleep(self.pause)
        except Exception as e:  # reported by the test
            self.error = e

    def stop(self):
        self.halt.set()
        self.join(timeout=30)
        assert self.error is None, self.error
        return self.written


@pytest.mark.parametrize("rotation,buffered", [
    ("rename", False),
    ("copytruncate", False),
    ("copytruncate", True),
], ids=["rename", "copytruncate", "copytruncate-full-disk-buffer"])
def test_exactly_once_through_rotation_outage_and_kills(sluice_factory, agents, tmp_path, rotation, buffered):
    """With `buffered`, a disk buffer of 1 MiB (the smallest) in front of the
    sink fills up during the outage: the file source then stops reading
    (backpressure), and catches up once the server is back."""
    otlp_port = free_port()
    server = sluice_factory(server_config(otlp_port)).start()
    logdir = tmp_path / "in"
    logdir.mkdir()
    path = logdir / "app.log"
    agent = Agent(tmp_path, f"""
[sources.app]
type = "file"
include = ["{logdir}/app.log*"]
max_batch_records = 200

[sinks.server]
type = "sluice"
inputs = ["app"]
endpoint = "http://127.0.0.1:{otlp_port}"
stream = "shipped"
agent_id = "agent-under-test"
timeout = "5s"
""" + ('buffer = { type = "disk", max_size = "1MiB" }\n' if buffered else ""))
    agents.append(agent)
    agent.start()
    writer = Writer(str(path), rotation)
    writer.start()

    def stored():
        return server.scalar("SELECT count(*) FROM shipped")

    def progress(past, what):
        wait_for(lambda: stored() > past, timeout=120, what=what)

    try:
        progress(500, "the first lines at the server")
        # The server goes away for a while; the agent retries, the writer goes on.
        server.stop()
        at_stop, rotations_at_stop = writer.written, writer.rotations
        wait_for(lambda: writer.written >= at_stop + 2000, what="lines written during the outage")
        # 2000 lines take the writer ~2 s: it rotated during the outage too.
        assert writer.rotations >= rotations_at_stop + 5, (rotations_at_stop, writer.rotations)
        if buffered:
            wait_for(lambda: agent.metric("sluice_buffer_write_blocked_seconds_count", component="server") >= 1,
                     timeout=120, what="the disk buffer full")
            # Backpressure: once the queue in front of the blocked sink is
            # full, the source reads nothing for a second while the writer
            # goes on.
            def stalled():
                before, written = agent.metric("sluice_component_sent_records_total", component="app"), writer.written
                time.sleep(1)
                after = agent.metric("sluice_component_sent_records_total", component="app")
                return after == before and writer.written > written
            wait_for(stalled, timeout=60, what="the file source stopped by the full buffer")
            assert agent.metric("sluice_buffer_bytes", component="server") <= 1 << 20
        server.start()
        progress(at_stop, "catch-up after the server came back")
        # The server dies while the agent ships (answers to stored batches
        # may be lost; the agent's retries must not store them twice).
        progress(stored() + 500, "shipping before the server is killed")
        server.kill9()
        server.start()
        progress(stored() + 500, "shipping after the server's crash")
        # SIGKILL the agent twice while it ships, restarting it each time.
        for round_ in range(2):
            progress(stored() + 500, f"shipping before kill {round_ + 1}")
            agent.stop(signal.SIGKILL)
            agent.start()
        # And once more while the server is down: the restarted agent waits
        # for the server's positions before reading anything.
        progress(stored() + 200, "shipping before the last kill")
        agent.stop(signal.SIGKILL)
        server.stop()
        agent.start(wait_ready=False)
        if not buffered:  # with a buffer the positions are the agent's own
            wait_for(lambda: "waiting for server" in agent.log.read_text(), what="the agent waiting for the server")
            assert not agent.ready()
        server.start()
        wait_for(agent.ready, timeout=60, what="the agent ready once the server answered")
    finally:
        total = writer.stop()
    assert writer.rotations >= 10
    wait_for(lambda: server.scalar("SELECT count(DISTINCT body) FROM shipped") == total, timeout=180,
             what=f"all {total} lines at the server")
    assert agent.stop() == 0  # drains: whatever it still had is at the server now
    count, distinct = server.query("SELECT count(*), count(DISTINCT body) FROM shipped")["rows"][0]
    dups = server.query("SELECT body, count(*) AS n FROM shipped GROUP BY body HAVING n > 1 ORDER BY body LIMIT 5")
    assert (count, distinct) == (total, total), f"duplicates: {dups['rows']}"
    # Each line whole, as written: a cut or spliced line would keep the counts.
    bodies = sorted(r[0] for r in server.query("SELECT body FROM shipped")["rows"])
    assert bodies == [f"id {i:08d} {rotation} padding-to-make-the-line-longer" for i in range(total)]
    assert server.stop() == 0


def test_two_paths_into_one_sink_store_each_copy_once(sluice_factory, agents, tmp_path):
    """A route whose two outputs reach one `sluice` sink through two
    transforms: each line's copy on each path is stored exactly once, also
    through two SIGKILLs of the agent. The copies of one batch carry the same
    file positions; unless each path's are told apart (path_positions.hpp),
    the server takes the second copy for a retry of the first and drops it,
    and a restart resumes past a copy that was never written. After a kill
    the source resumes where the path behind stopped, and the copies through
    the other path are not sent again."""
    otlp_port = free_port()
    server = sluice_factory(server_config(otlp_port)).start()
    logdir = tmp_path / "in"
    logdir.mkdir()
    agent = Agent(tmp_path, f"""
[sources.app]
type = "file"
include = ["{logdir}/app.log"]
max_batch_records = 20

[transforms.split]
type = "route"
inputs = ["app"]
route.thousands = 'body =~ "000 rename"'
route.all = 'true'

# Holds each line (one in 1,000, one in 50 batches or more) until the
# next one comes, and the positions of the batches since with it: this path
# is always behind the other, so every kill leaves the two at different
# offsets.
[transforms.hold]
type = "multiline"
inputs = ["split.thousands"]
start_pattern = '^id '
timeout = "2s"

[transforms.tag_thousands]
type = "set"
inputs = ["hold"]
fields = {{ "attributes.path" = "thousands" }}

[transforms.tag_all]
type = "set"
inputs = ["split.all"]
fields = {{ "attributes.path" = "all" }}

[sinks.server]
type = "sluice"
inputs = ["tag_thousands", "tag_all"]
endpoint = "http://127.0.0.1:{otlp_port}"
stream = "shipped"
agent_id = "two-paths"
""")
    agents.append(agent)
    agent.start()
    writer = Writer(str(logdir / "app.log"), "rename", rotate_every=1e9)
    writer.start()

    def stored():
        streams = json.loads(http("GET", server.url + "/api/v1/streams")[1])["streams"]
        return server.scalar("SELECT count(*) FROM shipped") if any(s["name"] == "shipped" for s in streams) else 0

    try:
        for round_ in range(2):
            at = stored()
            wait_for(lambda: stored() > at + 1000, timeout=120, what=f"shipping before kill {round_ + 1}")
            agent.stop(signal.SIGKILL)
            agent.start()
        at = stored()
        wait_for(lambda: stored() > at + 1000, timeout=120, what="shipping after the kills")
    finally:
        total = writer.stop()
    line = "id {:08d} rename padding-to-make-the-line-longer".format
    want = sorted([("all", line(i)) for i in range(total)] + [("thousands", line(i)) for i in range(0, total, 1000)])
    wait_for(lambda: stored() >= len(want), timeout=120, what=f"all {len(want)} copies at the server")
    assert agent.stop() == 0
    got = sorted(tuple(r) for r in server.query("SELECT attributes['path'], body FROM shipped")["rows"])
    assert got == want
    assert server.stop() == 0
