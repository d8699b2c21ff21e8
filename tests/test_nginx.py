"""A real nginx (Debian package) writes real access and error logs under a
few thousand varied requests; sluice tails and parses them, and SQL counts
per status code equal the counts computed from the log file itself."""
import collections
import os
import random
import re
import shutil
import subprocess
import urllib.request
import urllib.error

import pytest

from conftest import free_port, wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
COMBINED = re.compile(r'^(\S+) - (\S+) \[([^\]]+)\] "([^"]*)" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$')


@pytest.fixture
def nginx(tmp_path):
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed; `make test` installs it (scripts/setup.sh)")
    root = tmp_path / "nginx"
    www = root / "www"
    (www / "static").mkdir(parents=True)
    for i in range(20):
        (www / "static" / f"f{i}.html").write_text("<p>" + "x" * (i * 37) + "</p>\n")
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(f"""
user root;
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log info;
events {{ worker_connections 256; }}
http {{
  access_log {root}/access.log combined;
  client_body_temp_path {root}/body;
  proxy_temp_path {root}/proxy;
  fastcgi_temp_path {root}/fastcgi;
  uwsgi_temp_path {root}/uwsgi;
  scgi_temp_path {root}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {www};
    location /static/ {{ }}
    location = /error {{ return 500; }}
    location = /unavailable {{ return 503; }}
    location = /moved {{ return 301 /static/f1.html; }}
    location = /teapot {{ return 418; }}
    location /api/ {{ return 200 "ok\\n"; }}
  }}
}}
""")
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(root)], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"

    def up():
        try:
            urllib.request.urlopen(url + "/static/f0.html", timeout=2).read()
            return True
        except urllib.error.HTTPError:
            return True
    wait_for(up, timeout=20, what="nginx to answer")
    yield url, root
    proc.terminate()
    proc.wait(timeout=20)


def drive(url, n, rng):
    paths = [f"/static/f{i}.html" for i in range(20)] + ["/missing", "/error", "/unavailable", "/moved",
                                                         "/teapot", "/api/users?id=1&x=%20y", "/api/orders"]
    agents = ["curl/7.88.1", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", 'quote " agent', "python-urllib"]
    for i in range(n):
        path = rng.choice(paths)
        method = rng.choice(["GET", "GET", "GET", "HEAD", "POST"])
        req = urllib.request.Request(url + path, method=method, data=b"a=1" if method == "POST" else None,
                                     headers={"User-Agent": rng.choice(agents), "Referer": rng.choice(["", url + "/"])})
        try:
            urllib.request.urlopen(req, timeout=5).read()
        except urllib.error.HTTPError as e:
            e.read()


def test_nginx_access_log_counts_match_sql(sluice_factory, nginx):
    url, root = nginx
    s = sluice_factory(f"""
[sources.nginx]
type = "file"
include = ["{root}/access.log"]
poll_interval = "50ms"

[sources.nginx_errors]
type = "file"
include = ["{root}/error.log"]
poll_interval = "50ms"

[transforms.nginx_parsed]
type = "parse_regex"
inputs = ["nginx"]
preset = "nginx_combined"

[sinks.store]
type = "store"
inputs = ["nginx_parsed"]
stream = "nginx"

[sinks.errors]
type = "store"
inputs = ["nginx_errors"]
stream = "nginx_error"
""").start()
    drive(url, 3000, random.Random(1))

    # nginx logs a request after answering it (and urllib follows /moved's
    # redirect with one more request): the file is read again until the
    # store has every line it holds.
    def all_stored():
        lines = (root / "access.log").read_text().splitlines()
        return s.scalar("SELECT count(*) FROM nginx") == len(lines) and lines
    lines = wait_for(all_stored, timeout=60, what="all access lines")
    expected = collections.Counter()
    for line in lines:
        m = COMBINED.match(line)
        assert m, f"nginx wrote a line that is not combined format: {line!r}"
        expected[m.group(5)] += 1
    assert len(lines) >= 3000
    rows = s.query("SELECT attributes['http.response.status_code'] AS status, count(*) FROM nginx "
                   "GROUP BY 1 ORDER BY 1")["rows"]
    assert {r[0]: r[1] for r in rows} == dict(expected)
    # The frequent keys become attribute columns within seconds; the issue's
    # query form reads them.
    wait_for(lambda: "http" in [c["name"] for c in s.query("SELECT * FROM nginx LIMIT 0")["columns"]],
             timeout=30, what="attribute columns")
    rows = s.query("SELECT http.response.status_code, count(*) FROM nginx GROUP BY 1")["rows"]
    assert {r[0]: r[1] for r in rows} == dict(expected)
    assert s.scalar("SELECT count(*) FROM nginx WHERE attributes['parse.error'] IS NOT NULL") == 0
    # Parsed fields use OpenTelemetry semantic-convention names.
    methods = {r[0] for r in s.query("SELECT DISTINCT attributes['http.request.method'] FROM nginx")["rows"]}
    assert methods == {"GET", "HEAD", "POST"}
    assert s.scalar("SELECT count(*) FROM nginx WHERE attributes['client.address'] = '127.0.0.1'") == len(lines)
    assert s.scalar("SELECT count(*) FROM nginx WHERE attributes['url.path'] = '/api/users' "
                    "AND attributes['url.query'] = 'id=1&x=%20y'") >= 1
    # The event time comes from the line, not from when it was read.
    assert s.scalar("SELECT count(*) FROM nginx WHERE abs(epoch(timestamp) - epoch(observed_timestamp)) > 120") == 0
    err_lines = len((root / "error.log").read_text().splitlines())
    wait_for(lambda: s.scalar("SELECT count(*) FROM nginx_error") >= err_lines, timeout=30, what="error log lines")
    assert s.stop() == 0
