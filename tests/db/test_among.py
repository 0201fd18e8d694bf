"""``monitor.load.among``: ``column IN (values)`` on SQLite and PostgreSQL alike, whichever way
PostgreSQL receives the list (one joined text, or an array for values the join cannot carry)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Agency
from db.schema import open_db
from monitor.load import among


@pytest.mark.parametrize("wanted", [["a1", "a3"], [], ["a2"], ["", "a1"], [""], ["a\x1fb", "a2"], ["x"]])
def test_among_is_in(db_url: str, wanted: list[str]) -> None:
    factory = open_db(db_url)
    with factory() as s:
        for aid in ("a1", "a2", "a3", "", "a\x1fb"):
            s.add(Agency(id=aid, name=f"机关{aid}", kind="department", site="http://x.gov.cn/"))
        s.flush()
        got = sorted(s.scalars(select(Agency.id).where(among(s, Agency.id, wanted))))
        assert got == sorted(set(wanted) & {"a1", "a2", "a3", "", "a\x1fb"})
