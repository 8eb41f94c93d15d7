"""The offline answerer: the sentences of the top passages that best answer the question,
each followed by the citation of its passage. No model, no invention: every word of the
answer is a quotation."""
from __future__ import annotations

import re
from dataclasses import dataclass

from policykb.answer.checks import instruction_like
from policykb.answer.relevance import coverage
from policykb.answer.table_rows import cited_row, field_answer
from policykb.ingest.structure import is_heading_line
from policykb.results import Citation, Hit
from policykb.text import sentence_texts



def split_sentences(text: str) -> list[str]:
    """The sentences an answer may quote: each to one of 。！？； (Chinese stops only) or
    to its line's end, trimmed."""
    return sentence_texts(text, ascii=False, runs=False, closers="")


@dataclass(frozen=True)
class Picked:
    sentence: str
    hit_index: int
    offset: int = 0  # where the sentence starts inside its passage


def _similar(a: str, b: str) -> bool:
    """Near-duplicates (the same clause in two versions of a document) are said once."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return False
    return len(sa & sb) / min(len(sa), len(sb)) > 0.8


_LEAD_IN = re.compile(r"(如下|以下|通知如下|意见如下|说明如下)[：:。]?$|[：:]$")


# A report's or speech's dateline under its title says when and where it was given, not
# what it says: 「——2026年1月28日在云南省第十四届人民代表大会第四次会议上」, 「——在全省…会议上的讲话」.
_BYLINE = re.compile(r"^\s*[—－─]{1,2}\s*(?:\d{4}\s*年|[^。；]{0,40}(?:会议|大会|座谈会|开班式|典礼)上)")


# The lead-in of an enumeration: 「…包括：」, 「…分为：」, 「…有下列情形之一的：」.
_LISTS = re.compile(r"(?:包括|分为|是指|有|种类|方式|形式|情形|措施)[^，。；]{0,12}[：:]$")


def _announces(sentence: str, title: str | None) -> bool:
    bare = sentence.rstrip("。").strip("《》")
    return bool(_LEAD_IN.search(sentence)) or (title is not None and bare == title.rstrip("。").strip("《》"))


_PUNCTUATED = re.compile(r"[，。；：、！？,;:!?\d]")


def _unnumbered_heading(text: str, offset: int, sentence: str) -> bool:
    """A whole short line with no punctuation and no number is a heading the text carries
    without a number (「党员领导干部廉洁自律规范」 above 第五条, the second line of a wrapped
    「第二章 …」): it names what follows and answers nothing."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start:len(text) if line_end < 0 else line_end].strip()
    return line == sentence and len(sentence) <= 30 and not _PUNCTUATED.search(sentence)


# What the sentence answering each kind of question looks like (policykb/retrieval/query.py).
INTENT_FORMS = {
    "permit": re.compile(r"不得|禁止|严禁|不准|不许|一律|可以|允许|应当|必须|不予"),
    "list": re.compile(r"包括|分为|以下|下列|[（(][一二三四五六七八九十][）)]|[^、]{1,12}、[^、]{1,12}、"),
    "define": re.compile(r"是指|所称|指的是|是.{0,20}的总称"),
    "who": re.compile(r"由[^。；，]{1,25}?(?:负责|承担|审批|批准|决定|组织|牵头|解释|作出|受理|管理|审定)|负责|牵头|主管"),
}
ASKS_QUANTITY = re.compile(r"多少|多长|多久|几[天年月日次个项人名条号时岁]|何时|什么时候|哪天|哪一天|哪年|哪一年|哪个月|期限|比例|标准是")
STATES_QUANTITY = re.compile(r"\d|[一二三四五六七八九十百千万两]+(?:个|年|月|日|天|次|名|人|元|万|小时|学时|工作日|周|%|倍|项)")


def period_words(question: str) -> tuple[str, ...]:
    """Words that mark the period a question asks about: 今年 / 2026年 → the year's own
    targets (「今年…预期目标」), 十五五 → the five-year plan's, 去年 → the review."""
    q = question
    if "十五五" in q:
        return ("十五五",)
    if "十四五" in q:
        return ("十四五",)
    if re.search(r"去年|上一年|过去一年", q):
        return ("过去一年", "去年")
    years = re.findall(r"(20[0-4]\d)\s*年", q)
    if "今年" in q or "本年" in q or years:
        return ("今年", "本年", *(f"{y}年" for y in years))
    return ()


