"""Rename rotation under load loses nothing and repeats nothing."""
import os
import threading
import time

from conftest import http, wait_for


def test_rename_rotation_under_load(sluice_factory, tmp_path):
    logdir = tmp_path / "logs"
    logdir.mkdir()
    log = logdir / "access.log"
    log.write_text("")
    s = sluice_factory(f"""
[sources.app]
type = "file"
include = ["{logdir}/*.log"]
poll_interval = "20ms"
glob_interval = "100ms"

[sinks.store]
type = "store"
inputs = ["app"]
stream = "rot"
""").start()
    total = 0
    rotations = 0
    f = open(log, "a", buffering=1)
    while total < 30000:
        for _ in range(500):
            f.write(f"req {total:06d}\n")
            total += 1
        if total % 3000 == 0:
            # logrotate's "create" mode: rename, then a new file at the path.
            f.close()
            os.rename(log, logdir / f"access.log.{rotations}")
            rotations += 1
            f = open(log, "a", buffering=1)
        time.sleep(0.002)
    f.close()
    wait_for(lambda: s.scalar("SELECT count(*) FROM rot") >= total, timeout=60, what=f"{total} lines")
    time.sleep(0.5)  # anything extra would show up now
    assert s.scalar("SELECT count(*) FROM rot") == total
    assert s.scalar("SELECT count(DISTINCT body) FROM rot") == total
    assert rotations == 10
    # Per-source metrics count every line once: "req NNNNNN" is 10 bytes.
    _, metrics = http("GET", s.url + "/metrics")
    line = next(l for l in metrics.decode().splitlines()
                if l.startswith('sluice_component_sent_bytes_total{component="app"'))
    assert float(line.split()[-1]) == total * 10, line
    assert s.stop() == 0
