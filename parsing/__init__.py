"""The parser, pure: a report's bytes in, a :class:`~parsing.model.Report` out.

Readers (:mod:`parsing.readers`) turn each format into rows of cells; the table
interpreter (:mod:`parsing.tables`, :mod:`parsing.interpret`) places the numbers of the
national tables; ``labels``, ``normalize``, ``meta``, ``classify``, ``evidence`` and
``sniff`` are the shared facts.  No I/O beyond the bytes given, no network, no database.

May import: nothing of ours (the bottom floor), and no Scrapy, Twisted or SQLAlchemy.
"""
