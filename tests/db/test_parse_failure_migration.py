"""Migration 0009 classifies the parse errors stored before it (issue 16, item 8): the
transient ones (timeouts, dead workers) are parsed again by the next crawl."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from db.schema import alembic_config, make_engine, open_db

ERRORS = {
    1: ("parsing timed out after 120 s", "transient"),
    2: ("parser process died (exit code -9); likely out of memory (limit 4096 MB)", "transient"),
    3: ("LibreOffice timed out converting DOC after 120 s", "transient"),
    4: ("not an annual report: an HTML page without the report's title, sections or tables", "permanent"),
    5: ("broken PDF: Data format error", "permanent"),
}


def test_existing_errors_are_classified(db_url: str) -> None:
    engine = make_engine(db_url)
    cfg = alembic_config(db_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO agencies (id, name, kind, site, start_urls, hosts, active, updated_at) "
                          "VALUES ('a', 'A', 'department', 'http://a/', '[]', '[]', true, '2021-01-01')"))
        conn.execute(text("INSERT INTO documents (id, agency_id, kind, url, first_seen, last_seen) "
                          "VALUES (1, 'a', 'page', 'http://a/1', '2021-01-01', '2021-01-01')"))
        for vid, (error, _) in ERRORS.items():
            conn.execute(text("INSERT INTO document_versions (id, document_id, sha256, size, detected_type, "
                              "fetched_at, parse_status, parse_error) VALUES (:id, 1, :sha, 1, 'pdf', "
                              "'2021-01-01', 'error', :error)"), {"id": vid, "sha": str(vid), "error": error})
        conn.execute(text("INSERT INTO document_versions (id, document_id, sha256, size, detected_type, "
                          "fetched_at, parse_status) VALUES (9, 1, '9', 1, 'pdf', '2021-01-01', 'ok')"))
    engine.dispose()
    factory = open_db(db_url)  # migrates to head
    with factory() as s:
        rows = dict(s.execute(text("SELECT id, parse_failure FROM document_versions")).all())
        attempts = set(s.scalars(text("SELECT parse_attempts FROM document_versions")))
    assert rows == {**{vid: kind for vid, (_, kind) in ERRORS.items()}, 9: None}
    assert attempts == {1}
