"""The host_metrics source under `sluice run`: its samples in a metrics stream
agree with the /proc readings the test takes itself, a zombie process the test
makes is counted (and stops being counted once reaped), malformed /proc files
do not stop it, and what one collection costs is printed."""
import os
import re
import socket
import time

from conftest import http, wait_for

HZ = os.sysconf("SC_CLK_TCK")


def config(interval="1s", extra=""):
    return f"""
[sources.host]
type = "host_metrics"
interval = "{interval}"
{extra}

[sinks.m]
type = "store"
stream = "host"
inputs = ["host"]
"""


def collections(s):
    return s.scalar("SELECT count(DISTINCT timestamp) FROM host")


def latest(s, name, where=""):
    """(epoch ns, value) of the newest sample of `name` (matching `where`), or None."""
    rows = s.query(f"SELECT epoch_ns(timestamp)::VARCHAR, value FROM host WHERE name = '{name}' {where} "
                   "ORDER BY timestamp DESC LIMIT 1")["rows"]
    return (int(rows[0][0]), rows[0][1]) if rows else None


def proc_cpu_seconds():
    """Sum over the cpuN lines of /proc/stat of user..steal, in seconds."""
    total = 0
    with open("/proc/stat") as f:
        for line in f:
            if re.match(r"cpu\d+ ", line):
                total += sum(int(x) for x in line.split()[1:9])
    return total / HZ


def proc_interfaces():
    with open("/proc/net/dev") as f:
        return {line.split(":", 1)[0].strip() for line in f if ":" in line}


def zombies_in_proc():
    n = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    n += f.read().rsplit(")", 1)[1].split()[0] == "Z"
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return n


def test_samples_agree_with_proc(sluice_factory):
    s = sluice_factory(config()).start()
    wait_for(lambda: collections(s) >= 3, timeout=60, what="three collections")

    # One timestamp per collection, the resource on every sample, counters named _total.
    per_ts = s.query("SELECT count(DISTINCT timestamp) = count(DISTINCT timestamp) FILTER "
                     "(WHERE name = 'system_cpu_logical_count'), "
                     "count(*) FILTER (WHERE resource['host.name'] <> "
                     f"'{socket.gethostname()}' OR resource['os.type'] <> 'linux'), "
                     "count(*) FILTER (WHERE (kind = 'counter') <> (name LIKE '%\\_total' ESCAPE '\\')) "
                     "FROM host")["rows"][0]
    assert per_ts == [True, 0, 0], per_ts

    # Memory: MemTotal exactly.
    with open("/proc/meminfo") as f:
        mem_total = int(re.search(r"MemTotal:\s+(\d+) kB", f.read()).group(1)) * 1024
    assert latest(s, "system_memory_limit_bytes")[1] == mem_total
    states = s.query("SELECT labels['state'], value FROM host WHERE name = 'system_memory_usage_bytes' "
                     "AND timestamp = (SELECT max(timestamp) FROM host)")["rows"]
    assert {r[0] for r in states} == {"used", "free", "buffered", "cached", "slab_reclaimable"}
    assert sum(r[1] for r in states) == mem_total

    # Load: within a tolerance of /proc/loadavg now (the sample is up to a few seconds old).
    with open("/proc/loadavg") as f:
        one, five, fifteen = (float(x) for x in f.read().split()[:3])
    assert abs(latest(s, "system_cpu_load_average_15m")[1] - fifteen) <= 0.2 + 0.1 * fifteen
    assert abs(latest(s, "system_cpu_load_average_1m")[1] - one) <= 1.0 + 0.5 * one

    # CPU: every counter is monotonic; the newest sum is close to /proc/stat's.
    series = s.query("SELECT labels['cpu'], labels['state'], list(value ORDER BY timestamp) FROM host "
                     "WHERE name = 'system_cpu_time_seconds_total' GROUP BY 1, 2")["rows"]
    ncpu = os.sysconf("SC_NPROCESSORS_ONLN")
    assert len(series) == 8 * ncpu, series
    for cpu, state, values in series:
        assert values == sorted(values), (cpu, state, values)
    ts_ns, _ = latest(s, "system_cpu_time_seconds_total")
    sample_sum = s.scalar("SELECT sum(value) FROM host WHERE name = 'system_cpu_time_seconds_total' "
                          f"AND epoch_ns(timestamp) = {ts_ns}")
    now_sum = proc_cpu_seconds()
    age = time.time() - ts_ns / 1e9
    assert 0 <= now_sum - sample_sum <= ncpu * (age + 2), (now_sum, sample_sum, age)
    util = s.query("SELECT labels['cpu'], sum(value), min(value), max(value) FROM host "
                   f"WHERE name = 'system_cpu_utilization_ratio' AND epoch_ns(timestamp) = {ts_ns} GROUP BY 1")["rows"]
    assert len(util) == ncpu, util
    for cpu, total, lo, hi in util:
        assert abs(total - 1) < 1e-6 and lo >= 0 and hi <= 1, (cpu, total, lo, hi)

    # Network: one series per /proc/net/dev interface and direction.
    devices = s.query("SELECT DISTINCT labels['device'] FROM host WHERE name = 'system_network_io_bytes_total' "
                      f"AND epoch_ns(timestamp) = {ts_ns}")["rows"]
    assert {r[0] for r in devices} == proc_interfaces()

    # Filesystem: the root's size is statvfs's (unless / is a tmpfs, which is not reported by default).
    with open("/proc/self/mounts") as f:
        root_type = [line.split()[2] for line in f if line.split()[1:2] == ["/"]][-1]
    if root_type not in ("tmpfs", "rootfs", "ramfs"):
        st = os.statvfs("/")
        root = latest(s, "system_filesystem_limit_bytes", "AND labels['mountpoint'] = '/'")
        assert root and root[1] == st.f_blocks * st.f_frsize, (root, root_type)

    # Top processes: pid, name and command line; at most 2 x top_n per collection.
    procs = s.query("SELECT labels['process.pid'], labels['process.executable.name'], "
                    "labels['process.command_line'], value FROM host "
                    f"WHERE name = 'process_memory_usage_bytes' AND epoch_ns(timestamp) = {ts_ns}")["rows"]
    assert 1 <= len(procs) <= 10, procs
    sluice_pid = str(s.proc.pid)
    # Kernel threads (busy kworkers among the top by CPU) have no RSS.
    assert any(rss > 0 for _, _, _, rss in procs), procs
    for pid, name, cmdline, rss in procs:
        assert int(pid) > 0 and name and rss >= 0
        assert cmdline is None or len(cmdline.encode()) <= 256
        if pid == sluice_pid:
            assert name == "sluice" and cmdline.startswith(s.proc.args[0]), (name, cmdline)


