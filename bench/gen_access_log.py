#!/usr/bin/env python3
"""Writes N lines of nginx/Apache combined access log (deterministic) to PATH."""
import random
import sys

path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261121)
methods = ["GET"] * 8 + ["POST", "HEAD", "PUT", "DELETE"]
paths = ["/", "/index.html", "/api/v1/users", "/api/v1/orders", "/static/app.js", "/static/style.css",
         "/images/logo.png", "/login", "/search", "/products/item", "/cart", "/checkout", "/health"]
statuses = [200] * 20 + [201, 204, 301, 302, 304, 304, 400, 401, 403, 404, 404, 404, 500, 502, 503]
agents = ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
          "curl/7.88.1", "python-requests/2.28.1", "Go-http-client/1.1", "-"]
refs = ["-", "-", "https://example.com/", "https://www.google.com/search?q=sluice", "https://shop.example.org/cart"]
months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
base = 1763733600  # 2025-11-21 14:00:00 UTC
with open(path, "w") as f:
    buf = []
    for i in range(n):
        t = base + i // 500
        sec, mins, hour = t % 60, (t // 60) % 60, (t // 3600) % 24
        day = 21 + (t - 1763683200) // 86400
        ip = f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        p = rng.choice(paths)
        if rng.random() < 0.3:
            p += f"?id={rng.randint(1, 100000)}&page={rng.randint(1, 50)}"
        buf.append(f'{ip} - - [{day:02d}/Nov/2025:{hour:02d}:{mins:02d}:{sec:02d} +0000] '
                   f'"{rng.choice(methods)} {p} HTTP/1.1" {rng.choice(statuses)} {rng.randint(0, 50000)} '
                   f'"{rng.choice(refs)}" "{rng.choice(agents)}"\n')
        if len(buf) >= 10000:
            f.write("".join(buf))
            buf = []
    f.write("".join(buf))
