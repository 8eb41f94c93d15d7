"""Start-up: `policykb --help`, and a server from launch to its first answered question.

    python bench/startup.py

The server runs over a knowledge base of the demo corpus built in a temporary folder.
"""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
POLICYKB = [sys.executable, "-m", "policykb"]


def main() -> None:
    runs = []
    for _ in range(10):
        t = time.perf_counter()
        subprocess.run([*POLICYKB, "--help"], capture_output=True, check=True)
        runs.append(time.perf_counter() - t)
    print(f"policykb --help: median {statistics.median(runs) * 1000:.0f} ms, max {max(runs) * 1000:.0f} ms (10 runs)")

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "POLICYKB_HOME": str(home)}
        subprocess.run([*POLICYKB, "ingest", str(ROOT / "corpus")], capture_output=True, env=env, check=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        proc = subprocess.Popen([*POLICYKB, "serve", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.05)
            ready = time.perf_counter() - t0
            t = time.perf_counter()
            r = httpx.post(url + "/api/ask", json={"question": "村（社区）党组织书记每年要参加多少学时的集中培训？"}, timeout=60)
            first = time.perf_counter() - t
            assert r.json()["found"]
            t = time.perf_counter()
            httpx.post(url + "/api/ask", json={"question": "“三审三校”中的终审由谁负责？"}, timeout=60)
            second = time.perf_counter() - t
        finally:
            proc.terminate()
            proc.wait(20)
        print(f"server: ready (health answers) {ready:.2f} s after launch; first /api/ask {first * 1000:.0f} ms "
              f"(loads jieba, the model, Chroma); second /api/ask {second * 1000:.0f} ms")
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
