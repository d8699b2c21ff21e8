"""The exec source under `sluice run`: allow-listed commands on an interval,
their output lines and exit records in the store, and no child left behind."""
import os
import shutil
import signal
import subprocess

from conftest import SLUICE_BIN, wait_for

SH = shutil.which("sh")


def exec_config(script, interval="200ms", timeout="10s", extra=""):
    return f"""
[sources.probe]
type = "exec"
command = ["sh", "-c", '''{script}''']
allowed_commands = ["{SH}"]
interval = "{interval}"
timeout = "{timeout}"
{extra}

[sinks.store]
type = "store"
inputs = ["probe"]
stream = "probe"
"""


def exits(s):
    return s.scalar("SELECT count(*) FROM probe WHERE attributes['event.name'] = 'exec.exit'")


def alive(pid):
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_exec_lines_and_exit_records_in_the_store(sluice_factory):
    s = sluice_factory(exec_config("echo hello world; echo oops >&2; sleep 0.2; exit 2")).start()
    wait_for(lambda: exits(s) >= 3, timeout=60, what="three runs")
    q = s.query("""
        SELECT body, attributes['exec.stream'], attributes['process.command'], attributes['process.command_args'],
               attributes['process.pid']
        FROM probe WHERE attributes['event.name'] IS NULL ORDER BY _offset LIMIT 2""")["rows"]
    assert sorted(r[0] for r in q) == ["hello world", "oops"], q
    assert sorted(r[1] for r in q) == ["stderr", "stdout"], q
    assert q[0][2] == "sh"
    assert q[0][3] == '["sh","-c","echo hello world; echo oops >&2; sleep 0.2; exit 2"]'
    assert q[0][4] == q[1][4] and int(q[0][4]) > 0  # both lines of one run carry its pid
    row = s.query("""
        SELECT body, attributes['process.exit.code'], attributes['exec.duration_ms'], attributes['exec.output.lines'],
               severity_number, attributes['process.pid']
        FROM probe WHERE attributes['event.name'] = 'exec.exit' ORDER BY _offset LIMIT 1""")["rows"][0]
    assert row[0] == "sh exited with code 2"
    assert row[1] == "2"
    assert float(row[2]) >= 200  # the run slept 0.2 s
    assert row[3] == "2"
    assert row[4] == 17  # ERROR: a non-zero exit code
    assert row[5] == q[0][4]
    # Every run's pid differs: each run is a new process.
    assert s.scalar("SELECT count(DISTINCT attributes['process.pid']) FROM probe") >= 3
    assert s.stop() == 0


def test_exec_timeout_is_recorded(sluice_factory):
    s = sluice_factory(exec_config("echo started; sleep 30", interval="1m", timeout="300ms",
                                   extra='kill_grace = "100ms"')).start()
    wait_for(lambda: exits(s) >= 1, timeout=60, what="the timed-out run's exit record")
    row = s.query("""
        SELECT body, attributes['exec.timed_out'], attributes['exec.signal'] FROM probe
        WHERE attributes['event.name'] = 'exec.exit'""")["rows"][0]
    assert row == ["sh was killed by SIGTERM (timed out)", "true", "SIGTERM"], row
    assert s.scalar("SELECT count(*) FROM probe WHERE body = 'started'") == 1
    assert s.stop() == 0


def test_exec_child_does_not_outlive_sluice_stop(sluice_factory, tmp_path):
    pidfile = tmp_path / "child.pid"
    s = sluice_factory(exec_config(f"echo $$ > {pidfile}; exec sleep 600", interval="1h", timeout="1h")).start()
    wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), what="the child to write its pid")
    pid = int(pidfile.read_text())
    assert alive(pid)
    assert s.stop() == 0
    assert not alive(pid), f"child {pid} outlived sluice"


def test_exec_command_outside_the_allow_list_does_not_load(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(f"""
[sources.probe]
type = "exec"
command = ["sh", "-c", "id"]
allowed_commands = ["/usr/bin/df"]
""")
    r = subprocess.run([SLUICE_BIN, "config", "check", str(cfg)], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "sources.probe" in r.stderr, r.stderr
    assert f'command "sh" resolves to' in r.stderr, r.stderr
    assert 'not in allowed_commands ["/usr/bin/df"]' in r.stderr, r.stderr
