"""What the library knows about its documents as a question names them: common names and
简称, 文号, issuing places and organisations, years, and version families. Pure functions
over document records; the knowledge base builds one `Catalog` per library state.

Officials name a document the way they speak of it: 「纪律处分条例」 for 《中国共产党纪律处分条
例》, 「八项规定」 for 《中共中央八项规定》, 「四川省政府工作报告」 for 《2026年四川省政府工作报告》.
A question that names a document, a place or a year is answered from the matching
documents; a question that names no year is answered from the current version of a
regulation that exists in several.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from difflib import SequenceMatcher
from pathlib import Path

from policykb.text import fold

# Prefixes an official drops when naming a document (longest first).
_DROPPABLE = (
    "中华人民共和国", "中国共产党", "中共中央办公厅", "国务院办公厅", "中共中央", "中央办公厅", "党政机关",
    "中央和国家机关", "全国人民代表大会常务委员会", "全国人民代表大会", "国务院", "中共", "关于",
)
_VERSION_MARK = re.compile(
    r"[（(]\s*(?:\d{4}\s*年?\s*(?:修订|修正|版|本)?|[一二三四五六七八九十〇零]{4}年(?:修订|修正)?|试行|修订|修正|全文|草案)\s*[）)]"
    r"|\d{4}\s*年?\s*(?:修订|修正)?版?|[_\-\s]+$")
_PREFIX_NUMBER = re.compile(r"^\d{1,4}[_\-.、\s]+")
_YEAR = re.compile(r"(19[4-9]\d|20[0-4]\d)")

PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
_PLACE = re.compile(r"([\u4e00-\u9fff]{2,6}?(?:省|市|自治区|自治州|县|区|盟))")
# Organisations as officials abbreviate them: the short form → what documents write.
ORG_ALIASES = {
    "中纪委": "中央纪委", "中央纪委国家监委": "中央纪委", "国家监委": "国家监察委员会", "中组部": "中央组织部",
    "中宣部": "中央宣传部", "中办": "中共中央办公厅", "国办": "国务院办公厅", "发改委": "发展改革委",
    "工信部": "工业和信息化部", "人社部": "人力资源社会保障部", "全国人大常委会": "全国人民代表大会常务委员会",
    "人大常委会": "人民代表大会常务委员会", "最高法": "最高人民法院", "最高检": "最高人民检察院",
}


def bare_title(title: str) -> str:
    """A title as stored bare: no 《》, no （全文）, no file-name number prefix."""
    t = _PREFIX_NUMBER.sub("", (title or "").strip())
    t = re.sub(r"[（(]\s*全文\s*[）)]$", "", t).strip()
    if t.startswith("《") and t.endswith("》") and t.count("《") == 1:
        t = t[1:-1]
    return t.strip()


def family_name(title: str) -> str:
    """The title without years and version marks: the versions of one regulation share it."""
    t = bare_title(title)
    t = re.sub(r"^\d{4}\s*年\s*", "", t)
    t = _VERSION_MARK.sub("", t)
    return fold(re.sub(r"[《》〈〉\s_]", "", t))


# Only texts that are revised as a whole come in versions: regulations, laws and the yearly
# reports; two notices 「关于做好…工作的通知」 of two agencies are two documents.
_VERSIONED = re.compile(r"(?:条例|规定|办法|准则|细则|规则|章程|法|纲要|政府工作报告)$")


def family_key(title: str, issuer: str | None = None) -> str:
    """The version family a document belongs to: its family name when it is a kind that is
    revised as a whole, else a family of its own."""
    name = family_name(title)
    if len(name) < 4 or not _VERSIONED.search(name):
        return "\0" + bare_title(title) + "\0" + (issuer or "")
    return name  # the title names the issuer where it matters (「四川省…」); issuers go missing


def aliases(title: str) -> set[str]:
    """Names a question may use for a document: its family name, the name without the
    issuing body's prefix, and for 「关于…的通知」 the matter itself. At least 4 characters,
    so that no alias is a common word."""
    base = family_name(title)
    out = {base}
    t = base
    changed = True
    while changed:
        changed = False
        for p in _DROPPABLE:
            if t.startswith(p) and len(t) - len(p) >= 4:
                t = t[len(p):]
                out.add(t)
                changed = True
    inner = re.match(r"^(?:.*?)关于(.{4,})的(?:通知|意见|决定|规定|批复|通报|报告|函)$", base)
    if inner:
        out.add(inner.group(1))
    return {a for a in out if len(a) >= 4}


# Characters no place name holds: a match reaching back over them (「标准涉及哪些城市」)
# is a phrase that ends in 市 or 区, and the place, if any, starts after the last of them.
_NOT_IN_PLACE = re.compile(r".*[哪些什么啥的了和与及在对是有为等各全本该此其每个到从向把被给让去来涉要能会不]")
# Words that end like a place and are none (「哪些城市」, 「社区」, 「开发区」).
_NOT_PLACES = ("城市", "地区", "社区", "辖区", "园区", "景区", "城区", "市区", "山区", "灾区", "片区", "街区",
               "小区", "郊区", "老区", "牧区", "林区", "矿区", "分区", "省区", "开发区", "示范区", "试验区", "自贸区",
               # levels of government, not places: 「不同地市」, 「市县」
               "地市", "市县", "县市", "省市", "区县", "县区", "州市", "盟市")


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """The segmenter's dictionary (every word) and its words tagged as places (ns)."""
    import jieba

    from policykb.index.tokenize import _get

    words = frozenset(_get().FREQ)
    places = set()
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as f:
        for line in f:
            if line.endswith(" ns\n"):
                places.add(line.split(" ", 1)[0])
    return words, frozenset(places)


