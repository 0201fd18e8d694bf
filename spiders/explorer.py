"""The explorer: best-first search within an agency's hosts for its 年报 column, the
fallback when no adapter or pinned column says where the reports are.

Links are scored by anchor text and URL (年报, 年度报告, xxgknb, zfxxgknb, ndbg, 信息公开,
year folders, 本级/部门/乡镇 sub-columns); the spider fetches them highest score first
(Scrapy priorities) and stops at the page budget.  What it explored (pages, budget,
whether the budget stopped it) is part of the proof of absence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COLUMN_LABEL_RE = re.compile(r"信息公开年报|信息公开年度报告|政务公开年报|工作年报|年度报告|^年报$|^年报专栏$|^年报公开$|公开年报")
COLUMN_SLUG_RE = re.compile(
    r"/(?:xxgknb|zfxxgknb|ndbg|bmxxgknb|gknb|xxgkndbg|zfxxgkndbg|xxgkzl_ndbg)(?:/(?:index(?:_\d+)?\.s?html?)?|\.s?html?)?$", re.I)
_YEAR_RE = re.compile(r"(?:19|20)\d{2}")
_SKIP_URL_RE = re.compile(r"search|calendar|login|logout|register|print|/rss|javascript:|mailto:|\.(?:css|js|jpg|png|gif|zip|rar)$", re.I)
_SKIP_LABEL_RE = re.compile(r"^(?:首页|上一页|下一页|尾页|English|无障碍|登录|注册|搜索)$")
LABEL_SCORES = ((re.compile(r"年报|年度报告"), 60), (re.compile(r"信息公开|政务公开"), 25), (re.compile(r"公开目录|信息公开目录|目录"), 15),
                (re.compile(r"法定主动公开|主动公开"), 12), (re.compile(r"本级|部门|乡镇|街道"), 8), (re.compile(r"政府信息|公开"), 6),
                (re.compile(r"通知公告|公示公告|^公告$"), 7))
URL_SCORES = ((re.compile(r"xxgknb|zfxxgknb|ndbg|gknb", re.I), 50), (re.compile(r"xxgk|zwgk|gkml|zfxxgk|govinfo|gkmlpt", re.I), 15),
              (re.compile(r"/(?:19|20)\d{2}/"), 4), (re.compile(r"/col/col\d+|list", re.I), 2))
PENALTY_RE = re.compile(r"新闻|动态|要闻|图片|视频|专题|互动|留言|信箱|招聘|办事|服务|政策解读")
MIN_SCORE = 6
BUDGET = 40


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    label: str
    score: int
    column: bool  # named as the 年报 column


def is_column_label(label: str) -> bool:
    return bool(COLUMN_LABEL_RE.search(label)) and len(label) <= 16 and not _YEAR_RE.search(label)


def score(label: str, url: str) -> int:
    """How promising a link is for reaching the 年报 column (0: not worth a request)."""
    if _SKIP_URL_RE.search(url) or _SKIP_LABEL_RE.match(label) or len(label) > 30:
        return 0
    s = sum(points for rx, points in LABEL_SCORES if rx.search(label))
    s += sum(points for rx, points in URL_SCORES if rx.search(url))
    if PENALTY_RE.search(label):
        s -= 10
    if _YEAR_RE.search(label) and not is_column_label(label):
        s -= 20 if len(label) > 8 else 0  # an article title, not a folder
    return max(s, 0)


def rank(links: list[tuple[str, str]]) -> list[Link]:
    """(url, label) pairs → the links worth following, best first."""
    out = []
    for url, label in links:
        s = score(label, url)
        col = is_column_label(label)
        if col or s >= MIN_SCORE:
            out.append(Link(url, label, s + (100 if col else 0), col))
    return sorted(out, key=lambda link: -link.score)
