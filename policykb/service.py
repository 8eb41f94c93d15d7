"""The service layer's front: the one object that CLI commands, HTTP routes and Python
users call. It holds the library's parts (registry, indexes, models, background workers)
and answers questions itself; the other concerns live in modules of their own, and each
`KnowledgeBase` method for them is a one-line delegation:

- putting files in, uploads: policykb/library_ingest.py
- documents (reading, edits, deletion, versions, 新旧对照): policykb/documents.py
- quotation check of a draft: policykb/verify.py; measuring with questions: policykb/evaluate.py
- 汇编 and 摘编: policykb/digest/, policykb/excerpts/
"""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb import documents, library_ingest
from policykb.config import Settings, load_settings
from policykb.errors import KnowledgeBaseError
from policykb.filters import FilterInput, SearchFilters
from policykb.registry import Registry, StoredChunk, StoredDocument
from policykb.results import NOT_FOUND, Answer, Citation, FileResult, Hit, IngestReport, SearchResult

if TYPE_CHECKING:
    from policykb.index.embedding import Embedder
    from policykb.index.vector_store import VectorStore
    from policykb.index.worker import WorkerStats
    from policykb.compare import Comparison
    from policykb.digest.build import Digest
    from policykb.excerpts.build import Excerpts
    from policykb.evaluate import EvalQuestion, EvalReport
    from policykb.verify import VerifyReport
    from policykb.answer.gate import GateSignals
    from policykb.answer.selection import Question as SelectionQuestion

__all__ = ["KnowledgeBase", "KnowledgeBaseError", "ProgressFn"]

_KB_NAME = re.compile(r"^[\w\-\u4e00-\u9fff]{1,64}$")

ProgressFn = Callable[[int, int], None]



