"""Hybrid retrieval: jieba BM25 (passages and whole documents) ∪ vectors, fused by
weighted reciprocal rank, then weighed by what the question says about whose text it
means (policykb/retrieval/query.py): documents it names, places and organisations, the
year of a version, and the kind of answer it wants.

`Retriever` is the one way the service searches; `Retriever.hit` is the one way a stored
chunk becomes the passage a user reads.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from policykb.filters import SearchFilters
from policykb.registry import DocumentFilter, StoredChunk, StoredDocument
from policykb.results import Hit, SearchResult
from policykb.retrieval.catalog import Catalog, DocRecord
from policykb.retrieval.query import QueryAnalysis, analyse
from policykb.text import QUESTION_WORDS, fold, implied_terms, is_article

if TYPE_CHECKING:
    from policykb.service import KnowledgeBase

MODES = ("hybrid", "keyword", "vector")

# A passage that enumerates or defines: what 有哪些 / 是指 questions want.
_ENUMERATES = re.compile(r"[（(][一二三四五六七八九十][）)].{2,}?[（(][一二三四五六七八九十][）)]|包括|分为|是指|下列|以下"
                         r"|[一二三四五六七八九十]是.{2,}?[一二三四五六七八九十]是|种类|方式|形式|情形")
_DEFINING = r"(?:是指|包括|包含|分为|主要有|有以下|有下列|的种类|的方式|的形式|的情形)"
_HEAD_NOUN = r"(?:案件|行为|人员|工作|事项|活动|对象)"


# What a list question asks its subject's items to be (「组织处理的**方式**包括哪些」): the
# subject is the other words.
_ASKED_FORMS = frozenset("方式 种类 形式 情形 类型 类别 内容 范围 方面 措施 途径 渠道 手段 费用 项目 情况".split())


# The words a text introduces a list of each asked form with (「有下列行为之一的」 lists 情形).
_FORM_WORDS = {"情形": "情形|行为|情况|情节", "情况": "情形|行为|情况", "方式": "方式|形式|措施", "形式": "形式|方式",
               "种类": "种类|类型|类别", "类型": "类型|种类|类别", "类别": "类别|种类|类型", "措施": "措施|手段|方式",
               "手段": "手段|措施", "途径": "途径|渠道|方式", "渠道": "渠道|途径", "内容": "内容|事项", "范围": "范围"}


def _lists_form(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Text that introduces a list of the form a list question asks for: 「有下列行为之一的」
    for 哪些情形, 「采取以下方式」 for 哪些方式, 「处分的种类为：」 for 哪些种类."""
    words = "|".join(dict.fromkeys(w for t in terms if t in _FORM_WORDS for w in _FORM_WORDS[t].split("|")))
    if not words:
        return None
    return re.compile(f"(?:下列|以下|如下)(?:{words})|(?:{words})(?:包括|为|有)[：:]")


def subject_terms(terms: Iterable[str]) -> list[str]:
    """The words of a list question that name what it asks about: 「组织处理的方式包括哪些」 →
    组织, 处理 (a single character says nothing; 方式 is the form it asks the items in)."""
    return [t for t in terms if len(t) > 1 and t not in _ASKED_FORMS]


def _defines(terms: list[str]) -> re.Pattern[str] | None:
    """Text that says what one of these terms is or comprises (「差旅费是指」, 「处分的种类」)."""
    if not terms:
        return None
    # 「本规定所称组织处理，是指…」: a comma may stand between the term and what defines it,
    # and a head noun after it (「贪污贿赂犯罪案件，包括贪污罪；…」).
    return re.compile("(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + ")"
                      + _HEAD_NOUN + "?[，,]?" + _DEFINING)


_THIS_YEAR = re.compile(r"今年|本年度?|年内")
_REVIEW = re.compile(r"回顾|过去一年|过去五年|发展成就|主要成绩|取得的成绩")
_LIST_CUES = ("包括", "种类", "分为", "下列", "以下", "是指")
_PROHIBITS = re.compile(r"不得|禁止|严禁|不准|不许|一律|可以|允许|应当|必须")
_RULE_CUES = ("不得", "禁止", "严禁", "可以", "应当")


