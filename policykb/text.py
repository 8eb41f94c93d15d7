"""Chinese text for retrieval and answers: width folding, sentence spans, and the words
that say how a question is asked. Pure functions."""
from __future__ import annotations

import re
import unicodedata

# A sentence ends at 。！？； (or their ASCII forms) or a line break; closing quotes and
# brackets that follow the stop belong to the sentence.
_SENTENCE = re.compile(r"[^。！？；!?;\n]+(?:[。！？；!?;]+[”’」』）)》〕】\"']*)?")



# Words that say how a question is asked, not what it is about: they carry no evidence
# that a passage answers it (「公务接待能不能上烟酒」 is about 公务接待 and 烟酒).
QUESTION_WORDS = frozenset("""
能不能 不能 能否 可不可以 可以 可否 是否 要不要 需不需要 需要 算不算 算 行不行 准不准 让不让 允许 允不允许
吗 呢 吧 啊 呀 么 嘛 什么 怎么 怎么样 怎样 如何 为什么 为何 哪些 哪个 哪里 哪儿 哪 哪几 几 多少 多久 多长
多大 多高 几个 几种 几类 几项 几次 几天 几年 几条 最多 最少 至少 一般 到底 究竟 具体 请问 一下 有没有 有无
是不是 会不会 有哪些 包括 包括哪些 包含 都有 还能 还 能 会 得 要 该 应该 咋 咋办 怎么办 怎么处理 怎么处分
谁 由谁 何时 什么时候 哪天 哪年 规定 的 了 和 与 及 或 在 对 把 被 给 从 是 有 我 我们 你 他 她 它 这 那 这个 那个
长时间 多长时间 哪几种 哪几项 哪几类 有几种 啥 咋样
""".split())

# Characters that glue a question's phrasing onto its words when the segmenter meets a
# phrase it does not know: 「最多能」, 「能配」, 「天内要」, 「年版」, 「劝烟算」.
_FUNCTION_CHARS = frozenset("能要就会可该得是算对把被给的了吗呢吧么啊呀哪几多少最些个种还都也又再才咋啥内")


def content_part(token: str) -> str:
    """What a token the library has never seen says once the question's glue is trimmed
    from its ends: 「能配」 → 「配」, 「哪些项目」 → 「项目」, 「最多能」 → 「」. A real word the
    library lacks (「取暖费」, 「遗体」) has no glue and stays whole: it is what the
    question is about, and its absence is what an answer gate must see."""
    start, end = 0, len(token)
    while start < end and token[start] in _FUNCTION_CHARS:
        start += 1
    while end > start and token[end - 1] in _FUNCTION_CHARS:
        end -= 1
    return token[start:end]


def fold(text: str) -> str:
    """NFKC (full-width letters and digits to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, whitespace trimmed, in order."""
    out = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out