def _named_place(candidate: str) -> str | None:
    """The place a run of characters ending in 市/县/区… names, if any: its longest ending
    the dictionary knows as a word (「疫情期间国深圳市」 → 深圳市) or whose name before the
    suffix is a place (泰安 of 「时起泰安市」); 「何时启用市」, 「多少省」 name none."""
    words, places = _gazetteer()
    suffix = re.search(r"(?:省|市|自治区|自治州|县|区|盟)$", candidate)
    cut = suffix.start() if suffix else len(candidate)
    for start in range(0, cut - 1):
        name, core = candidate[start:], candidate[start:cut]
        if name in words or core in places:
            return name
    return None


def places_in(text: str) -> set[str]:
    """Provinces (by their short names) and cities or counties a text names."""
    found = {p for p in PROVINCES if p in text}
    for m in _PLACE.finditer(text):
        name = _named_place(_NOT_IN_PLACE.sub("", m.group(1)))
        if name is None or name.endswith(_NOT_PLACES):
            continue
        core = re.sub(r"(?:省|市|自治区|自治州|县|区|盟)$", "", name)
        if len(core) < 2 or any(p in core for p in PROVINCES) or core[0] in "年的在和与及从到对向为是":
            continue
        found.add(name)
    return found


def year_of(title: str, date: str | None) -> int | None:
    m = _YEAR.search(bare_title(title))
    if m:
        return int(m.group(1))
    if date and _YEAR.match(date):
        return int(date[:4])
    return None


@dataclass(frozen=True)
class DocRecord:
    id: str
    title: str
    issuer: str = ""
    region: str = ""
    date: str | None = None
    doc_no: str | None = None
    opening: str = ""  # the first lines of the text: 红头, 文号, 主送
    path: str = ""


