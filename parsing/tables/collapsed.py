"""The three tables of a collapsed dump, from their run-together text.

Labels are found as in any table (``parsing.labels``); the digits between two labels are
that row's cells, run together.  A leaf label's number ("2.其他法律…") sticks to the
previous row's digits and is taken back.  Cells come from ``parsing.tables.runs``: only a
split the national identities leave unique is used, and such cells are listed in
``inferred``; every other row is null with the reason.
"""

from __future__ import annotations

import re

from parsing.labels import APPEAL_CELLS, APPEAL_GROUPS, OUTCOME_KEYS, REQUEST_COLUMNS, REQUEST_ROWS
from parsing.layout import text_row
from parsing.model import TableResult
from parsing.normalize import nfkc, norm_label, parse_cell
from parsing.tables.active import _PATTERNS as _ACTIVE_PATTERNS
from parsing.tables.active import _SPECS as _ACTIVE_SPECS
from parsing.tables.active import detect_layout
from parsing.tables.placement import _drop_parents
from parsing.tables.requests import _LAYOUT_2021_KEYS, _PARENTS, expected_keys
from parsing.tables.rows import keys_in
from parsing.tables.runs import plain_splits, solve_columns, sum_splits

_REQ_PATTERNS = [(r.key, r.pattern) for r in REQUEST_ROWS]
_RUN_RE = re.compile(r"\d[\d ,]*(?:\.\d+)?")  # a comma: thousands or two cells, never split
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def pairs(segment: str) -> list[tuple[str, str]]:
    """(label, run of digits) in order; a leaf number ("2.") goes back to its label."""
    text = nfkc(segment)
    out: list[tuple[str, str]] = []
    label_start = 0
    for m in _RUN_RE.finditer(text):
        run, end = m.group(), m.end()
        after = text[end:end + 2]
        if len(after) == 2 and after[0] == "." and _CJK_RE.match(after[1]) and run.rstrip()[-1:].isdigit():
            run = run.rstrip()[:-1]  # the leaf number of the next label
            end -= 1
        if not run.strip():
            continue  # a number of the label itself: the label goes on
        out.append((text[label_start:m.start()], run.strip()))
        label_start = m.start() + len(run)
        while label_start < len(text) and text[label_start] == " ":
            label_start += 1
    return out


def split_requests(segment: str) -> tuple[str, str]:
    """Cut table 三's rows off a segment that runs on into them (no heading between)."""
    from parsing.tables.regions import _REQUEST_START_RE

    found = pairs(segment)
    for i, (label, _) in enumerate(found):
        if _REQUEST_START_RE.search(norm_label(label)) and keys_in(norm_label(label), _REQ_PATTERNS):
            before = "".join(f"{a}{b}" for a, b in found[:i])
            return before, "".join(f"{a}{b}" for a, b in found[i:])
    return segment, ""


def _tokens(run: str) -> list[str]:
    return run.split()


def read_requests_collapsed(segment: str) -> TableResult:
    result = TableResult("requests")
    candidates: dict[str, list[tuple[int, ...]]] = {}
    runs: dict[str, str] = {}
    labels: dict[str, str] = {}
    bad: dict[str, str] = {}
    for label, run in pairs(segment):
        keys = _drop_parents(keys_in(norm_label(label), _REQ_PATTERNS), _PARENTS)
        if not keys:
            continue
        for key in keys:
            if key in labels:
                bad[key] = f"the label of {key} appears twice"
            labels[key] = label.strip()
            runs[key] = run
        # In reading order the digits follow their label: the last label owns them; an earlier
        # label had no digits at all (its cells were blank, or lost).
        for key in keys[:-1]:
            bad[key] = "label without cells (blank, or lost in the text)"
        key = keys[-1]
        tokens = _tokens(run)
        if "," in run:
            bad[key] = f"run-together cells {run!r}: a comma is a thousands separator or a cell boundary"
            continue
        if len(tokens) == len(REQUEST_COLUMNS) and all(parse_cell(t).value is not None for t in tokens):
            candidates[key] = [tuple(int(t) for t in tokens)]
            continue
        found = sum_splits(run, 1, len(REQUEST_COLUMNS))
        if found is None:
            bad[key] = f"run-together cells {run!r}: too many splits"
        elif not found:
            bad[key] = f"run-together cells {run!r}: no split gives 总计 = the six applicant columns (blank cells lost?)"
        else:
            candidates[key] = found
    layout = "2021" if set(labels) & _LAYOUT_2021_KEYS else ("2019" if "other" in labels else None)
    leaves = OUTCOME_KEYS.get(layout or "", ())
    identities: list[tuple[tuple[str, ...], tuple[str, ...]]] = [(("new_received", "carried_over"), ("total", "carried_forward"))]
    if leaves:
        identities.append((("total",), tuple(leaves)))
    usable = {k: v for k, v in candidates.items() if k not in bad}
    solved = solve_columns(usable, identities, len(REQUEST_COLUMNS))
    for key in [r.key for r in REQUEST_ROWS if r.key in labels]:
        result.labels[key] = labels[key]
        values = solved.get(key)
        if values is None:
            result.rows[key] = dict.fromkeys(REQUEST_COLUMNS)
            result.raw[key] = {}
            why = bad.get(key) or f"run-together cells {runs[key]!r}: {len(candidates.get(key, []))} splits " \
                                  "satisfy the identities"
            result.misaligned.append({"row": key, "label": labels[key], "cells": [runs[key]], "why": why})
            continue
        result.rows[key] = dict(zip(REQUEST_COLUMNS, values, strict=True))
        result.raw[key] = {c: str(v) for c, v in zip(REQUEST_COLUMNS, values, strict=True)}
        if len(_tokens(runs[key])) != len(REQUEST_COLUMNS):
            by = "R3" if len(candidates[key]) == 1 else "R3+R1/R2"
            result.inferred.append({"row": key, "run": runs[key], "cells": list(values), "by": by})
    return _finish(result, layout, expected_keys(layout) if layout else [])


