"""Limits and durability modes of a real `sluice run`: idle connections are
closed, and every fsync policy keeps acknowledged records across a restart."""
import json
import socket
import time

import pytest

from conftest import http, wait_for


def test_idle_connection_is_closed_and_server_keeps_serving(sluice_factory):
    s = sluice_factory()
    s.config.write_text(s.config.read_text().replace('[store]', 'idle_timeout = "300ms"\n\n[store]'))
    s.start()
    idle = socket.create_connection(("127.0.0.1", s.port))
    idle.settimeout(10)
    t0 = time.monotonic()
    assert idle.recv(1) == b"", "the server should close an idle connection"
    assert time.monotonic() - t0 < 8
    # A half-sent request counts as idle too.
    slow = socket.create_connection(("127.0.0.1", s.port))
    slow.settimeout(10)
    slow.sendall(b"POST /api/v1/streams/x/records HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
    assert slow.recv(1) == b""
    status, metrics = http("GET", s.url + "/metrics")
    assert status == 200
    line = next(l for l in metrics.decode().splitlines() if l.startswith("sluice_tcp_connections_timed_out_total"))
    assert float(line.split()[-1]) >= 2, line
    assert s.stop() == 0


@pytest.mark.parametrize("policy", ["batch", "interval", "off"])
def test_every_fsync_policy_keeps_acknowledged_records_across_restart(sluice_factory, policy):
    s = sluice_factory(name=f"fsync-{policy}")
    s.config.write_text(s.config.read_text().replace('[store]', f'[store]\nfsync = "{policy}"\ncompact_interval = "1s"', 1))
    s.start()
    for i in range(5):
        status, out = s.ingest("app", [{"body": f"r{i}-{j}"} for j in range(100)])
        assert status == 200, out
    # Compaction (every second) moves records into Parquet and trims the WAL.
    wait_for(lambda: json.loads(http("GET", s.url + "/api/v1/streams")[1])["streams"][0]["segments"] > 0,
             what="a compaction")
    status, out = s.ingest("app", [{"body": "after compaction"}])
    assert out["first_offset"] == 500
    assert s.stop() == 0
    s.start()
    assert s.scalar("SELECT count(*) FROM app") == 501
    assert s.scalar("SELECT count(DISTINCT body) FROM app") == 501
    status, out = s.ingest("app", [{"body": "after restart"}])
    assert out["first_offset"] == 501
    assert s.stop() == 0
