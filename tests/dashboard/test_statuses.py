"""Statuses the monitor adds (contract 3: not_found with its reason, content findings)
render on every page, and the write rules hold without a browser."""

from __future__ import annotations

import re

from tests.dashboard.conftest import AS_OF, copy_db


def _app(crawled, tmp_path, **kw):
    from crawler.dashboard.app import create_app

    url = copy_db(crawled["dir"] / "nianbao.db", tmp_path / "n.db")
    return create_app(url, as_of=AS_OF, **kw)


def test_not_found_year_shows_its_reason(crawled, tmp_path) -> None:
    app = _app(crawled, tmp_path)
    client = app.test_client()
    assert client.get("/").status_code == 200
    snap = app.extensions["nianbao"]["cache"].get(AS_OF)
    row = snap.row_index[("zibo-kjj", 2024)]
    row.update(status="not_found", reason="已读取栏目3页中的2页，第3页请求失败：未能证明未发布",
               content=[{"code": "BALANCE", "severity": "error", "message": "表三不平衡"}])
    snap.memo.clear()  # the views derived from the row as the monitor gave it
    page = client.get("/agency/zibo-kjj").get_data(as_text=True)
    assert 'data-status="not_found"' in page and "未找到，待核实" in page and "第3页请求失败" in page
    overview = client.get("/?year=2024").get_data(as_text=True)
    count = re.search(r'data-status="not_found".*?<div class="n num">(\d+)</div>', overview, re.S)
    expected = sum(1 for (_, y), r in snap.row_index.items() if y == 2024 and r["status"] == "not_found")
    assert count and int(count.group(1)) == expected >= 1
    audit_page = client.get("/audit?year=2024&status=not_found").get_data(as_text=True)
    assert "第3页请求失败" in audit_page and "表三不平衡" in audit_page
    assert "st-not_found" in client.get("/matrix").get_data(as_text=True)


def test_writes_need_csrf_and_permission(crawled, tmp_path) -> None:
    app = _app(crawled, tmp_path, token="tok")
    client = app.test_client()
    page = client.get("/findings").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    assert client.post("/findings/dismiss", data={"key": key, "reason": "x"}).status_code == 400  # no CSRF token
    assert client.post("/findings/dismiss", data={"key": key, "reason": "x", "csrf": csrf}).status_code == 403
    client.post("/login", data={"csrf": csrf, "actor": "李四", "token": "tok"})
    page = client.get("/findings").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = client.post("/findings/dismiss", data={"key": key, "reason": "", "csrf": csrf, "next": "/findings"})
    assert r.status_code == 302 and "须填写原因" in client.get("/findings").get_data(as_text=True)
    # no token configured and bound to a public address: read-only
    public = _app(crawled, tmp_path / "p", bound_host="0.0.0.0") if (tmp_path / "p").mkdir() is None else None
    c2 = public.test_client()
    page = c2.get("/findings").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert c2.post("/findings/dismiss", data={"key": key, "reason": "x", "csrf": csrf}).status_code == 403
    # no token, loopback server, loopback client: a local-only session may write
    local = _app(crawled, tmp_path / "l", bound_host="127.0.0.1") if (tmp_path / "l").mkdir() is None else None
    c3 = local.test_client()
    page = c3.get("/findings", base_url="http://127.0.0.1/").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = c3.post("/findings/dismiss", data={"key": key, "reason": "本机核实", "csrf": csrf, "next": "/findings"},
                base_url="http://127.0.0.1/")
    assert r.status_code == 302
    # ... but not through a foreign Host name (DNS rebinding)
    assert "只读" in c3.get("/login", base_url="http://evil.example/").get_data(as_text=True)
    r = c3.post("/findings/undo", data={"key": key, "csrf": csrf}, base_url="http://evil.example/")
    assert r.status_code in (400, 403)


def test_crawled_urls_never_become_script_links() -> None:
    from crawler.dashboard.app import safe_url

    assert safe_url("javascript:alert(1)") is None and safe_url(" JaVaScript:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url("http://a.gov.cn/x.html") == "http://a.gov.cn/x.html"
