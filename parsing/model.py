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

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        """The typed reader of a stored report JSON (the inverse of :meth:`to_json`).

        Lenient with older or hand-made JSON: a missing field is its default; a table with
        no body keeps the status ``table_status`` gives it (``not_found`` if none).  The
        cell dicts are shared with ``data``, not copied: the monitor reads many reports.
        """
        tables: dict[str, TableResult] = {}
        status = data.get("table_status") or {}
        details = data.get("table_details") or {}
        raw = data.get("cells_raw") or {}
        bodies = data.get("tables") or {}
        for name in ("active", "requests", "appeals"):
            body = bodies.get(name)
            d = details.get(name) or {}
            t = TableResult(name, status.get(name) or ("ok" if body else "not_found"), reason=d.get("reason"),
                            raw=raw.get(name) or {}, labels=d.get("labels") or {},
                            misaligned=d.get("misaligned") or [], cell_errors=d.get("cell_errors") or [],
                            missing_rows=d.get("missing_rows") or [], notes=d.get("notes") or [],
                            inferred=d.get("inferred") or [])
            if body:
                if name == "appeals":
                    t.rows = body
                else:
                    t.layout, t.rows = body.get("layout"), body.get("rows") or {}
                    t.extra = body.get("extra") or []
            tables[name] = t
        return cls(
            source_type=data.get("source_type") or "", title=data.get("title"), agency=data.get("agency"),
            year=data.get("year"), format=data.get("format"), signed_date=data.get("signed_date"),
            sections=data.get("sections") or [], tables=tables,
            prose_numbers=[ProseNumber(p["key"], p["value"], p.get("sentence") or "")
                           for p in data.get("prose_numbers") or []],
            statistics_period=data.get("statistics_period"), title_year=data.get("title_year"),
            pages=data.get("pages"), warnings=data.get("warnings") or [], error=data.get("error"),
            text=data.get("text") or "", page_meta=data.get("page_meta") or {},
        )

    def tables_json(self) -> dict[str, Any]:
        """The ``tables`` field of :meth:`to_json`: what a table signature is computed over."""
        out: dict[str, Any] = {}
        for name in ("active", "requests", "appeals"):
            t = self.tables.get(name)
            if t is None or not (t.found or t.rows):
                out[name] = None
            elif name == "appeals":
                out[name] = t.rows
            else:
                out[name] = {"layout": t.layout, "rows": t.rows, **({"extra": t.extra} if name == "active" else {})}
        return out
