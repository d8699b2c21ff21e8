"""The `sluice` command line: config check, config schema, version, query."""
import json
import subprocess

import pytest

from conftest import SLUICE_BIN

ISSUE_EXAMPLE = """
[api]
listen = "127.0.0.1:7070"

[store]
data_dir = "./sluice-data"
retention = "7d"
max_bytes = "10GiB"

[sources.nginx]
type = "file"
include = ["/var/log/nginx/*.log"]
start_at = "beginning"

[transforms.nginx_parsed]
type = "parse_regex"
inputs = ["nginx"]
preset = "nginx_combined"     # also: "syslog_rfc3164"; or pattern = '(?P<name>...)'

[sinks.store]
type = "store"
inputs = ["nginx_parsed"]
stream = "nginx"
"""


def run(*args):
    return subprocess.run([SLUICE_BIN, *args], capture_output=True, text=True, timeout=60)


def test_config_check_accepts_the_documented_example(tmp_path):
    f = tmp_path / "sluice.toml"
    f.write_text(ISSUE_EXAMPLE)
    r = run("config", "check", str(f))
    assert r.returncode == 0, r.stderr
    assert "ok" in r.stdout


def test_config_check_names_file_line_and_nearest_key(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(ISSUE_EXAMPLE.replace('start_at = "beginning"', 'start_att = "beginning"'))
    r = run("config", "check", str(f))
    assert r.returncode != 0
    line = ISSUE_EXAMPLE.splitlines().index('start_at = "beginning"') + 1
    assert f"{f}:{line}:" in r.stderr, r.stderr
    assert 'unknown key "start_att"' in r.stderr and 'did you mean "start_at"' in r.stderr, r.stderr


def test_config_check_rejects_bad_topology_and_values(tmp_path):
    cases = {
        'inputs = ["nginx"]\npreset': ('inputs = ["ngin"]\npreset', 'unknown component "ngin"'),
        'preset = "nginx_combined"': ('preset = "nginx_combine"', "nginx_combined"),
        'retention = "7d"': ('retention = "7 days"', "duration"),
        'type = "store"': ('type = "stor"', 'did you mean "store"'),
    }
    for old, (new, expect) in cases.items():
        f = tmp_path / "bad.toml"
        f.write_text(ISSUE_EXAMPLE.replace(old, new, 1))
        r = run("config", "check", str(f))
        assert r.returncode != 0, new
        assert expect in r.stderr, (new, r.stderr)


def test_config_schema_lists_every_option():
    r = run("config", "schema")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    names = {(s["kind"], s["name"]) for s in doc["sections"]}
    assert {("section", "api"), ("section", "store"), ("sources", "file"), ("transforms", "parse_regex"),
            ("transforms", "parse_json"), ("sinks", "store")} <= names
    store = next(s for s in doc["sections"] if s["name"] == "store")
    retention = next(o for o in store["options"] if o["name"] == "retention")
    assert retention["type"] == "duration" and retention["default"] == "7d" and retention["description"]


def test_version():
    r = run("version")
    assert r.returncode == 0 and r.stdout.startswith("sluice ")


def test_query_command_formats(sluice_factory):
    s = sluice_factory().start()
    s.ingest("app", [{"body": "a"}, {"body": "b,c"}])
    r = run("query", "--server", s.url, "SELECT body FROM app ORDER BY _offset")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].strip() == "body"
    assert "(2 rows)" in r.stdout
    r = run("query", "--server", s.url, "--format", "csv", "SELECT body FROM app ORDER BY _offset")
    assert r.stdout == 'body\na\n"b,c"\n'  # text mode folds the CRLFs
    r = run("query", "--server", s.url, "--format", "ndjson", "SELECT body FROM app ORDER BY _offset")
    assert [json.loads(l) for l in r.stdout.splitlines()] == [{"body": "a"}, {"body": "b,c"}]
    r = run("query", "--server", s.url, "SELECT nope FROM app")
    assert r.returncode != 0 and "nope" in r.stderr
    s.stop()


def _has_asan(pid):
    """True when the executable has AddressSanitizer linked in (clang links
    its runtime statically, so it is not in /proc/PID/maps)."""
    with open(f"/proc/{pid}/exe", "rb") as f:
        return b"AddressSanitizer" in f.read()


def test_sluice_runs_on_mimalloc(sluice_factory):
    """`sluice` allocates with mimalloc (records cross threads: allocated by
    sources and parsers, freed by sinks and the store), not glibc malloc;
    the sanitizer build brings its own allocator."""
    s = sluice_factory(name="default").start()
    with open(f"/proc/{s.proc.pid}/maps") as f:
        maps = f.read()
    if "libmimalloc" not in maps and ("libasan" in maps or _has_asan(s.proc.pid)):
        s.stop()
        pytest.skip("the sanitizer build allocates with AddressSanitizer")
    assert "libmimalloc" in maps
    with open(f"/proc/{s.proc.pid}/comm") as f:
        assert f.read().strip() == "sluice"  # what ps, top and pkill see
    assert s.stop() == 0


def test_a_second_sluice_run_on_the_same_data_dir_exits_at_start(sluice_factory):
    first = sluice_factory().start()
    second = subprocess.run([SLUICE_BIN, "run", "--config", str(first.config)], capture_output=True, text=True,
                            timeout=60)
    assert second.returncode != 0
    out = second.stdout + second.stderr
    assert f"store: data_dir {first.data_dir} is in use; one sluice process per data directory" in out, out
    assert f"LOCK is locked by process {first.proc.pid}" in out, out
    # The first one keeps serving; after it is gone the directory opens again.
    assert first.scalar("SELECT 1") == 1
    first.kill9()
    first.start()
    assert first.scalar("SELECT 1") == 1
