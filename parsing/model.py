"""Plain dataclasses the parser returns, and their JSON form (spec/interfaces.md).

The JSON keeps the stable shape of ``nianbao parse --json``: ``tables.active``,
``tables.requests`` and ``tables.appeals`` exactly as specified, with everything else
(raw cell text, table status, misaligned rows, prose numbers) in added fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Number = int | float | None


@dataclass(slots=True)
class TableResult:
    """One of the three national tables as read from a document.

    ``status``: ``ok`` (every expected row and cell found), ``partial`` (rows missing or
    misaligned), ``not_found``, or ``unreadable`` (e.g. a picture and no OCR).
    ``rows`` maps row key -> column key -> number/None; ``raw`` the cell texts as printed.
    """

    name: str
    status: str = "not_found"
    layout: str | None = None
    rows: dict[str, dict[str, Number]] = field(default_factory=dict)
    raw: dict[str, dict[str, str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    extra: list[dict[str, Any]] = field(default_factory=list)
    misaligned: list[dict[str, Any]] = field(default_factory=list)
    cell_errors: list[dict[str, Any]] = field(default_factory=list)
    missing_rows: list[str] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)  # rows found or lost in unusual ways
    inferred: list[dict[str, Any]] = field(default_factory=list)  # cells split from run-together digits
    reason: str | None = None  # why the table is unreadable or partly unreadable

    @property
    def found(self) -> bool:
        return self.status in ("ok", "partial")


@dataclass(slots=True)
class ProseNumber:
    """A number the report's text states, with the table cell it should agree with."""

    key: str  # e.g. "requests.new_received.total"
    value: int
    sentence: str


@dataclass(slots=True)
class Report:
    """Everything the parser knows about one report document."""

    source_type: str
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    format: str | None = None
    signed_date: str | None = None
    sections: list[str] = field(default_factory=list)
    tables: dict[str, TableResult] = field(default_factory=dict)
    prose_numbers: list[ProseNumber] = field(default_factory=list)
    statistics_period: str | None = None
    title_year: int | None = None
    pages: int | None = None
    text_chars: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    failure: str | None = None  # with ``error``: "transient" (may parse another time) or "permanent"
    text: str = ""
    page_meta: dict[str, str] = field(default_factory=dict)  # HTML <meta> name -> content
    main_text: str | None = None  # an HTML page's article text (trafilatura), for comparing prose

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self, include_text: bool = False) -> dict[str, Any]:
        """The report JSON of spec/interfaces.md (plus added fields)."""
        tables: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        status: dict[str, str] = {}
        details: dict[str, Any] = {}
        for name in ("active", "requests", "appeals"):
            t = self.tables.get(name)
            status[name] = t.status if t else "not_found"
            if t is not None and t.status == "unreadable" and (t.reason or t.misaligned):
                details[name] = {"misaligned": list(t.misaligned), "reason": t.reason, "inferred": [],
                                 "labels": dict(t.labels), "missing_rows": [], "cell_errors": [], "extra": [],
                                 "notes": list(t.notes)}
            if t is None or not t.found:
                tables[name] = None
                continue
            if name == "appeals":
                tables[name] = {g: dict(cells) for g, cells in t.rows.items()}
            else:
                body: dict[str, Any] = {"layout": t.layout, "rows": {k: dict(v) for k, v in t.rows.items()}}
                if name == "active":
                    body["extra"] = list(t.extra)
                tables[name] = body
            raw[name] = {k: dict(v) for k, v in t.raw.items()}
            details[name] = {
                "labels": dict(t.labels),
                "missing_rows": list(t.missing_rows),
                "misaligned": list(t.misaligned),
                "cell_errors": list(t.cell_errors),
                "extra": list(t.extra),
                "notes": list(t.notes),
                "inferred": list(t.inferred),
                "reason": t.reason,
            }
        out: dict[str, Any] = {
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "format": self.format,
            "signed_date": self.signed_date,
            "sections": list(self.sections),
            "tables": tables,
            "warnings": list(self.warnings),
            "error": self.error,
            "failure": self.failure,
            "source_type": self.source_type,
            "pages": self.pages,
            "table_status": status,
            "cells_raw": raw,
            "table_details": details,
            "prose_numbers": [
                {"key": p.key, "value": p.value, "sentence": p.sentence} for p in self.prose_numbers
            ],
            "title_year": self.title_year,
            "page_meta": dict(self.page_meta),
            "statistics_period": self.statistics_period,
        }
        if include_text:
            out["text"] = self.text
        return out
