"""The sample government web: a small simulated web (county portal, agency sites in the
CMS families, reports with known tables and dates, noise) served on loopback, with its
ground truth.  Tests, ``nianbao demo`` (:mod:`sampleweb.demo`) and the benchmarks run on it.

Not in the wheel (pyproject's ``packages.find`` leaves it out): it is importable from the
source tree only.  May import the product (``parsing``, ``db``, ``spiders``, ``monitor``,
``crawler``); the product imports it only in ``nianbao demo``.
"""