def pick_sentences(weights: dict[str, float], hits: list[Hit], *, question: str = "", max_sentences: int = 3,
                   max_chars: int = 300, min_coverage: float = 0.2, relative: float = 0.7,
                   rank_bonus: float = 0.15, alternatives: dict[str, list[str]] | None = None,
                   intent: str = "fact", title_apart: bool = False, lead_ins: bool = False) -> list[Picked]:
    """Sentences whose coverage of the question is close to the best one's: a supporting
    sentence from a lower passage is welcome, a merely related one is noise. A question
    that asks how many / how long / when is answered by a sentence that states a number."""
    wants_number = bool(ASKS_QUANTITY.search(question))
    period = period_words(question)
    # `lead_ins`: a list question's 「…包括：」 may be chosen (also without the intent's bonus).
    listing = _LISTS if lead_ins or intent in ("list", "define") else None
    candidates: list[tuple[float, float, int, int, str]] = []
    for hi, hit in enumerate(hits):
        # Choosing within a passage, what its title already says (the province of 「2026年内蒙古
        # 自治区政府工作报告」, counted thrice as 内蒙古, 内蒙, 蒙古) tells none of its sentences apart.
        title = (hit.title or "").lower()
        own = ({t: w for t, w in weights.items() if t not in title} or weights) if title_apart else weights
        for sent in split_sentences(hit.text):
            si = hit.text.find(sent)  # its offset inside the passage, for the citation path
            if len(sent) < 8 or is_heading_line(sent) and sent[-1] not in "。！？；":
                continue  # headings and fragments say nothing alone
            if _unnumbered_heading(hit.text, si, sent):
                continue
            if instruction_like(sent):  # text addressed to a model is no answer to anyone
                continue
            if _BYLINE.match(sent):  # 「——2026年1月28日在云南省第十四届人民代表大会…上」
                continue
            # A title or 「…如下：」 says what comes, not what is; but to a list question
            # 「对党的领导干部的问责方式包括：」 is the answer's first line, its items below.
            if _announces(sent, hit.title) and not (listing is not None and listing.search(sent)):
                continue
            cov = coverage(own, sent, alternatives)
            # A stated number ranks a sentence up for a how-many question, but only its
            # coverage of the question admits it: numbers alone are not relevance.
            bonus = 0.25 if wants_number and STATES_QUANTITY.search(sent) else 0.0
            if period:  # the sentence about the period asked for, not the five-year one
                bonus += 0.2 if any(w in sent for w in period) else 0.0
            wanted = INTENT_FORMS.get(intent)
            if wanted is not None and wanted.search(sent):  # the rule, the list, the definition
                bonus += 0.15
            # Higher passages win ties: retrieval already weighed the whole passage.
            candidates.append((cov + bonus + rank_bonus / (hi + 1), cov, hi, si, sent))
    candidates.sort(key=lambda c: -c[0])
    chosen: list[tuple[int, int, str]] = []
    used = 0
    best = max((c[1] for c in candidates), default=0.0)
    for _, cov, hi, si, sent in candidates:
        if chosen and (cov < min_coverage or cov < relative * best):
            continue
        if any(_similar(sent, c[2]) for c in chosen):
            continue
        if chosen and used + len(sent) > max_chars:
            continue
        chosen.append((hi, si, sent))
        used += len(sent)
        if len(chosen) >= max_sentences:
            break
    if chosen:
        # A table row answers with the one field asked for, named by its column
        # (「牵头单位：市委党校」); its citation shows the row (policykb.answer.table_rows).
        hi, si, _ = chosen[0]
        field = field_answer(question, hits[hi].text, si)
        if field is not None:
            return [Picked(sentence=field[0], hit_index=hi, offset=field[1])]
    # The best sentence leads (it is the answer); the others follow in reading order.
    chosen[1:] = sorted(chosen[1:])
    return [Picked(sentence=s, hit_index=hi, offset=si) for hi, si, s in chosen]


def compose(picked: list[Picked], hits: list[Hit]) -> tuple[str, list[Citation]]:
    """Answer text with [n] after each sentence; citations numbered by first use. A
    citation's `cited_offsets` are the document offsets of the sentences it supports."""
    numbers: dict[int, int] = {}
    parts: list[str] = []
    for p in picked:
        n = numbers.setdefault(p.hit_index, len(numbers) + 1)
        sentence = p.sentence
        if sentence[-1] not in "。！？；":
            sentence += "。"
        parts.append(f"{sentence}[{n}]")
    citations = []
    for hit_index, n in sorted(numbers.items(), key=lambda kv: kv[1]):
        hit = hits[hit_index]
        offsets = [hit.char_start + p.offset for p in picked if p.hit_index == hit_index]
        rows = [r for p in picked if p.hit_index == hit_index and (r := cited_row(hit.text, p.offset, p.sentence))]
        citations.append(Citation.of(hit, n, cited_offsets=offsets, **(rows[0] if rows else {})))
    return "".join(parts), citations


@dataclass(frozen=True)
class ProvisionAnswer:
    text: str  # 「《…》第十条：」 + the quoted provision + [1]
    citation: Citation  # the hit, widened to the provision it quotes, numbered 1
    highlight: tuple[int, int]  # the answering sentence inside `text`


def provision_answer(picked: Picked, hits: list[Hit], document_text: str, *, list_wanted: bool = False,
                     question: str = "") -> ProvisionAnswer:
    """The governing provision around the best sentence, quoted whole (or its stem and the
    part that answers), introduced by whose rule it is, with the sentence marked."""
    from policykb.answer.provision import cite_label, provision_at

    hit = hits[picked.hit_index]
    s0 = hit.char_start + picked.offset
    s1 = s0 + len(picked.sentence)
    prov = provision_at(document_text, s0, s1, list_wanted=list_wanted, question=question)
    label = cite_label(hit.title, prov)
    intro = f"{label}：\n" if label else ""
    body = prov.text
    text = f"{intro}{body}[1]"
    citation = Citation.of(hit, 1, text=document_text[prov.start:prov.end], char_start=prov.start,
                           char_end=prov.end, cited_offsets=[s0])
    return ProvisionAnswer(text=text, citation=citation,
                           highlight=(len(intro) + prov.mark[0], len(intro) + prov.mark[1]))
