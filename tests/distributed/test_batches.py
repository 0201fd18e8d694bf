"""Host batches: agencies sharing a host always land in one batch, under one stable lock."""

from __future__ import annotations

import pytest

from crawler.jobs.batches import agency_hosts, bucket_of, host_groups, make_batches


def _a(aid: str, site: str, start_urls: list[str] | None = None, hosts: list[str] | None = None) -> dict:
    return {"id": aid, "site": site, "start_urls": start_urls or [], "hosts": hosts or []}


AGENCIES = [
    _a("county", "http://www.xx.gov.cn/"),
    _a("county-jyj", "http://www.xx.gov.cn/", ["http://www.xx.gov.cn/bm/jyj/ndbg/"]),
    _a("county-kjj", "http://kjj.xx.gov.cn/", hosts=["www.xx.gov.cn"]),  # own site, reports on the portal
    _a("city", "http://www.city.gov.cn/"),
    _a("city-files", "http://www.city2.gov.cn/", ["http://files.city.gov.cn:8080/nb/"]),
    _a("alone", "http://alone.gov.cn/"),
]


@pytest.mark.parametrize(("agency", "hosts"), [
    (AGENCIES[1], {"www.xx.gov.cn"}),
    (AGENCIES[2], {"kjj.xx.gov.cn", "www.xx.gov.cn"}),
    (AGENCIES[4], {"www.city2.gov.cn", "files.city.gov.cn"}),
])
def test_agency_hosts(agency: dict, hosts: set[str]) -> None:
    assert agency_hosts(agency) == hosts


def test_groups_join_agencies_that_share_a_host() -> None:
    groups = {tuple(ids): hosts for hosts, ids in host_groups(AGENCIES)}
    assert groups[("county", "county-jyj", "county-kjj")] == ["kjj.xx.gov.cn", "www.xx.gov.cn"]
    assert ("city",) in groups and ("alone",) in groups and ("city-files",) in groups


@pytest.mark.parametrize("buckets", [1, 2, 3, 7, 256])
def test_a_host_is_in_exactly_one_batch_under_a_stable_lock(buckets: int) -> None:
    batches = make_batches(AGENCIES, buckets)
    seen: dict[str, str] = {}
    for b in batches:
        for h in b.hosts:
            assert h not in seen, f"{h} in two batches"
            seen[h] = b.lock
    assert sorted(a for b in batches for a in b.agencies) == sorted(a["id"] for a in AGENCIES)
    # the same hosts fall into the same bucket whatever else is due
    again = make_batches([AGENCIES[3]], buckets)
    assert again[0].lock == seen["www.city.gov.cn"]
    assert bucket_of("www.xx.gov.cn", buckets) == bucket_of("www.xx.gov.cn", buckets)
