"""Finding the reports: the one Scrapy spider (:mod:`spiders.reports`), the explorer
that finds an agency's 年报 column, the platform adapters that read a column's list
(:mod:`spiders.adapters`), article pages, attribution, proof of absence, and the item the
spider yields (:mod:`spiders.items`).

May import: ``parsing`` (and Scrapy).  Never ``db``, ``monitor`` or ``crawler``: what
the spider yields is stored by the crawler's pipelines.
"""
