"""``python -m crawler.jobs.child``: crawl one host batch (the job spec as JSON on stdin).

A child of the worker (one Scrapy reactor per process); prints the run's summary as the
last line of stdout as JSON.  The crawl run records its job, attempt and worker, and every
request carries ``X-Nianbao-Job`` so a server log (the sample web's) can tell workers apart.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    from crawler.run import CrawlOptions, run_crawl

    spec = json.loads(sys.stdin.read())
    tag = f"{spec['worker']}/{spec['job']}/{spec['attempt']}"
    opts = CrawlOptions(db_url=spec["db_url"], files=spec["files"], agencies=list(spec["agencies"]),
                        delay=float(spec.get("delay", 1.0)), timeout=float(spec.get("timeout", 30.0)),
                        retries=int(spec.get("retries", 2)), proxy=spec.get("proxy"), progress=False,
                        run_stats={"job": spec["job"], "attempt": spec["attempt"], "worker": spec["worker"],
                                   "bucket": spec.get("bucket"), "hosts": len(spec.get("hosts", []))},
                        headers={"X-Nianbao-Job": tag})
    result = run_crawl(opts)
    sys.stdout.write(json.dumps({"run_id": result["run_id"], "agencies": len(result["agencies"]),
                                 "pages": result["counters"].get("pages", 0)}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
