"""Fixtures for integration tests: a real `sluice run` process on a free port
with its own data directory, started and stopped by each test."""
import json
import re
import os
import signal
import socket
import subprocess
import time
import urllib.request
import urllib.error

import pytest

SLUICE_BIN = os.environ.get(
    "SLUICE_BIN", os.path.join(os.path.dirname(__file__), "..", "build", "sluice"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout=30.0, interval=0.05, what="condition"):
    """Polls cond() until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = cond()
            if last:
                return last
        except Exception as e:  # the server may not be up yet
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def http(method, url, body=None, headers=None, timeout=30):
    """Returns (status, body bytes). Never raises on HTTP error statuses."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Sluice:
    """A `sluice run` child process."""

    def __init__(self, tmp_path, config_body, name="sluice"):
        self.port = free_port()
        self.data_dir = tmp_path / f"{name}-data"
        self.config = tmp_path / f"{name}.toml"
        self.log = tmp_path / f"{name}.log"
        self.config.write_text(
            f'[api]\nlisten = "127.0.0.1:{self.port}"\n\n'
            f'[store]\ndata_dir = "{self.data_dir}"\nmin_free_bytes = "0"\n' + config_body)
        self.proc = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen([SLUICE_BIN, "run", "--config", str(self.config)],
                                     stdout=logf, stderr=subprocess.STDOUT)
        wait_for(lambda: self.proc.poll() is not None or http("GET", self.url + "/readyz")[0] == 200,
                 what="sluice /readyz")
        if self.proc.poll() is not None:
            raise AssertionError("sluice exited at start:\n" + self.log.read_text())
        return self

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("sluice did not stop on SIGTERM within 60s:\n" + self.log.read_text()[-4000:])
        return self.proc.returncode if self.proc else None

    def query(self, sql):
        status, body = http("POST", self.url + "/api/v1/query", json.dumps({"sql": sql}),
                            {"Content-Type": "application/json"})
        assert status == 200, f"query failed ({status}): {body[:2000]!r}\nSQL: {sql}"
        return json.loads(body)

    def scalar(self, sql):
        return self.query(sql)["rows"][0][0]

    def ingest(self, stream, lines):
        body = "".join(json.dumps(x) + "\n" for x in lines) if not isinstance(lines, (str, bytes)) else lines
        status, out = http("POST", f"{self.url}/api/v1/streams/{stream}/records", body,
                           {"Content-Type": "application/x-ndjson"})
        return status, json.loads(out) if out else None


@pytest.fixture
def sluice_factory(tmp_path):
    started = []

    def make(config_body="", name="sluice"):
        s = Sluice(tmp_path, config_body, name)
        started.append(s)
        return s

    yield make
    for s in started:
        if s.proc and s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


class Agent:
    """A `sluice agent` child process with its own API port and data
    directory under `tmp_path`; stderr goes to agent.log, stdout to
    agent.stdout when `capture_stdout`."""

    def __init__(self, tmp_path, config_text, capture_stdout=False):
        self.port = free_port()
        self.dir = tmp_path / "agent-data"
        self.config = tmp_path / "agent.toml"
        self.config.write_text(f'[api]\nlisten = "127.0.0.1:{self.port}"\n\n' + config_text)
        self.log = tmp_path / "agent.log"
        self.stdout = tmp_path / "agent.stdout" if capture_stdout else None
        self.proc = None
        self.signalled = False  # stop() or kill() signalled the running process

    def ready(self):
        return http("GET", f"http://127.0.0.1:{self.port}/readyz")[0] == 200

    def start(self, wait_ready=True):
        out = open(self.stdout, "ab") if self.stdout else subprocess.DEVNULL
        self.signalled = False
        self.proc = subprocess.Popen(
            [SLUICE_BIN, "agent", "--config", str(self.config), "--data-dir", str(self.dir)],
            stdout=out, stderr=open(self.log, "ab"))
        if wait_ready:
            wait_for(lambda: self.proc.poll() is not None or self.ready(), timeout=60, what="agent /readyz")
            assert self.proc.poll() is None, self.log.read_text()
        return self

    def stop(self, sig=signal.SIGTERM):
        """Signals the agent and waits for it; its exit code (None when it
        was never started). A SIGKILL needs a running agent: killing one that
        had died would hide its crash."""
        if not self.proc:
            return None
        if sig == signal.SIGKILL and not self.signalled:
            assert self.proc.poll() is None, "the agent died before the kill: " + self.log.read_text()[-2000:]
        if self.proc.poll() is None:
            self.signalled = True
            self.proc.send_signal(sig)
            self.proc.wait(timeout=90)
        return self.proc.returncode

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.signalled = True
            self.proc.kill()
            self.proc.wait()

    def metric(self, name, **labels):
        """Sum of the agent's /metrics samples of `name` whose labels include `labels`."""
        status, body = http("GET", f"http://127.0.0.1:{self.port}/metrics")
        assert status == 200
        total = 0.0
        for line in body.decode().splitlines():
            m = re.match(r'^(\w+)(?:\{(.*)\})? (\S+)$', line)
            if not m or m.group(1) != name:
                continue
            have = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
            if all(have.get(k) == v for k, v in labels.items()):
                total += float(m.group(3))
        return total


@pytest.fixture
def agents():
    """A list to append started Agents to; each is killed at the end of the test."""
    started = []
    yield started
    for a in started:
        a.kill()
