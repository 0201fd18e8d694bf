"""Over every fixture and real sample with known truth: ZERO wrong values (a value that is
not null and differs from the truth), whatever the accuracy.  The accuracy (cells right /
total) is a separate, weaker figure: a null is an honest "could not place it"."""

from __future__ import annotations

import pytest

from parsing.readers import ocr, office
from tests.conftest import parsed
from tests.parsing.corpus import corpus
from tests.parsing.scoring import Score, load_truth, parsed_tables, score


def _available(path) -> bool:
    if path.suffix in (".doc", ".wps") and path.read_bytes()[:4] != b"<htm" and office.soffice_path() is None:
        return False
    return not (path.name in ("xinzhou-2020-scan.pdf", "hongze-2023-tables.png") and not ocr.available())


CASES = [c for c in corpus() if _available(c[1])]


def _score(name, path, ref) -> Score:
    return score(name, load_truth(ref), parsed_tables(parsed(str(path)).to_json()))


@pytest.mark.parametrize(("name", "path", "ref"), CASES, ids=[c[0] for c in CASES])
def test_no_wrong_value(name, path, ref) -> None:
    assert _score(name, path, ref).wrong == []


def test_zero_wrong_values_over_all_fixtures_and_the_accuracy_figure() -> None:
    total = Score()
    for case in CASES:
        total.add(_score(*case))
    assert len(CASES) >= 40
    assert total.wrong == []
    # the accuracy figure, kept honest: the hard fixtures null what cannot be placed
    assert total.total > 5000
    assert total.right / total.total >= 0.90, f"{total.right}/{total.total}"
