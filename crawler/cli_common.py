"""What every ``nianbao`` command shares: the group, the common options, opening the
database, one-line failures, and the audit list's scope (used by audit and notice).

The command modules (``crawler/cli.py`` and ``crawler/cli_*.py``) import from here, and
``crawler/cli.py`` imports them all, so no module imports its importer.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

DEFAULT_DB = "sqlite:///nianbao.db"


def files_option(f):
    return click.option(
        "--files", "files_dir", envvar="NIANBAO_FILES", default="nianbao-files", show_default=True,
        help="下载文件的存放文件夹（按内容哈希存放；环境变量 NIANBAO_FILES）。",
    )(f)


def registry_option(f):
    return click.option("--registry", "registry_path", envvar="NIANBAO_REGISTRY", default=None,
                        help="机关登记册（YAML 文件；环境变量 NIANBAO_REGISTRY）。")(f)


def open_session_factory(db_url: str):
    """Open the database (migrating it on first use), or fail with one line."""
    from sqlalchemy.exc import SQLAlchemyError

    from db.schema import open_db

    try:
        return open_db(db_url)
    except (SQLAlchemyError, OSError, ImportError) as exc:
        fail(database_error(db_url, exc))


def masked_db_url(db_url: str) -> str:
    """The database URL with its password replaced by ``***`` (for every message)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL at all: it holds no recognisable password
        return db_url.split("@", 1)[-1] if "@" in db_url else db_url


def database_error(db_url: str, exc: BaseException) -> str:
    """One line for a database that cannot be opened or read (no password in it)."""
    from sqlalchemy.exc import ArgumentError, DatabaseError

    shown = masked_db_url(db_url)
    first = (str(getattr(exc, "orig", None) or exc).splitlines() or [type(exc).__name__])[0]
    first = first.replace(db_url, shown)
    if isinstance(exc, ImportError):
        return f"无法打开数据库 {shown}：缺少该数据库的驱动（{exc.name or first}）；支持 sqlite:/// 与 postgresql+psycopg://"
    if isinstance(exc, ArgumentError):
        return f"无法打开数据库 {shown}：不支持的数据库地址（{first}）；支持 sqlite:/// 与 postgresql+psycopg://"
    if isinstance(exc, DatabaseError) and ("malformed" in first or "not a database" in first):
        return f"数据库 {shown} 已损坏（{first}）：请从备份恢复，或用 sqlite3 的 .recover 抢救"
    return f"无法打开数据库 {shown}：{first}"


