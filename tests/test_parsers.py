"""The container and text-log parsers end to end: a `sluice run` tails files
this test writes (CRI lines whose partial pieces arrive in separate writes,
Docker json-file lines with a line Docker split at 16 KiB, logfmt lines and
an sshd auth.log excerpt), each through its parser into a store stream.
SQL then checks the joined bodies, the extracted attributes, and that no
line is lost or stored twice; a partial line whose final piece comes only
after partial_timeout is emitted on its own and its end marked."""
import json
import time

from conftest import wait_for

CONFIG = """
[sources.cri]
type = "file"
include = ["{d}/pods/*.log"]
poll_interval = "50ms"
glob_interval = "100ms"

[sources.docker]
type = "file"
include = ["{d}/docker/*-json.log"]
poll_interval = "50ms"
glob_interval = "100ms"

[sources.app]
type = "file"
include = ["{d}/app.log"]
poll_interval = "50ms"
glob_interval = "100ms"

[sources.auth]
type = "file"
include = ["{d}/auth.log"]
poll_interval = "50ms"
glob_interval = "100ms"

[transforms.cri_parsed]
type = "parse_cri"
inputs = ["cri"]
partial_timeout = "1s"

[transforms.docker_parsed]
type = "parse_docker"
inputs = ["docker"]
partial_timeout = "1s"

[transforms.app_parsed]
type = "parse_logfmt"
inputs = ["app"]

[transforms.auth_parsed]
type = "parse_regex"
inputs = ["auth"]
preset = "sshd"

[sinks.cri_store]
type = "store"
inputs = ["cri_parsed"]
stream = "cri"

[sinks.docker_store]
type = "store"
inputs = ["docker_parsed"]
stream = "docker"

[sinks.app_store]
type = "store"
inputs = ["app_parsed"]
stream = "app"

[sinks.auth_store]
type = "store"
inputs = ["auth_parsed"]
stream = "auth"
"""

AUTH_LOG = """\
Nov 21 14:30:01 bastion sshd[1001]: Accepted publickey for alice from 203.0.113.5 port 50522 ssh2: ED25519 SHA256:pE2ZdTjK0p1bX9vYbq9Xl1u3C5vj7y1Hh0mW4Xo0Z2E
Nov 21 14:30:02 bastion sshd[1001]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)
Nov 21 14:30:05 bastion sshd[1002]: Invalid user admin from 198.51.100.23 port 41822
Nov 21 14:30:07 bastion sshd[1002]: Failed password for invalid user admin from 198.51.100.23 port 41822 ssh2
Nov 21 14:30:09 bastion sshd[1002]: Connection closed by invalid user admin 198.51.100.23 port 41822 [preauth]
Nov 21 14:30:10 bastion CRON[1003]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
Nov 21 14:30:12 bastion sshd[1004]: Failed password for root from 198.51.100.23 port 41830 ssh2
Nov 21 14:30:14 bastion sshd[1004]: Disconnected from authenticating user root 198.51.100.23 port 41830 [preauth]
Nov 21 14:30:20 bastion sshd[1001]: Received disconnect from 203.0.113.5 port 50522:11: disconnected by user
Nov 21 14:30:20 bastion sshd[1001]: Disconnected from user alice 203.0.113.5 port 50522
Nov 21 14:30:21 bastion sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls
"""

APP_LOG = """\
ts=2024-05-01T10:00:00Z level=info msg="user logged in" user=alice duration_ms=12
ts=1714557601 lvl=error msg="db \\"primary\\" down" retry
time=2024-05-01T10:00:02.5Z level=warn message=slow path=/api/orders
garbage msg="unterminated
"""


def append(path, text):
    with open(path, "a") as f:
        f.write(text)
        f.flush()


def rows(s, sql):
    return s.query(sql)["rows"]


