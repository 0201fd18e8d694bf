"""Compliance judged from the database: deadlines, publication status per agency and year
(published, late, missing, not found, unreachable), the finding rules, ``nianbao check``,
the audit list and its formats (:mod:`monitor.exports`), digests, the 通报 draft and the
research dataset.

May import: ``db`` (what was stored) and ``parsing`` (labels of the tables).  Never
Scrapy, ``spiders`` or ``crawler``: a check runs without crawling.
"""
