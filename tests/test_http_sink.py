"""The `http` sink against a real HTTP/1.1 server (Python's http.server with
keep-alive): batches go one after another on one kept connection; a
connection the server closes (idle, or with `Connection: close`) is opened
again; a request dropped on a kept connection is sent once more on a new
one; interim 1xx answers are skipped; a late answer to a timed-out request
is never taken for the next one's. Every line arrives once."""
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import Agent, wait_for


class Receiver:
    """An NDJSON endpoint. Per request it asks `decide(total, on_connection)`
    (requests seen before, on all connections and on this one) what to do:
    "ok" (200, lines recorded), "close" (200 with `Connection: close`),
    "drop" (close without answering, lines not recorded), "hints" (103
    Early Hints, then 200), "hintsdrop" (103, then close without a final
    answer, lines not recorded), "503" (lines not recorded), "slow400"
    (wait 1.2 s, then 400, lines not recorded). `idle_timeout` closes idle
    connections. `actions` counts what was done."""

    def __init__(self, decide=lambda total, on_connection: "ok", idle_timeout=None):
        self.lock = threading.Lock()
        self.requests = []  # (client port, lines) of the requests recorded
        self.seen = 0
        self.actions = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = idle_timeout

            def log_message(self, *args):
                pass

            def answer(self, status, close=False):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                if close:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(b"{}")

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                self.on_connection = getattr(self, "on_connection", 0) + 1
                with receiver.lock:
                    action = decide(receiver.seen, self.on_connection - 1)
                    receiver.seen += 1
                    receiver.actions[action] = receiver.actions.get(action, 0) + 1
                    if action in ("ok", "close", "hints"):
                        receiver.requests.append((self.client_address[1], body.decode().splitlines()))
                if action in ("drop", "hintsdrop"):
                    if action == "hintsdrop":
                        self.send_response_only(103)
                        self.end_headers()
                        self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                elif action == "503":
                    self.answer(503)
                elif action == "slow400":
                    time.sleep(1.2)
                    try:
                        self.answer(400)
                    except (BrokenPipeError, ConnectionResetError):
                        self.close_connection = True  # the client gave up first
                else:
                    if action == "hints":
                        self.send_response_only(103)
                        self.send_header("Link", "</style.css>; rel=preload")
                        self.end_headers()
                        self.wfile.flush()
                    self.answer(200, close=action == "close")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ingest"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def lines(self):
        with self.lock:
            return [json.loads(l)["body"] for _, ls in self.requests for l in ls]

    def ports(self):
        with self.lock:
            return [port for port, _ in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    """Makes Receivers; each is closed at the end of the test."""
    made = []

    def make(*args, **kwargs):
        made.append(Receiver(*args, **kwargs))
        return made[-1]

    yield make
    for r in made:
        r.close()


def start_agent(tmp_path, agents, url, extra=""):
    logdir = tmp_path / "in"
    logdir.mkdir()
    agent = Agent(tmp_path, f"""
[sources.app]
type = "file"
include = ["{logdir}/*.log"]

[sinks.out]
type = "http"
inputs = ["app"]
endpoint = "{url}"
{extra}
""").start()
    agents.append(agent)
    return agent, logdir / "app.log"


def write_batches(path, receiver, batches, per_batch=50, pause=0.0, start=0):
    """Appends `batches` runs of lines numbered from `start`, each once the
    receiver has every line before it (and `pause` seconds more); returns
    every line written so far."""
    sent = start
    for _ in range(batches):
        with open(path, "a") as f:
            for i in range(sent, sent + per_batch):
                f.write(f"line {i:05d}\n")
        sent += per_batch
        wait_for(lambda: len(receiver.lines()) >= sent, timeout=60, what=f"{sent} lines at the receiver")
        time.sleep(pause)
    return [f"line {i:05d}" for i in range(sent)]


def errors(agent):
    return agent.metric("sluice_component_errors_total", component="out")


def test_http_sink_sends_every_batch_on_one_kept_connection(tmp_path, agents, receivers):
    receiver = receivers()
    agent, log = start_agent(tmp_path, agents, receiver.url)
    want = write_batches(log, receiver, 6)
    assert receiver.lines() == want
    assert len(receiver.ports()) >= 6
    assert len(set(receiver.ports())) == 1, receiver.ports()
    assert errors(agent) == 0


def test_http_sink_opens_a_new_connection_after_connection_close_and_idle_close(tmp_path, agents, receivers):
    # `Connection: close` on the second answer of the first two connections;
    # the server closes a connection idle for 2 s.
    idle = 2.0
    receiver = receivers(lambda total, on_connection: "close" if on_connection == 1 and total < 4 else "ok",
                         idle_timeout=idle)
    agent, log = start_agent(tmp_path, agents, receiver.url)
    want = write_batches(log, receiver, 5)
    ports = receiver.ports()
    assert ports[0] == ports[1] and ports[2] == ports[3], ports  # each pair on its connection
    assert len({ports[0], ports[2], ports[4]}) == 3, ports  # a new one after each "close"
    # Waits out the server's idle time-out (there is nothing to poll for):
    # the connection the sink keeps is closed under it, and the next batch
    # goes on a new one without an error.
    time.sleep(idle + 1.0)
    want = write_batches(log, receiver, 1, start=len(want))
    assert receiver.lines() == want
    assert receiver.ports()[5] != ports[4], receiver.ports()
    assert errors(agent) == 0


@pytest.mark.parametrize("decide, want_drops, want_errors", [
    # The second request of every connection is dropped unanswered, as when
    # the server closes an idle connection just as the request goes out:
    # sent once more at once on a new connection, without an error.
    (lambda total, on_connection: "drop" if on_connection == 1 else "ok", 4, 0),
    # The first request of a new connection is dropped: an error, then the
    # engine's retry after its backoff.
    (lambda total, on_connection: "drop" if total == 0 else "ok", 1, 1),
    # On a kept connection, but after an interim answer: the server has the
    # request, so no resend at once; an error and the engine's retry.
    (lambda total, on_connection: "hintsdrop" if total == 1 else "ok", 1, 1),
], ids=["on a kept connection", "on a new connection", "after an interim answer"])
def test_http_sink_resends_a_dropped_request(tmp_path, agents, receivers, decide, want_drops, want_errors):
    receiver = receivers(decide)
    agent, log = start_agent(tmp_path, agents, receiver.url)
    want = write_batches(log, receiver, 5)
    assert receiver.lines() == want
    assert receiver.seen == len(receiver.requests) + want_drops, receiver.actions
    assert errors(agent) == want_errors


def test_http_sink_skips_interim_answers_and_keeps_the_connection_after_a_5xx(tmp_path, agents, receivers):
    receiver = receivers(lambda total, on_connection: {0: "hints", 1: "503"}.get(total, "ok"))
    agent, log = start_agent(tmp_path, agents, receiver.url)
    want = write_batches(log, receiver, 4)
    assert receiver.lines() == want
    assert errors(agent) == 1  # the 503, retried
    assert len(set(receiver.ports())) == 1, receiver.ports()
    assert agent.metric("sluice_component_discarded_records_total", component="out") == 0


def test_http_sink_never_takes_a_late_answer_for_the_next_request(tmp_path, agents, receivers):
    # The second request, on the kept connection, is answered 400 (which
    # would discard the batch) only after the sink's time-out: the sink has
    # given up on that connection and does not resend at once (the server
    # may be working on it); the engine retries it on a new connection, and
    # nothing is discarded.
    receiver = receivers(lambda total, on_connection: "slow400" if total == 1 else "ok")
    agent, log = start_agent(tmp_path, agents, receiver.url, 'timeout = "300ms"')
    want = write_batches(log, receiver, 3)
    assert receiver.lines() == want
    assert receiver.seen == len(receiver.requests) + 1, receiver.actions
    assert errors(agent) == 1
    assert agent.metric("sluice_component_discarded_records_total", component="out") == 0
