"""Query latency and memory as the library grows: 10k, 50k and 200k passages, up to a million.

    python bench/scale.py                  # sizes 10000,50000,200000
    python bench/scale.py --sizes 10000
    nice -n 10 python bench/scale.py --passages 1000000 --hours 1.5          # embedded Chroma
    nice -n 10 python bench/scale.py --passages 1000000 --chroma-server      # a `chroma run` server

--passages N grows to N, measuring at each of --sizes below it and at N; --hours bounds the
growth (it stops and measures where it got to, and says so); --chroma-server starts a
`chroma run` on loopback for the vectors and reports its memory too.

How the synthetic passages are made (embedding 200k passages with the 2-core CPU model would
take about six hours): the real ncp knowledge base built by bench/retrieval.py is copied,
then filled up with passages of 4-8 real sentences drawn at random from
../shared/corpus/policy (so BM25 sees real Chinese term statistics), each with a vector that
is a random mix of two real passage vectors from the model's cache plus small noise,
normalised (so the HNSW graph sees a realistic, clustered distribution). At each size the
keyword index is rebuilt in a fresh process (its time and peak memory printed), then the ncp
questions are timed by bench/query.py in another fresh process, query embedding included.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POLICY = ROOT.parent / "shared" / "corpus" / "policy"

from bench.common import ncp_home  # noqa: E402


def real_sentences(limit: int = 60000) -> list[str]:
    from policykb.ingest import iter_input_files, parse_file

    out: list[str] = []
    for f in iter_input_files([POLICY]):
        text = parse_file(f).text
        out.extend(s for s in re.findall(r"[^。！？\n]{12,120}[。！？]", text))
        if len(out) >= limit:
            break
    return out


def main() -> None:
    from policykb.index.embedding import blob_to_vector
    from policykb.index.tokenize import tokenize
    from policykb.config import Settings
    from policykb.registry import NewChunk
    from policykb.service import KnowledgeBase

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,50000,200000")
    ap.add_argument("--n", type=int, default=100, help="questions timed at each size")
    ap.add_argument("--passages", type=int, default=0, help="grow to this many (sizes below it measured on the way)")
    ap.add_argument("--hours", type=float, default=0, help="stop growing after this long and measure there")
    ap.add_argument("--base", type=Path, default=None, help="the ncp knowledge base to start from")
    ap.add_argument("--chroma-server", action="store_true", help="vectors in a `chroma run` server on loopback")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.passages:
        sizes = [x for x in sizes if x < args.passages] + [args.passages]
    deadline = time.monotonic() + args.hours * 3600 if args.hours else None
    base = args.base or ncp_home()
    if not base.exists():
        sys.exit("run bench/retrieval.py first: it builds the real ncp knowledge base")
    home = ROOT / "bench" / "cache" / ("scale-server" if args.chroma_server else "scale")
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(base, home)
    chroma = start_chroma(home) if args.chroma_server else None
    kb = KnowledgeBase(Settings(home=home))
    if chroma is not None:  # the copy's vectors live in its embedded Chroma: put them in the server
        t = time.perf_counter()
        kb.rebuild_vectors()
        print(f"chroma server {os.environ['POLICYKB_CHROMA_URL']}: base vectors loaded in {time.perf_counter() - t:.0f}s")
    rng = random.Random(7)

    t = time.perf_counter()
    sentences = real_sentences()
    sent_tokens = [" ".join(tokenize(s)) for s in sentences]
    print(f"{len(sentences):,} real sentences tokenised in {time.perf_counter() - t:.0f}s")
    rows = kb.registry._query("SELECT vector FROM embeddings")
    pool = np.stack([blob_to_vector(r[0]) for r in rows])

    per_doc = 50
    doc_no = 0
    summary: list[str] = []
    started = time.perf_counter()
    for size in sizes:
        t = time.perf_counter()
        stopped = False
        while (have := kb.registry.chunk_count()) < size:
            if deadline is not None and time.monotonic() > deadline:
                stopped = True
                break
            doc_no += 1
            doc_id = f"syn{doc_no:06d}"
            chunks, texts = [], []
            pos = 0
            for i in range(min(per_doc, size - have)):
                picks = rng.sample(range(len(sentences)), rng.randint(4, 8))
                text = "".join(sentences[j] for j in picks)
                h = hashlib.sha1(f"{doc_id}-{i}".encode()).hexdigest()
                chunks.append(NewChunk(id=f"{doc_id}-{i:04d}-{h[:6]}", ord=i, text=text, char_start=pos,
                                       char_end=pos + len(text), page=None, section_path=(),
                                       embed_hash=h, tokens=" ".join(sent_tokens[j] for j in picks)))
                texts.append(text)
                pos += len(text) + 1
            kb.registry.put_document(
                doc_id=doc_id, source_path=f"/synthetic/{doc_id}.txt", filename=f"{doc_id}.txt", fmt="txt",
                content_hash=doc_id, meta={"title": f"合成文档{doc_no}", "date": f"20{10 + doc_no % 16}-0{1 + doc_no % 9}-15"},
                text="\n".join(texts), pages=[], warnings=[], chunks=chunks,
            )
            vecs = []
            for _ in chunks:
                v = pool[rng.randrange(len(pool))] + pool[rng.randrange(len(pool))] * rng.random()
                v = v + np.random.default_rng(doc_no).normal(0, 0.02, v.shape).astype(np.float32)
                vecs.append(v / np.linalg.norm(v))
            kb.store.upsert([c.id for c in chunks], np.stack(vecs), [doc_id] * len(chunks))
            kb.registry.mark_vectors_done([c.id for c in chunks])
        chroma_dir = home / "chroma-server" if chroma is not None else home / "chroma"
        line = (f"grew to {kb.registry.chunk_count():,} passages in {time.perf_counter() - t:.0f}s "
                f"({time.perf_counter() - started:.0f}s in all); "
                f"registry {(home / 'kbs' / 'default' / 'registry.sqlite').stat().st_size / 2**20:.0f} MiB, "
                f"chroma {sum(f.stat().st_size for f in chroma_dir.rglob('*') if f.is_file()) / 2**20:.0f} MiB"
                + (f", chroma server RSS {rss_mib(chroma.pid):.0f} MiB" if chroma is not None else "")
                + (" — stopped by --hours" if stopped else ""))
        print(line, flush=True)
        summary.append(line)
        query = [sys.executable, str(ROOT / "bench" / "query.py"), "--home", str(home)]
        for extra in (["--build-index"], ["--n", str(args.n)]):
            out = subprocess.run(query + extra, capture_output=True, text=True)
            print(out.stdout.strip() or out.stderr[-2000:], flush=True)
            summary.append(out.stdout.strip())
        if chroma is not None:
            print(f"chroma server RSS after the queries {rss_mib(chroma.pid):.0f} MiB", flush=True)
        if stopped:
            break
    kb.close()
    if chroma is not None:
        chroma.terminate()
        chroma.wait(30)
    print("\n".join(["", "summary:", *summary]))


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_chroma(home: Path) -> subprocess.Popen:
    """`chroma run` on a free loopback port; POLICYKB_CHROMA_URL points every process here at it."""
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exe = Path(sys.executable).with_name("chroma")
    log = open(home / "chroma-server.log", "w")
    proc = subprocess.Popen([str(exe), "run", "--path", str(home / "chroma-server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(url + "/api/v2/heartbeat", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    os.environ["POLICYKB_CHROMA_URL"] = url
    return proc


if __name__ == "__main__":
    main()
