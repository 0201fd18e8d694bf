"""One agency's bookkeeping (spiders/ledger.py): the outcome it yields, and the rule that a
column which failed and showed nothing is broken, not empty (issue 16 item 7)."""

from __future__ import annotations

from spiders.ledger import Ledger
from spiders.proof import Column


def _columns(*cols: Column) -> dict[str, Column]:
    return {c.url: c for c in cols}


def test_a_column_read_to_its_end_is_ok() -> None:
    st = Ledger(ok_pages=2)
    col = Column(url="http://a/nb/", pages_read=1)
    col.reach("a", "named_on_site", "站内链接")
    st.root(col.url)
    out = st.outcome("a", _columns(col), 40)
    assert out["outcome"] == "ok" and out["reason"] is None and out["columns"] == ["http://a/nb/"]
    assert st.complete("a", _columns(col))


def test_a_column_that_failed_and_showed_nothing_is_broken() -> None:
    st = Ledger(ok_pages=1)  # the home page answered
    good = Column(url="http://a/nb/", pages_read=1)
    broken = Column(url="http://a/nb/bm/", parent=good.url, failed=[{"url": "http://a/nb/bm/", "error": "HTTP 503"}])
    good.children.append(broken.url)
    good.reach("a", "pinned", "登记的起始地址")
    st.root(good.url)
    cols = _columns(good, broken)
    out = st.outcome("a", cols, 40)
    assert out["outcome"] == "unreachable" and out["reason"] == "年报栏目无法读取：http://a/nb/bm/（HTTP 503）"
    assert not st.complete("a", cols)  # the spider re-checks nothing for it either
    broken.pages_read = 1  # a later page failed after one was read: the proof says so, the outcome stays ok
    assert st.outcome("a", cols, 40)["outcome"] == "ok"


def test_nothing_fetched_is_unreachable_with_the_reasons() -> None:
    st = Ledger()
    st.tried("http://a/", error="连接被拒绝")
    st.error("http://a/", "连接被拒绝")
    st.started()
    assert st.finished() and not st.finished()  # done once
    out = st.outcome("a", {}, 40)
    assert out["outcome"] == "unreachable" and out["reason"] == "连接被拒绝"
    assert out["urls_tried"] == [{"url": "http://a/", "error": "连接被拒绝"}]
