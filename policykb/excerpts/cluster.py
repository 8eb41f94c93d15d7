"""Sub-themes of a 论述摘编, found in the excerpts themselves: the words several excerpts
share (beyond the topic's own words) mark a sub-theme, named by its two commonest words.
Greedy and deterministic: the word that covers most excerpts not yet placed makes a group,
until groups would be too small; what is left joins the group it shares most words with."""
from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from policykb.excerpts.topic import Topic
from policykb.text import fold

if TYPE_CHECKING:
    from policykb.excerpts.build import Excerpt, ExcerptGroup

OTHER = "其他论述"
MIN_GROUP = 2  # a sub-theme of one excerpt is not a sub-theme
MAX_GROUPS = 6
# Words every speech uses: never the name of a sub-theme.
_STOP = set("""
我们 要 坚持 推进 推动 加强 发展 建设 工作 坚定 全面 更加 更好 不断 进一步 实现 人民 中国 国家 我国 世界 各国
社会 提高 问题 方面 重要 重大 新的 历史 时代 这个 一个 就是 还是 已经 能够 可以 必须 没有 我们党 中华民族 同志
习近平 总书记 全国 各级 党和国家 一定 作为 通过 以及 大家 今天 当前 目前 方式 领域 基础 努力 力量 作用 水平
""".split())


_NUMBERING = re.compile(r"^(?:第?[一二三四五六七八九十百]+[是、，]?|[一二三四五六七八九十]是)$|^第")


def _words(text: str) -> list[str]:
    from policykb.index.keyword import query_tokens

    return [w for w in query_tokens(text, sub_words=False)
            if len(w) >= 2 and w not in _STOP and not re.fullmatch(r"[\d.%a-z]+", w) and not _NUMBERING.match(w)]


def cluster(excerpts: list["Excerpt"], topic: Topic) -> list["ExcerptGroup"]:
    from policykb.excerpts.build import ExcerptGroup, order_groups

    if not excerpts:
        return []
    core = {fold(c) for c in topic.core} | {fold(topic.name)}
    # A related term of the topic found in the excerpt (生物多样性) stands for itself; the
    # tokenizer's pieces of it (生物, 多样性) are dropped.
    words: dict[str, list[str]] = {}
    for e in excerpts:
        terms = [t for t in e.topic_terms if fold(t) not in core and not any(c in fold(t) for c in core)]
        rest = [w for w in _words(e.text) if fold(w) not in core and not any(fold(w) in c for c in core)
                and not any(w in t for t in terms)]
        words[e.id] = list(dict.fromkeys([*terms, *rest]))
    # Related terms of the topic are the best names (碳达峰, 生物多样性): count them double.
    related = {fold(r) for r in topic.related}
    df: Counter[str] = Counter(w for ws in words.values() for w in ws)
    limit = max(1, min(MAX_GROUPS, len(excerpts) // 3))
    remaining = {e.id for e in excerpts}
    by_id = {e.id: e for e in excerpts}
    groups: list[ExcerptGroup] = []
    while remaining and len(groups) < limit:
        cover = Counter(w for eid in remaining for w in words[eid])
        if not cover:
            break
        word, n = max(cover.items(), key=lambda kv: (kv[1] * (2 if fold(kv[0]) in related else 1), len(kv[0]), kv[0]))
        if n < MIN_GROUP:
            break
        members = [eid for eid in remaining if word in words[eid]]
        second = Counter(w for eid in members for w in words[eid] if w != word and w not in word and word not in w)
        ranked = sorted(second.items(), key=lambda kv: (-(kv[1] * (2 if fold(kv[0]) in related else 1)), -len(kv[0]), kv[0]))
        name_words = [word] + [w for w, c in ranked[:1] if c >= 2 and df[w] < len(excerpts)]
        groups.append(ExcerptGroup("、".join(name_words), name_words, [by_id[eid] for eid in members]))
        remaining -= set(members)
    leftovers = []
    for eid in sorted(remaining):
        best = max(groups, key=lambda g: len(set(g.terms) & set(words[eid]))
                   + sum(len(set(words[eid]) & set(words[o.id])) for o in g.excerpts) / (10 * len(g.excerpts)),
                   default=None)
        if best is not None and set(words[eid]) & {w for o in best.excerpts for w in words[o.id]}:
            best.excerpts.append(by_id[eid])
        else:
            leftovers.append(by_id[eid])
    if leftovers:
        groups.append(ExcerptGroup(OTHER if groups else topic.name, [], leftovers))
    for g in groups:
        g.auto_name = g.name
    return order_groups(groups)
