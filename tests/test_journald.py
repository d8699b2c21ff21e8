"""The journald source under `sluice run`, on real journal files written by
systemd-journal-remote from the Journal Export Format (no journald needs to
run): mapping, filters, and exactly-once across kill -9."""
import glob
import os
import random
import subprocess
import threading
import time

import pytest

from conftest import wait_for

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"

pytestmark = pytest.mark.skipif(not os.access(JOURNAL_REMOTE, os.X_OK),
                                reason="needs systemd-journal-remote (Debian package systemd-journal-remote)")


class Journal:
    """A directory of journal files; append() writes entries through
    systemd-journal-remote, which appends to an existing file."""

    def __init__(self, path):
        self.dir = path
        self.dir.mkdir()
        self.n = 0

    def append(self, entries, file="remote"):
        parts = []
        for fields in entries:
            self.n += 1
            parts.append(f"__REALTIME_TIMESTAMP={1700000000000000 + self.n * 1000}\n"
                         f"__MONOTONIC_TIMESTAMP={self.n * 1000}\n"
                         "_BOOT_ID=0123456789abcdef0123456789abcdef\n" +
                         "".join(f"{k}={v}\n" for k, v in fields.items()) + "\n")
        r = subprocess.run([JOURNAL_REMOTE, f"--output={self.dir / (file + '.journal')}", "-"],
                           input="".join(parts).encode(), capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr


def config(directory, extra=""):
    return f"""
[sources.jd]
type = "journald"
directory = "{directory}"
reopen_interval = "200ms"
{extra}

[sinks.store]
type = "store"
inputs = ["jd"]
stream = "journal"
"""


def entry(msg, unit="app.service", priority=6, **more):
    e = {"MESSAGE": msg, "PRIORITY": str(priority), "_SYSTEMD_UNIT": unit, "SYSLOG_IDENTIFIER": "app",
         "_PID": "4242", "_COMM": "app", "_HOSTNAME": "web1", "_TRANSPORT": "journal"}
    e.update(more)
    return e


def test_journald_maps_entries_into_the_store(sluice_factory, tmp_path):
    j = Journal(tmp_path / "journal")
    j.append([entry("started"), entry("disk almost full", priority=4), entry("crashed", priority=2)])
    s = sluice_factory(config(j.dir)).start()
    wait_for(lambda: s.scalar("SELECT count(*) FROM journal") >= 3, what="3 entries")
    rows = s.query("""
        SELECT body, severity_number, severity_text, attributes['process.pid'], attributes['syslog.app_name'],
               attributes['journald._SYSTEMD_UNIT'], attributes['process.executable.name'], resource['host.name'],
               epoch_us(timestamp)
        FROM journal ORDER BY _offset""")["rows"]
    assert [r[0] for r in rows] == ["started", "disk almost full", "crashed"]
    assert [(r[1], r[2]) for r in rows] == [(9, "info"), (13, "warning"), (18, "crit")]
    assert rows[0][3:8] == ["4242", "app", "app.service", "app", "web1"]
    assert rows[0][8] == 1700000000001000  # __REALTIME_TIMESTAMP
    assert s.stop() == 0


def test_journald_units_filter_and_new_entries(sluice_factory, tmp_path):
    j = Journal(tmp_path / "journal")
    j.append([entry("app 1"), entry("db 1", unit="db.service")])
    s = sluice_factory(config(j.dir, 'units = ["db"]')).start()
    wait_for(lambda: s.scalar("SELECT count(*) FROM journal") >= 1, what="the db entry")
    j.append([entry("db 2", unit="db.service"), entry("app 2")])  # picked up while running
    wait_for(lambda: s.scalar("SELECT count(*) FROM journal") >= 2, what="the new db entry")
    time.sleep(0.3)  # an app entry, if wrongly let through, would show up now
    assert [r[0] for r in s.query("SELECT body FROM journal ORDER BY _offset")["rows"]] == ["db 1", "db 2"]
    assert s.stop() == 0


def test_journald_exactly_once_across_kill9(sluice_factory, tmp_path):
    j = Journal(tmp_path / "journal")
    s = sluice_factory(config(j.dir, "max_batch_records = 50")).start()
    rng = random.Random(7)
    total = 0
    stop = threading.Event()

    def writer():
        nonlocal total
        while not stop.is_set() and total < 20000:
            n = rng.randint(20, 200)
            j.append([entry(f"entry {total + i:06d}") for i in range(n)])
            total += n
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
    assert written > 500, written
    wait_for(lambda: s.scalar("SELECT count(*) FROM journal") >= written, timeout=60, what=f"{written} entries")
    time.sleep(0.3)
    assert s.scalar("SELECT count(*) FROM journal") == written
    assert s.scalar("SELECT count(DISTINCT body) FROM journal") == written
    assert s.stop() == 0


def test_journald_start_at_end_and_restart(sluice_factory, tmp_path):
    j = Journal(tmp_path / "journal")
    j.append([entry("old 1"), entry("old 2")])
    s = sluice_factory(config(j.dir, 'start_at = "end"')).start()
    j.append([entry("new 1")])
    wait_for(lambda: s.scalar("SELECT count(*) FROM journal") >= 1, what="the new entry")
    assert s.stop() == 0
    j.append([entry("new 2")])  # while stopped
    s.start()
    wait_for(lambda: s.scalar("SELECT count(*) FROM journal") >= 2, what="the entry written while stopped")
    time.sleep(0.3)
    assert [r[0] for r in s.query("SELECT body FROM journal ORDER BY _offset")["rows"]] == ["new 1", "new 2"]
    assert s.stop() == 0


def test_journald_without_a_journal_warns_and_idles(sluice_factory, tmp_path):
    missing = tmp_path / "no-journal-here"
    s = sluice_factory(config(missing)).start()
    wait_for(lambda: "journald source jd" in s.log.read_text(), what="the warning")
    text = s.log.read_text()
    assert str(missing) in text and "idle" in text, text[-2000:]
    # It keeps looking: once a journal appears there, it is read.
    j = Journal(missing)
    j.append([entry("finally")])
    wait_for(lambda: s.scalar("SELECT count(*) FROM journal") >= 1, what="the late journal")
    assert s.stop() == 0


def test_journald_system_journal_when_none_exists(sluice_factory):
    have_files = glob.glob("/run/log/journal/**/*.journal", recursive=True) + \
        glob.glob("/var/log/journal/**/*.journal", recursive=True)
    if have_files:
        pytest.skip("this host has a system journal")
    s = sluice_factory("""
[sources.jd]
type = "journald"

[sinks.store]
type = "store"
inputs = ["jd"]
stream = "journal"
""").start()
    wait_for(lambda: "no journal files found" in s.log.read_text(), what="the no-journal warning")
    assert s.stop() == 0
