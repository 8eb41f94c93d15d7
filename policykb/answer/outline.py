"""Questions about how a document is laid out, answered from its own headings:
「违反八项规定清单80条分成哪几大块？」 → its 一、经费管理, 二、公务接待 …; 「巡视工作条例有几章？」
→ 第一章 总则 … 第七章 附则. Each heading is quoted as the text writes it and cited to the
passage it heads; a document without such headings is left to the ordinary answer.

`asked_unit` is a pure function of the question; `outline_of` of the document's passages;
`answer_outline` finds the document the question names.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from policykb.answer.document_facts import named_hit
from policykb.results import Answer, Citation
from policykb.text import cn_int, cn_numeral

if TYPE_CHECKING:
    from policykb.filters import FilterInput
    from policykb.registry import StoredChunk
    from policykb.results import Hit
    from policykb.service import KnowledgeBase

# 分为几编 / 有几章 / 分成哪几大块 / 包括哪几个部分: the unit the question counts in.
_ASKS = re.compile(r"(?:哪几|几|多少)个?(编|章|节|大部分|部分|大块|板块|块|大类)")
_NUMBERED = {"编": re.compile(r"^第[一二三四五六七八九十百零〇两\d]+编"),
             "章": re.compile(r"^第[一二三四五六七八九十百零〇两\d]+章"),
             "节": re.compile(r"^第[一二三四五六七八九十百零〇两\d]+节")}
_BARE_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.．、])$")
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百千零〇两\d]+条")
# 「…一共多少条」: how many articles (「有哪几条」 asks for them, not their number).
_COUNTS_ARTICLES = re.compile(r"(?:一共|总共|共计|总计|共)有?(?<!哪)(?:多少|几)条|(?<!哪)(?:多少|几)条(?:规定)?[？?]?$")
# 「…的内容是什么」, 「…主要讲了什么」: the document itself is asked about.
_CONTENT_ASK = re.compile(r"(?:主要|核心|具体)?(?:内容|要点)|讲(?:了|的是)?(?:什么|啥|哪些)|说(?:了|的是)?(?:什么|啥)"
                          r"|是什么|规定了(?:什么|哪些)")
_ABOUT_ITSELF = frozenset("内容 要点 主要 核心 具体 讲 说 规定 分为 分成 包括 包含 组成 构成 部分 大部分 大块 板块 块 "
                          "大类 共 共有 一共 总共 共计 总计 几个 条数".split())
_KINDS = ("条例", "办法", "规定", "细则", "准则", "规则", "清单", "意见", "通知", "方案", "决定", "纲要", "章程",
          "规划", "报告", "要点", "法")
# More headings than this is no outline a reader asked for (an article list).
MOST = 30


def asked_unit(question: str) -> str | None:
    """编, 章 or 节 when the question counts those; "part" for 部分 / 大块 / 板块 / 大类 (a
    document's top-level headings, whatever they are called); None otherwise."""
    m = _ASKS.search(question)
    if m is None:
        return None
    unit = m.group(1)
    return unit if unit in _NUMBERED else "part"


def outline_of(chunks: list["StoredChunk"], unit: str) -> list[tuple[str, "StoredChunk"]]:
    """The document's headings of that unit in order, each with the first passage under it.
    Top-level parts are the first heading of each passage's path; articles are no parts."""
    seen: dict[str, StoredChunk] = {}
    for c in chunks:
        path = [p.strip() for p in c.section_path if p.strip()]
        if unit == "part":
            heads = path[:1]
        else:
            heads = [p for p in path if _NUMBERED[unit].match(p)][:1]
        for head in heads:
            if head not in seen and not _ARTICLE.match(head):
                seen[head] = c
    return list(seen.items())


def answer_outline(kb: "KnowledgeBase", question: str, filters: "FilterInput") -> Answer | None:
    """The headings of the document the question names, in the unit asked; None when the
    question asks for none, names no one document, or the document has fewer than two."""
    unit = asked_unit(question)
    counted = unit is None and _COUNTS_ARTICLES.search(question) is not None
    content = unit is None and not counted and _CONTENT_ASK.search(question) is not None
    if unit is None and not content and not counted:
        return None
    scope = kb.retriever.analyse(question).scope
    if not scope:
        return None
    # 「中央八项规定的内容是什么」, 「清单80条分成哪几大块」 ask about the document itself;
    # 「八项规定对出访有什么要求」, 「差旅费包括哪几部分」 ask about something in it (a word
    # its title does not hold): left to the ordinary answer. Read before searching, so that
    # the many 「…是什么」 questions about something in a document cost no search here.
    terms = list(kb.question_weights(question))
    docs = kb.retriever.catalog().docs

    def about_itself(title: str) -> bool:
        return all(t in title or t in _ABOUT_ITSELF or any(w in t for w in _NUMBERED) and len(t) <= 2 for t in terms)

    if not any(about_itself(docs[d].title or "") for d in scope if d in docs):
        return None
    hit = named_hit(kb, question, filters, scope)
    if hit is None or not about_itself(hit.title or ""):
        return None
    title = hit.title or ""
    # 「因公临时出国经费都包括哪几块」 asks what the 经费 comprises (its 第八条), not how
    # 《因公临时出国经费管理办法》 is laid out: parts and contents are the document's only
    # when the question calls it a document (办法, 清单, 规定 …); 编, 章 and 节 always are.
    if unit not in _NUMBERED and not counted and not any(k in title and k in question for k in _KINDS):
        return None
    unit = unit or "part"
    chunks = sorted(kb.registry.chunks_of(hit.doc_id), key=lambda c: c.char_start)
    text = kb.registry.document_text(hit.doc_id) or ""
    if counted:
        return _articles(kb, question, hit, chunks, text, None)
    heads = outline_of(chunks, unit)
    if not heads and unit in _NUMBERED:
        return _articles(kb, question, hit, chunks, text, unit)
    if not 2 <= len(heads) <= MOST:
        return None
    cited = kb.retriever.hits([c.id for _, c in heads], {c.id: 1.0 for _, c in heads}, {})
    by_id = {h.chunk_id: h for h in cited}
    citations: list[Citation] = []
    lines: list[str] = []
    for head, chunk in heads:
        h = by_id.get(chunk.id)
        if h is None:
            return None
        shown = head.rstrip("…")
        at = text.find(shown, max(0, chunk.char_start - len(shown) - 200), chunk.char_end)
        if at >= 0 and (shown != head or _BARE_NUMBER.match(head)):
            # A long heading the path shortened, or a number whose words follow on the next
            # line (「二、」 / 「要精简会议活动…」): as the text writes it, to its first sentence.
            if shown == head:  # the number's words, over the line break
                rest = re.sub(r"\s*\n\s*", "", text[at:at + 400])
            else:
                line_end = text.find("\n", at)
                rest = text[at:line_end if line_end >= 0 else len(text)]
            head = re.split(r"(?<=[。；])", rest, maxsplit=1)[0]
        if not any(c.chunk_id == chunk.id for c in citations):
            citations.append(Citation.of(h, len(citations) + 1, cited_offsets=[at] if at >= 0 else None))
        n = next(c.n for c in citations if c.chunk_id == chunk.id)
        lines.append(f"{head}[{n}]")
    kind = next((u for u, pattern in _NUMBERED.items() if all(pattern.match(h) for h, _ in heads)), unit)
    count = f"{cn_numeral(len(heads))}{kind if kind in _NUMBERED else '个部分'}"
    answer = f"《{hit.title}》分为{count}：\n" + "\n".join(lines)
    return Answer(question=question, answer=answer, citations=citations, found=True,
                  pending_vectors=kb.registry.pending_count())


_ARTICLE_LINE = re.compile(r"^[ \t　]*(第([一二三四五六七八九十百千零〇两]+)条)", re.M)


def _articles(kb: "KnowledgeBase", question: str, hit: "Hit", chunks: list["StoredChunk"], text: str,
              unit: str | None) -> Answer | None:
    """How many articles the document has, from its first and last: 「问责条例一共多少条？」,
    and 「问责条例分为几章？」 of a regulation written as articles alone (`unit`: it has none)."""
    found = [(m.start(1), m.group(1), cn_int(m.group(2))) for m in _ARTICLE_LINE.finditer(text)]
    found = [f for f in found if f[2]]
    if len(found) < 2 or found[0][2] != 1:
        return None
    last = max(found, key=lambda f: f[2] or 0)
    ends = [found[0], last]
    picked = [next((c for c in chunks if c.char_start <= at < c.char_end), None) for at, _, _ in ends]
    if any(c is None for c in picked):
        return None
    cited = kb.retriever.hits(list(dict.fromkeys(c.id for c in picked if c)), {c.id: 1.0 for c in picked if c}, {})
    citations = [Citation.of(h, i + 1, cited_offsets=[at for at, _, _ in ends
                                                       if h.char_start <= at < h.char_end])
                 for i, h in enumerate(cited)]
    n_of = {c.chunk_id: c.n for c in citations}
    first_n, last_n = (n_of[c.id] for c in picked if c)
    n = _numeral(last[2] or 0)
    count = f"不分{unit}，由{n}条组成" if unit else f"共{n}条"
    answer = f"《{hit.title}》{count}：自{found[0][1]}[{first_n}]至{last[1]}[{last_n}]。"
    return Answer(question=question, answer=answer, citations=citations, found=True,
                  pending_vectors=kb.registry.pending_count())


def _numeral(n: int) -> str:
    """142 → 一百四十二, as a regulation numbers its articles (text.cn_numeral stops at 99)."""
    if n < 100 or n >= 1000:
        return cn_numeral(n)
    hundreds, rest = divmod(n, 100)
    tail = "" if rest == 0 else "零" + cn_numeral(rest) if rest < 10 else "一" + cn_numeral(rest) if rest < 20 \
        else cn_numeral(rest)
    return "一二三四五六七八九"[hundreds - 1] + "百" + tail
