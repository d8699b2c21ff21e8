"""kill -9 at random moments: every line tailed from a file, and every
acknowledged HTTP record, is stored exactly once after restart."""
import json
import os
import random
import threading
import time

import pytest

from conftest import http, wait_for

FILE_CONFIG = """
[sources.app]
type = "file"
include = ["{path}"]
start_at = "beginning"
poll_interval = "20ms"

[sinks.store]
type = "store"
inputs = ["app"]
stream = "app"
"""


# The same source into a second stream by two paths: each sink commits its
# own positions (and `paths` one per path), so at a kill they stand at
# different offsets: the path through `hold` is behind, as the multiline
# transform keeps each line of one in 1,000 (and the positions since) until
# the next one comes. The source resumes from the smallest, and a sink skips
# the lines it had (path_positions.hpp).
FAN_OUT = """
[transforms.a]
type = "set"
inputs = ["app"]
fields = { "attributes.path" = "a" }

[transforms.split]
type = "route"
inputs = ["app"]
route.thousands = 'body =~ "000 "'

[transforms.hold]
type = "multiline"
inputs = ["split.thousands"]
start_pattern = '^line '
timeout = "2s"

[transforms.b]
type = "set"
inputs = ["hold"]
fields = { "attributes.path" = "b" }

[sinks.both]
type = "store"
inputs = ["a", "b"]
stream = "paths"
"""


@pytest.mark.parametrize("fan_out", [False, True], ids=["one-sink", "two-sinks-one-by-two-paths"])
def test_file_lines_exactly_once_across_kill9(sluice_factory, tmp_path, fan_out):
    log = tmp_path / "app.log"
    log.write_text("")
    s = sluice_factory(FILE_CONFIG.format(path=log) + (FAN_OUT if fan_out else "")).start()
    rng = random.Random(42)
    total = 0
    stop = threading.Event()

    def writer():
        nonlocal total
        with open(log, "a", buffering=1) as f:
            # About 10,000 lines/s, so writing spans every crash below.
            while not stop.is_set() and total < 100000:
                for _ in range(100):
                    f.write(f"line {total:07d} {'x' * rng.randint(0, 120)}\n")
                    total += 1
                time.sleep(0.01)

    t = threading.Thread(target=writer)
    t.start()
    wait_for(lambda: total > 0, what="the writer to start")
    for _ in range(4):
        time.sleep(rng.uniform(0.2, 1.0))
        s.kill9()
        s.start()
    stop.set()
    t.join()
    written = total
    assert 1000 < written < 100000, written  # the writer ran across all the crashes
    wait_for(lambda: s.scalar("SELECT count(*) FROM app") >= written, timeout=60, what=f"{written} lines stored")
    assert s.scalar("SELECT count(*) FROM app") == written
    assert s.scalar("SELECT count(DISTINCT body) FROM app") == written
    assert s.query("SELECT body FROM app GROUP BY body HAVING count(*) > 1 LIMIT 5")["rows"] == []
    # The file path is recorded with OpenTelemetry's attribute name.
    assert s.scalar("SELECT count(*) FROM app WHERE attributes['log.file.path'] = '%s'" % log) == written
    if fan_out:
        want_a = s.query("SELECT body FROM app ORDER BY body")["rows"]
        want_b = [r for r in want_a if r[0][5:12].endswith("000")]
        wait_for(lambda: s.scalar("SELECT count(*) FROM paths") >= written + len(want_b), timeout=60,
                 what=f"{written} lines and one in 1,000 again in `paths`")
        assert s.query("SELECT body FROM paths WHERE attributes['path'] = 'a' ORDER BY body")["rows"] == want_a
        assert s.query("SELECT body FROM paths WHERE attributes['path'] = 'b' ORDER BY body")["rows"] == want_b
        assert s.scalar("SELECT count(*) FROM paths") == written + len(want_b)
    assert s.stop() == 0


def test_acknowledged_http_records_survive_kill9_once(sluice_factory):
    s = sluice_factory().start()
    acked = []
    next_id = 0
    rng = random.Random(7)
    for crash in range(3):
        deadline = time.monotonic() + rng.uniform(0.3, 0.8)
        killer = threading.Timer(rng.uniform(0.1, 0.3), s.kill9)
        killer.start()
        while time.monotonic() < deadline:
            batch = [{"body": f"rec {next_id + i}", "attributes": {"id": str(next_id + i)}} for i in range(50)]
            next_id += 50
            try:
                status, out = s.ingest("acks", batch)
            except Exception:
                continue  # connection refused or reset: the process is gone
            if status == 200:
                assert out["accepted"] == len(batch)
                acked.extend(int(b["attributes"]["id"]) for b in batch)
        killer.join()
        if s.proc.poll() is None:
            s.kill9()
        s.start()
    assert acked, "no write was acknowledged"
    ids = s.query(f"SELECT attributes['id']::BIGINT AS id, count(*) FROM acks GROUP BY 1 HAVING count(*) > 1 LIMIT 5")
    assert ids["rows"] == [], "records stored twice"
    present = set()
    for row in s.query("SELECT attributes['id']::BIGINT FROM acks LIMIT 1000000")["rows"]:
        present.add(row[0])
    missing = [i for i in acked if i not in present]
    assert not missing, f"{len(missing)} acknowledged records lost, e.g. {missing[:5]}"
    s.stop()
