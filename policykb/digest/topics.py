"""Digest topics: a name, a description (what the topic's documents are about, embedded and
compared with the documents' passages) and keywords (counted in titles, headings, text).

The default list lives here; an installation replaces it with a TOML or JSON file named
by the setting `digest_topics` (POLICYKB_DIGEST_TOPICS):

    [[topics]]
    name = "作风建设"
    description = "落实中央八项规定精神，纠治四风……"
    keywords = ["八项规定", "四风", "形式主义"]

JSON: a list of such objects, or {"topics": [...]}.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATCH_ALL = "其他"


class TopicError(ValueError):
    """A topic file or list the user can fix; the message is Chinese."""


@dataclass(frozen=True)
class Topic:
    name: str
    description: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)

    @property
    def probe(self) -> str:
        """The text embedded for the topic: name, description and keywords together."""
        return "；".join(p for p in (self.name, self.description, "、".join(self.keywords)) if p)


DEFAULT_TOPICS: tuple[Topic, ...] = (
    Topic(
        "干部选拔任用",
        "领导干部的选拔任用、考察考核、任免交流、监督管理和组织处理，领导班子建设，选调生与年轻干部培养。",
        ("选拔任用", "干部考察", "考核", "动议", "民主推荐", "任前公示", "试用期", "交流轮岗", "职务职级",
         "领导班子", "领导干部", "干部监督", "选调生", "年轻干部", "能上能下", "组织处理", "任免", "提拔",
         "干部档案", "个人有关事项"),
    ),
    Topic(
        "基层党建",
        "基层党组织建设，党支部标准化规范化，村（社区）党组织书记队伍，党员发展、教育和管理，党建引领基层治理与乡村振兴。",
        ("基层党组织", "党支部", "村（社区）", "党组织书记", "发展党员", "党员教育", "党员管理", "三会一课",
         "主题党日", "乡村振兴", "党建引领", "基层治理", "软弱涣散", "两新组织", "网格", "村级", "社区",
         "组织生活", "驻村", "第一书记"),
    ),
    Topic(
        "人才工作",
        "人才的引进、培养、使用、评价和激励，高层次人才和青年人才政策，人才发展体制机制改革与服务保障。",
        ("人才", "引才", "育才", "用才", "留才", "高层次人才", "青年人才", "博士", "专家", "科技创新",
         "创新创业", "人才项目", "人才公寓", "柔性引进", "人才评价", "职称", "技能人才"),
    ),
    Topic(
        "意识形态",
        "意识形态工作责任制，宣传思想文化工作，新闻舆论和网络阵地管理，理论学习与思想政治教育，宣传内容审核。",
        ("意识形态", "宣传", "舆论", "舆情", "网络", "新闻", "理论学习", "思想政治", "宣传思想",
         "三审三校", "阵地", "主流价值", "精神文明", "学习贯彻", "第一议题", "出版", "意识形态工作责任制"),
    ),
    Topic(
        "作风建设",
        "落实中央八项规定及其实施细则精神，纠治形式主义、官僚主义、享乐主义和奢靡之风，厉行节约，规范公务接待、公务用车、会议培训、差旅和礼品礼金，为基层减负。",
        ("八项规定", "四风", "形式主义", "官僚主义", "享乐主义", "奢靡之风", "厉行节约", "公款", "公务接待",
         "公务用车", "差旅", "会议费", "培训费", "节礼", "礼品", "礼金", "吃喝", "旅游", "基层减负",
         "调查研究", "文风会风", "办公用房", "津贴补贴", "铺张浪费", "节庆"),
    ),
    Topic(
        "纪律建设",
        "党的纪律和规矩，纪检监察工作，监督执纪问责，巡视巡察，案件检查与审理，党纪处分和廉洁从政从业。",
        ("纪律", "党纪", "处分", "问责", "纪检", "监察", "纪委", "巡视", "巡察", "廉洁", "违纪", "审查调查",
         "监督执纪", "案件", "检举控告", "腐败", "从严治党", "主体责任", "派驻"),
    ),
)


def default_topic_names() -> list[str]:
    return [t.name for t in DEFAULT_TOPICS]


def _topic_from_obj(obj: Any, where: str) -> Topic:
    if isinstance(obj, str):
        return Topic(obj.strip())
    if not isinstance(obj, dict) or not str(obj.get("name") or "").strip():
        raise TopicError(f"{where}：每个主题需要 name 字段")
    keywords = obj.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [k for k in keywords.replace("，", ",").split(",")]
    return Topic(
        name=str(obj["name"]).strip(),
        description=str(obj.get("description") or "").strip(),
        keywords=tuple(str(k).strip() for k in keywords if str(k).strip()),
    )


def load_topics_file(path: str | Path) -> list[Topic]:
    """Topics from a TOML (`[[topics]]` tables) or JSON file."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise TopicError(f"主题配置文件不存在：{path}（设置 digest_topics）")
    try:
        if path.suffix.lower() == ".toml":
            import tomllib

            data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TopicError(f"主题配置文件格式错误：{path}（{exc}）") from exc
    items = data.get("topics") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise TopicError(f"主题配置文件中没有主题列表：{path}（需要 topics 数组）")
    topics = [_topic_from_obj(obj, str(path)) for obj in items]
    if len({t.name for t in topics}) != len(topics):
        raise TopicError(f"主题配置文件中有重复的主题名称：{path}")
    return topics


def configured_topics(topics_file: str | Path | None = None) -> list[Topic]:
    """The topic catalogue: the configured file if any, else the built-in default."""
    return load_topics_file(topics_file) if topics_file else list(DEFAULT_TOPICS)


def resolve_topics(requested: list[str] | str | None, topics_file: str | Path | None = None) -> list[Topic]:
    """The topics of one digest, in the user's order. A name from the catalogue brings its
    description and keywords; an unknown name becomes a topic of its own (its name is its
    only keyword). None or empty = the whole catalogue. The catch-all is never listed here."""
    catalogue = configured_topics(topics_file)
    if not requested:
        return [t for t in catalogue if t.name != CATCH_ALL]
    if isinstance(requested, str):
        requested = requested.replace("，", ",").replace("、", ",").split(",")
    by_name = {t.name: t for t in catalogue}
    out: list[Topic] = []
    for raw in requested:
        name = str(raw).strip()
        if not name or name == CATCH_ALL or any(t.name == name for t in out):
            continue
        if len(name) > 30:
            raise TopicError(f"主题名称过长：{name[:30]}…（不超过 30 个字）")
        out.append(by_name.get(name) or Topic(name, name, (name,)))
    if not out:
        raise TopicError("没有有效的主题名称")
    return out
