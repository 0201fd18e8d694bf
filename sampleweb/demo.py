"""``nianbao demo``: the main job end to end on the bundled sample web, offline.

Starts the sample government web on loopback, writes its registry, crawls it (parsing and
storing into SQLite), and prints per agency what was found next to the ground truth.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sampleweb.server import SampleServer, SampleWeb
from sampleweb.sites import demo_sites


def _import_roster(out: Path, sites: list, echo: Callable[[str], None]) -> bool:
    """The office's roster workbook -> registry.yaml, through ``nianbao registry import``."""
    from sampleweb.roster_book import registry_defaults_yaml, roster_xlsx

    (out / "roster.xlsx").write_bytes(roster_xlsx(sites))
    (out / "registry.yaml").write_text(registry_defaults_yaml(), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "crawler.cli", "registry", "import", str(out / "roster.xlsx"),
                           "-o", str(out / "registry.yaml")], text=True, capture_output=True, check=False)
    echo("名单导入：" + done.stderr.strip().replace("\n", "\n  ") + ("\n  " + done.stdout.strip().replace("\n", "\n  ") if done.stdout.strip() else ""))
    return done.returncode == 0


def run_demo(out: Path, delay: float = 0.2, echo: Callable[[str], None] = print) -> bool:  # noqa: T202
    sites = demo_sites()
    web = SampleWeb(sites, slow_delay=3.0)
    server = SampleServer(web).start()
    db_url = f"sqlite:///{(out / 'nianbao.db').resolve()}"
    try:
        if not _import_roster(out, sites, echo):
            return False
        truth = web.truth()
        (out / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        echo(f"样例政府网站：{len(sites)}个机关，地址{server.url}（域名 *.gov.cn.test，经它作代理访问）")
        env = {**os.environ, "NIANBAO_DB_URL": db_url, "NIANBAO_FILES": str((out / "files").resolve())}
        # one crawl per process (Scrapy's reactor cannot restart): run it as the CLI would
        crawl = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", "--registry", str(out / "registry.yaml"),
             "--proxy", server.url, "--delay", str(delay), "--timeout", "2", "--retries", "1"],
            env=env, text=True, capture_output=True, check=False)
        echo(crawl.stdout.rstrip())
        if crawl.returncode != 0:
            echo(crawl.stderr.strip().splitlines()[-1] if crawl.stderr.strip() else "抓取失败")
            return False
    finally:
        server.stop()
    from db.schema import open_db
    from db.store import reports

    with open_db(db_url)() as session:
        stored = reports(session)
    found = {r["url"]: r for r in stored}
    echo("\n各机关：找到的年报 / 样例网站上实际发布的年报（标准答案）")
    missed = 0
    by_agency: dict[str, list[dict]] = {}
    for t in truth["reports"]:
        by_agency.setdefault(t["agency"], []).append(t)
    for aid, items in by_agency.items():
        reachable = items[0]["site_state"] == "ok"
        hit = [t for t in items if t["url"] in found]

        def flag(t: dict, reachable: bool = reachable) -> str:
            if t["url"] in found:
                return ""
            return "（漏抓）" if reachable and t.get("discoverable", True) else \
                "（网站无法访问）" if not reachable else "（无从发现）"

        years = " ".join(f"{t['year']}{flag(t)}" for t in items)
        state = "" if reachable else f"  [网站状态 {items[0]['site_state']}：记为无法访问]"
        echo(f"  {aid:<16} {len(hit)}/{len(items)}  {years}{state}")
        if reachable:
            missed += sum(1 for t in items if t["url"] not in found and t.get("discoverable", True))
    noise = [u for u in found if u in set(truth["non_reports"])]
    echo(f"\n已存入年报{len(found)}份（{db_url}）；漏抓{missed}份，误收非年报{len(noise)}份")
    echo(f"文件：{out / 'files'}；名单：{out / 'roster.xlsx'}；登记表：{out / 'registry.yaml'}；标准答案：{out / 'ground-truth.json'}")
    false_accusations = _check_and_audit(out, db_url, echo)
    return missed == 0 and not noise and false_accusations == 0


