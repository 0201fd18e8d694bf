"""Broken input ends in one line on stderr and a non-zero exit, never a traceback
(issue 16, item 18): a partly corrupt SQLite file, a registry of the wrong shape, an
unknown database scheme.  Run as a person runs them: the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.registry import parse_registry, sync_registry
from db.schema import open_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "s3cret-Pa55"


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


def _one_line(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode != 0, r.stdout
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("nianbao: ")
    return lines[0]


@pytest.fixture(scope="module")
def corrupt_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real database whose middle pages were overwritten (the header and schema intact)."""
    import sqlite3

    path = tmp_path_factory.mktemp("corrupt") / "n.db"
    url = f"sqlite:///{path}"
    factory = open_db(url)
    registry = "agencies:\n" + "".join(
        f"  - {{id: a{i}, name: 第{i}号机关{'局' * 40}, kind: department, site: 'http://a{i}.gov.cn/'}}\n"
        for i in range(400))
    with factory() as s:
        sync_registry(s, parse_registry(registry))
        s.commit()
    factory.kw["bind"].dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    data = bytearray(path.read_bytes())
    for p in range(pages // 2, pages, 3):  # the agencies were written last: their pages are at the end
        data[p * page + 8:(p + 1) * page] = b"\xde\xad\xbe\xef" * ((page - 8) // 4)
    path.write_bytes(bytes(data))
    return url


@pytest.mark.parametrize("args", [["check"], ["registry", "export", "-o", "r.xlsx"], ["audit", "--year", "2024", "-o", "a.csv"],
                                  ["digest", "--dry-run", "-o", "d.html"]])
def test_a_partly_corrupt_sqlite_file(corrupt_db: str, args: list[str], tmp_path: Path) -> None:
    line = _one_line(_cli([*args, "--db", corrupt_db], tmp_path))
    assert "已损坏" in line


@pytest.mark.parametrize("text", ["- a\n- b\n", "agencies:\n  a: {id: a}\n", "defaults: [1]\nagencies: []\n",
                                  "defaults:\n  regions: [3208]\nagencies: []\n", "agencies:\n  - 3\n"])
def test_a_registry_of_the_wrong_shape(text: str, tmp_path: Path) -> None:
    (tmp_path / "reg.yaml").write_text(text, encoding="utf-8")
    line = _one_line(_cli(["crawl", "--registry", "reg.yaml", "--db", f"sqlite:///{tmp_path / 'n.db'}"], tmp_path))
    assert "reg.yaml: line " in line


@pytest.mark.parametrize("url", [f"mysql://nianbao:{PASSWORD}@db.example/nianbao", f"foo://nianbao:{PASSWORD}@h/x",
                                 "not-a-url", f"postgresql+psycopg://nianbao:{PASSWORD}@127.0.0.1:1/nianbao"])
@pytest.mark.parametrize("command", [["check"], ["jobs"]])
def test_an_unknown_or_unreachable_database(url: str, command: list[str], tmp_path: Path) -> None:
    line = _one_line(_cli([*command, "--db", url], tmp_path))
    assert PASSWORD not in line and "数据库" in line
