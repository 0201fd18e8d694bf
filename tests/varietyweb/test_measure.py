"""The measurement: recall, precision, attribution, dates, traps and concurrency."""

from __future__ import annotations

import http.client
import re
import time

from varietyweb import VarietyServer, measure, truth
from varietyweb.measure import max_concurrency, norm_url
from varietyweb.world import min_number_regex


def perfect() -> list[dict]:
    return [{"agency": r["agency"], "year": r["year"], "title": r["title"], "url": r["url"], "attachments": [],
             "published": {"date": r["published"], "source": "page:date"}} for r in truth()["reports"]]


def test_a_perfect_crawl_scores_one():
    res = measure(perfect(), [])
    assert res["recall"] == 1.0 and res["precision"] == 1.0 and res["attribution"]["accuracy"] == 1.0
    assert res["published"]["correct"] == res["expected"] and not res["missed"]
    assert all(v["found"] == v["expected"] for v in res["per_class"].values())


def test_misses_wrong_agency_noise_and_false_reports_are_counted():
    rows = perfect()
    t = truth()
    shared = next(i for i, r in enumerate(t["reports"]) if "shared-portal" in r["tags"])
    rows[shared] = dict(rows[shared], agency="someone-else")
    dropped = rows.pop(0)
    rows.append({"agency": "x", "year": 2023, "title": "政府工作报告", "url": t["noise"][0], "attachments": []})
    rows.append({"agency": "x", "year": 2023, "title": "?", "url": "http://nowhere.gov.cn.test/a.html", "attachments": []})
    res = measure(rows, [])
    assert res["found"] == res["expected"] - 1 and res["missed"][0]["url"] == dropped["url"]
    assert len(res["noise_stored"]) == 1 and len(res["false_reports"]) == 1
    assert res["precision"] == round((len(rows) - 2) / len(rows), 4)
    assert res["attribution"]["total"] - res["attribution"]["correct"] == 1
    assert res["attribution"]["wrong"][0]["stored"] == ["someone-else"]


def test_a_report_stored_by_its_attachment_url_is_found():
    t = truth()
    rep = next(r for r in t["reports"] if r["attachments"])
    row = {"agency": rep["agency"], "year": rep["year"], "url": "http://elsewhere.test/x", "attachments": [{"url": rep["attachments"][0]}]}
    res = measure([row], [])
    assert res["found"] == 1 and res["precision"] == 1.0


def test_concurrency_and_traps_from_the_log():
    log = [{"host": "a", "path": "/1", "start": 0.0, "end": 1.0}, {"host": "a", "path": "/2", "start": 0.5, "end": 1.5},
           {"host": "a", "path": "/3", "start": 1.5, "end": 2.0}, {"host": "b", "path": "/", "start": 0.2, "end": 3.0}]
    assert max_concurrency(log) == {"a": 2, "b": 1}
    trap = {"host": "www.dongzhi.gov.cn.test", "path": "/xxgk/list.aspx?cid=45&page=99", "start": 5.0, "end": 5.1}
    res = measure([], log + [trap])
    assert res["trap_requests"] == 1 and res["max_concurrent_per_host"] == 2 and res["concurrency"] == {"a": 2}


def test_min_number_regex():
    rx = re.compile("^" + min_number_regex(37) + "$")
    assert [n for n in range(200) if rx.match(str(n))] == list(range(37, 200))


def test_norm_url():
    assert norm_url("HTTP://WWW.A.test:80/x?a=1&amp;b=2#frag") == "http://www.a.test/x?a=1&b=2"


def test_server_logs_every_request_with_host_and_times_and_serves_as_origin():
    with VarietyServer() as web:
        port = web.http.server_address[1]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/", headers={"Host": "www.nantong.gov.cn.test"})  # origin mode: Host header
        assert conn.getresponse().status == 200
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "http://unknown.example.com/")  # proxy mode, a host outside the web
        assert conn.getresponse().status == 502
        conn.close()
        deadline = time.time() + 2
        while len(web.log) < 2 and time.time() < deadline:  # the entry is written once the answer is sent
            time.sleep(0.01)
        by_host = {x.host: x for x in web.log}
        e = by_host["www.nantong.gov.cn.test"]
        assert e.path == "/" and e.start <= e.end and e.status == 200 and e.method == "GET"
        assert by_host["unknown.example.com"].status == 502


def test_agency_outcomes_are_judged():
    t = truth()
    down = [a["id"] for a in t["agencies"] if a["expected"] != "ok"]
    ok = next(a["id"] for a in t["agencies"] if a["expected"] == "ok")
    outcomes = {k: {"outcome": "unreachable", "reason": "blocked"} for k in down[1:]}
    outcomes[ok] = {"outcome": "unreachable", "reason": "WAF/challenge page"}
    ag = measure([], [], outcomes=outcomes)["agencies"]
    assert ag["missed_blocks"] == [down[0]] and ag["wrongly_unreachable"] == [(ok, "WAF/challenge page")]


def test_cli_measure_on_a_database_and_registry_output(tmp_path):
    import json as _json

    from click.testing import CliRunner

    from varietyweb.__main__ import main

    db = f"sqlite:///{tmp_path / 'n.db'}"
    log = tmp_path / "log.jsonl"
    log.write_text(_json.dumps({"host": "www.dongzhi.gov.cn.test", "method": "GET", "path": "/search/?keyword=a",
                                "status": 200, "start": 1.0, "end": 1.1, "size": 10}) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["measure", "--db", db, "--log", str(log), "--json"])
    assert res.exit_code == 0, res.output
    out = _json.loads(res.output)
    assert out["found"] == 0 and out["trap_requests"] == 1 and out["expected"] == len(truth()["reports"])
    res = CliRunner().invoke(main, ["registry", "-o", str(tmp_path / "r.yaml")])
    assert res.exit_code == 0 and "agencies:" in (tmp_path / "r.yaml").read_text(encoding="utf-8")


def test_robots_violations_are_counted():
    t = truth()
    assert t["robots"]["tjj.xiaogan.gov.cn.test"].startswith("User-agent: *\nDisallow: /")
    assert all(r["agency"] != "xiaogan-tjj" for r in t["reports"])
    assert any(r["agency"] == "xiaogan-tjj" for r in t["unreachable_reports"])
    log = [{"host": "tjj.xiaogan.gov.cn.test", "path": "/robots.txt", "start": 0, "end": 0},
           {"host": "tjj.xiaogan.gov.cn.test", "path": "/", "start": 1, "end": 1},
           {"host": "www.nantong.gov.cn.test", "path": "/col/col5001/index.html", "start": 2, "end": 2},
           {"host": "www.nantong.gov.cn.test", "path": "/search/?keyword=x", "start": 3, "end": 3}]
    res = measure([], log)
    assert res["robots_violations"] == 2
    assert res["robots_violation_urls"] == ["http://tjj.xiaogan.gov.cn.test/", "http://www.nantong.gov.cn.test/search/?keyword=x"]
