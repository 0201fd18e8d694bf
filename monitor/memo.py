"""Judge a report once, not at every check (issue 14): the content rules' results memoized.

The report rules (:func:`monitor.registry.judge_report`), the wrong-document test and the
duplicate fingerprint are pure functions of the stored content (the latest version of the
page and of its attachments), the agency's name, the year, the page's title and the rules'
code; the pair rules of two such reports and their URLs.  Their results are kept in the
``judgements`` table under a sha256 of all those inputs, so a full check after a crawl
judges only what is new and reads the report JSON of nothing else.

* The content is named by the version id and values that change with every write of its
  row (:func:`monitor.load.digest_columns`: PostgreSQL's row-version ids, SQLite a digest
  of the report JSON and text): a version re-parsed in place (``nianbao reparse``, a
  corrected parse) has another key.
* The rules are named by :func:`rules_fingerprint`, a hash of the source of this module and
  of every module of ours it imports, transitively (parsed from the files, lazy imports
  included), so a changed rule, label, parser model or loader can never serve a stale
  result and nobody has to remember to bump a constant.
* A stale row is never read (its key cannot be made again); rows of another fingerprint are
  deleted by the next check that writes (:func:`prune`).  Deleting rows is always safe: the
  next check judges those reports again.

Results are stored as JSON, and the check always uses the decoded JSON, judged now or read
back, so a memoized check gives exactly what a cold one gives.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import orjson
from sqlalchemy import CursorResult, Table, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import Judgement, utcnow
from monitor import across, load, registry, rules
from monitor.findings import Draft
from monitor.load import LoadedDoc

OURS = ("monitor", "parsing", "db")  # the packages whose source is part of the fingerprint
CHUNK = 5000


# ---------------------------------------------------------------- the rules' fingerprint
_FROM_RE = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)", re.M)
_IMPORT_RE = re.compile(r"^[ \t]*import[ \t]+([^\n#]*)", re.M)


def _names(text: str) -> list[str]:
    return [n.split(" as ")[0].strip() for n in text.strip("()\\ \t\n").replace("\\\n", " ").split(",") if n.strip()]


def _imported(name: str, path: Path) -> set[str]:
    """The modules of ours ``path`` (module ``name``) imports anywhere, lazy imports included.

    Read with regular expressions, not :mod:`ast` (CPython 3.11's ``ast.parse`` can fail with
    "AST constructor recursion depth mismatch" deep in a stack): a match inside a string can
    only add a module to the fingerprint, which is the safe direction."""
    source = path.read_text(encoding="utf-8")
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for m in _IMPORT_RE.finditer(source):
        out |= set(_names(m.group(1)))
    for m in _FROM_RE.finditer(source):
        module = m.group(1)
        try:
            base = importlib.util.resolve_name(module, package) if module.startswith(".") else module
        except (ImportError, ValueError):
            continue
        out.add(base)
        out |= {f"{base}.{n}" for n in _names(m.group(2))}  # `from monitor import rules`: a module
    return {m for m in out if m.split(".")[0] in OURS}


def source_closure(roots: Iterable[str]) -> dict[str, Path]:
    """Every module of ours the ``roots`` import, transitively, with its file."""
    found: dict[str, Path] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue  # a name imported from a module (a class, a function), not a module
        found[name] = Path(spec.origin)
        todo += sorted(_imported(name, found[name]) - found.keys())
    return found


def fingerprint_of(modules: dict[str, Path]) -> str:
    """16 hex digits naming these modules' source."""
    h = hashlib.sha256()
    for name, path in sorted(modules.items()):
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@cache
def rules_fingerprint() -> str:
    """The fingerprint of the code that judges a report: this module and all it imports."""
    return fingerprint_of(source_closure([__name__]))


# ---------------------------------------------------------------- keys
def _hash(parts: list[Any]) -> str:
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()


def candidates(doc: LoadedDoc) -> list[LoadedDoc]:
    """The documents :func:`monitor.load.main_report` reads: the page and its attachments."""
    return [d for d in [doc] + [c for c in doc.attachments if c.kind == "attachment"] if d.versions]


def doc_key(fp: str, name: str, year: int, doc: LoadedDoc) -> str:
    """The key of a page's judgement: the rules, who, the year, the title, and the content
    (the latest version and its row digests) of the page and its attachments, in order."""
    return _hash([fp, "doc", name, year, doc.title, [(d.kind, *d.versions[-1][4:7]) for d in candidates(doc)]])


def pair_key(fp: str, agency: str, cur: str, cur_url: str, prev: str, prev_url: str) -> str:
    """The key of the pair rules' result for two reports (their judgement keys) and their URLs."""
    return _hash([fp, "pair", agency, cur, cur_url, prev, prev_url])


