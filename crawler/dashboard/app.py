"""The dashboard's Flask application: factory, template helpers, sign-in and the writes.

Pages are in :mod:`crawler.dashboard.pages`.  Jinja2 autoescaping is on for every
template, so text that came from a crawled site (titles, URLs, error messages, raw cell
text) is always rendered as text; links to crawled URLs pass :func:`safe_url`.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, flash, g, redirect, render_template, request, session, url_for

from crawler.dashboard import auth, labels
from crawler.dashboard.snapshot import SnapshotCache
from db.schema import open_db

EVIDENCE_NAMES = {
    "deadline": "法定期限", "rule": "适用规则", "crawled": "检查时间", "run": "抓取批次", "pages": "读取页面数",
    "columns": "年报栏目", "successful_crawls_after_deadline": "期限后成功抓取次数", "last_error": "最后一次错误",
    "attempts": "尝试次数", "since": "首次失败", "urls_tried": "尝试的网址", "first_seen": "首次发现",
    "not_found_by_crawl": "未发现该报告的抓取批次", "crawl_finished": "该次抓取完成", "published": "发布日期",
    "source": "日期依据", "url": "网址", "days_late": "逾期天数", "displayed": "页面显示日期", "why": "说明",
    "reason": "原因", "displayed_source": "显示日期来源", "title": "标题", "hosts": "网站",
    "column": "列", "row": "行", "group": "组", "sum": "合计", "total": "总计", "difference": "差额",
    "new_received": "本年新收", "carried_over": "上年结转", "carried_forward": "结转下年度", "cells": "单元格",
    "sentence": "原文句子", "stated": "正文数字", "cell": "单元格", "table": "表格", "value": "数值", "raw": "原文",
    "previous_carried_forward": "上年结转下年度", "previous_url": "上年报告网址", "similarity": "相似度",
    "other_agency": "另一机关", "other_year": "另一年度", "other_url": "另一报告网址", "missing": "缺少",
    "present": "已有", "tables": "表格", "format": "格式", "expected": "应为", "decided_by": "判断依据",
    "explored": "已探查", "proof": "证明",
}


def safe_url(url: Any) -> str | None:
    """A crawled URL fit for an ``href`` (http/https/ftp/file only), else None."""
    if not url or not isinstance(url, str):
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https", "ftp", "file") else None


_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def ev_value(v: Any) -> str:
    """An evidence value as text: dates in Chinese (Beijing time), small dicts and lists spelt out."""
    if v is None:
        return "—"
    if isinstance(v, str) and _ISO_DATETIME.match(v):
        return labels.cn_date(v)
    if isinstance(v, dict) and all(not isinstance(x, dict | list) for x in v.values()) and len(v) <= 12:
        return "；".join(f"{labels.SOURCE_NAMES.get(k, EVIDENCE_NAMES.get(k, k))} {ev_value(x)}" for k, x in v.items())
    if isinstance(v, list) and all(isinstance(x, str | int | float) for x in v):
        return "、".join(str(x) for x in v) or "（无）"
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def create_app(db_url: str, token: str | None = None, as_of: date | None = None, config_path: str | None = None,
               bound_host: str = "127.0.0.1", check_every: float = 2.0) -> Flask:
    """The dashboard over ``db_url``; ``as_of`` fixes the evaluation date (default: today, Beijing)."""
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(32)  # sessions last as long as the process
    app.config.update(SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True, JSON_AS_ASCII=False)
    factory = open_db(db_url)
    app.extensions["nianbao"] = {"factory": factory, "cache": SnapshotCache(factory, check_every), "token": token,
                                 "as_of": as_of, "config_path": config_path, "bound_host": bound_host}
    env = app.jinja_env
    env.autoescape = True  # every template, whatever its name
    env.globals.update(url_with=url_with, labels=labels, safe_url=safe_url, STATUSES=labels.STATUSES, EVIDENCE_NAMES=EVIDENCE_NAMES)
    env.filters.update(cn_date=labels.cn_date, cn_day=labels.cn_day, status_name=labels.status_name,
                       status_symbol=labels.status_symbol, status_class=labels.status_class,
                       kind_name=labels.kind_name, region_label=labels.region_label, ev_value=ev_value)

    @app.before_request
    def _context() -> None:
        g.nb = app.extensions["nianbao"]
        if "csrf" not in session and request.endpoint not in (None, "favicon"):  # no race with a 404
            session["csrf"] = auth.new_csrf()

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"write_mode": write_mode(), "can_write": can_write(), "csrf": session.get("csrf"),
                "actor": session.get("actor"), "as_of_param": request.args.get("as_of", "")}

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("Content-Security-Policy",
                                "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        return resp

    @app.route("/favicon.ico")
    def favicon():
        return "", 204

    @app.route("/login", methods=["GET", "POST"])
    def login():
        mode = write_mode()
        if request.method == "POST":
            check_csrf()
            name = (request.form.get("actor") or "").strip()
            if not name:
                flash("请填写操作人姓名", "error")
            elif mode == "token" and not auth.token_ok(g.nb["token"], request.form.get("token")):
                flash("令牌不正确", "error")
            elif mode == "readonly":
                flash("本看板为只读：未配置令牌，且不是本机访问", "error")
            else:
                session["actor"] = name[:100]
                session["authed"] = True
                session["csrf"] = auth.new_csrf()
                flash(f"已登录：{name[:100]}", "ok")
                return redirect(safe_next(request.form.get("next")))
        return render_template("login.html", mode=mode, next=request.form.get("next") or request.args.get("next", ""))

    @app.route("/logout", methods=["POST"])
    def logout():
        check_csrf()
        session.clear()
        flash("已退出登录", "ok")
        return redirect(url_for("pages.overview"))

    @app.route("/findings/dismiss", methods=["POST"])
    def dismiss_route():
        return _write("dismiss")

    @app.route("/findings/undo", methods=["POST"])
    def undo_route():
        return _write("undo")

    def _write(action: str):
        check_csrf()
        back = safe_next(request.form.get("next"))
        if not can_write():
            flash("需要登录（输入令牌）后才能忽略问题或撤销忽略", "error")
            return render_template("login.html", mode=write_mode(), next=back), 403
        key = request.form.get("key") or ""
        via = f"看板 {request.remote_addr}"
        actor = session.get("actor") or "本机用户"
        from crawler.dashboard.pages import current_snapshot

        snap = current_snapshot()
        draft = next((f for f in snap.findings if f["key"] == key), None)
        with g.nb["factory"]() as s:
            try:
                if action == "dismiss":
                    auth.dismiss(s, key, request.form.get("reason") or "", actor, via, draft)
                    msg = "已忽略该问题"
                else:
                    auth.undo(s, key, actor, via)
                    msg = "已撤销忽略"
                s.commit()
            except auth.WriteError as exc:
                s.rollback()
                flash(str(exc), "error")
                return redirect(back)
        g.nb["cache"].invalidate()
        flash(msg, "ok")
        return redirect(back)

    titles = {400: "请求有误", 403: "没有权限", 404: "找不到页面", 500: "服务器出错"}

    def _error(exc):
        code = getattr(exc, "code", 500) or 500
        desc = getattr(exc, "description", "") or ""
        message = desc if any("\u4e00" <= ch <= "\u9fff" for ch in desc) else {404: "没有这个页面。"}.get(code, "请稍后重试。")
        return render_template("error.html", title=titles.get(code, "出错了"), message=message), code

    for code in titles:
        app.register_error_handler(code, _error)

    from crawler.dashboard.pages import bp, warm_views

    app.register_blueprint(bp)
    app.extensions["nianbao"]["cache"].warm = warm_views
    return app


def url_with(**changes: Any) -> str:
    """This page's URL with some query arguments changed (None drops one)."""
    from urllib.parse import urlencode

    args = request.args.to_dict()
    for k, v in changes.items():
        if v is None:
            args.pop(k, None)
        else:
            args[k] = str(v)
    args = {k: v for k, v in args.items() if v != ""}
    return request.path + ("?" + urlencode(args) if args else "")


def write_mode() -> str:
    """``token`` (a token is configured), ``local`` (loopback-only session) or ``readonly``."""
    nb = g.nb
    if nb["token"]:
        return "token"
    if auth.is_loopback(nb["bound_host"]) and auth.is_loopback(request.remote_addr) and \
            auth.host_is_loopback(request.host):
        return "local"
    return "readonly"


def can_write() -> bool:
    mode = write_mode()
    if mode == "token":
        return bool(session.get("authed"))
    return mode == "local"


def check_csrf() -> None:
    sent = request.form.get("csrf") or ""
    if not sent or not secrets.compare_digest(sent, session.get("csrf") or ""):
        abort(400, "表单已过期，请刷新页面后重试")


def safe_next(target: str | None) -> str:
    """Only same-site paths as redirect targets."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.overview")
