"""The `http` sink against a real HTTP/1.1 server (Python's http.server with
keep-alive): batches go one after another on one kept connection, a
connection the server closes (idle, or with `Connection: close`) is opened
again, and a server that breaks the connection mid-request gets the batch
again. Every line arrives."""
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import Agent, wait_for


class Receiver:
    """An NDJSON endpoint: records, per request, the client's port (one per
    connection) and the lines. `close_after` answers with `Connection:
    close` every n-th request; `drop_next` closes the connection without an
    answer on that many requests."""

    def __init__(self, close_after=0, drop_next=0):
        self.lock = threading.Lock()
        self.requests = []  # (client port, lines)
        self.close_after = close_after
        self.drop_next = drop_next
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    if receiver.drop_next > 0:
                        receiver.drop_next -= 1
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    receiver.requests.append((self.client_address[1], body.decode().splitlines()))
                    close = receiver.close_after and len(receiver.requests) % receiver.close_after == 0
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                if close:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ingest"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def lines(self):
        with self.lock:
            return [json.loads(l)["body"] for _, ls in self.requests for l in ls]

    def connections(self):
        with self.lock:
            return [port for port, _ in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def start_agent(tmp_path, agents, url):
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
""").start()
    agents.append(agent)
    return agent, logdir / "app.log"


def write_batches(path, receiver, batches, per_batch=50):
    """Appends `batches` runs of lines, each once the receiver has every line before it."""
    sent = 0
    for _ in range(batches):
        with open(path, "a") as f:
            for i in range(sent, sent + per_batch):
                f.write(f"line {i:05d}\n")
        sent += per_batch
        wait_for(lambda: len(receiver.lines()) >= sent, timeout=60, what=f"{sent} lines at the receiver")
    return [f"line {i:05d}" for i in range(sent)]


def test_http_sink_sends_every_batch_on_one_kept_connection(tmp_path, agents):
    receiver = Receiver()
    try:
        agent, log = start_agent(tmp_path, agents, receiver.url)
        want = write_batches(log, receiver, 6)
        assert receiver.lines() == want
        assert len(receiver.connections()) >= 6
        assert len(set(receiver.connections())) == 1, receiver.connections()
        assert agent.metric("sluice_component_errors_total", component="out") == 0
    finally:
        receiver.close()


def test_http_sink_reopens_a_closed_connection_and_resends_a_broken_request(tmp_path, agents):
    receiver = Receiver(close_after=2)
    try:
        agent, log = start_agent(tmp_path, agents, receiver.url)
        want = write_batches(log, receiver, 6)
        assert receiver.lines() == want
        ports = receiver.connections()
        # `Connection: close` after every second answer: a new connection
        # for each pair of requests, and no error for it.
        assert len(set(ports)) == len(ports) // 2, ports
        assert agent.metric("sluice_component_errors_total", component="out") == 0

        # The server breaks the connection without answering: the batch is
        # retried (an error counted) and arrives once.
        receiver.drop_next = 1
        with open(log, "a") as f:
            f.write("line after the break\n")
        wait_for(lambda: receiver.lines()[-1:] == ["line after the break"], timeout=60, what="the resent batch")
        assert receiver.lines() == want + ["line after the break"]
        assert agent.metric("sluice_component_errors_total", component="out") >= 1
    finally:
        receiver.close()
