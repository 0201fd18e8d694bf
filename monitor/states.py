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
from itertools import groupby
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from db.models import Document, DocumentState, DocumentVersion

CHUNK = 5000


def current(session: Session, doc_ids: set[int] | None = None, where: Any = None) -> dict[int, int]:
    """The digest of each document — of ``doc_ids``, of those matching ``where`` (a condition
    on ``documents``: one indexed range, no list of ids), or of every document — no report read."""
    d, v = Document.__table__, DocumentVersion.__table__
    cols = (d.c.id, d.c.agency_id, d.c.kind, d.c.year, d.c.url, d.c.title, d.c.parent_id, d.c.first_seen,
            d.c.removed_at, d.c.removed_reason, d.c.last_seen, v.c.sha256, v.c.parse_status, v.c.parse_attempts)
    q = select(*cols).outerjoin(v, v.c.document_id == d.c.id).order_by(d.c.id, v.c.id)
    if doc_ids is not None:
        ids = sorted(doc_ids)
        queries = [q.where(d.c.id.in_(ids[k:k + CHUNK])) for k in range(0, len(ids), CHUNK)]
    else:
        queries = [q if where is None else q.where(where)]
    out: dict[int, int] = {}
    for query in queries:  # ordered by document: one document's rows at a time, streamed (all of them in a full run)
        for doc_id, group in groupby(session.execute(query, execution_options={"yield_per": 20000}), key=lambda r: r.id):
            versions = list(group)
            r = versions[0]
            state = (r.agency_id, r.kind, r.year, r.url, r.title, r.parent_id, _at(r.first_seen), _at(r.removed_at),
                     r.removed_reason, _at(r.last_seen) if r.removed_at is not None else None,
                     [(x.sha256, x.parse_status, x.parse_attempts) for x in versions if x.sha256 is not None])
            h = int.from_bytes(hashlib.blake2b(repr(state).encode(), digest_size=8).digest(), "big")
            out[doc_id] = h - (1 << 63)
    return out


def _at(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def unchanged(session: Session, digests: dict[int, int], where: Any = None) -> set[int]:
    """Those of ``digests`` equal to the digest stored when the document was last judged;
    ``where``: the condition on ``documents`` they were read with (one join, no list of ids)."""
    q = select(DocumentState.document_id, DocumentState.digest)
    if where is not None:
        queries = [q.join(Document, Document.id == DocumentState.document_id).where(where)]
    else:
        ids = sorted(digests)
        queries = [q.where(DocumentState.document_id.in_(ids[k:k + CHUNK])) for k in range(0, len(ids), CHUNK)]
    return {doc_id for query in queries for doc_id, digest in session.execute(query) if digests.get(doc_id) == digest}


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
        session.execute(insert(cast(Table, DocumentState.__table__)), rows[k:k + CHUNK])