def test_zombie_is_counted_until_reaped(sluice_factory):
    s = sluice_factory(config()).start()
    wait_for(lambda: latest(s, "system_processes_count", "AND labels['status'] = 'zombie'"), timeout=60,
             what="a first process count")

    pid = os.fork()
    if pid == 0:
        os._exit(0)  # the child ends at once; the test does not reap it yet: a zombie
    try:
        def is_zombie():
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "Z"
        wait_for(is_zombie, timeout=30, what=f"pid {pid} to be a zombie")
        made = time.time_ns()

        def counted():
            # /proc has this zombie now: a count of other zombies alone is
            # below it (retried while zombies elsewhere come and go).
            ts, value = latest(s, "system_processes_count", "AND labels['status'] = 'zombie'")
            return ts > made and value == zombies_in_proc()
        wait_for(counted, timeout=60, what="a collection counting the zombie")
    finally:
        os.waitpid(pid, 0)
    reaped = time.time_ns()
    assert not os.path.exists(f"/proc/{pid}")

    def back_down():
        ts, value = latest(s, "system_processes_count", "AND labels['status'] = 'zombie'")
        return ts > reaped and value == zombies_in_proc()
    wait_for(back_down, timeout=60, what="the zombie count to go back down")


def test_malformed_proc_files_do_not_stop_the_source(sluice_factory, tmp_path):
    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "net").mkdir()
    junk = b"\xff\x00garbage: ((( )))\n\n  : 1 2\n" + b"x" * 5000
    for name in ("stat", "meminfo", "diskstats", "net/dev", "self/mounts"):
        (proc / name).write_bytes(junk)
    (proc / "loadavg").write_text("0.25 0.50 0.75 1/1 1\n")
    (proc / "42").mkdir()
    (proc / "42" / "stat").write_text("42 (odd) name) Z 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 0\n")
    (proc / "43").mkdir()  # a process that vanished: no stat
    s = sluice_factory(config(extra=f'proc_path = "{proc}"\nsys_path = "{tmp_path}/sys"')).start()
    wait_for(lambda: collections(s) >= 2, timeout=60, what="two collections")
    assert latest(s, "system_cpu_load_average_5m")[1] == 0.5
    assert latest(s, "system_processes_count", "AND labels['status'] = 'zombie'")[1] == 1
    assert s.scalar("SELECT count(*) FROM host WHERE name LIKE 'system_memory%' OR name LIKE 'system_disk%'") == 0
    status, body = http("GET", s.url + "/metrics")
    problems = re.findall(rb'sluice_host_metrics_problems_total\{[^}]*\} (\d+)', body)
    assert status == 200 and sum(int(p) for p in problems) >= 5, body[-3000:]
    assert s.proc.poll() is None


def test_cost_of_one_collection(sluice_factory):
    """Prints the CPU time of one collection with every collector and top_n = 5 (run pytest with -s)."""
    s = sluice_factory(config()).start()
    wait_for(lambda: collections(s) >= 4, timeout=60, what="four collections")
    status, body = http("GET", s.url + "/metrics")
    m = re.search(rb'sluice_host_metrics_collection_cpu_seconds\{component="host"\} ([0-9.e+-]+)', body)
    assert status == 200 and m, body[-3000:]
    cpu = float(m.group(1))
    samples = s.scalar("SELECT count(*) FROM host WHERE timestamp = (SELECT max(timestamp) FROM host)")
    print(f"\nhost_metrics: one collection took {cpu * 1000:.2f} ms of CPU for {samples} samples")
    assert cpu >= 0
