"""The `syslog` source against a real rsyslog (Debian's rsyslogd): rsyslog
receives RFC 5424 messages with structured data on its own imtcp input and
forwards them with omfwd to sluice over UDP (RFC 5424), TCP with octet
counting (RFC 5424) and TCP with newline framing (RSYSLOG_ForwardFormat,
RFC 3164 style). SQL over the `syslog` table checks that each message arrived
(exactly once over TCP) with its structured data, host.name and app name.
Also: raw TCP clients for octet-counted frames split across writes, a
malformed frame that closes only its own connection, and TLS."""
import os
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from conftest import free_port, wait_for

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
N = 300


def sd_message(i, app="myapp"):
    """An RFC 5424 message with two SD-ELEMENTs, one value using all three escapes."""
    return (f'<134>1 2026-01-02T03:04:05.{i:06d}+01:00 host-{i % 3} {app} {1000 + i} ID{i} '
            f'[test@32473 seq="{i}" q="a\\"b\\\\c\\]d"][origin@32473 ip="10.0.0.{i % 250}"] message {i}')


class Rsyslog:
    """rsyslogd -n with its own config, work directory and pid file: one imtcp
    input (bound to a ruleset, so rsyslog's own messages are not forwarded)
    and one omfwd action."""

    def __init__(self, tmp_path, action):
        if not os.path.exists(RSYSLOGD):
            pytest.fail("rsyslogd is not installed; `make test` installs it (scripts/setup.sh)")
        self.dir = tmp_path / "rsyslog"
        (self.dir / "work").mkdir(parents=True)
        self.port = free_port()
        self.conf = self.dir / "rsyslog.conf"
        self.conf.write_text(f"""
global(workDirectory="{self.dir}/work")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="{self.port}" ruleset="fwd")
ruleset(name="fwd" queue.type="LinkedList") {{
  action(type="omfwd" target="127.0.0.1" {action}
         action.resumeRetryCount="-1" action.resumeInterval="1")
}}
""")
        self.log = open(self.dir / "rsyslog.err", "wb")
        self.proc = subprocess.Popen([RSYSLOGD, "-n", "-f", str(self.conf), "-i", str(self.dir / "rsyslog.pid")],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.sock = wait_for(self._connect, what="rsyslog imtcp input")

    def _connect(self):
        if self.proc.poll() is not None:
            raise AssertionError("rsyslogd exited:\n" + (self.dir / "rsyslog.err").read_text())
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def send(self, line, pace=0.0):
        self.sock.sendall(line.encode() + b"\n")
        if pace:
            time.sleep(pace)

    def stop(self):
        try:
            self.sock.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                self.proc.wait(timeout=30)
            self.log.close()


@pytest.fixture
def rsyslog(tmp_path):
    started = []

    def make(action):
        r = Rsyslog(tmp_path, action)
        started.append(r)
        return r

    yield make
    for r in started:
        r.stop()


def syslog_source(mode, port, **extra):
    lines = [f'[sources.rsys]', 'type = "syslog"', f'mode = "{mode}"', f'listen = "127.0.0.1:{port}"']
    lines += [f'{k} = "{v}"' for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def rows(s, where="true"):
    return s.query(
        "SELECT attributes['syslog.sd.test@32473.seq']::INT AS seq, body, resource['host.name'], "
        "attributes['syslog.app_name'], attributes['syslog.procid'], attributes['syslog.msgid'], "
        "attributes['syslog.sd.test@32473.q'], attributes['syslog.sd.origin@32473.ip'], severity_number, "
        "severity_text, attributes['syslog.facility'], epoch_ns(timestamp), attributes['parse.error'] "
        f"FROM syslog WHERE {where} ORDER BY seq")["rows"]


def check_rfc5424_rows(got, n):
    assert [r[0] for r in got] == list(range(n)), "each message exactly once"
    for i, r in enumerate(got):
        seq, body, host, app, procid, msgid, q, ip, sevnum, sevtext, facility, ts, err = r
        assert err is None, err
        assert body == f"message {i}"
        assert host == f"host-{i % 3}"
        assert app == "myapp"
        assert procid == str(1000 + i)
        assert msgid == f"ID{i}"
        assert q == 'a"b\\c]d'
        assert ip == f"10.0.0.{i % 250}"
        assert (sevnum, sevtext, facility) == (9, "info", "16")  # <134> = local0.info
        # 2026-01-02T03:04:05.<i us>+01:00
        assert ts == 1767319445 * 10**9 + i * 1000


def test_rsyslog_udp_rfc5424(sluice_factory, rsyslog):
    port = free_port()
    s = sluice_factory(syslog_source("udp", port)).start()
    r = rsyslog(f'port="{port}" protocol="udp" template="RSYSLOG_SyslogProtocol23Format"')
    for i in range(N):
        r.send(sd_message(i), pace=0.002)  # a low rate: UDP has no flow control
    wait_for(lambda: s.scalar("SELECT count(*) FROM syslog") >= N, what=f"{N} records over UDP")
    check_rfc5424_rows(rows(s), N)


def test_rsyslog_tcp_octet_counted_rfc5424(sluice_factory, rsyslog):
    port = free_port()
    s = sluice_factory(syslog_source("tcp", port, framing="octet_counting")).start()
    r = rsyslog(f'port="{port}" protocol="tcp" TCP_Framing="octet-counted" '
                'template="RSYSLOG_SyslogProtocol23Format"')
    for i in range(N):
        r.send(sd_message(i))
    wait_for(lambda: s.scalar("SELECT count(*) FROM syslog") >= N, what=f"{N} records over TCP")
    r.stop()  # flushes its queue; nothing more may arrive
    check_rfc5424_rows(rows(s), N)
    assert s.scalar("SELECT count(*) FROM syslog") == N


def test_rsyslog_tcp_newline_rfc3164(sluice_factory, rsyslog):
    port = free_port()
    s = sluice_factory(syslog_source("tcp", port, framing="newline")).start()
    r = rsyslog(f'port="{port}" protocol="tcp" template="RSYSLOG_ForwardFormat"')
    for i in range(N):
        r.send(sd_message(i))
    # An RFC 3164 message as a classic sender writes it, relayed by rsyslog.
    r.send("<30>Oct 11 22:14:15 bsdhost cron[99]: bsd message")
    wait_for(lambda: s.scalar("SELECT count(*) FROM syslog") >= N + 1, what=f"{N + 1} records over TCP")
    r.stop()
    assert s.scalar("SELECT count(*) FROM syslog") == N + 1
    # ForwardFormat: <PRI>RFC3339 HOSTNAME TAG MSG (no structured data); rsyslog writes
    # the TAG of an RFC 5424 message as "app[procid]" without the colon.
    got = s.query("SELECT attributes['syslog.procid']::INT - 1000 AS i, body, resource['host.name'], "
                  "attributes['syslog.app_name'], severity_text, epoch_ns(timestamp), attributes['parse.error'] "
                  "FROM syslog WHERE attributes['syslog.app_name'] = 'myapp' ORDER BY i")["rows"]
    assert [g[0] for g in got] == list(range(N))
    for i, (_, body, host, app, sev, ts, err) in enumerate(got):
        assert err is None, err
        assert (body, host, app, sev) == (f"message {i}", f"host-{i % 3}", "myapp", "info")
        assert ts == 1767319445 * 10**9 + i * 1000
    bsd = s.query("SELECT body, resource['host.name'], attributes['syslog.procid'], severity_text, "
                  "attributes['syslog.facility'] FROM syslog WHERE attributes['syslog.app_name'] = 'cron'")["rows"]
    assert bsd == [["bsd message", "bsdhost", "99", "info", "3"]]


# ---- raw clients ------------------------------------------------------------

def octet(msg):
    b = msg.encode()
    return str(len(b)).encode() + b" " + b


def test_octet_counted_frames_split_across_writes_and_a_malformed_neighbour(sluice_factory):
    port = free_port()
    s = sluice_factory(syslog_source("tcp", port)).start()
    good = socket.create_connection(("127.0.0.1", port))
    good.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    stream = b"".join(octet(sd_message(i, app="split")) for i in range(50))
    half = len(stream) // 2
    for p in range(0, half, 7):  # 7-byte writes cut every frame and length prefix somewhere
        good.sendall(stream[p:min(p + 7, half)])
        time.sleep(0.001)
    bad = socket.create_connection(("127.0.0.1", port))
    bad.sendall(octet(sd_message(999, app="bad")) + b"17x <13>broken\n")
    bad.settimeout(30)
    try:
        assert bad.recv(1) == b"", "the malformed connection is closed"
    except ConnectionResetError:
        pass
    good.sendall(stream[half:])
    wait_for(lambda: s.scalar("SELECT count(*) FROM syslog WHERE attributes['syslog.app_name'] = 'split'") >= 50,
             what="50 split frames")
    good.close()
    got = rows(s, "attributes['syslog.app_name'] = 'split'")
    assert [r[0] for r in got] == list(range(50))
    assert all(r[1] == f"message {r[0]}" for r in got)
    # The frame before the malformed one on the closed connection was kept.
    assert s.scalar("SELECT count(*) FROM syslog WHERE attributes['syslog.app_name'] = 'bad'") == 1
    metrics = wait_for(lambda: _metric(s, 'sluice_syslog_malformed_frames_total{listener="rsys"}'),
                       what="malformed frame counted")
    assert metrics == 1.0


def _metric(s, series):
    import urllib.request
    with urllib.request.urlopen(s.url + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(series + " "):
                return float(line.split()[-1])
    return None


def test_unparsable_messages_are_kept_with_parse_error(sluice_factory):
    port = free_port()
    s = sluice_factory(syslog_source("udp", port)).start()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"<13>1 - h a p m [unterminated", ("127.0.0.1", port))
    u.sendto(b"<13>Oct 11 22:14:15 h app: fine", ("127.0.0.1", port))
    wait_for(lambda: s.scalar("SELECT count(*) FROM syslog") >= 2, what="2 records")
    got = s.query("SELECT body, attributes['parse.error'] FROM syslog ORDER BY body")["rows"]
    assert got[0][0] == "<13>1 - h a p m [unterminated"
    assert got[0][1] == "sources.rsys: RFC 5424: expected SP or ']' in SD-ELEMENT at byte 29, found end of message"
    assert got[1] == ["fine", None]


def test_tls_octet_counted(sluice_factory, tmp_path):
    if not shutil.which("openssl"):
        pytest.fail("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
    port = free_port()
    s = sluice_factory(syslog_source("tcp", port, tls_cert_file=cert, tls_key_file=key)).start()
    ctx = ssl.create_default_context(cafile=str(cert))
    ctx.check_hostname = False
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            data = b"".join(octet(sd_message(i, app="tls")) for i in range(20))
            for p in range(0, len(data), 100):
                tls.sendall(data[p:p + 100])
            wait_for(lambda: s.scalar("SELECT count(*) FROM syslog") >= 20, what="20 records over TLS")
    got = rows(s)
    assert [r[0] for r in got] == list(range(20))
    assert got[5][1] == "message 5" and got[5][6] == 'a"b\\c]d'
    # A plain-text client on the TLS port is turned away without harm.
    with socket.create_connection(("127.0.0.1", port)) as plain:
        plain.sendall(octet(sd_message(100, app="plain")))
        plain.settimeout(30)
        try:
            plain.recv(100)
        except (ConnectionResetError, socket.timeout):
            pass
    assert s.scalar("SELECT count(*) FROM syslog WHERE attributes['syslog.app_name'] = 'plain'") == 0