def _finish(result: TableResult, layout: str | None, expected: list[str]) -> TableResult:
    result.layout = layout
    if not result.rows:
        return result
    result.missing_rows = [k for k in expected if k not in result.rows]
    if all(all(v is None for v in cells.values()) for cells in result.rows.values()):
        result.status = "unreadable"
        result.reason = "; ".join(sorted({m["why"] for m in result.misaligned}))[:400]
        return result
    complete = not result.missing_rows and not result.misaligned and layout is not None
    result.status = "ok" if complete else "partial"
    if result.misaligned:
        result.reason = "some run-together rows have no unique split"
    return result


def read_appeals_collapsed(segment: str) -> TableResult:
    result = TableResult("appeals")
    found = pairs(segment)
    if not found:
        return result
    run = found[0][1]
    if "," in run:
        return result
    width = len(APPEAL_GROUPS) * len(APPEAL_CELLS)
    tokens = _tokens(run)
    keys = [(g, c) for g in APPEAL_GROUPS for c in APPEAL_CELLS]
    if len(tokens) == width and all(parse_cell(t).value is not None for t in tokens):
        for (g, c), t in zip(keys, tokens, strict=True):
            result.rows.setdefault(g, {})[c] = parse_cell(t).value
            result.raw.setdefault(g, {})[c] = t
        result.status = "ok"
        return result
    splits = sum_splits(run, len(APPEAL_GROUPS), len(APPEAL_CELLS)) or []
    size = len(APPEAL_CELLS)
    for gi, group in enumerate(APPEAL_GROUPS):
        options = {s[gi * size:(gi + 1) * size] for s in splits}
        if len(options) == 1:
            values = next(iter(options))
            result.rows[group] = dict(zip(APPEAL_CELLS, values, strict=True))
            result.raw[group] = {c: str(v) for c, v in zip(APPEAL_CELLS, values, strict=True)}
            result.inferred.append({"row": group, "run": run, "cells": list(values), "by": "R4"})
        else:
            result.rows[group] = dict.fromkeys(APPEAL_CELLS)
            why = (f"run-together cells {run!r}: no split gives 总计 = the four results in every group" if not splits
                   else f"run-together cells {run!r}: {len(options)} splits satisfy 总计 = the four results")
            result.misaligned.append({"row": group, "cells": [run], "why": why})
    if not result.inferred:
        result.status = "unreadable"
        result.reason = result.misaligned[0]["why"]
    else:
        result.status = "partial" if result.misaligned else "ok"
    return result


def read_active_collapsed(segment: str, fallback_layout: str | None) -> TableResult:
    result = TableResult("active")
    layout = detect_layout([text_row(segment)]) or fallback_layout
    if layout is None:
        return result
    for label, run in pairs(segment):
        keys = keys_in(norm_label(label), _ACTIVE_PATTERNS)
        keys = [k for k in keys if layout in _ACTIVE_SPECS[k].columns]
        if not keys:
            continue
        columns = _ACTIVE_SPECS[keys[0]].columns[layout]
        if len(keys) > 1 or keys[0] in result.rows:
            for key in keys:
                cols = _ACTIVE_SPECS[key].columns[layout]
                result.rows[key] = dict.fromkeys(cols)
                result.misaligned.append({"row": key, "label": label.strip(), "cells": [run],
                                          "why": f"one label names {len(keys)} rows" if len(keys) > 1 else "label twice"})
            continue
        key = keys[0]
        result.labels[key] = label.strip()
        tokens = _tokens(run)
        values: list[int | float | None] | None = None
        if "," in run and len(columns) > 1:
            pass  # a thousands separator or a cell boundary: cannot tell
        elif len(tokens) == len(columns):
            values = [parse_cell(t).value for t in tokens]
        elif "." not in run and len(run.replace(" ", "")) == len(columns) and plain_splits(run, len(columns)):
            values = [int(d) for d in run.replace(" ", "")]
            result.inferred.append({"row": key, "run": run, "cells": values, "by": "one digit per cell"})
        if values is None:
            result.rows[key] = dict.fromkeys(columns)
            result.misaligned.append({"row": key, "label": label.strip(), "cells": [run],
                                      "why": f"run-together cells {run!r}: {len(columns)} cells cannot be told apart"})
            continue
        result.rows[key] = dict(zip(columns, values, strict=True))
        result.raw[key] = dict(zip(columns, tokens if len(tokens) == len(columns) else [str(v) for v in values],
                                   strict=True))
    expected = [k for k, spec in _ACTIVE_SPECS.items() if layout in spec.columns]
    return _finish(result, layout, expected)