def test_parsers_end_to_end(sluice_factory, tmp_path):
    d = tmp_path / "logs"
    for sub in ("pods", "docker"):
        (d / sub).mkdir(parents=True)
    pod_a, pod_b = d / "pods" / "a.log", d / "pods" / "b.log"
    docker_log = d / "docker" / "c1-json.log"
    (d / "app.log").write_text(APP_LOG)
    (d / "auth.log").write_text(AUTH_LOG)

    s = sluice_factory(CONFIG.format(d=d)).start()

    # CRI: partial pieces of two files and two streams, each piece in its own
    # write (the pauses let the file source read them into separate batches).
    append(pod_a, "2024-05-01T10:00:00.000000001Z stdout F starting\n"
                  "2024-05-01T10:00:01Z stdout P part-one-\n")
    append(pod_b, "2024-05-01T10:00:01Z stderr P b-err-\n")
    time.sleep(0.3)
    append(pod_a, "2024-05-01T10:00:01.1Z stderr F an error line\n"
                  "2024-05-01T10:00:01.2Z stdout P part-two-\n")
    time.sleep(0.3)
    append(pod_b, "2024-05-01T10:00:02Z stderr F end\n")
    append(pod_a, "2024-05-01T10:00:01.3Z stdout F part-three\n"
                  "not a cri line\n")

    # Docker: a 20000-byte line that Docker split after 16 KiB.
    head, tail = "x" * 16384, "y" * 3616
    with open(docker_log, "w") as f:
        for log, stream, t in [("hello\n", "stdout", "2024-05-01T10:00:00.5Z"),
                               (head, "stdout", "2024-05-01T10:00:01Z"),
                               ("err\n", "stderr", "2024-05-01T10:00:01.1Z")]:
            f.write(json.dumps({"log": log, "stream": stream, "time": t}) + "\n")
    time.sleep(0.3)
    append(docker_log, json.dumps({"log": tail + "\n", "stream": "stdout", "time": "2024-05-01T10:00:01.2Z"}) + "\n")

    wait_for(lambda: s.scalar("SELECT count(*) FROM cri") >= 5, timeout=30, what="cri records")
    wait_for(lambda: s.scalar("SELECT count(*) FROM docker") >= 3, timeout=30, what="docker records")
    wait_for(lambda: s.scalar("SELECT count(*) FROM app") >= 4, timeout=30, what="app records")
    wait_for(lambda: s.scalar("SELECT count(*) FROM auth") >= 11, timeout=30, what="auth records")

    # --- CRI: joined bodies in place of the final piece, nothing else.
    got = rows(s, "SELECT attributes['log.file.name'], attributes['log.iostream'], body, "
                  "epoch_ns(timestamp), attributes['log.split'], attributes['parse.error'] IS NOT NULL "
                  "FROM cri ORDER BY _offset")
    by_body = {r[2]: r for r in got}
    assert sorted(by_body) == sorted(["starting", "part-one-part-two-part-three", "an error line", "b-err-end",
                                      "not a cri line"]), got
    assert len(got) == 5, got
    joined = by_body["part-one-part-two-part-three"]
    assert joined[0:2] == ["a.log", "stdout"]
    assert joined[3] == 1714557601 * 10**9  # the first piece's time
    assert joined[4] is None and joined[5] is False
    assert by_body["b-err-end"][0:2] == ["b.log", "stderr"]
    assert by_body["starting"][3] == 1714557600 * 10**9 + 1
    assert by_body["not a cri line"][5] is True
    assert by_body["not a cri line"][1] is None

    # A partial whose final piece comes after partial_timeout: emitted on
    # its own as the first part, the rest marked as the last part.
    append(pod_a, "2024-05-01T10:00:05Z stdout P slow-start \n")
    wait_for(lambda: rows(s, "SELECT attributes['log.split'] FROM cri WHERE body = 'slow-start '") == [["first"]],
             timeout=30, what="the held partial flushed after partial_timeout")
    append(pod_a, "2024-05-01T10:00:09Z stdout F slow-end\n")
    wait_for(lambda: rows(s, "SELECT attributes['log.split'] FROM cri WHERE body = 'slow-end'") == [["last"]],
             timeout=30, what="the late final piece")
    assert s.scalar("SELECT count(*) FROM cri") == 7
    assert s.scalar("SELECT count(DISTINCT body) FROM cri") == 7

    # --- Docker
    got = rows(s, "SELECT body, attributes['log.iostream'], epoch_ns(timestamp) FROM docker ORDER BY _offset")
    assert sorted(r[0] for r in got) == sorted(["hello", "err", head + tail]), [r[0][:20] for r in got]
    joined = [r for r in got if r[0].startswith("x")][0]
    assert len(joined[0]) == 20000
    assert joined[1] == "stdout" and joined[2] == 1714557601 * 10**9
    assert s.scalar("SELECT count(*) FROM docker WHERE attributes['parse.error'] IS NOT NULL") == 0

    # --- logfmt
    got = rows(s, "SELECT body, severity_text, severity_number, epoch_ms(timestamp), attributes['user'], "
                  "attributes['retry'], attributes['path'], attributes['parse.error'] FROM app ORDER BY _offset")
    assert len(got) == 4
    assert got[0][0:5] == ["user logged in", "info", 9, 1714557600000, "alice"]
    assert got[1][0:4] == ['db "primary" down', "error", 17, 1714557601000]
    assert got[1][5] == "true"
    assert got[2][0:4] == ["slow", "warn", 13, 1714557602500]
    assert got[2][6] == "/api/orders"
    assert got[3][0] == 'garbage msg="unterminated'
    assert got[3][7] == "parse_logfmt: unterminated quoted value starting at byte 12"
    assert s.scalar("SELECT attributes['duration_ms'] FROM app WHERE attributes['user'] = 'alice'") == "12"

    # --- sshd
    events = dict(rows(s, "SELECT attributes['sshd.event'], count(*) FROM auth "
                          "WHERE attributes['sshd.event'] IS NOT NULL GROUP BY 1"))
    assert events == {"accepted": 1, "invalid_user": 1, "failed": 2, "closed": 1, "disconnected": 2,
                      "received_disconnect": 1}
    assert s.scalar("SELECT count(*) FROM auth WHERE attributes['parse.error'] IS NOT NULL") == 3
    failed = rows(s, "SELECT attributes['user.name'], attributes['client.address'], attributes['client.port'], "
                     "attributes['sshd.invalid_user'], attributes['host.name'], attributes['process.pid'] "
                     "FROM auth WHERE attributes['sshd.event'] = 'failed' ORDER BY _offset")
    assert failed == [["admin", "198.51.100.23", "41822", "true", "bastion", "1002"],
                      ["root", "198.51.100.23", "41830", None, "bastion", "1004"]]
    assert rows(s, "SELECT attributes['sshd.auth.method'], attributes['sshd.key.type'] FROM auth "
                   "WHERE attributes['sshd.event'] = 'accepted'") == [["publickey", "ED25519"]]
    assert s.scalar("SELECT count(DISTINCT body) FROM auth") == 11

    assert s.stop() == 0
