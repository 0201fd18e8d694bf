"""The dashboard's pages: overview, matrix, audit list (and its exports), agency, report,
findings.  Read-only; numbers come from the snapshot (see :mod:`crawler.dashboard.snapshot`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request

from crawler.dashboard import filters, formview, labels, queries
from crawler.dashboard.charts import hbars, trend
from crawler.dashboard.snapshot import Snapshot

bp = Blueprint("pages", __name__)


def _as_of() -> date:
    given = request.args.get("as_of")
    if given:
        try:
            return date.fromisoformat(given)
        except ValueError:
            abort(400, f"as_of 不是日期：{given}")
    return g.nb["as_of"] or labels.today_beijing()


def current_snapshot() -> Snapshot:
    return g.nb["cache"].get(_as_of())


def _default_year(snap: Snapshot) -> int | None:
    due = [y for y in snap.years if any(r["status"] != "not_due" for r in snap.by_year[y])]
    return next(reversed(due or snap.years), None)


def _page_no() -> int:
    try:
        return int(request.args.get("page", "1"))
    except ValueError:
        return 1


def _common(snap: Snapshot, **kw: Any) -> dict[str, Any]:
    return {"snap": snap, "as_of": snap.as_of, "refreshing": g.nb["cache"].refreshing(snap.as_of),
            "args": request.args, **kw}


@bp.route("/")
def overview():
    snap = current_snapshot()
    f = filters.Filter.from_args(request.args, _default_year(snap))
    ctx = snap.derived(("overview", _key(f)), lambda: _overview(snap, f))
    return render_template("overview.html", **_common(snap, f=f, **ctx))


def warm_views(snap: Snapshot) -> None:
    """Compute the default views of a new snapshot before anyone asks (overview, matrix, audit list)."""
    f = filters.Filter(year=_default_year(snap))
    snap.derived(("overview", _key(f)), lambda: _overview(snap, f))
    empty = filters.Filter()
    items = snap.derived(("matrix", _key(empty)), lambda: _matrix_items(snap, empty))
    snap.derived(("rollups", _key(empty)), lambda: {
        (grp["parent"], y): filters.rollup(snap, grp["agencies"], y) for grp, a in items if a is None for y in snap.years})
    snap.derived(("audit", _key(f), "status", False), lambda: filters.sort_rows(filters.audit_view(snap, f), "status", False))


def _key(f: filters.Filter) -> tuple[Any, ...]:
    return (f.year, f.region, f.parent, f.kind, f.status, f.code, f.severity, f.state, f.q)


def _overview(snap: Snapshot, f: filters.Filter) -> dict[str, Any]:
    rows = filters.audit_view(snap, f)
    by_region = filters.count_by(rows, snap, "region")
    by_parent = filters.count_by(rows, snap, "parent")
    years = [(y, filters.status_counts_of(filters.audit_view(snap, filters.Filter(
        year=y, region=f.region, parent=f.parent, kind=f.kind, q=f.q)))) for y in snap.years]
    return {"total": len(rows), "counts": filters.status_counts_of(rows), "by_region": by_region[:30],
            "regions_total": len(by_region), "by_parent": by_parent[:30], "parents_total": len(by_parent),
            "years": years, "health": _health(snap, f),
            "region_chart": hbars([(labels.region_label(k), c) for k, c in by_region[:15]]),
            "parent_chart": hbars([(snap.parent_name(k), c) for k, c in by_parent[:15]]),
            "trend_chart": trend(years)}


def _health(snap: Snapshot, f: filters.Filter) -> dict[str, Any]:
    unreachable: list[tuple[Any, Any]]
    blocked: list[tuple[Any, Any]]
    unreachable, blocked, no_column, never = [], [], [], []
    last_by_region: dict[str, Any] = {}
    for a in snap.agencies.values():
        if not f.agency_ok(a):
            continue
        c = snap.crawls.get(a["id"])
        region = a["region"] or ""
        if c is None:
            never.append(a)
            last_by_region.setdefault(region, None)
            continue
        when = c["finished_at"]
        if when is not None and (last_by_region.get(region) is None or when > last_by_region[region]):
            last_by_region[region] = when
        else:
            last_by_region.setdefault(region, None)
        reason = c.get("reason") or ""
        if c["outcome"] != "ok":
            (blocked if "blocked" in reason or (c.get("proof") or {}).get("blocked") else unreachable).append((a, c))
        elif not c["columns"] and not ((c.get("proof") or {}).get("columns")):
            no_column.append((a, c))
    problems = [(a, c, "被拦截") for a, c in blocked] + [(a, c, "无法访问") for a, c in unreachable]
    return {"unreachable": unreachable, "blocked": blocked, "no_column": no_column, "never": never, "problems": problems,
            "last_by_region": sorted(last_by_region.items())}


@bp.route("/matrix")
def matrix():
    snap = current_snapshot()
    f = filters.Filter.from_args(request.args)
    items = snap.derived(("matrix", _key(f)), lambda: _matrix_items(snap, f))
    size = 200 if not request.args.get("all") else max(1, len(items))
    page = filters.paginate(items, _page_no(), size)
    page.items = list(page.items)
    if page.items and page.items[0][1] is not None:
        page.items.insert(0, (page.items[0][0], None))  # the group continues from the previous page
    rollups = snap.derived(("rollups", _key(f)), lambda: {
        (grp["parent"], y): filters.rollup(snap, grp["agencies"], y) for grp, a in items if a is None for y in snap.years})
    return render_template("matrix.html", **_common(snap, f=f, page=page, rollups=rollups))


def _matrix_items(snap: Snapshot, f: filters.Filter) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    items: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for grp in filters.matrix_groups(snap, f):
        items.append((grp, None))
        items += [(grp, a) for a in grp["agencies"]]
    return items


@bp.route("/audit")
def audit_list():
    snap = current_snapshot()
    f = filters.Filter.from_args(request.args, _default_year(snap))
    sort, desc = request.args.get("sort", "status"), request.args.get("desc") == "1"
    rows = snap.derived(("audit", _key(f), sort, desc),
                        lambda: filters.sort_rows(filters.audit_view(snap, f), sort, desc))
    fmt = request.args.get("export")
    if fmt in ("csv", "xlsx"):
        from monitor import audit

        data = audit.to_csv(rows) if fmt == "csv" else audit.to_xlsx(rows)
        mime = "text/csv; charset=utf-8" if fmt == "csv" else \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(data, mimetype=mime,
                        headers={"Content-Disposition": f"attachment; filename=audit-{f.year}.{fmt}"})
    page = filters.paginate(rows, _page_no())
    counts = snap.derived(("audit-counts", _key(f)), lambda: filters.status_counts_of(rows))
    return render_template("audit.html", **_common(snap, f=f, page=page, sort=sort, desc=desc, counts=counts))


@bp.route("/agency/<agency_id>")
def agency(agency_id: str):
    snap = current_snapshot()
    a = snap.agencies.get(agency_id)
    if a is None:
        abort(404, "没有这个机关")
    years = [y for y in reversed(snap.years) if (agency_id, y) in snap.row_index]
    findings = [f for y in years for f in snap.findings_by_ay.get((agency_id, y), [])]
    with g.nb["factory"]() as s:
        docs = queries.documents(s, agency_id)
        crawls = queries.crawls(s, agency_id)
        stored = queries.stored_findings(s, [f["key"] for f in findings])
        last = crawls[0]["finished_at"] if crawls else None
        found_last_year = bool(docs.get(snap.as_of.year - 1))
        nxt = queries.next_crawl(s, agency_id, last, g.nb["config_path"], found_last_year)
    return render_template("agency.html", **_common(
        snap, a=a, years=years, docs=docs, crawls=crawls, stored=stored, last_crawl=last, next_crawl=nxt,
        findings_by_year={y: snap.findings_by_ay.get((agency_id, y), []) for y in years}))


@bp.route("/report/<agency_id>/<int:year>")
def report(agency_id: str, year: int):
    snap = current_snapshot()
    a = snap.agencies.get(agency_id)
    if a is None:
        abort(404, "没有这个机关")
    with g.nb["factory"]() as s:
        main = queries.main_report(s, agency_id, year)
        prev = queries.main_report(s, agency_id, year - 1)
        findings = snap.findings_by_ay.get((agency_id, year), [])
        stored = queries.stored_findings(s, [f["key"] for f in findings])
    if main is None:
        abort(404, f"{a['name']}{year}年没有已抓取的年度报告")
    view = formview.layout(main["report"], (prev or {}).get("report")) if main.get("report") else {}
    if view:
        formview.attach_findings(view, findings)
    return render_template("report.html", **_common(snap, a=a, year=year, main=main, prev=prev, view=view,
                                                    findings=findings, stored=stored,
                                                    row=snap.row_index.get((agency_id, year))))


@bp.route("/findings")
def findings_list():
    snap = current_snapshot()
    f = filters.Filter.from_args(request.args)
    with g.nb["factory"]() as s:
        dismissed = queries.dismissed_keys(s)
        items = filters.findings_view(snap, f, dismissed)
        page = filters.paginate(items, _page_no())
        stored = queries.stored_findings(s, [d["key"] for d in page.items])
    return render_template("findings.html", **_common(snap, f=f, page=page, stored=stored))
