"""``make bench``: parser, crawler, store, monitor, dashboard and distributed benchmarks;
``python -m bench [parse|crawl|links|store|monitor|dashboard|national|distributed]``.

Prints the figures and writes ``.bench/results.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench import crawl, dashboard, distributed, links, monitor, parse, store

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    which = sys.argv[1:] or ["parse", "crawl", "links", "store", "monitor", "dashboard", "national", "distributed"]
    results = {}
    if "parse" in which:
        results["parse"] = parse.run()
    if "crawl" in which:
        results["crawl"] = crawl.run()
    if "links" in which:
        results["links"] = links.run()
    if "store" in which:
        results["store"] = store.run()
    if "monitor" in which:
        results["monitor"] = monitor.run()
    if "dashboard" in which:
        results["dashboard"] = dashboard.run()
    if "national" in which:
        results["national"] = monitor.run_national()
    if "distributed" in which:
        results["distributed"] = distributed.run()
    out = ROOT / ".bench"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"written to {out / 'results.json'}")


if __name__ == "__main__":
    main()
