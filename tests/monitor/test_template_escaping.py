"""Every template in the product escapes what crawled sites wrote (issue 16, item 3).

The digest's ``digest.html.j2`` did not match ``select_autoescape(["html"])``, so a title
``<script>`` or a URL with a quote reached the preview and the e-mail raw.  The test finds
every template file on disk, so a new one cannot slip past unescaped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor import digest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert(1)</script>"
BREAK_OUT = '" onmouseover="alert(2)'
EVIL_URL = 'http://evil.test/"><script>alert(3)</script>'


def _all_templates() -> list[Path]:
    found = []
    for package in ("crawler", "monitor", "db", "spiders", "parsing"):
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "templates" in path.parts and path.suffix in (".j2", ".html", ".htm", ".xml", ".txt"):
                found.append(path)
    return sorted(found)


def _hostile_digest() -> dict:
    line = {"agency": "evil", "name": f"恶意机关{SCRIPT}", "year": 2024, "text": f"新发现报告《{SCRIPT}{BREAK_OUT}》",
            "due": SCRIPT, "links": [{"label": "报告", "url": EVIL_URL}, {"label": "栏目", "url": "javascript:alert(4)"}]}
    return {"since": "2025-01-01", "as_of": "2025-01-08", "period": "2025-W02", "scope": SCRIPT, "agencies": 1,
            "audit_year": 2024, "time_note": "时间均为北京时间",
            "groups": [{"key": f'x"{BREAK_OUT}', "title": SCRIPT, "lines": [line]}],
            "new_reports": [{"agency": "evil", "name": SCRIPT, "year": 2024, "title": SCRIPT, "url": EVIL_URL}],
            "newly_late_or_missing": [], "new_findings": {"error": [], "warning": [], "info": []}, "resolved": [],
            "upcoming": [{"agency": "evil", "name": SCRIPT, "deadline": "2025-03-31", "rule": BREAK_OUT}],
            "audit_counts": {"missing": 1}, "audit_rows": [], "changed": True}


def test_every_template_is_rendered_by_an_escaping_environment() -> None:
    templates = _all_templates()
    monitor_templates = {p.name for p in templates if p.is_relative_to(ROOT / "monitor" / "templates")}
    dashboard_templates = {p.name for p in templates if p.is_relative_to(ROOT / "crawler" / "dashboard" / "templates")}
    assert monitor_templates == {"digest.html.j2", "digest.txt.j2"}
    assert len(dashboard_templates) >= 10
    unknown = [p for p in templates if p.name not in monitor_templates | dashboard_templates]
    assert not unknown, f"templates with no escaping test: {unknown}"
    for name in monitor_templates:
        plain_text = name.endswith((".txt.j2", ".txt"))
        assert digest._env.get_template(name).environment.autoescape(name) is not plain_text, name
    from crawler.dashboard.app import create_app

    app = create_app("sqlite://")
    for name in dashboard_templates:
        escapes = app.jinja_env.autoescape
        assert escapes is True or escapes(name), name


def test_the_digest_html_shows_hostile_text_as_text() -> None:
    _subject, text, page = digest.render(_hostile_digest())
    assert "<script>" not in page
    assert 'onmouseover="' not in page  # no attribute break-out
    assert "javascript:" not in page  # a non-http link is not a link
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text
    assert 'href="http://evil.test/&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"' in page
    # the plain-text part is text: nothing is turned into entities there
    assert SCRIPT in text and "&lt;" not in text


@pytest.mark.parametrize("part", ["html", "plain"])
def test_the_digest_email_carries_escaped_html(part: str) -> None:
    msg = digest.build_message(_hostile_digest(), "nianbao@monitor.test", "gkb@x.gov.cn.test")
    body = msg.get_body(preferencelist=(part,)).get_content()
    assert ("<script>" not in body) if part == "html" else (SCRIPT in body)
