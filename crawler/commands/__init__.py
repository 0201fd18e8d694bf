"""Scrapy commands of the project (``COMMANDS_MODULE``): ``scrapy crawl reports`` runs the
crawl as ``nianbao crawl`` does (crawler/commands/crawl.py)."""
