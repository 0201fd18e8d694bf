"""How often an agency is crawled: per-agency and regional settings, then the reporting season.

The service (:mod:`crawler.service`) schedules by it and the dashboard shows the next crawl
with it; it lives on its own so that the dashboard does not import the service (which
starts the dashboard).
"""

from __future__ import annotations

from datetime import datetime

from crawler.config import Config
from db.models import Agency
from monitor.deadlines import BEIJING

SEASON_MONTHS = range(1, 5)  # January to the end of April


def interval_days(agency: Agency, found_last_year: bool, at: datetime, cfg: Config) -> float:
    """Days between crawls of an agency: per-agency and regional settings first, then the
    season (daily from January to April while last year's report is not found)."""
    if agency.id in cfg.cadence_agencies:
        return cfg.cadence_agencies[agency.id]
    for prefix in sorted(cfg.cadence_regions, key=len, reverse=True):
        if (agency.region or "").startswith(prefix):
            return cfg.cadence_regions[prefix]
    in_season = at.astimezone(BEIJING).month in SEASON_MONTHS
    return cfg.season_days if in_season and not found_last_year else cfg.off_season_days
