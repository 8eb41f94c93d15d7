"""The 综述 of one group of the 汇编: what its documents share and where they differ,
extracted from their key points (no LLM), every figure and claim cited with the key point's
citation number. Pure functions.

- Reports (any group whose documents state 主要预期目标): a table side by side, one row per
  document (region or title), columns the headline targets found in its target sentence
  (地区生产总值, 一般公共预算收入, 城镇调查失业率 …), each cell cited; and a sentence on the
  growth targets (most common value, highest, lowest).
- Every group of two or more documents: the measures most of them name (words of their
  key points found in at least half the documents), and those only one names among its
  work-section headings, each with the points that name it.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_REFS = 6  # citations listed after a shared term; the count says how many in all


@dataclass(frozen=True)
class OverviewPoint:
    text: str
    kind: str
    n: int  # citation number in the digest


@dataclass(frozen=True)
class OverviewDoc:
    label: str  # how the table and sentences name it: region, else short title
    points: Sequence[OverviewPoint]


@dataclass
class Cell:
    text: str
    n: int | None = None


@dataclass
class OverviewTable:
    caption: str
    columns: list[str]
    rows: list[list[Cell]]


@dataclass
class OverviewSentence:
    text: str
    refs: list[int] = field(default_factory=list)


@dataclass
class Overview:
    sentences: list[OverviewSentence] = field(default_factory=list)
    table: OverviewTable | None = None

    @property
    def empty(self) -> bool:
        return not self.sentences and self.table is None


# ---------------------------------------------------------------------------- figures

_VALUE = r"(\d+(?:\.\d+)?\s*[%％]?(?:\s*[—\-–~～至到]\s*\d+(?:\.\d+)?\s*[%％])?(?:\s*(?:左右|以上|以内|以下))?)"
HEADLINES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("地区生产总值增长", re.compile(r"(?:地区生产总值|国内生产总值|生产总值|经济)(?:按)?增长\s*" + _VALUE)),
    ("一般公共预算收入增长", re.compile(r"一般公共预算收入增长\s*" + _VALUE)),
    ("城镇调查失业率", re.compile(r"城镇调查失业率(?:控制在|为|保持在)?\s*" + _VALUE)),
    ("居民消费价格涨幅", re.compile(r"居民消费价格(?:指数)?(?:涨幅|上涨|总水平)?(?:控制在|为)?\s*" + _VALUE)),
    ("城镇新增就业", re.compile(r"城镇新增就业(?:人数)?\s*(\d+(?:\.\d+)?\s*万人?(?:以上|左右)?)")),
    ("固定资产投资增长", re.compile(r"固定资产投资增长\s*" + _VALUE)),
    ("社会消费品零售总额增长", re.compile(r"社会消费品零售总额增长\s*" + _VALUE)),
)
_MAIN_TARGET = re.compile(r"预期目标|(?:生产总值|经济)(?:按)?增长\s*\d")


def headline_figures(sentence: str) -> dict[str, str]:
    out: dict[str, str] = {}
    flat = re.sub(r"\s+", "", sentence)
    for name, pattern in HEADLINES:
        m = pattern.search(flat)
        if m:
            out[name] = m.group(1)
    return out


def _target_point(doc: OverviewDoc) -> OverviewPoint | None:
    cands = [p for p in doc.points if p.kind == "target" and _MAIN_TARGET.search(p.text) and headline_figures(p.text)]
    return max(cands, key=lambda p: len(headline_figures(p.text)), default=None)


def _leading_number(value: str) -> float:
    m = re.match(r"\d+(?:\.\d+)?", value)
    return float(m.group(0)) if m else 0.0


def targets_table(docs: Sequence[OverviewDoc]) -> tuple[OverviewTable | None, list[OverviewSentence]]:
    rows_src = [(d, _target_point(d)) for d in docs]
    rows_src = [(d, p) for d, p in rows_src if p is not None]
    if len(rows_src) < 2:
        return None, []
    found = [headline_figures(p.text) for _, p in rows_src]
    columns = [name for name, _ in HEADLINES if sum(1 for f in found if name in f) >= max(2, len(found) // 4)]
    if "地区生产总值增长" not in columns:
        return None, []
    rows = []
    for (d, p), figs in zip(rows_src, found):
        rows.append([Cell(d.label)] + [Cell(figs[c], p.n) if c in figs else Cell("—") for c in columns])
    table = OverviewTable("主要预期目标对照", ["地区", *columns], rows)

    growth = [(d.label, figs["地区生产总值增长"], p.n) for (d, p), figs in zip(rows_src, found) if "地区生产总值增长" in figs]
    sentences: list[OverviewSentence] = []
    if growth:
        counts = Counter(v for _, v, _ in growth)
        common, k = counts.most_common(1)[0]
        refs = [n for _, v, n in growth if v == common]
        sentences.append(OverviewSentence(
            f"{len(growth)}件文件提出了地区生产总值增长目标，其中{k}件定为“{common}”", refs[:MAX_REFS]))
        hi = max(growth, key=lambda g: _leading_number(g[1]))
        lo = min(growth, key=lambda g: _leading_number(g[1]))
        if _leading_number(hi[1]) != _leading_number(lo[1]):
            sentences.append(OverviewSentence(f"最高为{hi[0]}的“{hi[1]}”", [hi[2]]))
            sentences.append(OverviewSentence(f"最低为{lo[0]}的“{lo[1]}”", [lo[2]]))
    return table, sentences


# ---------------------------------------------------------------------------- shared terms

# Words every policy text uses: they say nothing about what a group shares.
_STOP = set(
    "推进 加快 建设 发展 加强 推动 全面 深入 持续 提升 提高 高质量 坚持 实施 完善 健全 强化 促进 深化 扎实 着力 "
    "进一步 不断 大力 积极 切实 更加 更好 工作 体系 能力 水平 机制 制度 重点 主要 全省 全市 全区 全国 我们 各级 "
    "有关 相关 以上 左右 以内 实现 确保 落实 统筹 构建 打造 增强 优化 支持 推出 开展 做好 一批 一体 新 "
    "规定 应当 不得 严禁 必须 要求 部门 单位 机关 国家 政府 人民 社会 经济 时期 今年 年度 目标 任务 "
    "增长 努力 争取 结果 实际 新质 生产力 中国式 现代化 预期 经济社会 生产总值 地区 居民 收入 价格 涨幅 "
    "城镇 失业率 调查 同步 更好 高水平 安全 服务 质量 效能 活力 动能 格局 领域 产业 创新 "
    "建立 组织 管理 责任 问题 方面 情况 模式 党委 要求 作用 内容 方式 措施 政策 重要 有效 加大 力度".split()
)


def _terms(text: str) -> set[str]:
    from policykb.index.tokenize import tokenize

    words = tokenize(text, sub_words=False)
    return {w for w in words if len(w) >= 2 and re.search(r"[\u4e00-\u9fff]", w) and w not in _STOP}


def shared_and_distinct(docs: Sequence[OverviewDoc], *, top: int = 6) -> list[OverviewSentence]:
    if len(docs) < 2:
        return []
    per_doc: list[dict[str, list[int]]] = []
    for d in docs:
        terms: dict[str, list[int]] = {}
        for p in d.points:
            if p.kind == "target":  # the targets have their table
                continue
            for t in _terms(p.text):
                terms.setdefault(t, []).append(p.n)
        per_doc.append(terms)
    df = Counter(t for terms in per_doc for t in terms)
    half = max(2, -(-len(docs) // 2))
    sentences = []
    shared = [t for t, c in df.most_common() if c >= half][:top]
    for t in shared:
        refs = [terms[t][0] for terms in per_doc if t in terms]
        sentences.append(OverviewSentence(f"{df[t]}件文件的要点提到“{t}”", refs[:MAX_REFS]))
    # Distinct: a work-section heading whose words no other document's points use.
    distinct = []
    for d, terms in zip(docs, per_doc):
        for p in d.points:
            if p.kind != "task":
                continue
            own = sorted((t for t in _terms(p.text) if df[t] == 1 and len(t) >= 3), key=len, reverse=True)
            if own:
                distinct.append(OverviewSentence(f"仅{d.label}提出“{own[0]}”", [p.n]))
                break
    return sentences + distinct[:top]


def group_overview(docs: Sequence[OverviewDoc]) -> Overview:
    table, target_sentences = targets_table(docs)
    return Overview(target_sentences + shared_and_distinct(docs), table)


def sentence_text(s: OverviewSentence) -> str:
    return s.text + "".join(f"[{n}]" for n in s.refs)
