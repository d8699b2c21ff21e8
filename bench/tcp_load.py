"""Load for the TCP protocols of bench/run_protocols.sh, which wrk cannot
speak. Each of CONNS connections sends BODY (one request of 1,000 records)
over and over for SECONDS:

- forward: a Fluent forward message with the `chunk` option; the next is
  sent when the server's ack arrives (the ack comes once the events are
  durable), and each ack's latency is recorded;
- syslog: octet-counted syslog frames, back to back (syslog has no
  acknowledgement; run_protocols.sh counts what the store holds).

Prints one JSON line: requests completed (forward: acked; syslog: sent),
seconds, and the p99 ack latency in ms (forward only).
Usage: tcp_load.py forward|syslog HOST PORT BODY SECONDS CONNS"""
import json
import socket
import sys
import threading
import time

import msgpack

mode, host, port, path, seconds, conns = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], \
    float(sys.argv[5]), int(sys.argv[6])
body = open(path, "rb").read()
deadline = time.monotonic() + seconds
done = [0] * conns
latencies = [[] for _ in range(conns)]


def forward(k):
    s = socket.create_connection((host, port))
    unpacker = msgpack.Unpacker(raw=False)
    while time.monotonic() < deadline:
        t0 = time.monotonic()
        s.sendall(body)
        acked = False
        while not acked:
            data = s.recv(65536)
            if not data:
                raise SystemExit("tcp_load: the server closed the connection")
            unpacker.feed(data)
            for obj in unpacker:
                acked = isinstance(obj, dict) and "ack" in obj
        latencies[k].append(time.monotonic() - t0)
        done[k] += 1
    s.close()


def syslog(k):
    s = socket.create_connection((host, port))
    while time.monotonic() < deadline:
        s.sendall(body)
        done[k] += 1
    s.close()


start = time.monotonic()
threads = [threading.Thread(target=forward if mode == "forward" else syslog, args=(k,)) for k in range(conns)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - start
all_latencies = sorted(x for per in latencies for x in per)
p99 = all_latencies[int(0.99 * (len(all_latencies) - 1))] * 1000 if all_latencies else None
print(json.dumps({"requests": sum(done), "seconds": elapsed, "p99_ms": p99}))
