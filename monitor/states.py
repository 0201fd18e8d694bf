"""What the check reads of a document besides its timestamps, as a digest (the incremental check).

A crawl sees most of an agency's reports again: each one's ``last_seen`` is stamped, and
nothing else changes.  Judging such an agency again costs as much as judging it the
first time (its reports are read and every rule run), for the same findings.  But a
report seen again may also have changed in ways no timestamp shows: a new title or
year from the listing, a removal undone, the same bytes parsed again (``db.reparse``).
The digest covers those: the document's year, title, URL, kind, parent, owner of record,
first seen, removal (with ``last_seen`` while removed: the REMOVED message quotes it),
and per version its sha256, parse status and attempts.  A document seen again whose
digest equals the one stored when it was last judged changed nothing the check reads.

The digests are read before the judging and stored after it, so a change committed in
between makes the stored digest differ from the document's next time: judged again.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from db.models import Document, DocumentState, DocumentVersion

CHUNK = 5000


def current(session: Session, doc_ids: set[int] | None) -> dict[int, int]:
    """The digest of each document (of every document when ``doc_ids`` is None), no report read."""
    d, v = Document.__table__, DocumentVersion.__table__
    cols = (d.c.id, d.c.agency_id, d.c.kind, d.c.year, d.c.url, d.c.title, d.c.parent_id, d.c.first_seen,
            d.c.removed_at, d.c.removed_reason, d.c.last_seen)
    vcols = (v.c.document_id, v.c.id, v.c.sha256, v.c.parse_status, v.c.parse_attempts)
    chunks: list[list[int] | None] = [None] if doc_ids is None else [
        sorted(doc_ids)[k:k + CHUNK] for k in range(0, len(doc_ids), CHUNK)]
    out: dict[int, int] = {}
    for chunk in chunks:
        docs = list(session.execute(select(*cols) if chunk is None else select(*cols).where(d.c.id.in_(chunk))))
        versions: dict[int, list[Any]] = defaultdict(list)
        vq = select(*vcols).order_by(v.c.id)
        for vr in session.execute(vq if chunk is None else vq.where(v.c.document_id.in_(chunk))):
            versions[vr.document_id].append((vr.sha256, vr.parse_status, vr.parse_attempts))
        for r in docs:
            state = (r.agency_id, r.kind, r.year, r.url, r.title, r.parent_id, _at(r.first_seen), _at(r.removed_at),
                     r.removed_reason, _at(r.last_seen) if r.removed_at is not None else None, versions.get(r.id, []))
            h = int.from_bytes(hashlib.blake2b(repr(state).encode(), digest_size=8).digest(), "big")
            out[r.id] = h - (1 << 63)
    return out


def _at(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def unchanged(session: Session, digests: dict[int, int]) -> set[int]:
    """The documents whose digest equals the one stored when they were last judged."""
    ids = sorted(digests)
    same: set[int] = set()
    for k in range(0, len(ids), CHUNK):
        for doc_id, digest in session.execute(select(DocumentState.document_id, DocumentState.digest)
                                              .where(DocumentState.document_id.in_(ids[k:k + CHUNK]))):
            if digests.get(doc_id) == digest:
                same.add(doc_id)
    return same


def store(session: Session, digests: dict[int, int], everything: bool = False) -> None:
    """Keep these digests as judged (``everything``: they are every document's)."""
    if everything:
        session.execute(delete(DocumentState))
    else:
        ids = sorted(digests)
        for k in range(0, len(ids), CHUNK):
            session.execute(delete(DocumentState).where(DocumentState.document_id.in_(ids[k:k + CHUNK])))
    rows = [{"document_id": i, "digest": h} for i, h in digests.items()]
    for k in range(0, len(rows), CHUNK):
        session.execute(insert(DocumentState), rows[k:k + CHUNK])
