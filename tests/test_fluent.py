"""The `fluent` source end to end: a Python client built on the `msgpack`
package sends Fluent Forward protocol v1 frames exactly as the specification
(fluentd wiki, Forward-Protocol-Specification-v1) shows them, in all four
modes, with acks and the shared-key handshake, to a real `sluice run`; SQL
checks that every event is stored once with its tag, time and fields."""
import gzip
import hashlib
import os
import socket
import struct
import time

import msgpack
import pytest

from conftest import free_port, wait_for


def event_time(seconds, nanos):
    """EventTime: ext type 0, big-endian uint32 seconds + uint32 nanoseconds."""
    return msgpack.ExtType(0, struct.pack(">II", seconds, nanos))


def pack(obj):
    return msgpack.packb(obj, use_bin_type=True)


def fluent_config(port, extra=""):
    return f'[sources.fwd]\ntype = "fluent"\nlisten = "127.0.0.1:{port}"\n{extra}'


@pytest.fixture
def fluent(sluice_factory):
    """Starts sluice with a fluent source; returns (sluice, port)."""
    def start(extra=""):
        port = free_port()
        s = sluice_factory(fluent_config(port, extra)).start()
        return s, port
    return start


class Client:
    """One Forward connection; reads responses with a streaming unpacker."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.unpacker = msgpack.Unpacker(raw=False)

    def send(self, data):
        self.sock.sendall(data)

    def read(self):
        """The next msgpack response, or None when the server closed the connection."""
        while True:
            for obj in self.unpacker:
                return obj
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                return None
            if not data:
                return None
            self.unpacker.feed(data)

    def send_and_ack(self, data, chunk):
        self.send(data)
        assert self.read() == {"ack": chunk}

    def closed_by_server(self):
        """True once the server has closed the connection (reads give EOF or reset)."""
        return self.read() is None

    def close(self):
        self.sock.close()


def record(seq, message, **fields):
    return {"message": message, "seq": str(seq), **fields}


def stored(s, columns, where="true"):
    return s.query(f"SELECT {columns} FROM fluent WHERE {where} ORDER BY attributes['seq']::INT")["rows"]


def test_all_four_modes_with_acks_store_every_event_once(fluent):
    s, port = fluent()
    expected = {}  # seq -> (tag, time ns, message)
    seq = 0

    def add(tag, t_ns, message):
        nonlocal seq
        seq += 1
        expected[seq] = (tag, t_ns, message)
        return seq

    c = Client(port)
    # Message mode, integer time, with every kind of field value.
    n = add("app.message", 1441588984 * 10**9, "bar")
    c.send_and_ack(pack(["app.message", 1441588984,
                         record(n, "bar", level="warn", count=3, ratio=0.5, ok=True, none=None,
                                nested={"a": [1, "x"]}, raw=b"bytes"),
                         {"chunk": "chunk-message"}]), "chunk-message")
    # Message mode, EventTime.
    n = add("app.message", 1441588985 * 10**9 + 123456789, "with nanoseconds")
    c.send_and_ack(pack(["app.message", event_time(1441588985, 123456789), record(n, "with nanoseconds"),
                         {"chunk": "chunk-eventtime"}]), "chunk-eventtime")
    c.send(pack(None))  # heartbeat
    # Forward mode.
    entries = []
    for i in range(3):
        n = add("app.forward", (1500000000 + i) * 10**9 + i, f"forward {i}")
        entries.append([event_time(1500000000 + i, i), record(n, f"forward {i}")])
    c.send_and_ack(pack(["app.forward", entries, {"chunk": "chunk-forward", "size": 3}]), "chunk-forward")
    # PackedForward, entries as bin (what the specification asks) and as str
    # (what fluentd's out_forward sends).
    for as_bin in (True, False):
        stream = b""
        for i in range(4):
            n = add("app.packed", (1600000000 + i) * 10**9 + 999999999, f"packed {i}")
            stream += pack([event_time(1600000000 + i, 999999999), record(n, f"packed {i}")])
        if as_bin:
            entries_obj = stream
            msg = pack(["app.packed", entries_obj, {"chunk": "chunk-packed-bin"}])
        else:
            packer = msgpack.Packer(use_bin_type=False)  # bytes as str (raw), as out_forward does
            msg = packer.pack(["app.packed", stream, {"chunk": "chunk-packed-str"}])
        c.send_and_ack(msg, "chunk-packed-bin" if as_bin else "chunk-packed-str")
    # CompressedPackedForward: two concatenated gzip members.
    members = b""
    for part in range(2):
        stream = b""
        for i in range(5):
            n = add("app.gzip", (1700000000 + part * 10 + i) * 10**9, f"gzip {part}.{i}")
            stream += pack([1700000000 + part * 10 + i, record(n, f"gzip {part}.{i}")])
        members += gzip.compress(stream)
    c.send_and_ack(pack(["app.gzip", members, {"chunk": "chunk-gzip", "size": 10, "compressed": "gzip"}]),
                   "chunk-gzip")
    c.close()

    # Every ack means durable: all rows are there, each once.
    rows = stored(s, "attributes['seq']::INT, attributes['fluent.tag'], epoch_ns(timestamp), body")
    assert [r[0] for r in rows] == list(range(1, seq + 1))
    for r in rows:
        assert tuple(r[1:]) == expected[r[0]], r
    first = s.query("SELECT severity_text, severity_number, attributes['count'], attributes['ratio'], "
                    "attributes['ok'], attributes['none'], attributes['nested'], attributes['raw'], "
                    "attributes['level'] IS NULL, attributes['message'] IS NULL "
                    "FROM fluent WHERE attributes['seq'] = '1'")["rows"]
    assert first == [["warn", 13, "3", "0.5", "true", "null", '{"a":[1,"x"]}', "bytes", True, True]]


def test_without_chunk_events_are_delivered_and_nothing_is_answered(fluent):
    s, port = fluent()
    c = Client(port)
    c.send(pack(["no.ack", [[1000 + i, {"log": f"line {i}", "seq": str(i)}] for i in range(50)]]))
    wait_for(lambda: s.scalar("SELECT count(*) FROM fluent") == 50, what="50 events")
    assert stored(s, "body", "attributes['seq'] = '7'") == [["line 7"]]
    c.sock.settimeout(0.2)
    with pytest.raises(socket.timeout):
        c.sock.recv(1)  # no response without a chunk option
    c.close()


def handshake(port, shared_key, hostname="client.example"):
    """Runs HELO/PING/PONG; returns (client, pong, helo options, salt)."""
    c = Client(port)
    helo = c.read()
    assert helo[0] == "HELO"
    options = helo[1]
    salt = os.urandom(16)
    nonce = options["nonce"]
    digest = hashlib.sha512(salt + hostname.encode() + nonce + shared_key.encode()).hexdigest()
    c.send(pack(["PING", hostname, salt, digest, "", ""]))
    return c, c.read(), options, salt


def test_shared_key_handshake(fluent):
    s, port = fluent('shared_key = "s3cret"\nself_hostname = "sluice.test"\n')

    c, pong, options, salt = handshake(port, "s3cret")
    assert len(options["nonce"]) == 16 and options["auth"] == "" and options["keepalive"] is True
    assert pong[:4] == ["PONG", True, "", "sluice.test"]
    assert pong[4] == hashlib.sha512(salt + b"sluice.test" + options["nonce"] + b"s3cret").hexdigest()
    c.send_and_ack(pack(["auth.ok", 1, {"message": "after handshake", "seq": "1"}, {"chunk": "c1"}]), "c1")
    c.close()

    bad, pong, _, _ = handshake(port, "wrong key")
    assert pong[:4] == ["PONG", False, "shared_key mismatch", "sluice.test"]
    assert bad.closed_by_server()

    # Events before the handshake are refused and not stored.
    early = Client(port)
    assert early.read()[0] == "HELO"
    early.send(pack(["auth.early", 1, {"message": "too early", "seq": "2"}, {"chunk": "c2"}]))
    assert early.closed_by_server()

    assert stored(s, "body") == [["after handshake"]]
    log = s.log.read_text()
    assert "handshake failed" in log and "before the handshake" in log


def test_garbage_closes_only_that_connection(fluent):
    s, port = fluent('max_frame_bytes = "4KiB"\n')
    good = Client(port)
    good.send_and_ack(pack(["ok", 1, {"message": "one", "seq": "1"}, {"chunk": "a"}]), "a")

    garbage = Client(port)
    garbage.send(b"\xc1 this is not msgpack")
    assert garbage.closed_by_server()

    wrong_shape = Client(port)
    wrong_shape.send(pack({"not": "an array"}))
    assert wrong_shape.closed_by_server()

    oversized = Client(port)
    oversized.send(pack(["big", 1, {"message": "x" * 10000}, {"chunk": "never"}])[:3000])
    assert oversized.closed_by_server()  # refused from the str header, before the rest arrives

    bad_record = Client(port)
    bad_record.send(pack(["bad", [[1, {"message": "fine", "seq": "90"}], [2, "not a map"]], {"chunk": "b"}]))
    assert bad_record.closed_by_server()  # no ack, and nothing of the message is stored

    # The first connection and new ones keep working.
    good.send_and_ack(pack(["ok", 2, {"message": "two", "seq": "2"}, {"chunk": "b"}]), "b")
    fresh = Client(port)
    fresh.send_and_ack(pack(["ok", 3, {"message": "three", "seq": "3"}, {"chunk": "c"}]), "c")
    assert stored(s, "body") == [["one"], ["two"], ["three"]]
    log = s.log.read_text()
    assert "0xc1" in log and "max_frame_bytes" in log and "expected the record (map), found str" in log


def test_acknowledged_events_survive_kill9(fluent):
    s, port = fluent('max_batch_records = 100\n')
    c = Client(port)
    total = 0
    for i in range(20):
        entries = [[1800000000 + total + k, {"message": f"e{total + k}", "seq": str(total + k)}] for k in range(37)]
        total += len(entries)
        c.send_and_ack(pack(["durable", entries, {"chunk": f"chunk-{i}"}]), f"chunk-{i}")
    # A message larger than max_batch_records goes out in several batches, all before its ack.
    big = [[1900000000, {"message": f"big{k}", "seq": str(total + k)}] for k in range(250)]
    total += len(big)
    c.send_and_ack(pack(["durable", big, {"chunk": "big"}]), "big")
    s.kill9()
    s.start()
    assert s.scalar("SELECT count(*) FROM fluent") == total
    assert s.scalar("SELECT count(DISTINCT attributes['seq']) FROM fluent") == total
    assert s.scalar("SELECT min(epoch_ns(timestamp)) FROM fluent") == 1800000000 * 10**9