@dataclass
class Catalog:
    docs: dict[str, DocRecord]
    alias_docs: dict[str, set[str]] = field(default_factory=dict)
    place_docs: dict[str, set[str]] = field(default_factory=dict)
    org_docs: dict[str, set[str]] = field(default_factory=dict)
    doc_no_docs: dict[str, set[str]] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)
    family: dict[str, str] = field(default_factory=dict)  # doc id → family key
    members: dict[str, list[str]] = field(default_factory=dict)  # family → doc ids, newest first

    @classmethod
    def build(cls, records: list[DocRecord]) -> "Catalog":
        cat = cls({r.id: r for r in records})
        alias_docs: dict[str, set[str]] = defaultdict(set)
        place_docs: dict[str, set[str]] = defaultdict(set)
        org_docs: dict[str, set[str]] = defaultdict(set)
        doc_nos: dict[str, set[str]] = defaultdict(set)
        families: dict[str, list[str]] = defaultdict(list)
        for r in records:
            title = r.title or Path(r.path).stem
            for a in aliases(title):
                alias_docs[a].add(r.id)
            # Where a document comes from: its title, issuer, region and 红头 (first lines).
            for p in places_in(" ".join([bare_title(title), r.issuer or "", r.region or "", r.opening[:120]])):
                place_docs[p].add(r.id)
            for org in re.split(r"[\s、，,]+", r.issuer or ""):
                if len(org) >= 3:
                    org_docs[fold(org)].add(r.id)
            if r.doc_no:
                doc_nos[fold(re.sub(r"\s", "", r.doc_no))].add(r.id)
            year = year_of(title, r.date)
            if year:
                cat.years[r.id] = year
            key = family_key(title, r.issuer)
            cat.family[r.id] = key
            families[key].append(r.id)
        # A title that names an organisation is that organisation's document too (「国家监察委员会
        # 管辖规定」 carries no issuer field).
        named_orgs = [org for org in org_docs if len(org) >= 4]
        for r in records:
            title = fold(bare_title(r.title or Path(r.path).stem))
            for org in named_orgs:
                if org in title:
                    org_docs[org].add(r.id)
        cat.alias_docs, cat.place_docs, cat.org_docs, cat.doc_no_docs = (
            dict(alias_docs), dict(place_docs), dict(org_docs), dict(doc_nos))
        for key, ids in families.items():
            ids.sort(key=lambda i: (cat.years.get(i, 0), cat.docs[i].date or ""), reverse=True)
            cat.members[key] = ids
        return cat

    def _folded_titles(self) -> dict[str, str]:
        """Each document's bare title, folded as questions are."""
        folded = self.__dict__.get("_folded")
        if folded is None:
            folded = self.__dict__["_folded"] = {i: fold(bare_title(r.title or "")) for i, r in self.docs.items()}
        return folded

    def _title_grams(self) -> dict[str, set[str]]:
        """Every stretch of 3 to 8 characters of every bare title, with its documents."""
        grams = self.__dict__.get("_grams")
        if grams is None:
            grams = {}
            for i, t in self._folded_titles().items():
                for n in range(3, 9):
                    for k in range(len(t) - n + 1):
                        grams.setdefault(t[k:k + n], set()).add(i)
            self.__dict__["_grams"] = grams
        return grams

    def title_stretches(self, text: str, *, min_len: int = 6, share: float = 0.6,
                        most: int = 3) -> list[tuple[int, int, str, set[str]]]:
        """(start, end, stretch, documents) for each long stretch of `text` that is most of a
        title (「违反八项规定清单80条」 of 《中央列出违反八项规定清单80条》): a name in its own
        right, longer than any alias inside it (「八项规定」 names another document). Held by
        at most `most` titles."""
        grams, titles = self._title_grams(), self._folded_titles()
        candidates: set[str] = set()
        for k in range(len(text) - min_len + 1):
            ids = grams.get(text[k:k + min_len])
            if ids and len(ids) <= most:
                candidates |= ids
        out = []
        for i in candidates:
            title = titles[i]
            m = SequenceMatcher(None, text, title, autojunk=False).find_longest_match(0, len(text), 0, len(title))
            if m.size < min_len or m.size < share * len(title):
                continue
            stretch = text[m.a:m.a + m.size]
            # 「年政府工作报告」 is a kind with a year's tail: what is left beside the longest part
            # many titles share must be a name of its own.
            common = next((n for n in range(min(8, len(stretch)), 2, -1)
                           if any(len(grams.get(stretch[k:k + n], ())) > most for k in range(len(stretch) - n + 1))), 0)
            if len(stretch) - common < 4:
                continue
            # Every title holding it holds its first eight characters: the grams know them all.
            holders = {j for j in grams.get(stretch[:8], set()) if stretch in titles[j]}
            if len(holders) <= most:
                out.append((m.a, m.a + m.size, stretch, holders))
        return out

    def titled(self, question: str) -> set[str]:
        """Documents whose title shares a distinctive stretch of at least three characters
        with the question (「组织处理」 with 《中国共产党组织处理规定（试行）》, 「公务接待」 with
        《党政机关国内公务接待管理规定》): one found in few titles, the longest first."""
        grams = self._title_grams()
        limit = max(3, len(self.docs) // 50)
        q = fold(question)
        out: set[str] = set()
        covered: list[tuple[int, int]] = []
        for n in range(8, 2, -1):
            for k in range(len(q) - n + 1):
                if any(a <= k and k + n <= b for a, b in covered):
                    continue
                ids = grams.get(q[k:k + n])
                if ids and len(ids) <= limit:
                    out |= ids
                    covered.append((k, k + n))
        return out

    def aliases_ending(self, suffix: str) -> list[str]:
        by = self.__dict__.setdefault("_by_suffix", {})
        if suffix not in by:
            by[suffix] = [a for a in self.alias_docs if a.endswith(suffix)]
        return by[suffix]

    def is_current(self, doc_id: str) -> bool:
        """The newest of its family (a family of one is current)."""
        ids = self.members.get(self.family.get(doc_id, ""), [doc_id])
        return ids[0] == doc_id or self.years.get(ids[0]) == self.years.get(doc_id) is not None

    def versions(self, doc_id: str) -> list[str]:
        return self.members.get(self.family.get(doc_id, ""), [doc_id])
