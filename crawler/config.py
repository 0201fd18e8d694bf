"""Configuration: ``nianbao.toml`` (or ``--config FILE``), then the environment, then flags.

```toml
[smtp]
url = "smtp+starttls://mail.example.gov.cn:587"   # or NIANBAO_SMTP_URL; user in the URL
from = "nianbao@example.gov.cn"                   # or NIANBAO_MAIL_FROM
# the password only ever comes from NIANBAO_SMTP_PASSWORD
# insecure_login = true   # allow smtp://user@host: the password crosses the network in clear
#                         # (refused otherwise; or NIANBAO_SMTP_INSECURE_LOGIN=1)

[[recipients]]
email = "gkb@city.gov.cn"
name = "市政务公开办"
regions = ["3208"]          # optional scope: region-code prefixes,
parents = ["huaian-szf"]    # parent governments (their departments),
agencies = ["hongze-qzf"]   # or agency ids; no scope = everything

[schedule]
registry = "agencies.yaml"
crawl_timeout_minutes = 180
digest_day = "mon"
digest_time = "08:00"       # Beijing time
outbox_minutes = 10         # how often queued digests are (re)tried

[jobs]                      # the distributed mode (PostgreSQL only; see crawler/jobs)
mode = "auto"               # auto: queue host batches on PostgreSQL, crawl in-process on SQLite
buckets = 256               # host buckets = the most jobs one sweep is cut into
delay = 1.0                 # seconds between requests to one host (every worker)

[cadence]
season_days = 1             # Jan-Apr, while last year's report is not found
off_season_days = 7
[cadence.agencies]
zibo-kjj = 3
[cadence.regions]
"3208" = 2
```
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """The configuration file is unreadable or invalid (one line)."""


@dataclass(slots=True)
class Recipient:
    email: str
    name: str = ""
    regions: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Config:
    smtp_url: str | None = None
    smtp_password: str | None = None
    smtp_insecure_login: bool = False  # [smtp] insecure_login: AUTH without TLS allowed
    mail_from: str = "nianbao@localhost"
    recipients: list[Recipient] = field(default_factory=list)
    registry: str | None = None
    crawl_timeout_minutes: float = 180
    digest_day: str = "mon"
    digest_time: str = "08:00"
    outbox_minutes: float = 10
    season_days: float = 1
    off_season_days: float = 7
    cadence_agencies: dict[str, float] = field(default_factory=dict)
    cadence_regions: dict[str, float] = field(default_factory=dict)
    jobs_mode: str = "auto"  # auto | queue | local
    job_buckets: int = 256
    crawl_delay: float = 1.0
    path: str | None = None


def _flag(env_value: str | None, file_value: object, file: Path) -> bool:
    """A yes/no setting: the environment (1/true/yes, 0/false/no) over the file's boolean."""
    if env_value is not None and env_value.strip():
        return env_value.strip().lower() in ("1", "true", "yes", "on")
    if not isinstance(file_value, bool):
        raise ConfigError(f"configuration {file}: insecure_login must be true or false")
    return file_value


def load_config(path: str | None = None, env: dict[str, str] | None = None) -> Config:
    """Read the file (if any) and apply the environment over it."""
    env = dict(os.environ if env is None else env)
    data: dict[str, Any] = {}
    file = Path(path) if path else Path("nianbao.toml")
    if path or file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read configuration {file}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"configuration {file}: {exc}") from exc
    smtp = data.get("smtp") or {}
    sched = data.get("schedule") or {}
    cad = data.get("cadence") or {}
    jobs = data.get("jobs") or {}
    recipients = []
    for i, r in enumerate(data.get("recipients") or []):
        if not isinstance(r, dict) or "@" not in str(r.get("email", "")):
            raise ConfigError(f"configuration {file}: recipients[{i}] needs an email address")
        recipients.append(Recipient(str(r["email"]), str(r.get("name", "")), [str(x) for x in r.get("regions", [])],
                                    [str(x) for x in r.get("parents", [])], [str(x) for x in r.get("agencies", [])]))
    cfg = Config(
        smtp_url=env.get("NIANBAO_SMTP_URL") or smtp.get("url"),
        smtp_password=env.get("NIANBAO_SMTP_PASSWORD"),
        smtp_insecure_login=_flag(env.get("NIANBAO_SMTP_INSECURE_LOGIN"), smtp.get("insecure_login", False), file),
        mail_from=env.get("NIANBAO_MAIL_FROM") or smtp.get("from") or "nianbao@localhost",
        recipients=recipients,
        registry=env.get("NIANBAO_REGISTRY") or sched.get("registry"),
        crawl_timeout_minutes=float(sched.get("crawl_timeout_minutes", 180)),
        digest_day=str(sched.get("digest_day", "mon")),
        digest_time=str(sched.get("digest_time", "08:00")),
        outbox_minutes=float(sched.get("outbox_minutes", 10)),
        season_days=float(cad.get("season_days", 1)),
        off_season_days=float(cad.get("off_season_days", 7)),
        cadence_agencies={str(k): float(v) for k, v in (cad.get("agencies") or {}).items()},
        cadence_regions={str(k): float(v) for k, v in (cad.get("regions") or {}).items()},
        jobs_mode=str(jobs.get("mode", "auto")),
        job_buckets=int(jobs.get("buckets", 256)),
        crawl_delay=float(jobs.get("delay", 1.0)),
        path=str(file) if data else None,
    )
    if cfg.jobs_mode not in ("auto", "queue", "local"):
        raise ConfigError(f"configuration {file}: jobs.mode must be auto, queue or local")
    if "password" in smtp:
        raise ConfigError(f"configuration {file}: put the SMTP password in NIANBAO_SMTP_PASSWORD, not in the file")
    return cfg
