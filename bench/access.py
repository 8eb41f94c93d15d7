"""What access control costs: a sign-in (argon2id verify), and a request's latency with no
credentials in an open installation vs. with a key, a session cookie, in a closed one.

    nice -n 10 python bench/access.py

Each server runs over an empty library in a temporary folder; GET /api/auth/me does no
knowledge-base work and is not audited, so the difference is the credential check; a read of
a missing document adds one audit entry.
"""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "bench password 1"
N = 300


@contextmanager
def server(home: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "POLICYKB_HOME": str(home), "POLICYKB_RATE_LIMIT_PER_MINUTE": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "policykb", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(url + "/api/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


def latency(client: httpx.Client, path: str, **kw) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(N):
        t = time.perf_counter()
        client.get(path, **kw).raise_for_status()
        runs.append(time.perf_counter() - t)
    runs.sort()
    return statistics.median(runs) * 1000, runs[int(len(runs) * 0.95)] * 1000


def main() -> None:
    from policykb.auth import AccessStore

    with tempfile.TemporaryDirectory() as tmp:
        store = AccessStore(Path(tmp) / "a.sqlite")
        store.create_account("bench", PASSWORD, "reader")
        runs = []
        for _ in range(20):
            t = time.perf_counter()
            store.sign_in("bench", PASSWORD)
            runs.append(time.perf_counter() - t)
        store.close()
        print(f"sign-in (argon2id verify, argon2-cffi defaults): median {statistics.median(runs) * 1000:.0f} ms "
              f"over 20")

        open_home = Path(tmp) / "open"
        open_home.mkdir()
        with server(open_home) as url, httpx.Client(base_url=url) as c:
            p50, p95 = latency(c, "/api/auth/me")
            print(f"GET /api/auth/me, open installation:  p50 {p50:.2f} ms  p95 {p95:.2f} ms  ({N} requests)")

        closed = Path(tmp) / "closed"
        store = AccessStore.for_home(closed)
        store.create_account("bench", PASSWORD, "reader")
        _, key = store.create_key("bench-key", "reader")
        store.close()
        with server(closed) as url, httpx.Client(base_url=url) as c:
            p50, p95 = latency(c, "/api/auth/me", headers={"Authorization": f"Bearer {key}"})
            print(f"GET /api/auth/me, API key:            p50 {p50:.2f} ms  p95 {p95:.2f} ms  ({N} requests)")
            c.post("/api/auth/login", json={"name": "bench", "password": PASSWORD}).raise_for_status()
            p50, p95 = latency(c, "/api/auth/me")
            print(f"GET /api/auth/me, session cookie:     p50 {p50:.2f} ms  p95 {p95:.2f} ms  ({N} requests)")

            def audited() -> None:
                runs = []
                for _ in range(N):
                    t = time.perf_counter()
                    assert c.get("/api/documents/nope").status_code == 404
                    runs.append(time.perf_counter() - t)
                runs.sort()
                print(f"GET /api/documents/nope (audited 'read', 404), session: p50 {statistics.median(runs) * 1000:.2f} ms"
                      f"  p95 {runs[int(N * 0.95)] * 1000:.2f} ms  ({N} requests)")

            audited()


if __name__ == "__main__":
    main()
