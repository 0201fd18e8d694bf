"""The database: SQLAlchemy 2 models, engines and sessions, Alembic migrations
(``db/migrations``), storing and reading back what was fetched (:mod:`db.store`), the
agency registry and the office's roster sheet, region names and Beijing dates.

May import: ``parsing`` (a lower floor), nothing else of ours, and no Scrapy or Twisted.
"""