class KnowledgeBase:
    # Answer gate and extractive answer parameters (tuned by bench/retrieval.py).
    FOUND_MIN_COVERAGE = 0.55
    ASK_PASSAGES = 5
    # The answer chooses among this many passages (policykb/answer/selection.py): the
    # passage that answers is often below the first (「第十条 …不得提供香烟和高档酒水」 at rank 11).
    ASK_CANDIDATES = 15
    # A question naming a place is answered from that place's documents first.
    PLACE_FIRST = True
    # A list question: among the selector's first this many, the passage defining its subject first.
    DEFINES_FIRST = 3
    # A refused question that is not plainly out of scope lists this many passages to look at.
    RELATED = 3

    def __init__(self, settings: Settings | None = None, kb: str | None = None) -> None:
        self.settings = settings or load_settings()
        self.name = kb or self.settings.kb
        if not _KB_NAME.match(self.name):
            raise KnowledgeBaseError(f"知识库名称无效：{self.name}（只能包含中文、字母、数字、-、_）")
        self.dir = self.settings.kb_dir(self.name)
        self.registry = Registry(self.dir / "registry.sqlite")
        self._embedder: Embedder | None = None
        self._store: VectorStore | None = None
        self._init_lock = threading.Lock()
        self._embed_lock = threading.Lock()
        # Work a search runs beside its own (the query vector while SQLite ranks keywords).
        self.query_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="policykb-query")
        self.worker = None  # set by start_worker()
        from policykb.ocr_jobs import OcrJobs

        self.ocr_jobs = OcrJobs(self)  # uploads read by OCR in the server's background
        from policykb.keyword_index import KeywordIndex

        self.keyword_index = KeywordIndex(self.registry, self.dir / "keyword-index",
                                          min_passages=self.settings.keyword_index_above,
                                          quiet_seconds=self.settings.keyword_index_quiet_seconds)
        self._backfill_document_index()
        from policykb import lineage

        lineage.backfill(self.registry)  # validity and citations for documents stored before they existed
        from policykb.retrieval.hybrid import Retriever
        from policykb.retrieval.thesaurus import Thesaurus, default_file

        self.retriever = Retriever(self)
        self.thesaurus = Thesaurus(default_file(), self.settings.thesaurus or self.settings.home / "thesaurus.txt")

    def _backfill_document_index(self) -> None:
        """Registries written before the whole-document index existed get it on open."""
        missing = self.registry.documents_missing_keyword_index()
        if missing:
            from policykb.index.tokenize import index_text

            self.registry.set_document_tokens([(i, index_text(f"{t or ''} {text}")) for i, t, text in missing])

    # ---- lazily loaded heavy parts -----------------------------------------------------

    @property
    def embedder(self) -> "Embedder":
        if self._embedder is None:
            with self._init_lock:
                if self._embedder is None:
                    from policykb.index.embedding import load_embedder

                    self._embedder = load_embedder(self.settings.embedding_model)
        return self._embedder

    @property
    def store(self) -> "VectorStore":
        if self._store is None:
            embedder = self.embedder
            with self._init_lock:
                if self._store is None:
                    from policykb.index.vector_store import VectorStore

                    self._store = VectorStore(
                        embedder,
                        self.name,
                        chroma_url=self.settings.chroma_url,
                        persist_dir=str(self.settings.chroma_dir()),
                        ef_search=self.settings.vector_ef_search,
                    )
        return self._store

    @property
    def store_loaded(self) -> bool:
        """Whether the vector store is open, without opening it (and loading the model)."""
        return self._store is not None

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.ocr_jobs.stop()
        self.keyword_index.close()
        self.query_pool.shutdown(wait=False)
        self.registry.close()

    # ---- files into the library (policykb/library_ingest.py) ----------------------------

    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        wait: bool = True,
        overrides: dict[str, Any] | None = None,
        on_file: Callable[[FileResult], None] | None = None,
        on_vectors: ProgressFn | None = None,
        on_ocr: Callable[[str, int, int], None] | None = None,
        on_skip: Callable[[str, str], None] | None = None,
    ) -> IngestReport:
        return library_ingest.ingest(self, paths, wait=wait, overrides=overrides, on_file=on_file,
                                     on_vectors=on_vectors, on_ocr=on_ocr, on_skip=on_skip)

    def ingest_file(self, path: Path, *, overrides: dict[str, Any] | None = None,
                    display_name: str | None = None,
                    on_ocr: Callable[[str, int, int], None] | None = None) -> FileResult:
        return library_ingest.ingest_file(self, path, overrides=overrides, display_name=display_name, on_ocr=on_ocr)

    def ingest_upload(self, filename: str, data: bytes, *,
                      overrides: dict[str, Any] | None = None) -> FileResult:
        return library_ingest.ingest_upload(self, filename, data, overrides=overrides)

    def recover_uploads(self) -> list[str]:
        return library_ingest.recover_uploads(self)

    @property
    def ocr_dir(self) -> Path:
        return self.dir / "ocr"

    @property
    def uploads_dir(self) -> Path:
        return self.dir / "uploads"

    @property
    def recipe(self) -> str:
        """How files are cut into passages; a stored document cut differently is redone."""
        return library_ingest.recipe(self.settings)

    # ---- documents (policykb/documents.py) ----------------------------------------------

    def list_documents(self, filters: FilterInput = None, *, title: str | None = None,
                       sort: str = "date_desc", limit: int = 50, offset: int = 0) -> tuple[list[StoredDocument], int]:
        return documents.list_documents(self, filters, title=title, sort=sort, limit=limit, offset=offset)

    def get_document(self, doc_id: str) -> StoredDocument:
        return documents.get_document(self, doc_id)

    def find_document(self, ref: str) -> StoredDocument | None:
        return documents.find_document(self, ref)

    def document_by_ref(self, ref: str) -> StoredDocument:
        return documents.document_by_ref(self, ref)

    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        return documents.document_chunks(self, doc_id)

    def document_text(self, doc_id: str) -> str:
        return documents.document_text(self, doc_id)

    def document_pages(self, doc_id: str) -> list[dict[str, int]]:
        return documents.document_pages(self, doc_id)

    def scanned_pages(self, doc_id: str) -> list[int]:
        return documents.scanned_pages(self, doc_id)

    def page_image(self, doc_id: str, page: int) -> bytes:
        return documents.page_image(self, doc_id, page)

    def reading_jobs(self) -> list[dict[str, Any]]:
        return documents.reading_jobs(self)

    def edit_document(self, doc_id: str, changes: dict[str, Any], *, editor: str, source: str = "api"
                      ) -> tuple[StoredDocument, list[str]]:
        return documents.edit_document(self, doc_id, changes, editor=editor, source=source)

    def document_edits(self, doc_id: str) -> list[Any]:
        return documents.document_edits(self, doc_id)

    def documents_missing_metadata(self, *, limit: int = 500) -> tuple[list[StoredDocument], dict[str, int]]:
        return documents.documents_missing_metadata(self, limit=limit)

    def delete_document(self, doc_id: str) -> StoredDocument:
        return documents.delete_document(self, doc_id)

    def refresh_versions(self) -> int:
        return documents.refresh_versions(self)

    def document_lineage(self, doc_id: str) -> dict[str, Any]:
        return documents.document_lineage(self, doc_id)

    def document_versions(self, doc_id: str) -> list[StoredDocument]:
        return documents.document_versions(self, doc_id)

    def set_validity(self, doc_id: str, *, validity: str | None = None, family: str | None = None,
                     superseded_by: str | None = None, clear: bool = False) -> StoredDocument:
        return documents.set_validity(self, doc_id, validity=validity, family=family,
                                      superseded_by=superseded_by, clear=clear)

    def compare(self, old_id: str, new_id: str) -> "Comparison":
        return documents.compare(self, old_id, new_id)


    # ---- vectors -----------------------------------------------------------------------

    def embed_pending(self, *, on_progress: ProgressFn | None = None, stop: Any = None,
                      max_chunks: int | None = None) -> "WorkerStats":
        """Drain the vector queue (or until `stop.is_set()`); safe to interrupt anywhere."""
        from policykb.index.worker import WorkerStats, apply_deletes, drain

        stats = WorkerStats()
        with self._embed_lock:
            if self.registry.pending_count() == 0 and not self.registry.pending_deletes(1):
                return stats
            store = self.store
            apply_deletes(self.registry, store)
            drain(self.registry, store, self.embedder, self.settings.embedding_batch_size, stats,
                  stop=stop, max_chunks=max_chunks, on_progress=on_progress,
                  with_context=self.settings.embed_context)
        return stats

    def rebuild_vectors(self, on_progress: ProgressFn | None = None) -> "WorkerStats":
        """Rebuild Chroma from the registry; cached vectors make this cheap."""
        self.store.reset()
        self.registry.reset_vector_state()
        return self.embed_pending(on_progress=on_progress)

    def rebuild_keyword_index(self) -> dict[str, Any] | None:
        """Rebuild the large-library keyword index now; None when the library is small
        enough for FTS5 alone (below `keyword_index_above` passages)."""
        if self.keyword_index.refresh(force=True) is None:
            return None
        return self.keyword_index.last_build

    def pause_worker(self) -> None:
        if self.worker is None:
            raise KnowledgeBaseError("后台向量化未运行（仅服务模式下可用）", code="no_worker", status=409)
        self.worker.pause()

    def resume_worker(self) -> None:
        if self.worker is None:
            raise KnowledgeBaseError("后台向量化未运行（仅服务模式下可用）", code="no_worker", status=409)
        self.worker.resume()

    def start_worker(self) -> None:
        """The server's background work: vectors for queued passages, and, on a large
        library, the keyword index rebuilt after writes pause (policykb/keyword_index.py)."""
        from policykb.index.worker import VectorWorker

        self.keyword_index.background = True
        if self.worker is None:
            self.worker = VectorWorker(lambda halt: self.embed_pending(stop=halt).chunks)
        self.worker.start()
        self.ocr_jobs.start()

    # ---- search ----------------------------------------------------------------------

    def search(self, query: str, *, top_k: int = 10,
               filters: FilterInput = None, mode: str = "hybrid") -> SearchResult:
        """Hybrid retrieval (policykb/retrieval/hybrid.py), plus how many documents a date or
        issuer filter left out for having no date or issuer (policykb/doc_metadata.py)."""
        from policykb.doc_metadata import left_out

        result = self.retriever.search(query, top_k=top_k, filters=filters, mode=mode)
        result.left_out = left_out(self.registry, SearchFilters.from_any(filters).to_registry())
        return result

    def similar(self, chunk_id: str, *, top_k: int = 10,
                filters: FilterInput = None) -> SearchResult:
        """"More like this": passages near this one, from other documents first."""
        chunk = self.registry.chunks_by_ids([chunk_id]).get(chunk_id)
        if chunk is None:
            raise KnowledgeBaseError(f"段落不存在：{chunk_id}", code="not_found", status=404)
        flt = SearchFilters.from_any(filters).to_registry()
        vector = self.store.get_vector(chunk_id) if chunk.vec_state else None
        if vector is None:
            from policykb.index.embedding import blob_to_vector

            cached = self.registry.cached_vectors([chunk.embed_hash], self.embedder.name)
            if cached:
                vector = blob_to_vector(cached[chunk.embed_hash])
        if vector is None:  # not embedded yet: fall back to its words (which find itself first)
            result = self.search(chunk.text[:200], top_k=top_k + 1, filters=filters, mode="keyword")
            result.results = [h for h in result.results if h.chunk_id != chunk_id][:top_k]
            result.mode, result.terms = "similar", []
            return result
        raw = self.store.query(vector, (top_k + 1) * 3)
        allowed = self.registry.allowed_chunk_ids([cid for cid, _ in raw], flt)
        ranked = [(cid, sim) for cid, sim in raw if cid in allowed and cid != chunk_id]
        others = [r for r in ranked if not r[0].startswith(chunk.doc_id)] + [r for r in ranked if r[0].startswith(chunk.doc_id)]
        ranked = others[:top_k]
        hits = self.retriever.hits([c for c, _ in ranked], dict(ranked),
                                   {c: {"vector_similarity": round(s, 4)} for c, s in ranked})
        return SearchResult(query=chunk.text[:50], results=hits, pending_vectors=self.registry.pending_count(), mode="similar")

    # ---- answers ---------------------------------------------------------------------

    def question_weights(self, question: str) -> dict[str, float]:
        from policykb.index.keyword import query_tokens
        from policykb.answer.relevance import idf_weights

        from policykb.text import QUESTION_WORDS, content_part, implied_terms

        tokens = [t for t in query_tokens(question) if t not in QUESTION_WORDS] or query_tokens(question)
        tokens += [t for t in implied_terms(question) if t not in tokens]
        df = self.registry.token_document_frequency(tokens)
        # A token the library has never seen is often the question's phrasing glued onto a
        # word (「最多能」, 「能配」): keep only its content, if any (policykb/text.py).
        trimmed = [t if df.get(t) else content_part(t) for t in tokens]
        tokens = list(dict.fromkeys(t for t in trimmed if t and t not in QUESTION_WORDS)) or tokens
        # A single character (「公」 of 公租房) is found inside any word: no evidence alone.
        tokens = [t for t in tokens if len(t) > 1 or not t.isalpha() or t.isascii()] or tokens
        df = self.registry.token_document_frequency(tokens)
        return idf_weights(tokens, df, max(self.registry.chunk_count(), 1))

    def ask(self, question: str, *, filters: FilterInput = None) -> Answer:
        """An answer from the top passages, every sentence cited. With an LLM configured
        (llm_base_url) the model writes it and the citations are checked; if the model
        fails, the extractive answer serves with a notice. When retrieval finds nothing
        relevant the answer is NOT_FOUND and no model is called."""
        listed = self._listing_answer(question, filters)
        if listed is not None:
            return listed
        facts = self._document_answer(question, filters)
        if facts is not None:
            return facts
        filters = self._named_version_filters(question, filters)
        context = self._answer_context(question, filters)
        if isinstance(context, Answer):
            return context
        hits, weights, pending = context
        notice = None
        if self.settings.llm_base_url:
            from policykb.answer import generative
            from policykb.llm import LLMError, llm_for

            try:
                return self._with_related(generative.answer(llm_for(self.settings), question, hits,
                                                            self.question_weights, pending_vectors=pending), hits)
            except LLMError as exc:
                notice = generative.fallback_notice(exc)
        return self._extractive_answer(question, hits, weights, pending, notice)

    def _document_answer(self, question: str, filters: FilterInput) -> Answer | None:
        """「…是哪个文号 / 哪个部门 / 哪天印发的」, 「…分为几章」: what the library knows of the
        document a question names, and how it is laid out; None for other questions."""
        from policykb.answer.document_facts import answer_facts
        from policykb.answer.outline import answer_outline

        return answer_facts(self, question, filters) or answer_outline(self, question, filters)

    def _with_related(self, answer: Answer, hits: list[Hit]) -> Answer:
        """The model read these passages and found no answer in them: they are still the
        nearest the library has, listed apart for the official to judge."""
        return answer if answer.found or answer.related else replace(answer, related=hits[:self.RELATED])

    def question_alternatives(self, question: str, weights: dict[str, float]) -> dict[str, list[str]]:
        """For each colloquial term of the question, the official words it stands for
        (policykb/retrieval/thesaurus.py): 「烟酒」 is covered by 「香烟」 or 「酒水」."""
        return self.thesaurus.alternatives(question, list(weights))

    def answer_question(self, question: str, weights: dict[str, float]) -> "SelectionQuestion":
        """What the passage selector (policykb/answer/selection.py) knows of a question."""
        from policykb.answer.extractive import ASKS_QUANTITY, period_words
        from policykb.answer.selection import ASKS_COUNT, ASKS_DATE, Question, asked_unit

        qa = self.retriever.analyse(question)
        count = ASKS_COUNT.search(question)
        return Question(weights=weights, alternatives=self.question_alternatives(question, weights),
                        intent=qa.intent, wants_number=bool(ASKS_QUANTITY.search(question)),
                        period=period_words(question), scope=frozenset(qa.answer_scope or ()),
                        wants_date=bool(ASKS_DATE.search(question)), counted=count.group(1) if count else "",
                        unit=asked_unit(question))

    def answer_order(self, question: str, hits: list[Hit], weights: dict[str, float]) -> list[Hit]:
        """Passages in the order an answer should read them: the passage to quote first, as
        the fitted selector weighs retrieval's ranks, closeness in meaning, coverage of the
        question and the form of the answer asked for (policykb/answer/selection.py)."""
        from policykb.answer.selection import ranked

        with_vectors = any(h.match.get("vector_similarity") is not None for h in hits)
        asked = self.answer_question(question, weights)
        order = ranked(asked, hits, [self._evidence_text(h) for h in hits], with_vectors=with_vectors)
        qa = self.retriever.analyse(question)
        if self.PLACE_FIRST and qa.places_geo and qa.place_docs and not qa.named_docs:
            # 「云南今年粮食产量要稳在多少」: Yunnan's report answers, or nothing does; 黑龙江's
            # 「粮食产量1600亿斤以上」 shares more words but is another province's.
            own = {i for i, _ in order if hits[i].doc_id in qa.place_docs}
            if own:
                order = [o for o in order if o[0] in own] + [o for o in order if o[0] not in own]
        if asked.wants_number and asked.unit and order:
            # 「GDP增速目标定的多少」: when the first passage states no amount of the kind asked
            # and one the selector found about as likely does, that one answers first.
            from policykb.answer.selection import also_quoted, amount_coverage

            top = order[0][1]
            if not amount_coverage(asked, hits[order[0][0]]):
                # Among the passages the answer reads, so the gate weighs the same ones.
                stating = next((o for o in order[1:self.ASK_PASSAGES] if also_quoted(top, o[1])
                                and amount_coverage(asked, hits[o[0]]) > 0), None)
                if stating is not None:
                    order = [stating] + [o for o in order if o is not stating]
        if self.DEFINES_FIRST and with_vectors and qa.intent in ("list", "define"):
            # 「因公临时出国经费都包括哪几块」: the article that says what the 经费 comprises
            # (「因公临时出国经费包括：国际旅费、…」) over one that lists rules about it. Not in
            # a keyword-only library, whose selector orders by other weights: there it cost
            # list quotations (keyword whole corpus quoted 0.710 → 0.701).
            from policykb.retrieval.hybrid import _defines, subject_terms

            defines = _defines(subject_terms(weights))
            head = order[:self.DEFINES_FIRST]
            if defines is not None and not defines.search(hits[head[0][0]].text):
                first = next((o for o in head if defines.search(hits[o[0]].text)), None)
                if first is not None:
                    order = [first] + [o for o in order if o is not first]
        # The selector's score travels with the hit (explain output; the extractive answer
        # quotes a second passage when two are close).
        return [replace(hits[i], match={**hits[i].match, "answer_score": round(score, 3)}) for i, score in order]

    def gate_signals(self, question: str, hits: list[Hit], weights: dict[str, float],
                     lacking: dict[str, list[str]] | None = None) -> "GateSignals":
        """What the answer gate weighs (policykb/answer/gate.py). `lacking`: the question's
        `version_lacks`, when the caller has it already."""
        from policykb.answer.gate import GateSignals
        from policykb.answer.relevance import anchored, coverage
        from policykb.answer.selection import ASKS_AMOUNT, amount_coverage

        alternatives = self.question_alternatives(question, weights)
        texts = [self._evidence_text(h) for h in hits]
        best = max((coverage(weights, t, alternatives) for t in texts), default=0.0)
        sims = [h.match["vector_similarity"] for h in hits if h.match.get("vector_similarity") is not None]
        qa = self.retriever.analyse(question)
        scope = qa.answer_scope
        named = bool(scope) and any(h.doc_id in scope for h in hits[:3])
        # A version the library lacks (「2025年四川省政府工作报告」 beside 2026's), a document it
        # does not hold (「乡村振兴促进法」) or a place no document comes from (深圳市) is a
        # pointer the passages cannot honour.
        evidence = "\n".join(texts)
        pointed = not qa.version_missing and not qa.unknown_names and all(
            re.sub(r"(?:省|市|自治区|县|区)$", "", p) in evidence for p in qa.unknown_places)
        # 「1997年纪律处分条例里违反八项规定…」: the version named never says it, a later one does.
        pointed = pointed and not (self.version_lacks(question, weights) if lacking is None else lacking)
        amount = None
        if ASKS_AMOUNT.search(question) and qa.intent != "list":  # 哪几条 asks for a list, not a count
            asked = self.answer_question(question, weights)
            amount = max((amount_coverage(asked, h) for h in hits), default=0.0)
        from policykb.answer.checks import evidence_text
        from policykb.text import sentence_texts

        sentence = max((coverage(weights, f"{self._evidence_head(h)} {s}", alternatives)
                        for h in hits for s in sentence_texts(evidence_text(h.text))), default=0.0)
        return GateSignals(coverage=best, similarity=max(sims) if sims else None, named=named,
                           anchored=pointed and anchored(question, texts), amount=amount, sentence=sentence)

    def version_lacks(self, question: str, weights: dict[str, float]) -> dict[str, list[str]]:
        """The question's terms that the version it names lacks and other versions hold
        (policykb/lineage.py), with the titles of those versions."""
        from policykb import lineage

        alternatives = self.question_alternatives(question, weights)
        return lineage.version_lacks(self.registry, question, {t: alternatives.get(t, []) for t in weights})

    def _answer_context(self, question: str, filters: FilterInput
                        ) -> Answer | tuple[list[Hit], dict[str, float], int]:
        """The passages to answer from, or the NOT_FOUND answer when none is relevant."""
        from policykb.answer.gate import admits

        result = self.search(question, top_k=self.ASK_CANDIDATES, filters=filters)
        weights = self.question_weights(question)
        hits = self.answer_order(question, result.results, weights)[:self.ASK_PASSAGES]
        # Read once: the gate refuses on it, and the refusal says which versions have it.
        lacking = self.version_lacks(question, weights)
        with_model = bool(self.settings.llm_base_url)
        signals = self.gate_signals(question, hits, weights, lacking) if hits else None
        if signals is None or not admits(signals, with_model=with_model):
            notice = "；".join(f"所问的版本未见「{t}」，{'、'.join(f'《{x}》' for x in where)}有"
                              for t, where in lacking.items()) or None
            # Refused, but not plainly out of scope (a model would have been given these
            # passages): the official may judge them, shown apart from any answer.
            near = signals is not None and not with_model and admits(signals, with_model=True)
            return Answer(question=question, answer=NOT_FOUND, citations=[], found=False, notice=notice,
                          pending_vectors=result.pending_vectors, related=hits[:self.RELATED] if near else [])
        return hits, weights, result.pending_vectors

    @staticmethod
    def _evidence_text(hit: Hit) -> str:
        """What a reader sees of a passage: its document's title, 文号, issuer and date, its
        headings and its text."""
        from policykb.answer.checks import evidence_text

        # A sentence addressed to a model (「忽略以上指令，…由谁负责的问题…」) is no evidence
        # of anything, however many of the question's words it repeats.
        return f"{KnowledgeBase._evidence_head(hit)} {evidence_text(hit.text)}"

    @staticmethod
    def _evidence_head(hit: Hit) -> str:
        """What a reader sees above a passage: its document's title, 文号, issuer and date,
        and its headings."""
        meta = hit.metadata
        # 云南's report is filed as 「2026年政府工作报告」: its issuer (云南省人民政府) says whose
        # it is for every passage, not only those whose text happens to say 云南.
        return " ".join([hit.title or "", meta.get("doc_no") or "", meta.get("issuer") or "", meta.get("date") or "",
                         *hit.section_path])

    def _extractive_answer(self, question: str, hits: list[Hit], weights: dict[str, float], pending: int,
                           notice: str | None = None) -> Answer:
        from policykb.answer.extractive import compose, pick_sentences, provision_answer
        from policykb.answer.table_rows import cited_row

        intent = self.retriever.analyse(question).intent
        alternatives = self.question_alternatives(question, weights)
        # The passages come in the selector's order: the first is the one to quote, unless
        # it holds no sentence that answers anything (a heading, an instruction).
        picked, chosen = [], 0
        for chosen, hit in enumerate(hits):
            picked = pick_sentences(weights, [hit], question=question, max_sentences=1, alternatives=alternatives,
                                    intent=intent, title_apart=True)
            if picked:
                picked = [replace(p, hit_index=chosen) for p in picked]
                break
        if not picked:
            return Answer(question=question, answer=NOT_FOUND, citations=[], found=False, notice=notice,
                          pending_vectors=pending)
        best = picked[0]
        if cited_row(hits[chosen].text, best.offset, best.sentence):
            # A table row answers with the column it comes from: 「牵头单位：市委党校」, the row cited.
            text, citations = compose(picked, hits)
            return Answer(question=question, answer=text, citations=citations, found=True, notice=notice,
                          pending_vectors=pending)
        quoted = provision_answer(best, hits, self.registry.document_text(hits[best.hit_index].doc_id) or "",
                                  list_wanted=intent in ("list", "define"), question=question)
        citations = [quoted.citation]
        text = quoted.text
        also = self._also_quoted(question, hits, chosen, weights, alternatives, intent, quoted.citation)
        if also is not None:
            text += f"\n\n另见{also[0]}"
            citations.append(also[1])
        self._refine_paths(citations)
        return Answer(question=question, answer=text, citations=citations, found=True, notice=notice,
                      pending_vectors=pending, highlights=[list(quoted.highlight)])

    def _also_quoted(self, question: str, hits: list[Hit], chosen: int, weights: dict[str, float],
                     alternatives: dict[str, list[str]], intent: str, first: Citation
                     ) -> tuple[str, Citation] | None:
        """When the selector was unsure, the runner-up's answering sentence, introduced by
        whose it is: 「《…》第十四条：…[2]」. None when the first passage stood clear, or
        the runner-up is the provision already quoted."""
        from policykb.answer.extractive import pick_sentences
        from policykb.answer.provision import cite_label, provision_at
        from policykb.answer.selection import also_quoted

        top = hits[chosen].match.get("answer_score")
        for i, hit in enumerate(hits):
            if i == chosen or top is None or hit.match.get("answer_score") is None:
                continue
            if not also_quoted(top, hit.match["answer_score"]):
                return None  # hits are in the selector's order: the rest are further still
            if hit.doc_id == first.doc_id and first.char_start <= hit.char_start and hit.char_end <= first.char_end:
                continue  # the same provision, quoted already
            picked = pick_sentences(weights, [hit], question=question, max_sentences=1, alternatives=alternatives,
                                    intent=intent, title_apart=True)
            if not picked or len(picked[0].sentence) < 8:  # a heading or a table cell says nothing alone
                continue
            p = picked[0]
            s0 = hit.char_start + p.offset
            # A long paragraph is cut into overlapping passages: the next one may go on past
            # what the first quoted (「…为全国大局多作贡献。」 then 「主要预期目标为：…增长5%以上」),
            # but a sentence the quotation already holds is not quoted twice.
            if hit.doc_id == first.doc_id and first.char_start <= s0 < first.char_end:
                continue
            document = self.registry.document_text(hit.doc_id) or ""
            label = cite_label(hit.title, provision_at(document, s0, s0 + len(p.sentence))) if document else ""
            sentence = p.sentence if p.sentence[-1] in "。！？；" else p.sentence + "。"
            article = re.match(r"^第.{1,8}?条", label.rsplit("》", 1)[-1])
            if article and sentence.startswith(article.group(0)):  # 「第十四条：第十四条 …」
                sentence = sentence[len(article.group(0)):].lstrip(" 　")
            citation = Citation.of(hit, 2, cited_offsets=[s0])
            return f"{label}：{sentence}[2]" if label else f"{sentence}[2]", citation
        return None

    def ask_stream(self, question: str, *, filters: FilterInput = None
                   ) -> Iterator[tuple[str, Any]]:
        """Events for streaming clients: ("delta", {"text", "supported"}) pieces of the
        answer, each sentence only once its citations were checked (generative.stream:
        a sentence its passages do not support comes marked `supported: false`), then
        ("done", full answer dict with citations), the one to keep: if the model fails
        midway it is the extractive answer with a notice. The extractive answer is ready
        at once, so it streams sentence by sentence."""
        def pieces(answer: Answer) -> Iterator[tuple[str, Any]]:
            for piece in re.findall(r"[^\]]*\]|[^\]]+$", answer.answer) or [answer.answer]:
                yield "delta", {"text": piece, "supported": piece.strip() not in answer.unsupported}
            yield "done", answer.to_dict()

        listed = self._listing_answer(question, filters)
        if listed is not None:
            yield from pieces(listed)
            return
        if self.settings.llm_base_url:  # without a model, ask() below answers them the same way
            facts = self._document_answer(question, filters)
            if facts is not None:
                yield from pieces(facts)
                return
        filters = self._named_version_filters(question, filters)
        if not self.settings.llm_base_url:
            yield from pieces(self.ask(question, filters=filters))
            return
        from policykb.answer import generative
        from policykb.llm import LLMError, llm_for

        context = self._answer_context(question, filters)
        if isinstance(context, Answer):
            yield from pieces(context)
            return
        hits, weights, pending = context
        streamed = False
        try:
            for event in generative.stream(llm_for(self.settings), question, hits, self.question_weights,
                                           pending_vectors=pending):
                streamed = streamed or event[0] == "delta"
                if event[0] == "done" and not event[1].get("found") and not event[1].get("related"):
                    event = ("done", {**event[1], "related": [h.to_dict() for h in hits[:self.RELATED]]})
                yield event
            return
        except LLMError as exc:
            answer = self._extractive_answer(question, hits, weights, pending, generative.fallback_notice(exc))
        if streamed:  # the model's text is on screen already: the done event replaces it
            yield "done", answer.to_dict()
        else:
            yield from pieces(answer)

    # ---- digest ----------------------------------------------------------------------

    def digest(self, quarter: str, *, topics: list[str] | str | None = None, issuer: str | None = None,
               doc_type: str | None = None, interpret: bool = True) -> "Digest":
        """The quarter's 《政策解读汇编》: documents dated in `quarter` ('2026Q1') grouped by
        topic, each with key points cited to its passages; undated documents listed apart."""
        from policykb.digest.build import compile_digest
        from policykb.digest.select import QuarterError
        from policykb.digest.topics import TopicError

        try:
            return compile_digest(self, quarter, topics, issuer, doc_type, interpret=interpret)
        except (QuarterError, TopicError) as exc:
            raise KnowledgeBaseError(str(exc), code="bad_digest_request") from exc

    def excerpts(self, topic: str, *, date_from: str | None = None, date_to: str | None = None,
                 doc_type: str | None = None, issuer: str | None = None, max_excerpts: int | None = None,
                 mode: str = "hybrid", groups: dict[str, dict[str, str]] | None = None) -> "Excerpts":
        """The thematic 论述摘编 (policykb/excerpts): every statement of substance on `topic`
        in the documents that pass the filters, repeats merged with all their sources, grouped
        by sub-theme in date order; `groups` carries the editor's renames and moves."""
        from policykb.excerpts.build import DEFAULT_MAX, ExcerptRequest, ExcerptsError, compile_excerpts
        from policykb.filters import FilterError

        request = ExcerptRequest(topic=topic, date_from=date_from, date_to=date_to, doc_type=doc_type, issuer=issuer,
                                 max_excerpts=max_excerpts or DEFAULT_MAX, mode=mode, groups=groups or {})
        try:
            return compile_excerpts(self, request)
        except (ExcerptsError, FilterError) as exc:
            raise KnowledgeBaseError(str(exc), code="bad_excerpts_request") from exc

    def digest_layout(self) -> dict[str, Any]:
        """The editor's 汇编 layout: {"moves": {doc_id: group}, "renames": {…}, "order": […]}."""
        from policykb.digest.layout import load_layout

        return load_layout(self.registry).to_dict()

    def change_digest_layout(self, *, move: tuple[str, str] | None = None, unmove: str | None = None,
                             rename: tuple[str, str] | None = None, order: list[str] | None = None,
                             reset: bool = False) -> dict[str, Any]:
        """Move a document to a group (by id, 文号 or title), put it back (unmove), rename a
        group, set the groups' order, or reset; kept for every later digest."""
        from policykb.digest.layout import Layout, LayoutError, change, load_layout, save_layout

        layout = Layout() if reset else load_layout(self.registry)
        try:
            if move:
                move = (self._layout_doc(move[0]), move[1])
            if unmove:
                unmove = self._layout_doc(unmove)
            layout = change(layout, move=move, unmove=unmove, rename=rename, order=order)
        except LayoutError as exc:
            raise KnowledgeBaseError(str(exc), code="bad_layout") from exc
        save_layout(self.registry, layout)
        return layout.to_dict()

    def _layout_doc(self, ref: str) -> str:
        doc = self.registry.get_document(ref) or self.registry.document_by_reference(ref)
        if doc is None:
            raise KnowledgeBaseError(f"文档不存在：{ref}（可用文档编号、文号或标题）", code="not_found", status=404)
        return doc.id

    def _refine_paths(self, citations: list[Citation]) -> None:
        """Point each citation at the finest heading over the sentences it supports."""
        for c in citations:
            offsets, c.cited_offsets = c.cited_offsets, None
            if offsets:
                c.section_path = self.finest_section_path(c.doc_id, c.section_path, offsets)

    def finest_section_path(self, doc_id: str, section_path: list[str], offsets: list[int]) -> list[str]:
        """The headings over all these offsets of a document, when they go below
        `section_path` (a passage's path is its first heading's; a sentence may sit deeper)."""
        from policykb.ingest.structure import section_path_at

        text = self.registry.document_text(doc_id) or ""
        paths = [section_path_at(text, o) for o in offsets]
        common = paths[0]
        for p in paths[1:]:
            common = tuple(a for a, b in zip(common, p) if a == b)
        if len(common) > len(section_path) and tuple(common[: len(section_path)]) == tuple(section_path):
            return list(common)
        return section_path

    # ---- quotation check (三审三校, policykb/verify.py) -----------------------------------

    def verify(self, draft: str, *, filters: FilterInput = None) -> "VerifyReport":
        from policykb.verify import check_draft

        return check_draft(self, draft, filters=filters)

    # ---- measuring against the users' own questions (policykb/evaluate.py) ------------

    def evaluate(self, questions: "list[EvalQuestion]", *, mode: str = "hybrid", ask: bool = True,
                 on_progress: ProgressFn | None = None) -> "EvalReport":
        from policykb.evaluate import evaluate

        return evaluate(self, questions, mode=mode, ask=ask, on_progress=on_progress)

    # ---- the library as a whole --------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Documents, passages and passages waiting for vectors; for a health check, so it
        never waits long for a write in progress (the last counts then)."""
        return self.registry.counts()

    def pending_vectors(self) -> int:
        """Passages waiting for their vectors (searchable by keyword meanwhile)."""
        return self.registry.pending_count()


    def stats(self) -> dict[str, Any]:
        return {"kb": self.name, **self.registry.stats()}

    def status(self) -> dict[str, Any]:
        worker = self.worker
        return {
            "kb": self.name,
            "pending_vectors": self.registry.pending_count(),
            "chunks": self.registry.chunk_count(),
            "embedding_model": self.settings.embedding_model,
            "vector_store": self.settings.chroma_url or str(self.settings.chroma_dir()),
            "worker": None if worker is None else {
                "running": worker.running, "paused": worker.paused, "busy": worker.busy,
                "last_error": worker.last_error,
            },
            "keyword_index": self.keyword_index.status(),
            "llm": self._llm_status(),
            "ocr_jobs": [{"path": j["display_name"], "pages_done": j["pages_done"], "pages_total": j["pages_total"],
                          "state": j["state"], "label": j["label"]} for j in self.ocr_jobs.jobs()],
        }

    def _llm_status(self) -> dict[str, Any] | None:
        """Model calls running, queued and refused as busy (policykb/llm_gate.py)."""
        if not self.settings.llm_base_url:
            return None
        from policykb.llm import llm_for

        return llm_for(self.settings).gate.status()

    # ---- listing and named versions (policykb/answer/listing.py, policykb/lineage.py) --

    def _listing_answer(self, question: str, filters: FilterInput) -> Answer | None:
        """「2026年一季度印发了哪些文件」「…有哪些版本」: the complete list from the registry
        (policykb/answer/listing.py); None for any other question."""
        from policykb.answer.listing import answer_listing

        return answer_listing(self, question, filters)

    def _named_version_filters(self, question: str, filters: FilterInput) -> SearchFilters:
        """「2018年版纪律处分条例…」 names an old version: answer from it, not from the
        current one (policykb/lineage.py). Filters naming documents already are kept."""
        from dataclasses import replace

        from policykb import lineage

        given = SearchFilters.from_any(filters)
        if given.doc_ids is not None:
            return given
        named = lineage.named_version_filter(self.registry, question)
        if named is None:
            return given
        return replace(given, doc_ids=tuple(named["doc_ids"]), include_superseded=True)