def _check_and_audit(out: Path, db_url: str, echo: Callable[[str], None]) -> int:
    """Run the monitor, write the audit list for the latest year and the findings; score the
    audit against the sample web's truth.  Returns the number of false accusations."""
    from collections import Counter

    from db.schema import open_db
    from monitor import audit
    from monitor.check import finding_json, run_check
    from monitor.deadlines import BEIJING
    from monitor.exports.labels import code_label, status_label
    from sampleweb.scoring import score
    from sampleweb.sites import SAMPLE_YEARS

    # as of today: the crawl just made is what is known (the sample web's years are all due)
    as_of = datetime.now(BEIJING).date()
    with open_db(db_url)() as session:
        found, results = run_check(session, as_of, years=list(SAMPLE_YEARS))
        session.commit()
        findings = [finding_json(f) for f in found]
    (out / "findings.json").write_text(json.dumps(findings, ensure_ascii=False, indent=1), encoding="utf-8")
    counts = Counter(f["code"] for f in findings)
    echo(f"\n检查结果（截至{as_of}，北京时间）：问题{len(findings)}项：" + "，".join(f"{code_label(c)}{n}" for c, n in counts.most_common()))
    for f in findings:
        if f["severity"] == "error" and f["code"] in ("MISSING", "LATE"):
            echo(f"  {code_label(f['code'])}：{f['message']}")
    rows = audit.audit_rows([r for r in results if r.year == 2024])
    (out / "audit-2024.html").write_text(audit.to_html(rows, f"2024年政府信息公开工作年度报告发布情况（截至{as_of}）"), encoding="utf-8")
    (out / "audit-2024.csv").write_bytes(audit.to_csv(rows))
    (out / "audit-2024.xlsx").write_bytes(audit.to_xlsx(rows))
    statuses = Counter(r["status"] for r in rows)
    echo("2024年度发布情况名单：" + "，".join(f"{status_label(s)}{n}" for s, n in statuses.most_common())
         + f"\n  {out / 'audit-2024.html'}\n  {out / 'audit-2024.csv'}\n  {out / 'audit-2024.xlsx'}\n  {out / 'findings.json'}")
    all_rows = audit.audit_rows(results)
    for r in [r for r in all_rows if r["status"] == "not_found"][:3]:
        echo(f"  未找到，待核实  {r['name']} {r['year']}年：{r['reason']}")
    result = score(all_rows, demo_sites(), phase=1)
    echo(f"\n样例网站上的发布情况判定，{SAMPLE_YEARS[0]}-{SAMPLE_YEARS[-1]}年（共{result.total}个机关年度；"
         f"行：实际情况，列：本工具的判定）：")
    for line in result.table():
        echo("  " + line)
    echo(f"错误指认（已发布却判未发布、按时却判逾期）：{len(result.false_accusations)}个；"
         f"准确率{result.accuracy:.2f}")
    for r in result.false_accusations:
        echo(f"  错误指认 {r['agency']} {r['year']}年：{status_label(r['status'])}")
    from datetime import timedelta

    from crawler.config import Config, Recipient
    from crawler.digests import build_digests

    today = as_of
    [(_, msg)] = build_digests(db_url, Config(mail_from="nianbao@localhost"), today, [Recipient("gkb@example.gov.cn")],
                               since=today - timedelta(days=7))
    preview = out / "digest-preview.html"
    preview.write_text(msg.get_body(preferencelist=("html",)).get_content(), encoding="utf-8")  # type: ignore[union-attr]
    (out / "digest-preview.eml").write_bytes(msg.as_bytes())
    echo(f"每周摘要预览：{msg['Subject']}\n  {preview}")
    return len(result.false_accusations)
