"""`sluice agent`: a file source shipped by the `http` sink to a `sluice run`
server, with `file` and `stdout` sinks beside it. The server goes away and
comes back, the agent is killed with SIGKILL: every line arrives, and the
agent's checkpoints keep it from re-sending more than the last batch."""
import json
import signal
import subprocess

from conftest import Agent, SLUICE_BIN, http, wait_for



def write_lines(path, start, count):
    with open(path, "a") as f:
        for i in range(start, start + count):
            f.write(f"line {i:06d} GET /item/{i} 200\n")


def test_agent_ships_through_outages_and_restarts(sluice_factory, tmp_path):
    server = sluice_factory().start()
    logdir = tmp_path / "in"
    logdir.mkdir()
    src = logdir / "app.log"
    out = tmp_path / "out" / "copy.ndjson"
    agent = Agent(tmp_path, f"""
[sources.app]
type = "file"
include = ["{logdir}/*.log"]

[sinks.server]
type = "http"
inputs = ["app"]
endpoint = "{server.url}/api/v1/streams/shipped/records"
compression = "gzip"

[sinks.copy]
type = "file"
inputs = ["app"]
path = "{out}"

[sinks.console]
type = "stdout"
inputs = ["app"]
encoding = "text"
""", capture_stdout=True).start()

    def stored():
        return server.scalar("SELECT count(*) FROM shipped")

    write_lines(src, 0, 2000)
    wait_for(lambda: stored() == 2000, timeout=60, what="2000 lines at the server")
    wait_for(lambda: out.exists() and len(out.read_text().splitlines()) == 2000, what="file sink")
    copy = [json.loads(l) for l in out.read_text().splitlines()]
    assert copy[0]["body"] == "line 000000 GET /item/0 200"
    assert copy[0]["attributes"]["log.file.path"] == str(src)
    wait_for(lambda: len(agent.stdout.read_text().splitlines()) == 2000, what="stdout sink")

    # The server goes away: the http sink retries, nothing is dropped.
    server.stop()
    write_lines(src, 2000, 1000)
    status, metrics = http("GET", f"http://127.0.0.1:{agent.port}/metrics")
    assert status == 200 and b"sluice_component_sent_records_total" in metrics
    server.start()
    wait_for(lambda: stored() == 3000, timeout=120, what="catch-up after the server came back")

    # SIGKILL the agent twice while it ships.
    for round_ in range(2):
        write_lines(src, 3000 + round_ * 500, 500)
        agent.stop(signal.SIGKILL)
        agent.start()
    want = 4000
    wait_for(lambda: server.scalar("SELECT count(DISTINCT body) FROM shipped") == want, timeout=120,
             what="every line after agent restarts")
    total = stored()
    # At-least-once: only a batch acknowledged by the server but not yet
    # checkpointed when the agent died can arrive twice.
    assert total - want <= 2 * 4096, f"{total - want} duplicates"
    missing = server.scalar(
        f"SELECT {want} - count(DISTINCT body) FROM shipped WHERE body LIKE 'line %'")
    assert missing == 0
    assert (agent.dir / "checkpoints" / "server.json").exists()
    agent.stop()
    server.stop()


def test_agent_refuses_a_store_sink(tmp_path):
    cfg = tmp_path / "a.toml"
    cfg.write_text(f"""
[sources.app]
type = "file"
include = ["{tmp_path}/*.log"]

[sinks.s]
type = "store"
inputs = ["app"]
stream = "x"
""")
    r = subprocess.run([SLUICE_BIN, "agent", "--config", str(cfg), "--data-dir", str(tmp_path / "d")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "sinks.s" in r.stderr and "sluice run" in r.stderr


def test_a_second_agent_on_the_same_data_dir_exits_at_start(tmp_path, agents):
    (tmp_path / "in").mkdir()
    first = Agent(tmp_path, f"""
[sources.app]
type = "file"
include = ["{tmp_path}/in/*.log"]

[sinks.out]
type = "stdout"
inputs = ["app"]
""").start()
    agents.append(first)
    r = subprocess.run([SLUICE_BIN, "agent", "--config", str(first.config), "--data-dir", str(first.dir)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert f"agent: --data-dir {first.dir} is in use" in r.stderr, r.stderr
    assert f"LOCK is locked by process {first.proc.pid}" in r.stderr, r.stderr
    assert first.ready()
