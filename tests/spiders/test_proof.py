"""The spider's proof of absence (contract 1): when a column counts as read to its end."""

from __future__ import annotations

import pytest

from spiders.proof import Column, is_complete

CASES = [
    # (what, listed_total, entries seen, pages outstanding, truncated, failed, complete?)
    ("pagination followed to its end, no stated total", None, 12, 0, False, [], True),
    ("the stated total reached", 12, 12, 0, False, [], True),
    ("a list that stops before its stated total (an SPA state of its first page)", 25, 10, 0, False, [], False),
    ("a page still outstanding", None, 12, 1, False, [], False),
    ("cut by the page cap", None, 500, 0, True, [], False),
    ("a list page failed", None, 12, 0, False, [{"url": "http://x/3.html", "error": "HTTP 500"}], False),
]


@pytest.mark.parametrize(("what", "total", "seen", "outstanding", "truncated", "failed", "complete"), CASES,
                         ids=[c[0] for c in CASES])
def test_when_a_column_proves_absence(what, total, seen, outstanding, truncated, failed, complete) -> None:
    col = Column(url="http://x.gov.cn/ndbg/", listed_total=total, outstanding=outstanding, truncated=truncated,
                 failed=list(failed), entry_urls={f"http://x.gov.cn/ndbg/{i}.html" for i in range(seen)})
    col.reach("x", "pinned", "登记表固定的年报栏目")
    assert is_complete(col.proof_for("x")) is complete, what


def test_a_column_not_shown_to_be_the_agencys_proves_nothing() -> None:
    col = Column(url="http://x.gov.cn/ndbg/", entry_urls={"http://x.gov.cn/ndbg/1.html"})
    col.reach("x", None, "")
    assert is_complete(col.proof_for("x")) is False
