"""The top floor: Scrapy plumbing and the application shell.

Scrapy plumbing: settings, middlewares, pipelines (parse and store what the spider yields),
extensions, the browser fallback and :mod:`crawler.run` (one crawl).  The shell around it:
the ``nianbao`` CLI (``cli.py`` registers the command modules ``cli_*.py``, whose shared
options live in ``cli_common``), configuration, the service and its crawl cadence, mail
and digests, ingestion of files a person brings, the dashboard (:mod:`crawler.dashboard`)
and the distributed mode (:mod:`crawler.jobs`).

May import: ``parsing``, ``db``, ``spiders``, ``monitor``.  Never the test webs, ``tests``
or ``bench`` -- except ``nianbao demo``, which imports ``sampleweb.demo`` lazily and says
what to do when it is absent (tests/test_architecture.py holds the rules).
"""
