"""Engines, sessions and the schema, which only Alembic migrations create or change.

:func:`open_db` brings a database to the newest revision on first use (nianbao never calls
``create_all``), so a fresh SQLite file or an empty PostgreSQL database just works.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from db import jsonio

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets foreign keys, WAL and a busy timeout (30 s, or the URL's
    ``?timeout=SECONDS``: how long a write waits for another connection's lock).  JSON
    columns are decoded by :func:`db.jsonio.loads`."""
    if url.startswith("sqlite"):
        given = make_url(url).query.get("timeout")
        engine = create_engine(url, json_deserializer=jsonio.loads,
                               connect_args={"timeout": float(given if isinstance(given, str) else given[0]) if given else 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable with WAL, no fsync per commit
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, json_deserializer=jsonio.loads)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Apply the migrations up to head (idempotent)."""
    cfg = alembic_config(str(engine.url))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


_factories: dict[str, sessionmaker[Session]] = {}
_lock = threading.Lock()


def open_db(url: str) -> sessionmaker[Session]:
    """Open (and migrate when behind) the database at ``url``; returns a session factory.

    Engines are cached per URL and process, so callers that open the database often (the
    service's jobs, pipeline threads) share one connection pool.
    """
    with _lock:
        factory = _factories.get(url)
        if factory is None:
            engine = make_engine(url)
            if current_revision(engine) != head_revision():
                upgrade(engine)
            factory = _factories[url] = sessionmaker(engine, expire_on_commit=False)
        return factory