# ---------------------------------------------------------------- judging (pure)
def _draft(d: Draft) -> list[Any]:
    return [d.code, d.message, d.evidence, d.detail]


def judge(name: str, year: int, doc: LoadedDoc) -> dict[str, Any]:
    """What the rules decide about one page (its report content loaded), as plain JSON data:
    ``w`` the wrong-document drafts, ``r`` whether a report was read, and for a report that
    is one, ``d`` the report rules' drafts, ``s`` and ``t`` its duplicate fingerprint."""
    who = f"{name}{year}年年度报告"
    report, text = load.main_report(doc)
    wrong = rules.wrong_document(report, who, doc.title)
    out: dict[str, Any] = {"w": [_draft(d) for d in wrong], "r": report is not None}
    if report is not None and not wrong:
        out["d"] = [_draft(d) for d in registry.judge_report(rules.Subject(report, year, who))]
        fp = across.fingerprint(across.ReportRef("", name, year, "", report, text))
        out["s"], out["t"] = sorted(fp.sentences), fp.tables
    return out


def judge_pair(agency: str, name: str, year: int, cur: LoadedDoc, prev: LoadedDoc) -> dict[str, Any]:
    """The pair rules (carry-over, in-force drift) on this year's and last year's reports."""
    refs = []
    for y, doc in ((year, cur), (year - 1, prev)):
        report, text = load.main_report(doc)
        assert report is not None  # only a judged report has a pair
        refs.append(across.ReportRef(agency, name, y, doc.url, report, text))
    return {"d": [_draft(d) for d in registry.judge_pair(refs[0], refs[1])]}


def encode(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))  # NaN kept, as the findings keep it


@dataclass(frozen=True, slots=True)
class Judged:
    """A page's judgement, decoded."""

    key: str
    wrong: list[Draft]
    report: bool
    drafts: list[Draft]
    sentences: list[int]
    tables: str | None


def decode(key: str, text: str) -> Judged:
    r = load.decode_json(text)
    return Judged(key, [Draft(*d) for d in r["w"]], r["r"], [Draft(*d) for d in r.get("d", ())], r.get("s", []),
                  r.get("t"))


def decode_drafts(text: str) -> list[Draft]:
    return [Draft(*d) for d in load.decode_json(text)["d"]]


# ---------------------------------------------------------------- the table
def lookup(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """The stored results of these keys (JSON text)."""
    t = Judgement.__table__
    wanted = list(dict.fromkeys(keys))
    out: dict[str, str] = {}
    for k in range(0, len(wanted), CHUNK):
        out.update((r[0], r[1]) for r in session.execute(select(t.c.key, t.c.result).where(load.among(session, t.c.key, wanted[k:k + CHUNK]))))
    return out


def lookup_agencies(session: Session, fp: str, agencies: list[str]) -> dict[str, str]:
    """Every result of these rules stored for these agencies (key -> JSON text): one index
    range per agency instead of a probe per key (the rows of superseded versions come along
    and are never asked for).  Rows stored without an agency are found by :func:`lookup`."""
    t = Judgement.__table__
    out: dict[str, str] = {}
    for k in range(0, len(agencies), CHUNK):
        out.update(session.execute(select(t.c.key, t.c.result).where(
            load.among(session, t.c.agency_id, agencies[k:k + CHUNK]), t.c.rules == fp)).all())
    return out


def save(session: Session, fp: str, results: dict[str, tuple[str, str]]) -> None:
    """Store new results (key -> (agency, JSON)); a key another check stored meanwhile is left
    as it is: same inputs, same result."""
    if not results:
        return
    t = cast(Table, Judgement.__table__)
    stmt = (postgresql.insert(t) if session.get_bind().dialect.name == "postgresql" else sqlite.insert(t)
            ).on_conflict_do_nothing(index_elements=["key"])
    now = utcnow()
    rows = [{"key": k, "rules": fp, "result": v, "created_at": now, "agency_id": a} for k, (a, v) in results.items()]
    for k in range(0, len(rows), CHUNK):
        session.execute(stmt, rows[k:k + CHUNK])


def prune(session: Session, fp: str) -> int:
    """Delete the results of other rules (two range scans of the index when there are none)."""
    t = cast(Table, Judgement.__table__)
    other = or_(t.c.rules < fp, t.c.rules > fp)
    if session.execute(select(t.c.key).where(other).limit(1)).first() is None:
        return 0
    result = cast(CursorResult[Any], session.execute(delete(t).where(other)))
    return result.rowcount or 0
