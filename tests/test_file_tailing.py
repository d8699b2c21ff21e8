"""The file source as a replacement for Fluent Bit's tail and Vector's file
source: copytruncate rotation (with a kill -9 in the middle), compressed
rotated files, per-file rate limits, files deleted while being read, and the
per-file lag metrics."""
import bz2
import gzip
import lzma
import os
import shutil
import threading
import time
import zipfile

import zstandard

from conftest import http, wait_for


def store_config(logdir, extra="", pattern="app.log*", stream="tail"):
    return f"""
[sources.app]
type = "file"
include = ["{logdir}/{pattern}"]
{extra}

[sinks.store]
type = "store"
inputs = ["app"]
stream = "{stream}"
"""


def metrics(s):
    status, body = http("GET", s.url + "/metrics")
    assert status == 200
    return body.decode()


def metric_value(text, prefix):
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.rsplit(" ", 1)[1])
    return None


def assert_exactly_once(s, stream, total):
    """Every one of `total` distinct lines is stored exactly once."""
    wait_for(lambda: s.scalar(f"SELECT count(*) FROM {stream}") >= total, timeout=90,
             what=f"{total} rows in {stream}")
    # Give a late duplicate the chance to show up: wait for the source to be
    # idle (no file lags) before counting again.
    def no_lag():
        lagging = [l for l in metrics(s).splitlines()
                   if l.startswith("sluice_file_source_lag_bytes{") and float(l.rsplit(" ", 1)[1]) != 0]
        if lagging:
            raise AssertionError(f"lagging: {lagging}")
        return True

    wait_for(no_lag, timeout=60, what="no lag")
    assert s.scalar(f"SELECT count(*) FROM {stream}") == total
    assert s.scalar(f"SELECT count(DISTINCT body) FROM {stream}") == total


