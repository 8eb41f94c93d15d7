"""Is a sentence a statement of substance (论述) — a position, a requirement or a judgement
that stands on its own — or narration, a greeting, a news lead, a list of attendees?
Pure functions over one sentence, on top of the digest's statement rules
(policykb/digest/statements.py: openers, narration of the past, generic sentences)."""
from __future__ import annotations

import re

from policykb.digest.statements import is_generic, is_opener, is_past_narration, requirement_score

MIN_CHARS = 14
MAX_CHARS = 220  # longer is a paragraph, not a quotable statement

# A position, requirement or judgement: 要 / 必须 / 坚持 / 是…的 / 不能 / 只有…才 …
_STANCE = re.compile(
    r"(?<![重主需纲摘提概只扼首必紧])要(?![求点素件闻害地职情])|必须|务必|坚持|坚定不移|始终|决不|绝不|不能|不可|"
    r"不得|不应|应当|应该|只有|才能|才会|关键|根本|核心|前提|基础|保障|根本|本质|一定要|需要|就是|意味着|"
    r"离不开|取决于|在于|事关|关系到|重中之重|第一位|首要|必由之路|必然|必将|唯一|致力于|愿同|倡导|呼吁|主张|"
    r"(?:中国|中方|我们|我国)(?:也|还|愿|始终|将|历来|一贯|欢迎)|告诉我们|启示我们|表明|充分说明|证明了?|没有出路|"
    r"构成[^。]{0,6}(?:风险|威胁|挑战)|但也|功在当代|利在千秋|用[^。，]{2,12}指导|"
    r"不仅|^[^，。；！]{2,24}(?:既是|就是|才是|都是|是)[^。]{4,}|^(?:——)?让我们|^(?:——)?在[^，。]{2,20}下，|"
    r"(?<!这)是[^。，；]{2,40}的(?:[^。]{0,6})?[。！；]?$|是[^。]{2,30}(?:之本|之基|之源|之要|之举|所在|方向|任务|目标|要求)"
)
# News leads and narration of events: who went where, who attended, who spoke.
_LEAD = re.compile(
    r"^(?:新华社\S{0,12}电|本报\S{0,12}电|据新华社)|^\d{1,2}日(?:上午|下午|晚)?|^(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:上午|下午|晚)?[，,]|"
    r"(?:出席|主持|来到|考察|视察|察看|听取|看望|会见|会晤|通电话|致电|致信|回信|发表(?:重要|主旨)?讲话|作出重要指示|"
    r"发表视频讲话|以视频方式|在主会场|分会场|陪同|参加会议|参加活动)"
)
# Someone else's words in a news report: "…国务院总理李克强作出批示指出，…".
_OTHER_SPEAKER = re.compile(r"作出批示|(?:总理|副总理|委员长|副主席|常委)[\u4e00-\u9fa5]{2,3}(?:在|作出|指出|强调|出席|主持|表示)")
_ATTENDEES = re.compile(r"(?:[\u4e00-\u9fa5]{2,4}、){3,}[\u4e00-\u9fa5]{2,4}(?:等|出席|参加)")
_FIRST_PERSON_STORY = re.compile(r"^\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:在|我|以后|之后|底|初)|^(?:党的十八大|今年|多年|近年|长期|\d+年)以来[，,]|^[^，。]{2,16}(?:发生后|以来)[，,]|"
                                 r"^(?:面对|在)[^。]{2,30}[，,][^。]{0,30}?(?:迅速|果断|不畏|第一时间|先后|全力以赴)|^国际社会普遍认为|^我(?:曾|先后|专程|去过|到过|来到|多次|在|看到|听到|记得|常说|还记得|走访)|"
                                 r"^(?:刚才|今天|此前|近日|日前|前不久|不久前|这次会议|这次座谈会|会上)")
# A speaker's reported words: "习近平强调，……" → the part after 强调.
_REPORTED = re.compile(r"^[^。！？]{0,80}?(?:习近平|总书记|他)[^。！？]{0,40}?(?:强调|指出|表示|要求|希望)[，,：:]")
# A sentence that needs the one before it to be understood.
_ANAPHORA = re.compile(r"^(?:这(?:是|些|就|一|种|既|也|都|不仅|正是)|这个|此|其|它|他们|同时|因此|所以|为此|对此|由此|但是|但|而且|并且|否则|那么|"
                       r"与此同时|在此基础上|从这个意义上说|总之|另一方面)")
_QUESTION = re.compile(r"[？?]$")
# An address at the head of a speech: "主席先生，各位同事：…", "…讲话（2020年11月24日）习近平同志们：…".
_SALUTATION = re.compile(r"^[^。！？]{0,60}?(?:先生|女士|同事|嘉宾|同志们|朋友们|同胞们|代表|来宾|阁下|们)[：:]")


def reported_start(sentence: str) -> int:
    """Where a speaker's reported words start in a news sentence (0: none)."""
    m = _REPORTED.match(sentence)
    return m.end() if m else 0


def rejection(sentence: str, topic_words: tuple[str, ...] = (), *, point: bool = False) -> str | None:
    """Why a sentence is not an excerpt (None: it can be one). Reasons name the kind:
    greeting, lead, attendees, narration, generic, question, length, no-stance.
    `topic_words` are content here even when any speech uses them (新发展格局 is a stock
    phrase of the digest's, but the subject of a 摘编 on it); `point`: the speech's own
    numbered point (第二，以畅通国民经济循环为主构建新发展格局。), a position by its place."""
    s = sentence.strip()
    bare = re.sub(r"\s", "", s)
    if len(bare) < MIN_CHARS:
        return "length"
    if len(bare) > MAX_CHARS:
        return "length"
    if is_opener(s) or _SALUTATION.match(s) or re.match(r"^(?:谢谢|再见|祝|衷心祝愿|最后，我衷心祝愿)", s):
        return "greeting"
    if "※" in s or re.match(r"^[（(][^）)]{0,30}\d{4}年", s):
        return "lead"  # an article's byline or note: "※这是…的讲话", "（2020年2月14日在…上的讲话）"
    if _OTHER_SPEAKER.search(s):
        return "lead"
    if _ATTENDEES.search(s):
        return "attendees"
    if _LEAD.search(s):
        return "lead"
    if _FIRST_PERSON_STORY.search(s):
        return "narration"
    if is_past_narration(s):
        return "narration"
    if _QUESTION.search(s):
        return "question"
    if is_generic(s) and not any(w in s for w in topic_words):
        return "generic"
    if not point and not _STANCE.search(s) and requirement_score(s) < 1.5:
        return "no-stance"
    return None


def stance_score(sentence: str) -> float:
    """How firmly the sentence states a position (0 … ~4)."""
    hits = len(_STANCE.findall(sentence))
    return min(hits, 3) * 0.8 + min(requirement_score(sentence), 6.0) * 0.2


def needs_context(sentence: str) -> bool:
    return bool(_ANAPHORA.match(sentence.strip()))
