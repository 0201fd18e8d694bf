"""Hard inputs made from the real reports (``tests/fixtures/hard``, see its build.py):
scrambled Markdown, rows lost at page footers, collapsed text dumps, compound prose.
Every value the parser gives is the truth; the rows the construction made unplaceable
are null and reported misaligned; lost rows are listed missing."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES, parsed
from tests.parsing.scoring import load_truth, parsed_tables, score

HARD = FIXTURES / "hard"
CASES = sorted(p.name[: -len(".expected.json")] for p in HARD.glob("*.expected.json"))


def _case(name: str):
    expected = json.loads((HARD / f"{name}.expected.json").read_text(encoding="utf-8"))
    report = parsed(str(HARD / name))
    return expected, report, report.to_json()


def test_every_class_has_fixtures() -> None:
    classes = {name.split("-")[0] for name in CASES}
    assert classes >= {"scrambled", "dropped", "collapsed", "prose"}


@pytest.mark.parametrize("name", CASES)
def test_no_wrong_value(name: str) -> None:
    expected, report, got = _case(name)
    assert report.ok, report.error
    s = score(name, load_truth(expected["truth"]), parsed_tables(got))
    assert s.wrong == []


@pytest.mark.parametrize("name", CASES)
def test_unplaceable_rows_are_null_and_reported(name: str) -> None:
    expected, _, got = _case(name)
    for table, rows in expected.get("unplaceable", {}).items():
        reported = {m["row"] for m in got["table_details"][table]["misaligned"]}
        for row in rows:
            assert row in reported, f"{row} not reported misaligned"
            assert all(v is None for v in got["tables"][table]["rows"].get(row, {}).values())
            assert any(f"row {row} misaligned" in w for w in got["warnings"])


@pytest.mark.parametrize("name", CASES)
def test_everything_else_is_read(name: str) -> None:
    """Nothing beyond the expected rows is lost: every other truth cell is right."""
    expected, _, got = _case(name)
    truth, tables = load_truth(expected["truth"]), parsed_tables(got)
    lost = {t: set(r) for t, r in expected.get("unplaceable", {}).items()}
    for t, r in expected.get("missing", {}).items():
        lost.setdefault(t, set()).update(r)
    for t, r in expected.get("unreadable_rows", {}).items():
        lost.setdefault(t, set()).update(r)
    for table, rows in truth.items():
        if table in expected.get("unreadable_tables", []):
            continue
        for row, cols in rows.items():
            if row in lost.get(table, set()):
                continue
            assert tables[table].get(row) == cols, f"{table}.{row}"


@pytest.mark.parametrize("name", CASES)
def test_missing_and_noted_rows(name: str) -> None:
    expected, _, got = _case(name)
    for table, rows in expected.get("missing", {}).items():
        assert set(rows) <= set(got["table_details"][table]["missing_rows"])
    for table, rows in expected.get("found_by_note", {}).items():
        noted = {n["row"] for n in got["table_details"][table]["notes"]}
        assert set(rows) <= noted


PROSE = [n for n in CASES if "prose" in json.loads((HARD / f"{n}.expected.json").read_text(encoding="utf-8"))]


@pytest.mark.parametrize("name", PROSE)
def test_compound_prose_has_its_own_keys(name: str) -> None:
    expected, _, got = _case(name)
    stated = {(p["key"], p["value"]) for p in got["prose_numbers"]}
    assert {tuple(p) for p in expected["prose"]} <= stated
    assert not {tuple(p) for p in expected.get("prose_absent", [])} & stated


@pytest.mark.parametrize("name", PROSE)
def test_monitor_compares_compound_prose_with_the_matching_sum(name: str) -> None:
    from monitor.rules import _prose

    expected, _, got = _case(name)
    flagged = sorted(d.detail for d in _prose(got, "某机关"))
    assert flagged == sorted(expected["prose_findings"])


@pytest.mark.parametrize("name", [n for n in CASES if n.startswith("collapsed")])
def test_collapsed_dump_is_a_report(name: str) -> None:
    """Title, year, format and sections are found in a report collapsed to one line."""
    expected, report, got = _case(name)
    assert report.ok, report.error
    for field, value in expected["fields"].items():
        assert got[field] == value, field
    assert report.title and str(expected["fields"]["year"]) in report.title


@pytest.mark.parametrize("name", [n for n in CASES if n.startswith("collapsed")])
def test_collapsed_cells_are_inferred_or_unreadable(name: str) -> None:
    """Every recovered run-together row is listed as inferred; an unreadable table says why."""
    expected, _, got = _case(name)
    for table in expected.get("unreadable_tables", []):
        assert got["table_status"][table] == "unreadable"
        assert got["table_details"][table]["reason"]
    inferred = sum(len(d["inferred"]) for d in got["table_details"].values())
    assert inferred > 0
    for details in got["table_details"].values():
        for m in details["misaligned"]:
            assert m["why"], m