class CopyTruncateWriter(threading.Thread):
    """Appends numbered lines to `live` without pause and, every `period`
    seconds, rotates it like logrotate's copytruncate: copies it to
    app.log.N, then truncates it. Copy and truncate happen between two of its
    own writes, so logrotate's race (lines written between its copy and its
    truncate are lost by logrotate itself) does not occur."""

    def __init__(self, live, period=0.1):
        super().__init__(daemon=True)
        self.live = live
        self.period = period
        self.seq = 0
        self.copies = 0
        self.done = threading.Event()

    def run(self):
        fd = os.open(self.live, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        next_rotation = time.monotonic() + self.period
        try:
            while not self.done.is_set():
                chunk = "".join(f"seq={self.seq + i:08d} GET /item/{self.seq + i} 200\n" for i in range(20))
                os.write(fd, chunk.encode())
                self.seq += 20
                if time.monotonic() >= next_rotation:
                    self.copies += 1
                    shutil.copyfile(self.live, f"{self.live}.{self.copies}")
                    os.ftruncate(fd, 0)
                    next_rotation += self.period
                time.sleep(0.002)
        finally:
            os.close(fd)


def test_copytruncate_every_100ms_with_kill9_and_restart(sluice_factory, tmp_path):
    logdir = tmp_path / "logs"
    logdir.mkdir()
    live = logdir / "app.log"
    s = sluice_factory(store_config(logdir, stream="ct")).start()
    writer = CopyTruncateWriter(str(live))
    writer.start()
    try:
        wait_for(lambda: s.scalar("SELECT count(*) FROM ct") >= 5000, timeout=60, what="first rows")
        wait_for(lambda: writer.copies >= 20, timeout=60, what="20 rotations")
        s.kill9()
        # Rotations go on while sluice is down.
        down_from = writer.copies
        wait_for(lambda: writer.copies >= down_from + 5, timeout=60, what="rotations while down")
        s.start()
        restarted_at = writer.copies
        wait_for(lambda: writer.copies >= restarted_at + 20, timeout=60, what="rotations after the restart")
    finally:
        writer.done.set()
        writer.join()
    assert writer.copies >= 45
    assert_exactly_once(s, "ct", writer.seq)
    assert s.stop() == 0


def test_compressed_rotated_files_are_skipped_by_content(sluice_factory, tmp_path):
    logdir = tmp_path / "logs"
    logdir.mkdir()
    old = b"".join(b"old line %d\n" % i for i in range(100))
    # Rotated and compressed, named without a telling extension.
    (logdir / "app.log.1").write_bytes(gzip.compress(old))
    (logdir / "app.log.2").write_bytes(bz2.compress(old))
    (logdir / "app.log.3").write_bytes(lzma.compress(old))
    (logdir / "app.log.4").write_bytes(zstandard.ZstdCompressor().compress(old))
    with zipfile.ZipFile(logdir / "app.log.5", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("app.log", old)
    (logdir / "app.log.6.gz").write_bytes(gzip.compress(old))
    (logdir / "app.log").write_text("live 1\nlive 2\n")
    s = sluice_factory(store_config(logdir, stream="cz")).start()
    wait_for(lambda: s.scalar("SELECT count(*) FROM cz") >= 2, what="live lines")
    # One that appears later is skipped too; the live file keeps being read.
    (logdir / "app.log.7").write_bytes(gzip.compress(old))
    with open(logdir / "app.log", "a") as f:
        f.write("live 3\n")
    wait_for(lambda: s.scalar("SELECT count(*) FROM cz") >= 3, what="third live line")
    wait_for(lambda: "app.log.7: gzip-compressed" in s.log.read_text(), what="app.log.7 skipped")
    assert sorted(r[0] for r in s.query("SELECT body FROM cz")["rows"]) == ["live 1", "live 2", "live 3"]
    log = s.log.read_text()
    for name, fmt in [("app.log.1", "gzip"), ("app.log.2", "bzip2"), ("app.log.3", "xz"), ("app.log.4", "zstd"),
                      ("app.log.5", "zip")]:
        assert f"{name}: {fmt}-compressed" in log
        assert log.count(f"{name}: {fmt}-compressed") == 1  # logged once
    assert metric_value(metrics(s), 'sluice_file_source_watched_files{component="app"}') == 1
    assert s.stop() == 0


def test_rate_limited_file_arrives_complete(sluice_factory, tmp_path):
    logdir = tmp_path / "logs"
    logdir.mkdir()
    lines = [f"limited {i:06d} " + "x" * 80 for i in range(3000)]  # ~270 KB
    (logdir / "app.log").write_text("".join(l + "\n" for l in lines))
    s = sluice_factory(store_config(logdir, 'max_read_bytes_per_second = "100KB"', stream="rl")).start()
    # Behind at first (the bucket holds one second), lag visible per file.
    text = metrics(s)
    lag = metric_value(text, f'sluice_file_source_lag_bytes{{component="app",path="{logdir}/app.log"}}')
    assert lag is not None and lag > 0, text
    assert_exactly_once(s, "rl", len(lines))
    assert s.stop() == 0


def test_file_deleted_while_being_read_is_read_to_its_end(sluice_factory, tmp_path):
    logdir = tmp_path / "logs"
    logdir.mkdir()
    path = logdir / "app.log"
    path.write_text("".join(f"doomed {i:06d} {'y' * 60}\n" for i in range(8000)))  # ~580 KB
    s = sluice_factory(store_config(logdir, 'max_read_bytes_per_second = "100KB"\nrotate_wait = "200ms"',
                                    stream="del")).start()
    wait_for(lambda: s.scalar("SELECT count(*) FROM del") > 0, what="first rows")
    os.unlink(path)
    assert s.scalar("SELECT count(*) FROM del") < 8000, "deleted too late to test anything"
    assert_exactly_once(s, "del", 8000)
    # Then it is closed: no series, no file.
    wait_for(lambda: metric_value(metrics(s), 'sluice_file_source_watched_files{component="app"}') == 0,
             what="file closed")
    assert "sluice_file_source_lag_bytes{" not in metrics(s)
    assert s.stop() == 0


def test_many_files_lag_series_follow_the_files(sluice_factory, tmp_path):
    logdir = tmp_path / "logs"
    logdir.mkdir()
    for i in range(500):
        (logdir / f"f{i:04d}.log").write_text(f"file {i} line 1\nfile {i} line 2\n")
    # Re-scans and polls an hour apart: what follows the files is inotify.
    s = sluice_factory(store_config(logdir, 'rotate_wait = "100ms"\nglob_interval = "1h"\npoll_interval = "1h"',
                                    pattern="*.log", stream="many")).start()
    wait_for(lambda: s.scalar("SELECT count(*) FROM many") >= 1000, what="1000 rows")
    text = metrics(s)
    assert metric_value(text, 'sluice_file_source_watched_files{component="app"}') == 500
    series = [l for l in text.splitlines() if l.startswith('sluice_file_source_lag_bytes{component="app"')]
    assert len(series) == 500 and all(l.endswith(" 0") for l in series), series[:3]
    # Files that appear later are found (by inotify: no poll comes) and read.
    for i in range(500, 600):
        (logdir / f"f{i:04d}.log").write_text(f"file {i} line 1\n")
    wait_for(lambda: s.scalar("SELECT count(*) FROM many") >= 1100, what="1100 rows")
    # Deleted files are forgotten with their series.
    for i in range(0, 600, 2):
        os.unlink(logdir / f"f{i:04d}.log")
    wait_for(lambda: metric_value(metrics(s), 'sluice_file_source_watched_files{component="app"}') == 300,
             what="300 files left")
    wait_for(lambda: len([l for l in metrics(s).splitlines()
                          if l.startswith("sluice_file_source_lag_bytes{")]) == 300, what="300 lag series")
    assert s.scalar("SELECT count(*) FROM many") == 1100
    assert s.stop() == 0
