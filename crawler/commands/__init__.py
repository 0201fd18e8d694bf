"""Scrapy commands of the project (``COMMANDS_MODULE``): ``scrapy crawl reports`` runs the
crawl as ``nianbao crawl`` does (crawler/commands/crawl.py).

May import: Scrapy, and the rest of :mod:`crawler` (the CLI it hands the crawl to).
"""