def sqlite_path(db_url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(db_url)
    except Exception:  # noqa: BLE001 - open_session_factory reports a bad URL
        return None
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def open_existing_db(db_url: str):
    """Open a database a read-only command needs, without creating an empty one."""
    path = sqlite_path(db_url)
    if path is not None and not path.is_file():
        fail(f"没有数据库 {path}：请先运行 nianbao crawl 或 nianbao ingest，或用 --db（环境变量 NIANBAO_DB_URL）指定")
    return open_session_factory(db_url)


def require_agencies(session, agency_ids) -> None:
    """Exit 1 naming every agency id that is not in the database (as crawl does)."""
    from sqlalchemy import select

    from db.models import Agency

    wanted = sorted(set(agency_ids or ()))
    if not wanted:
        return
    known = set(session.scalars(select(Agency.id).where(Agency.id.in_(wanted))))
    unknown = [a for a in wanted if a not in known]
    if unknown:
        fail(f"未知机关代码：{'、'.join(unknown)}（请先同步登记册：--registry FILE）")


def load_registry_or_fail(registry_path: str):
    """The registry, or exit 1 listing every error (line, field, why)."""
    from db.registry import RegistryError, load_registry

    try:
        return load_registry(registry_path)
    except RegistryError as exc:
        click.echo(f"nianbao: {exc}", err=True)
        sys.exit(1)


def load_and_sync_registry(session, registry_path: str):
    from db.registry import sync_registry

    registry = load_registry_or_fail(registry_path)
    return registry, sync_registry(session, registry)


DB_URL_KEY = "nianbao.db_url"  # in click's ctx.meta, shared by the group and its command


def _remember_db(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    ctx.meta[DB_URL_KEY] = value
    return value


def db_option(f):
    return click.option(
        "--db", "db_url", envvar="NIANBAO_DB_URL", default=DEFAULT_DB, show_default=True, callback=_remember_db,
        help="数据库地址 URL（环境变量 NIANBAO_DB_URL）。",
    )(f)


def fail(message: str) -> NoReturn:
    """The one way a command fails: one line on stderr, exit 1."""
    click.echo(f"nianbao: {message}", err=True)
    sys.exit(1)


class OneLineErrors(click.Group):
    """Every command: a broken database or registry ends in one line on stderr, exit 1.

    The commands catch what they expect; what reaches here is a database that fails
    part-way (a partly corrupt SQLite file, a server gone, a missing driver) or a
    registry loaded deep inside a command.  The URL is shown with its password masked.
    """

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import SQLAlchemyError

        from db.registry import RegistryError

        try:
            return super().invoke(ctx)
        except RegistryError as exc:
            fail(str(exc))
        except (SQLAlchemyError, ModuleNotFoundError) as exc:
            if isinstance(exc, ModuleNotFoundError) and not _raised_in_sqlalchemy(exc):
                raise  # a bug, not a database driver missing
            fail(database_error(ctx.meta.get(DB_URL_KEY) or DEFAULT_DB, exc))


def _raised_in_sqlalchemy(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if "sqlalchemy" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return False


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nianbao")
def main() -> None:
    """抓取、解析并检查政府信息公开工作年度报告。"""


def as_of_option(f):
    return click.option("--as-of", "as_of", default=None, help="按此日期（YYYY-MM-DD，北京时间）判断，默认今天。")(f)


def _as_of(value: str | None):
    from datetime import date, datetime

    from db.dates import BEIJING

    if value is None:
        return datetime.now(BEIJING).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of {value!r} 不是日期（应为 YYYY-MM-DD）")


FORMATS_BY_SUFFIX = {".csv": "csv", ".xlsx": "xlsx", ".html": "html", ".htm": "html", ".json": "json"}


def output_format(fmt: str | None, output: str | None, default: str = "json") -> str:
    """The format: --format, else the suffix of -o, else ``default``; a mismatch is an error."""
    suffix = Path(output).suffix.lower() if output else ""
    inferred = FORMATS_BY_SUFFIX.get(suffix)
    if fmt and inferred and fmt != inferred:
        fail(f"--format {fmt} 与输出文件 {output} 的扩展名不符")
    if fmt:
        return fmt
    if output and not inferred:
        fail(f"无法从 {output} 的扩展名判断格式：请用 .csv/.xlsx/.html/.json，或给出 --format")
    return inferred or default


def scope_options(f):
    """--region/--parent/--kind filters (repeatable), shared by audit and notice."""
    f = click.option("--kind", "kinds", multiple=True, type=click.Choice(["department", "government", "township"]),
                     help="只看这类机关：department 部门、government 政府、township 乡镇（街道）（可重复）。")(f)
    f = click.option("--parent", "parents", multiple=True, help="只看此上级政府（填其机关代码）所属的机关（可重复）。")(f)
    return click.option("--region", "regions", multiple=True,
                        help="只看行政区划代码以此开头的机关（可重复）。")(f)


def filter_rows(rows, regions=(), parents=(), kinds=()):
    out = []
    for r in rows:
        if regions and not any((r.get("region") or "").startswith(x) for x in regions):
            continue
        if parents and r.get("parent") not in parents and r.get("agency") not in parents:
            continue
        if kinds and r.get("kind") not in kinds:
            continue
        out.append(r)
    return out


def audit_list(db_url: str, years: list[int], day, replay: bool, regions=(), parents=(), kinds=()):
    """The audit rows (with their 内容问题 from the open findings) for the years and scope."""
    from monitor import audit as audit_mod
    from monitor.check import finding_json, run_check
    from monitor.exports.words import with_content

    factory = open_existing_db(db_url)
    with factory() as session:
        require_agencies(session, parents)
        found, results = run_check(session, day, years, replay=replay)
        session.commit()
        findings = [finding_json(f) for f in found]
    rows = with_content(audit_mod.audit_rows(results), findings)
    return filter_rows(rows, regions, parents, kinds)


def scope_words(regions=(), parents=(), kinds=()) -> str:
    from monitor.exports.labels import KIND_LABELS, region_label

    parts = ["、".join(region_label(r) for r in regions) if regions else "",
             ("上级政府" + "、".join(parents)) if parents else "",
             "、".join(KIND_LABELS.get(k, k) for k in kinds) if kinds else ""]
    return "，".join(p for p in parts if p) or "全部机关"


def config_option(f):
    return click.option("--config", "config_path", default=None,
                        help="配置文件（默认当前目录下的 nianbao.toml）。")(f)


def _config(path: str | None):
    from crawler.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as exc:
        fail(str(exc))