class Retriever:
    # How much the question's own pointers count (measured by bench/policy_eval.py on
    # bench/policy_questions.jsonl and by bench/retrieval.py on the ncp notices; README).
    SCOPE_WEIGHT = 1.0  # fused list: passages of the documents the question names
    OTHER_VERSION = 0.35  # factor for a version the question does not ask for
    OUT_OF_SCOPE = 0.6  # factor for documents outside the named scope
    # Factor 1 + this for a document whose title shares a stretch with the question: +0.02
    # R@5 on the policy questions, but two demo stories answered from the wrong document, so off.
    TITLE_BONUS = 0.0
    # An enumerating passage for a list question, a rule for a permission one: +0.02 MRR on
    # the policy questions but -0.03 on the ncp notices (many list-like passages), so off.
    INTENT_BONUS = 0.0
    # A question about this year's plan (今年) over a review section
    # (「一、2025年和“十四五”时期工作回顾」): the review states last year's figures for the same
    # words, and the plan is what was asked. Factor for such a passage.
    PAST_SECTION = 0.6
    THESAURUS_WEIGHT = 1.0  # fused list: the question with the official words for its colloquial ones
    # A list or definition question: the enumerating / defining passages of the documents
    # already ranked first, as a fused list of their own (「事业单位人员的处分有哪几种」 wants
    # 第五条 「处分的种类为：（一）警告…」, not 第一条, of the document search found).
    ENUMERATING_WEIGHT = 1.0
    ENUMERATING_DOCS = 3  # how many of the first-ranked documents are searched
    # Only when an article (第X条) of a regulation ranks first, and only articles: a notice's
    # 一是…二是 passages are not what its list questions ask for (the ncp notices: R@5 0.885
    # -> 0.865, MRR 0.763 -> 0.718 without this).
    ENUMERATING_ARTICLES = True
    DEFINES_FIRST = True  # …those that say what the question's term is or comprises first
    DEFINES_ANYWHERE = True  # …found in any document when none of the first ones defines it
    # A permission question (能不能 / 可以…吗) ranked by keywords alone (no vectors yet):
    # likewise the rules (不得, 可以, 应当) of the documents ranked first. Whole policy corpus by
    # keyword: permission R@5 0.500 -> 0.577 (both halves); with vectors it cost permission
    # MRR 0.713 -> 0.667 (the vector list already brings the rule), so not there.
    RULING_WEIGHT = 0.5
    # Documents whose title shares a distinctive stretch with a question that names no
    # document (「政务处分都有哪些种类」 and 《公职人员政务处分暂行规定》): their passages, ranked
    # by the question's words, as a fused list of their own. Policy questions R@5 +0.01
    # (vectors and keyword), but the demo's 「村（社区）党组织书记每年要参加多少学时培训」 then
    # left the top five for the 轮训通知 whose title shares its words (README), so off.
    TITLED_WEIGHT = 0.0
    UNPOINTED_VECTOR_BOOST = 6.0  # the vector list's weight, times this, when the question points at nothing
    WORDS_FOUND = 0.8  # …and no keyword passage holds this share of its words (above 1: never)

    def __init__(self, kb: "KnowledgeBase") -> None:
        self.kb = kb
        self._catalog: tuple[Any, Catalog] | None = None
        self._catalog_lock = threading.Lock()
        self._analyses: dict[str, QueryAnalysis] = {}

    # ---- the library as questions name it -------------------------------------------------

    def catalog(self) -> Catalog:
        """Rebuilt when documents come, go or change (a few ms for hundreds of documents)."""
        registry = self.kb.registry
        state = registry.catalog_state()
        cached = self._catalog
        if cached is not None and cached[0] == state:
            return cached[1]
        with self._catalog_lock:
            if self._catalog is not None and self._catalog[0] == state:
                return self._catalog[1]
            records = [DocRecord(id=r["id"], title=r["title"] or "", issuer=r["issuer"] or "",
                                 region=r["region"] or "", date=r["date"], doc_no=r["doc_no"],
                                 opening=r["opening"] or "", path=r["source_path"])
                       for r in registry.catalog_rows()]
            catalog = Catalog.build(records)
            self._analyses = {}
            self._catalog = (state, catalog)
            return catalog

    def analyse(self, query: str) -> QueryAnalysis:
        """What the question names, read once per question and library state: one `ask`
        consults it for search, the gate, the answer's order and its intent."""
        catalog = self.catalog()  # a new library state starts an empty cache
        analyses = self._analyses
        found = analyses.get(query)
        if found is None:
            found = analyse(query, catalog)
            if found.unknown_names:
                # 《关于做好…出院患者跟踪随访工作的通知》 in a library of notices that report it (their
                # titles are other words): a name the library's text quotes is no missing document.
                found.unknown_names = [n for n in found.unknown_names
                                       if not (f"《{n}" in fold(query) and self._quoted_in_text(n))]
            if len(analyses) >= 256:
                analyses.clear()
            analyses[query] = found
        return found

    def _quoted_in_text(self, name: str) -> bool:
        """Does a passage of the library quote this document name (「《name》」)?"""
        from policykb.index.keyword import query_tokens

        terms = [t for t in query_tokens(name) if t not in QUESTION_WORDS] or query_tokens(name)
        found = self._keyword_found(terms, DocumentFilter(), 10)
        chunks = self.kb.registry.chunks_by_ids([cid for cid, _, _ in found])
        wanted = re.sub(r"\s", "", name)
        return any(f"《{wanted}" in re.sub(r"\s", "", fold(c.text)) for c in chunks.values())

    # ---- search ---------------------------------------------------------------------------

    def search(self, query: str, *, top_k: int = 10, filters: SearchFilters | dict[str, Any] | None = None,
               mode: str = "hybrid") -> SearchResult:
        from policykb.index.fusion import rrf
        from policykb.index.keyword import match_expression, query_tokens
        from policykb.service import KnowledgeBaseError

        query = (query or "").strip()
        if not query:
            raise KnowledgeBaseError("查询内容不能为空", code="empty_query")
        if mode not in MODES:
            raise KnowledgeBaseError(f"未知的检索模式：{mode}（可选 hybrid、keyword、vector）")
        kb, s = self.kb, self.kb.settings
        top_k = max(1, min(int(top_k), 100))
        sf = SearchFilters.from_any(filters)
        flt = sf.to_registry()
        n = max(s.candidates, top_k)
        use_vectors = mode == "vector" or (mode == "hybrid" and s.weight_vector > 0)

        qa = self.analyse(query)
        if qa.years and qa.named_docs and not sf.include_superseded:
            # 「2015年版纪律处分条例…」: the version named may be one already revised.
            sf = SearchFilters(**{**sf.__dict__, "include_superseded": True})
            flt = sf.to_registry()
        terms = query_tokens(query, sub_words=s.query_sub_words)
        # How a question is asked (能不能, 哪些, 多少) is no evidence of an answer.
        terms = [t for t in terms if t not in QUESTION_WORDS] or terms
        terms += [t for t in implied_terms(query) if t not in terms]
        expanded = kb.thesaurus.expand(query, terms)
        # The query vector is computed while SQLite ranks keywords (both release the GIL):
        # on two cores that hides the model's ~10 ms behind the keyword search.
        query_vector = kb.query_pool.submit(kb.embedder.embed_query, query) if use_vectors else None
        keyword: list[tuple[str, float]] = []
        by_document: list[str] = []
        scoped: list[str] = []
        thesaurus_list: list[str] = []
        titled_list: list[str] = []
        scope = qa.scope
        scope_filter = None
        if scope and len(scope) <= 200 and not sf.doc_ids:
            scope_filter = DocumentFilter(**{**flt.__dict__, "doc_ids": tuple(sorted(scope))})
        if mode in ("hybrid", "keyword"):
            # One keyword pass serves both lists: the passages of the best documents are
            # among the best-matching passages (4n deep), regrouped by their document's rank.
            found = self._keyword_found(terms, flt, n * 4)
            keyword = [(cid, score) for cid, _, score in found[:n]]
            if expanded != terms:
                # The official words a colloquial question stands for, as a list of its own:
                # added to the question's own terms they would outweigh them.
                thesaurus_list = [cid for cid, _, _ in self._keyword_found(expanded, flt, n)]
            if s.weight_document > 0:
                match = match_expression(terms)  # few documents: every term is affordable
                docs = kb.registry.document_keyword_search(match, flt, s.document_candidates)
                rank = {d: i for i, d in enumerate(docs)}
                # sorted() is stable: within a document, passages keep their BM25 order.
                by_document = [cid for cid, doc_id, _ in sorted(
                    (f for f in found if f[1] in rank), key=lambda f: rank[f[1]])][:n]
            if scope_filter is not None:
                scoped = self._scoped_keyword(query, qa, expanded, scope_filter, n)
            elif self.TITLED_WEIGHT > 0 and not sf.doc_ids:
                titled = self.catalog().titled(query)
                if titled and len(titled) <= 200:
                    within = DocumentFilter(**{**flt.__dict__, "doc_ids": tuple(sorted(titled))})
                    titled_list = [cid for cid, _, _ in self._keyword_found(expanded, within, n)]
        vector: list[tuple[str, float]] = []
        scoped_vector: list[str] = []
        if use_vectors:
            qv = query_vector.result()  # type: ignore[union-attr]
            vector = self._vector_candidates(qv, flt, n)
            if scope_filter is not None:
                scoped_vector = [cid for cid, _ in self._vector_candidates(qv, scope_filter, n)]

        lists, weights = [], []
        if keyword:
            lists.append([cid for cid, _ in keyword])
            weights.append(s.weight_keyword)
        if by_document:
            lists.append(by_document)
            weights.append(s.weight_document)
        if vector:
            lists.append([cid for cid, _ in vector])
            # A question that names no document, place or year is asked in its own words:
            # meaning finds its answer better than shared words do (README, bench/policy_eval.py).
            boost = 1.0 if qa.pointed or self._words_found(terms, keyword) else self.UNPOINTED_VECTOR_BOOST
            weights.append(s.weight_vector * boost if mode == "hybrid" else 1.0)
        if thesaurus_list:
            lists.append(thesaurus_list)
            weights.append(self.THESAURUS_WEIGHT * s.weight_keyword)
        if titled_list:
            lists.append(titled_list)
            weights.append(self.TITLED_WEIGHT * (s.weight_keyword if mode == "hybrid" else 1.0))
        if scoped:
            lists.append(scoped)
            weights.append(self.SCOPE_WEIGHT * (s.weight_keyword if mode == "hybrid" else 1.0))
        if scoped_vector:
            lists.append(scoped_vector)
            weights.append(self.SCOPE_WEIGHT * (s.weight_vector if mode == "hybrid" else 1.0))
        # The vector list is evidence of another kind, whose first places are worth more
        # than agreement among middling keyword ranks; keyword lists alone (a keyword-only
        # library) fuse as before (config.rrf_k, rrf_k_lexical).
        k = s.rrf_k if vector else s.rrf_k_lexical
        # A question that names its document has that document's own list (scoped) already.
        intent_weight = {"list": self.ENUMERATING_WEIGHT, "define": self.ENUMERATING_WEIGHT,
                         "permit": 0.0 if vector else self.RULING_WEIGHT}.get(qa.intent, 0.0)
        if intent_weight > 0 and mode != "vector" and lists and not scope:
            preview = self._weigh(rrf(lists, weights, k=k), qa, sf.include_superseded)
            wanted = self._wanted(qa.intent, terms, preview, flt, n)
            if wanted:
                lists.append(wanted)
                weights.append(intent_weight * (s.weight_keyword if mode == "hybrid" else 1.0))
        fused = self._weigh(rrf(lists, weights, k=k), qa, sf.include_superseded)[:top_k]
        kw_rank = {cid: i + 1 for i, (cid, _) in enumerate(keyword)}
        vec_rank = {cid: i + 1 for i, (cid, _) in enumerate(vector)}
        vec_sim = dict(vector)
        ids = [cid for cid, _ in fused]
        chunks = kb.registry.chunks_by_ids(ids)  # read once: the similarities below and the hits
        if use_vectors:
            # Passages found by words alone have a closeness in meaning too (the answer's gate and
            # selector weigh it): computed from their stored vectors, not left unknown.
            missing = [chunks[cid] for cid in ids if cid not in vec_sim and cid in chunks]
            if missing:
                vec_sim.update(self._similarities(qv, missing))
        hits = self.hits(
            ids,
            dict(fused),
            {
                cid: {"keyword_rank": kw_rank.get(cid), "vector_rank": vec_rank.get(cid),
                      "vector_similarity": round(vec_sim[cid], 4) if cid in vec_sim else None}
                for cid in ids
            },
            chunks=chunks,
        )
        return SearchResult(query=query, results=hits, pending_vectors=kb.registry.pending_count(), mode=mode,
                            terms=terms)

    def _wanted(self, intent: str, terms: list[str], preview: list[tuple[str, float]], flt: DocumentFilter,
                n: int) -> list[str]:
        """The passages of the kind the question wants (enumerating or defining ones for a
        list question, rules for a permission one) in the few documents ranked first, ordered
        by the question's words together with the words such passages are introduced by."""
        permit = intent == "permit"
        pattern, cues = (_PROHIBITS, _RULE_CUES) if permit else (_ENUMERATES, _LIST_CUES)
        articles = self.ENUMERATING_ARTICLES and not permit
        if articles and preview:
            first = self.kb.registry.chunks_by_ids([preview[0][0]]).get(preview[0][0])
            if first is None or not is_article(first.text, first.section_path):
                return []
        docs: list[str] = []
        for cid, _ in preview:
            doc_id = cid.rsplit("-", 2)[0]
            if doc_id not in docs:
                docs.append(doc_id)
                if len(docs) >= self.ENUMERATING_DOCS:
                    break
        if not docs:
            return []
        within = DocumentFilter(**{**flt.__dict__, "doc_ids": tuple(sorted(docs))})
        found = [cid for cid, _, _ in self._keyword_found([*terms, *cues], within, n)]
        texts = self.kb.registry.chunks_by_ids(found)
        wanted = [cid for cid in found if cid in texts and pattern.search(texts[cid].text)
                  and (not articles or is_article(texts[cid].text, texts[cid].section_path))]
        if permit or not self.DEFINES_FIRST:
            return wanted
        # 「差旅费包括哪几项费用」 is answered by the article that says what 差旅费 is (「差旅费是指
        # …城市间交通费、住宿费、伙食补助费和市内交通费」), not by others with longer lists.
        subject = subject_terms(terms)
        defines = _defines(subject)
        if defines is None:
            return wanted
        first = [cid for cid in wanted if defines.search(texts[cid].text)]
        if not first:
            # 「违规发津贴补贴有哪些情形」: the article whose list is of the form asked for (「有下列
            # 行为之一的」), over others that share the subject's words and list something else.
            forms = _lists_form(terms)
            first = [cid for cid in wanted if forms is not None and forms.search(texts[cid].text)]
            if first:
                return first + [cid for cid in wanted if cid not in first]
        if not first and self.DEFINES_ANYWHERE:
            # None of the first documents defines it: the article that does, wherever it is
            # (「组织处理的方式包括哪些」 → 组织处理规定 第三条 「本规定所称组织处理，是指…包括…」).
            found = [cid for cid, _, _ in self._keyword_found([*subject, "是指", "包括", "分为"], flt, n)]
            others = self.kb.registry.chunks_by_ids(found)
            first = [cid for cid in found if cid in others and defines.search(others[cid].text)
                     and is_article(others[cid].text, others[cid].section_path)][:self.ENUMERATING_DOCS]
        return first + [cid for cid in wanted if cid not in first]

    def _words_found(self, terms: list[str], keyword: list[tuple[str, float]]) -> bool:
        """Does one of the first keyword passages hold nearly all the question's words
        (idf-weighted, at least WORDS_FOUND)? A question copied from a document's wording is
        matched best by its words; one in the asker's own words is not."""
        from policykb.answer.relevance import coverage, idf_weights

        if not keyword or self.WORDS_FOUND > 1:
            return False
        registry = self.kb.registry
        weights = idf_weights(terms, registry.token_document_frequency(terms), max(registry.chunk_count(), 1))
        texts = registry.chunks_by_ids([cid for cid, _ in keyword[:3]])
        # Exact words only: a question in its own shorthand (初核, 车改) is asked in its own words.
        return max((coverage(weights, c.text, abbreviations=False) for c in texts.values()),
                   default=0.0) >= self.WORDS_FOUND

    def _weigh(self, fused: list[tuple[str, float]], qa: QueryAnalysis,  # noqa: C901
               include_other_versions: bool) -> list[tuple[str, float]]:
        """Fused scores weighed by the question's pointers: the version asked for (or the
        current one when no year is named), the named scope, and passages of the kind the
        question wants."""
        if not fused:
            return fused
        catalog = self.catalog()
        # Demote other documents only when the question names documents or a place;
        # organisations come from issuer fields that not every document has.
        scope = qa.scope
        # Levers set to zero cost nothing: no passage texts read, no title stretches matched.
        wants = {"list": _ENUMERATES, "define": _ENUMERATES, "permit": _PROHIBITS}.get(qa.intent) \
            if self.INTENT_BONUS else None
        this_year = self.PAST_SECTION < 1 and bool(_THIS_YEAR.search(qa.question))
        # The first passages' rows, read once for both levers that look inside them.
        texts = self.kb.registry.chunks_by_ids([cid for cid, _ in fused[:120]]) if wants or this_year else {}
        titled = catalog.titled(qa.question) if self.TITLE_BONUS else set()
        out = []
        for rank, (cid, score) in enumerate(fused):
            doc_id = cid.rsplit("-", 2)[0]
            factor = 1.0
            versions = catalog.versions(doc_id)
            if len(versions) > 1 and not include_other_versions:
                if qa.years:
                    if catalog.years.get(doc_id) not in qa.years:
                        factor *= self.OTHER_VERSION
                elif not catalog.is_current(doc_id):
                    factor *= self.OTHER_VERSION
            if scope and doc_id not in scope:
                factor *= self.OUT_OF_SCOPE
            elif doc_id in titled:
                factor *= 1.0 + self.TITLE_BONUS
            if wants is not None and cid in texts and wants.search(texts[cid].text):
                factor *= 1.0 + self.INTENT_BONUS
            if this_year and cid in texts and any(_REVIEW.search(p) for p in texts[cid].section_path):
                factor *= self.PAST_SECTION
            out.append((cid, score * factor))
        out.sort(key=lambda kv: (-kv[1], kv[0]))
        return out

    def _scoped_keyword(self, query: str, qa: QueryAnalysis, expanded: list[str], flt: DocumentFilter,
                        n: int) -> list[str]:
        """Passages of the documents the question names, ranked by the rest of the question:
        within one document any shared word counts (sub-words too), and the document's own
        name says nothing. A question that is only the name (「中央八项规定的内容是什么」)
        gets the document from its beginning."""
        from policykb.index.keyword import query_tokens

        name_chars = set("".join(qa.named_by))
        terms = [t for t in dict.fromkeys([*query_tokens(query, sub_words=True), *expanded])
                 if t not in QUESTION_WORDS and not set(t) <= name_chars]
        found = [cid for cid, _, _ in self._keyword_found(terms, flt, n)] if terms else []
        if len(found) < 3 and flt.doc_ids and len(flt.doc_ids) <= 3:
            for doc_id in flt.doc_ids:
                found.extend(c.id for c in self.kb.registry.chunks_of(doc_id)[:n] if c.id not in found)
        return found[:n]

    def _keyword_found(self, terms: list[str], flt: DocumentFilter, limit: int) -> list[tuple[str, str, float]]:
        """(chunk_id, doc_id, BM25) best first, by policykb.index.keyword's one ranking call
        (the in-memory index of a large library while it is current, else FTS5)."""
        from policykb.index.keyword import rank_passages

        kb, s = self.kb, self.kb.settings
        return rank_passages(kb.registry, kb.keyword_index, terms, flt, limit,
                             max_df=s.keyword_max_df, prune_above=s.keyword_prune_above)

    def _similarities(self, vector: Any, chunks: list[StoredChunk]) -> dict[str, float]:
        """Cosine of the query vector and each passage's stored vector (those embedded)."""
        import numpy as np

        from policykb.index.embedding import blob_to_vector

        cached = self.kb.registry.cached_vectors(sorted({c.embed_hash for c in chunks}), self.kb.embedder.name)
        q = np.asarray(vector, dtype=np.float32)
        return {c.id: float(np.dot(q, blob_to_vector(cached[c.embed_hash])))
                for c in chunks if c.embed_hash in cached}

    def _vector_candidates(self, vector: Any, flt: DocumentFilter, n: int) -> list[tuple[str, float]]:
        registry = self.kb.registry
        store = self.kb.store
        doc_ids = None
        if not (flt.is_empty or flt == DocumentFilter(include_superseded=True)):
            ids = list(flt.doc_ids) if flt.doc_ids else registry.document_ids(flt, limit=5001)
            # Beyond a few thousand documents an $in filter costs more than over-fetching.
            doc_ids = ids if len(ids) <= 5000 else None
        raw = store.query(vector, n * (1 if doc_ids is not None else 2), doc_ids)
        allowed = registry.allowed_chunk_ids([cid for cid, _ in raw], flt)
        return [(cid, sim) for cid, sim in raw if cid in allowed][:n]

    # ---- hits -----------------------------------------------------------------------------

    def hits(self, ids: list[str], scores: dict[str, float], match: dict[str, dict[str, Any]], *,
             chunks: dict[str, StoredChunk] | None = None) -> list[Hit]:
        """The hits for these passage ids, in order (`chunks`: those ids' rows, when already read)."""
        registry = self.kb.registry
        chunks = registry.chunks_by_ids(ids) if chunks is None else chunks
        docs = registry.documents_by_ids(c.doc_id for c in chunks.values())
        out = []
        for cid in ids:
            ch = chunks.get(cid)
            if ch is None or ch.doc_id not in docs:
                continue
            out.append(self.hit(ch, docs[ch.doc_id], scores.get(cid, 0.0), match.get(cid, {})))
        return out

    def hit(self, ch: StoredChunk, doc: StoredDocument, score: float, match: dict[str, Any]) -> Hit:
        """The passage a user reads: the matched chunk plus its neighbouring sentences
        (index/context.py); `match.chunk_start/chunk_end` keep the chunk itself."""
        from policykb.index.context import MAX_REACH, expand

        text, start, end = ch.text, ch.char_start, ch.char_end
        if self.kb.settings.context_sentences > 0:
            offset, window = self.kb.registry.text_window(ch.doc_id, start - MAX_REACH, end + MAX_REACH)
            lo, hi = expand(window, start - offset, end - offset, self.kb.settings.context_sentences)
            start, end, text = offset + lo, offset + hi, window[lo:hi]
        return Hit(
            chunk_id=ch.id,
            doc_id=ch.doc_id,
            title=doc.title,
            source_path=doc.source_path,
            section_path=list(ch.section_path),
            text=text,
            char_start=start,
            char_end=end,
            page=ch.page,
            score=round(float(score), 6),
            metadata=doc.metadata(),
            match={**match, "chunk_start": ch.char_start, "chunk_end": ch.char_end},
        )
