"""A small stored world for the output tests: one agency of every status, real reports.

hongze   real 2024 PDF, first seen before the deadline          -> published (+ 内容问题)
huaian   real 2024 PDF, absent at a crawl after the deadline    -> late (first seen)
jyj      crawled after the deadline, nothing found              -> missing
dead     every crawl after the deadline failed                  -> unreachable
fresh    never crawled                                          -> unchecked
Also synthetic rows of the new contract (not_found + reason, content) for rendering.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from crawler.ingestion import build_fetch
from db.models import AgencyCrawl, CrawlRun
from db.registry import parse_registry, sync_registry
from db.schema import open_db
from db.store import FileStore, store_fetch
from tests.conftest import FIXTURES

AS_OF = date(2025, 6, 30)
YEAR = 2024
REGISTRY = """agencies:
  - id: hongze
    name: 淮安市洪泽区人民政府
    kind: government
    region: "320813"
    site: http://www.hongze.gov.cn/
    since: 2024
  - id: huaian
    name: 淮安市人民政府
    kind: government
    region: "320800"
    site: http://www.huaian.gov.cn/
    since: 2024
  - id: hongze-jyj
    name: 淮安市洪泽区教育体育局
    kind: department
    region: "320813"
    parent: hongze
    site: http://jyj.hongze.gov.cn/
    since: 2024
  - id: hongze-dead
    name: 淮安市洪泽区住房和城乡建设局
    kind: department
    region: "320813"
    parent: hongze
    site: http://zjj.hongze.gov.cn/
    since: 2024
  - id: hongze-fresh
    name: 淮安市洪泽区高良涧街道办事处
    kind: township
    region: "320813"
    parent: hongze
    site: http://glj.hongze.gov.cn/
    since: 2024
"""


def _proof(column: str) -> dict[str, Any]:
    """A complete proof of absence (spec findings.md): the agency's own column read to its end."""
    return {"columns": [{"url": column, "why": "lists_other_years", "why_detail": "列出本机关2022、2023年年报",
                         "adapter": "hanweb", "pages_read": 2, "pages_total": 2, "exhausted": True,
                         "listed_total": 25, "entries": 25, "failed": [], "years": [2022, 2023],
                         "other_agencies": []}],
            "explored": {"pages": 12, "budget": 300, "stopped": "done"}, "blocked": []}


def _crawl(s, run_id: int, agency: str, when: datetime, **kw: Any) -> None:
    s.add(AgencyCrawl(run_id=run_id, agency_id=agency, started_at=when, finished_at=when, **kw))


def build_world(d: Path) -> str:
    """Create the database under ``d``; returns its URL."""
    url = f"sqlite:///{d / 'n.db'}"
    factory = open_db(url)
    with factory() as s:
        sync_registry(s, parse_registry(REGISTRY))
        store = FileStore(d / "files")
        hz = FIXTURES / "real" / "hongze-qzf-2024-pdf" / "source.pdf"
        store_fetch(s, build_fetch("hongze", "http://www.hongze.gov.cn/art/2025/3/25/P020250325123.pdf", hz.read_bytes(),
                                   seen_at=datetime(2025, 3, 25, 9, 0, tzinfo=UTC)), store)
        when = datetime(2025, 4, 10, 2, 0, tzinfo=UTC)
        run = CrawlRun(started_at=when, finished_at=when, status="done", stats={})
        s.add(run)
        s.flush()
        _crawl(s, run.id, "huaian", when, outcome="ok", pages=120, columns=["http://www.huaian.gov.cn/col/nb/"],
               proof=_proof("http://www.huaian.gov.cn/col/nb/"))
        _crawl(s, run.id, "hongze-jyj", when, outcome="ok", pages=37,
               columns=["http://jyj.hongze.gov.cn/col/xxgk/ndbg/"], proof=_proof("http://jyj.hongze.gov.cn/col/xxgk/ndbg/"))
        _crawl(s, run.id, "hongze-dead", when, outcome="unreachable", reason="连接超时",
               urls_tried=[{"url": "http://zjj.hongze.gov.cn/", "error": "连接超时"}])
        ha = FIXTURES / "real" / "huaian-szf-2024-pdf" / "source.pdf"
        store_fetch(s, build_fetch("huaian", "http://www.huaian.gov.cn/nb/2024.pdf", ha.read_bytes(),
                                   seen_at=datetime(2025, 4, 20, 1, 0, tzinfo=UTC)), store)
        s.commit()
    return url


def contract_rows() -> list[dict[str, Any]]:
    """Rows of the new contract (status not_found with reason; content), as H8 will produce."""
    return [
        {"agency": "x-wjw", "name": "某某市卫生健康委员会", "kind": "department", "region": "320800", "parent": None,
         "year": YEAR, "status": "not_found", "status_cn": "未找到，待核实", "deadline": "2025-01-31", "published": None,
         "source": None, "days_late": None, "link": None,
         "reason": "检查了网站首页及信息公开目录共58个页面，未找到年报栏目，缺少能证明该报告不存在的完整栏目记录",
         "evidence": {"deadline": "2025-01-31", "rule": "依据《条例》第四十九条"}, "content": []},
        {"agency": "x-sfj", "name": "某某市司法局", "kind": "department", "region": "320800", "parent": None,
         "year": YEAR, "status": "published", "status_cn": "按时发布", "deadline": "2025-01-31",
         "published": "2025-01-20", "source": "page:date", "days_late": 0, "link": "http://sfj.example.gov.cn/nb/2024.html",
         "evidence": {"deadline": "2025-01-31", "rule": "依据《条例》第四十九条", "first_seen": "2025-01-20T02:00:00+00:00",
                      "url": "http://sfj.example.gov.cn/nb/2024.html"},
         "content": [{"code": "BALANCE", "severity": "error", "message": "某某市司法局2024年年度报告表三“总计”列：本年新收3+上年结转0≠办理结果总计2+结转下年度0（相差1）"}]},
    ]
