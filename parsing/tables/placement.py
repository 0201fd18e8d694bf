"""Which labelled row is which canonical row — and which rows cannot be placed at all.

Converters (PDF-to-Markdown, copy-paste) sometimes let label cells drift away from their
number rows: two labels end up in one cell, a number row loses its label, labels come out
of template order.  Every such row could hold any of several rows' numbers, so its
values are never used: the rule the parser has for short rows (null and reported
misaligned) applies to labels too.  What makes a row unplaceable:

* its own label cell names two canonical rows (a group label before its leaf, such as
  （六）其他处理 before 1.申请人无正当理由…, is not a second row);
* the same row label appears twice;
* it sits between a label cell that holds two labels and the number row without a label
  that drift leaves at the other end (the labels and the number rows are out of step
  there: a running count of labels minus number rows is not zero);
* its label is out of the template's order relative to the rows around it.

A number row without a label is placed only when the template leaves exactly one row
between its neighbours and that row's label stands elsewhere in the table (a table split
by a page footer); otherwise it is reported, and the template row is listed missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from parsing.normalize import is_numeric_text
from parsing.tables.rows import LabelledRow, best_match, keys_in

_HAS_WORD_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]")


@dataclass(slots=True)
class Entry:
    """One labelled row and what the placement decided about it."""

    row: LabelledRow
    kind: str  # "one" (a single canonical row), "multi", "unlabeled", "extra"
    keys: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)  # leaf labels in pending text, no values
    why: str | None = None  # set when the row is unplaceable
    note: str | None = None  # how a row without a label was placed


def _drop_parents(keys: list[str], parents: dict[str, str]) -> list[str]:
    """Remove a group key when a key of its group follows (（六）其他处理 + 1.…不补正)."""
    out = []
    for k in keys:
        prefix = parents.get(k)
        if prefix and any(o.startswith(prefix) for o in keys if o != k):
            continue
        out.append(k)
    return out


def place(
    lrows: Sequence[LabelledRow],
    patterns: Sequence[tuple[str, re.Pattern[str]]],
    expected: Callable[[set[str]], list[str]],
    region_text: str,
    parents: dict[str, str] | None = None,
    min_unlabeled_cells: int = 4,
) -> list[Entry]:
    """Decide each labelled row's key, or why it cannot be placed; see the module docstring.

    ``expected(found_keys)`` gives the template's row order for the layout the found keys
    imply; ``region_text`` is the whole table region (normalised) to look for a label
    that survives away from its numbers.
    """
    parents = parents or {}
    order = {k: i for i, (k, _) in enumerate(patterns)}
    entries: list[Entry] = []
    taken: set[str] = set()
    for lr in lrows:
        own = _drop_parents(keys_in(lr.own_label, patterns), parents)
        if len(own) >= 2:
            entries.append(Entry(lr, "multi", own, why=f"one label cell names {len(own)} rows ({', '.join(own)})"))
            taken.update(own)
            continue
        if len(own) == 1:
            pend = [k for k in _drop_parents(keys_in(lr.pending, patterns), parents) if k != own[0]]
            entries.append(Entry(lr, "one", own, orphans=pend))
            taken.add(own[0])
            continue
        combined = [k for k in _drop_parents(keys_in(lr.label, patterns), parents) if k not in taken]
        if len(combined) >= 2:
            remaining = [(k, p) for k, p in patterns if k in combined]
            key = best_match(lr.label, remaining)
            others = [k for k in combined if k != key]
            entries.append(Entry(lr, "one", [key], orphans=others))  # type: ignore[list-item]
            taken.add(key)  # type: ignore[arg-type]
            continue
        if len(combined) == 1:
            entries.append(Entry(lr, "one", combined))
            taken.add(combined[0])
            continue
        if keys_in(lr.label, patterns):
            entries.append(Entry(lr, "extra", why="label of a row already read"))
            continue
        numeric = sum(1 for c in lr.values if is_numeric_text(c.text))
        if not _HAS_WORD_RE.search(lr.label) and numeric >= min_unlabeled_cells:
            entries.append(Entry(lr, "unlabeled"))
        else:
            entries.append(Entry(lr, "extra"))

    _recover_unlabeled(entries, expected, region_text, order, patterns)
    _mark_duplicates(entries)
    _mark_out_of_step(entries)
    _mark_out_of_order(entries, order)
    return entries


def _all_blank(e: Entry) -> bool:
    return e.kind == "one" and not any(is_numeric_text(c.text) for c in e.row.values)


def _recover_unlabeled(entries: list[Entry], expected: Callable[[set[str]], list[str]], region_text: str,
                       order: dict[str, int], patterns: Sequence[tuple[str, re.Pattern[str]]]) -> None:
    """Place a number row without a label in the one template row its neighbours leave,
    when that row's label stands elsewhere in the table (as text, or a row of blanks)."""
    pattern_of = dict(patterns)
    placed = [e for e in entries if e.kind in ("one", "multi") and not _all_blank(e)]
    found = {k for e in placed for k in e.keys}
    template = expected({k for e in entries if e.kind in ("one", "multi") for k in e.keys})
    for i, e in enumerate(entries):
        if e.kind != "unlabeled":
            continue
        prev = next((x for x in reversed(entries[:i]) if x in placed), None)
        nxt = next((x for x in entries[i + 1:] if x in placed), None)
        if prev is None or nxt is None or prev.kind == "multi" or nxt.kind == "multi":
            continue
        lo, hi = order[prev.keys[0]], order[nxt.keys[0]]
        gap = [k for k in template if lo < order[k] < hi and k not in found]
        if len(gap) != 1 or not pattern_of[gap[0]].search(region_text):
            continue
        for blank in entries:
            if _all_blank(blank) and blank.keys == gap:
                blank.kind, blank.keys = "extra", []
        e.kind, e.keys = "one", gap
        e.note = ("number row without its label, placed in the one template row between its neighbours "
                  "(the label stands elsewhere in the table)")
        found.add(gap[0])
        placed.append(e)


def _mark_duplicates(entries: list[Entry]) -> None:
    seen: dict[str, list[Entry]] = {}
    for e in entries:
        if e.kind in ("one", "multi"):
            for k in e.keys:
                seen.setdefault(k, []).append(e)
    for key, es in seen.items():
        if len(es) > 1:
            for e in es:
                e.why = e.why or f"the label of {key} appears {len(es)} times"


def _mark_out_of_step(entries: list[Entry]) -> None:
    """Rows where labels and number rows are out of step (see the module docstring)."""
    balance = 0
    started = False
    for e in entries:
        before = balance
        if e.kind == "multi":
            balance += 1 - len(e.keys)
            started = True
        elif e.kind == "one":
            started = True
        elif e.kind == "unlabeled" and started:
            balance += 1
        if e.kind in ("one", "multi") and (before != 0 or balance != 0) and e.why is None:
            e.why = "labels and number rows out of step (a label cell holds two labels or a number row has none)"


def _mark_out_of_order(entries: list[Entry], order: dict[str, int]) -> None:
    ones = [e for e in entries if e.kind in ("one", "multi")]
    idx = [[order[k] for k in e.keys] for e in ones]
    for i, e in enumerate(ones):
        lo = max((max(x) for x in idx[:i]), default=-1)
        hi = min((min(x) for x in idx[i + 1:]), default=len(order))
        if not (lo < min(idx[i]) and max(idx[i]) < hi) and e.why is None:
            e.why = "row order contradicts the template"
