"""Fixtures of the roster tests: the 宿迁市 workbook and its CSV twin, the sample web."""

from __future__ import annotations

from pathlib import Path

import pytest

from sampleweb.server import SampleServer, SampleWeb
from sampleweb.sites import demo_sites
from tests.roster import book


@pytest.fixture(scope="session")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("roster")
    return {"xlsx": book.write_xlsx(d / "宿迁市名单.xlsx"), "csv": book.write_csv(d / "宿迁市名单.csv")}


@pytest.fixture
def sample_server():
    server = SampleServer(SampleWeb(demo_sites())).start()
    try:
        yield server
    finally:
        server.stop()
