"""The distributed mode: host-batch crawl jobs on a PostgreSQL job queue (procrastinate).

SQLite and one process stay the embedded default (``nianbao crawl`` / ``serve``).  With a
PostgreSQL database, ``serve`` (or ``nianbao enqueue``) puts the due agencies on the queue
as *host batches* (:mod:`crawler.jobs.batches`), and any number of ``nianbao worker``
processes, on any machine that reaches the database, run them (:mod:`crawler.jobs.queue`).

May import: ``db`` and ``crawler.run`` (a job is one crawl), and — for the long-lived crawl
process of :mod:`crawler.jobs.child` — the Scrapy plumbing it runs batch after batch
(``crawler.settings``, ``crawler.pipelines``, ``spiders.reports``, ``parsing.pool``); the
service and the CLI import it, not the other way round.
"""
