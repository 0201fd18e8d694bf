"""Cells run together without separators (``801000081`` = 80, 1, 0, 0, 0, 0, 81).

Text dumps of report pages lose the separators between table cells.  A run of digits can
be split back only where the national identities leave exactly one split:

* table 三, per row: 总计 = the six applicant columns (R3); then, per column, the balance
  new_received + carried_over = total + carried_forward (R1) and total = the outcome rows
  (R2) decide between the splits R3 leaves;
* table 四, per group: 总计 = 维持 + 纠正 + 其他 + 尚未审结 (R4).

Printed numbers have no leading zeros; a space in the run is a cell boundary.  A split
that is not unique is never chosen: the row stays null and says why.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

MAX_CANDIDATES = 2000
MAX_COMBINATIONS = 200_000


def _runs(text: str) -> tuple[str, frozenset[int]]:
    """Digits of a run and the cut positions its spaces force."""
    digits: list[str] = []
    cuts: set[int] = set()
    for ch in text:
        if ch.isdigit():
            digits.append(ch)
        elif digits:
            cuts.add(len(digits))
    s = "".join(digits)
    return s, frozenset(c for c in cuts if 0 < c < len(s))


def _parts(s: str, start: int, count: int, cuts: frozenset[int]) -> Iterator[list[int]]:
    """Every way to read ``count`` numbers from s[start:], as end positions."""
    if count == 0:
        yield []
        return
    n = len(s)
    max_end = n - (count - 1)
    for end in range(start + 1, max_end + 1):
        if any(start < c < end for c in cuts):
            break
        if s[start] == "0" and end > start + 1:
            break
        for rest in _parts(s, end, count - 1, cuts):
            yield [end, *rest]


def sum_splits(text: str, groups: int, size: int, limit: int = MAX_CANDIDATES) -> list[tuple[int, ...]] | None:
    """Splits of a run into ``groups`` groups of ``size`` numbers whose last is the sum of
    the others; None when there are more than ``limit`` (too ambiguous to enumerate)."""
    s, cuts = _runs(text)
    out: list[tuple[int, ...]] = []

    def walk(pos: int, g: int, acc: list[int]) -> bool:
        if g == groups:
            if pos == len(s):
                out.append(tuple(acc))
            return len(out) <= limit
        for ends in _parts(s, pos, size - 1, cuts):
            bounds = [pos, *ends]
            values = [int(s[a:b]) for a, b in itertools.pairwise(bounds)]
            total = str(sum(values))
            end = ends[-1] + len(total)
            if s[ends[-1]:end] != total or any(ends[-1] < c < end for c in cuts):
                continue
            if end < len(s) and g == groups - 1:
                continue
            if not walk(end, g + 1, acc + values + [sum(values)]):
                return False
        return True

    if not s:
        return []
    if not walk(0, 0, []):
        return None
    # every forced cut must be a boundary of the split
    if cuts:
        out = [v for v in out if cuts <= _boundaries(v)]
    return out


def _boundaries(values: Sequence[int]) -> set[int]:
    pos, out = 0, set()
    for v in values:
        pos += len(str(v))
        out.add(pos)
    return out


def plain_splits(text: str, count: int) -> list[tuple[int, ...]]:
    """Splits of a run into ``count`` numbers with no identity to check (table 二)."""
    s, cuts = _runs(text)
    out = []
    for ends in _parts(s, 0, count, cuts):
        if ends and ends[-1] == len(s):
            vals = tuple(int(s[a:b]) for a, b in itertools.pairwise([0, *ends]))
            if cuts <= _boundaries(vals):
                out.append(vals)
        if len(out) > 1:
            break
    return out


def solve_columns(
    candidates: dict[str, list[tuple[int, ...]]],
    identities: Sequence[tuple[Sequence[str], Sequence[str]]],
    width: int,
) -> dict[str, tuple[int, ...]]:
    """Rows with several candidate splits, decided by column identities.

    ``identities``: (left rows, right rows) whose column sums must be equal in every
    column.  Returns the rows whose value is the same in every combination that
    satisfies all identities that can be evaluated; other ambiguous rows are left out.
    """
    fixed = {k: v[0] for k, v in candidates.items() if len(v) == 1}
    open_rows = [k for k, v in candidates.items() if len(v) > 1]
    if not open_rows:
        return fixed
    size = 1
    for k in open_rows:
        size *= len(candidates[k])
    if size > MAX_COMBINATIONS:
        return fixed
    usable = [(a, b) for a, b in identities if all(r in candidates and candidates[r] for r in (*a, *b))]
    seen: dict[str, set[tuple[int, ...]]] = {k: set() for k in open_rows}
    for combo in itertools.product(*(candidates[k] for k in open_rows)):
        values = fixed | dict(zip(open_rows, combo, strict=True))
        ok = all(
            sum(values[r][c] for r in a) == sum(values[r][c] for r in b)
            for a, b in usable for c in range(width)
        )
        if ok:
            for k, v in zip(open_rows, combo, strict=True):
                seen[k].add(v)
    out = dict(fixed)
    for k, vs in seen.items():
        if len(vs) == 1:
            out[k] = next(iter(vs))
    return out
