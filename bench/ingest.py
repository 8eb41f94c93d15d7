"""Ingest speed on real documents, and how much work reaches the model.

    python bench/ingest.py                 # parse all of ../shared/corpus/policy; embed a 30-document subset
    python bench/ingest.py --embed-docs 60

Prints: documents/s for parse+chunk alone (whole policy corpus); seconds until a document
is keyword-searchable (parse + tokenise + commit, per document); characters sent to the
model ÷ characters of the corpus; end-to-end passages/s of the vector phase ÷ raw encode
passages/s of the same model on the same texts in the same run.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POLICY = ROOT.parent / "shared" / "corpus" / "policy"


def main() -> None:
    from policykb.index.worker import embed_input
    from policykb.ingest import iter_input_files, parse_file
    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embed-docs", type=int, default=30, help="how many documents to embed (an even spread of the corpus)")
    args = ap.parse_args()

    files = iter_input_files([POLICY])
    t = time.perf_counter()
    parsed = [parse_file(f) for f in files]
    dt = time.perf_counter() - t
    chars = sum(len(p.text) for p in parsed)
    chunks = sum(len(p.chunks) for p in parsed)
    print(f"parse+chunk: {len(files)} documents, {chars:,} chars, {chunks:,} passages in {dt:.2f}s "
          f"= {len(files) / dt:.0f} documents/s")

    # An evenly spread subset, every k-th document, capped in size so the run stays short.
    small = [f for f, p in zip(files, parsed) if len(p.text) < 8000]
    step = max(1, len(small) // args.embed_docs)
    subset = small[::step][: args.embed_docs]
    with tempfile.TemporaryDirectory() as home:
        kb = KnowledgeBase(Settings(home=Path(home)))
        kb.embedder  # load the model outside the timings
        report = kb.ingest(subset, wait=False)
        kw = [f.seconds_to_searchable for f in report.files if f.seconds_to_searchable is not None]
        corpus_chars = sum(len(kb.document_text(f.doc_id)) for f in report.files if f.doc_id)
        texts = sorted({c.embed_hash: embed_input(None, c.section_path, c.text)
                        for f in report.files if f.doc_id for c in kb.document_chunks(f.doc_id)}.values(), key=len)
        n_chunks = sum(f.chunks for f in report.files)
        t = time.perf_counter()
        stats = kb.embed_pending()
        e2e = time.perf_counter() - t
        t = time.perf_counter()
        for i in range(0, len(texts), kb.settings.embedding_batch_size):
            kb.embedder.embed_passages(texts[i:i + kb.settings.embedding_batch_size])
        raw = time.perf_counter() - t
        kb.close()
    print(f"subset: {len(subset)} documents (every {step}th policy document under 8,000 chars), "
          f"{corpus_chars:,} chars, {n_chunks} passages, {len(texts)} distinct texts")
    print(f"keyword-searchable after: median {statistics.median(kw) * 1000:.0f} ms, "
          f"max {max(kw) * 1000:.0f} ms per document")
    print(f"chars sent to the model / corpus chars: {stats.encoded_chars / corpus_chars:.3f}")
    print(f"vector phase: {n_chunks / e2e:.2f} passages/s end to end; raw encode of the same texts: "
          f"{len(texts) / raw:.2f} texts/s; ratio {(n_chunks / e2e) / (len(texts) / raw):.3f}")


if __name__ == "__main__":
    main()
