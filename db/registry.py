"""The agency registry (YAML, spec/interfaces.md): validation with line numbers, and sync.

A registry with errors is rejected as a whole, every error listed as ``line N: field: why``,
so an auditor fixes the file in one pass.  Syncing upserts the agencies and marks the ones
that left the registry inactive (their history stays).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Agency, Setting, utcnow

KINDS = ("department", "government", "township")
STATUSES = ("active", "vanished")
# the statute (条例 第四十九条; 乡镇 take the 政府 date): the registry's defaults and monitor.deadlines.STATUTE
DEFAULT_DEADLINES = {"department": "01-31", "government": "03-31", "township": "03-31"}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
_MMDD_RE = re.compile(r"^(\d{2})-(\d{2})$")
_REGION_RE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")
_HOST_RE = re.compile(r"^[a-z0-9.-]+(?::\d+)?$", re.I)


@dataclass(frozen=True, slots=True)
class AgencySpec:
    id: str
    name: str
    kind: str
    site: str
    region: str | None = None
    parent: str | None = None
    start_urls: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    deadline: str | None = None
    since: int | None = None  # first report year the monitor expects (default: 2019)
    status: str = "active"  # active | vanished (left the office's roster; kept, not crawled)
    attachment_hosts: tuple[str, ...] = ()  # hosts besides its own its attachments may come from


@dataclass(slots=True)
class Registry:
    agencies: list[AgencySpec]
    deadlines: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_DEADLINES))
    # region code prefix -> kind -> MM-DD (e.g. a county's rule for its townships)
    regions: dict[str, dict[str, str]] = field(default_factory=dict)
    # host suffixes trusted besides *.gov.cn (NON_GOV_HOST), e.g. a city's own portal domain
    trusted_hosts: list[str] = field(default_factory=list)
    # hosts (and their subdomains) any agency's attachments may come from besides its own
    attachment_hosts: list[str] = field(default_factory=list)

    def get(self, agency_id: str) -> AgencySpec | None:
        return next((a for a in self.agencies if a.id == agency_id), None)


class RegistryError(ValueError):
    """The registry is invalid; ``errors`` holds every problem as (line, field, why)."""

    def __init__(self, source: str, errors: list[tuple[int, str, str]]) -> None:
        self.source = source
        self.errors = errors
        if len(errors) == 1:  # one problem, one line
            ln, fld, why = errors[0]
            super().__init__(f"{source}: line {ln}: {fld}: {why}")
            return
        head = f"{source}: {len(errors)} error(s) in the registry"
        super().__init__(head + "".join(f"\n  line {ln}: {fld}: {why}" for ln, fld, why in errors))


def _valid_mmdd(value: object) -> bool:
    m = _MMDD_RE.match(str(value))
    if not m:
        return False
    try:
        date(2000, int(m.group(1)), int(m.group(2)))  # a leap year accepts 02-29
    except ValueError:
        return False
    return True


def _valid_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _node_map(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}


# Every key the registry knows, per level: anything else is a typo (``default:``,
# ``deadline:`` under defaults) that would silently leave the statute's dates in force.
TOP_KEYS = ("defaults", "agencies")
DEFAULTS_KEYS = ("deadlines", "regions", "trusted_hosts", "attachment_hosts")
AGENCY_KEYS = ("id", "name", "kind", "region", "parent", "site", "start_urls", "hosts", "deadline", "since", "status",
               "attachment_hosts")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _duplicate_keys(node: yaml.Node | None, path: str = "") -> list[tuple[int, str, str]]:
    """Every key given twice in one mapping, at any depth (YAML keeps the last silently)."""
    out: list[tuple[int, str, str]] = []
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for k, v in node.value:
            name = k.value if isinstance(k, yaml.ScalarNode) else "?"
            here = f"{path}.{name}" if path else name
            if name in first:
                out.append((_line(k), here, f"duplicate key (first at line {first[name]})"))
            else:
                first[name] = _line(k)
            out += _duplicate_keys(v, here)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out += _duplicate_keys(item, f"{path}[{i}]")
    return out


def _unknown_keys(node: yaml.Node | None, allowed: tuple[str, ...], path: str) -> list[tuple[int, str, str]]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(_line(k), f"{path}.{k.value}" if path else str(k.value), f"unknown key (one of {', '.join(allowed)})")
            for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value not in allowed]


def _parent_cycles(agencies: list[AgencySpec], item_nodes: list[yaml.Node]) -> list[tuple[int, str, str]]:
    """Agencies whose chain of parents comes back to them (a -> b -> a), each cycle once."""
    by_id = {a.id: a for a in agencies}
    out: list[tuple[int, str, str]] = []
    reported: set[str] = set()
    for i, a in enumerate(agencies):
        chain = [a.id]
        p = a.parent
        while p in by_id and p not in chain:
            chain.append(p)
            p = by_id[p].parent
        if p == a.id and a.id not in reported:
            reported.update(chain)
            fields = _node_map(item_nodes[i]) if i < len(item_nodes) else {}
            ln = _line(fields["parent"][1]) if "parent" in fields else (_line(item_nodes[i]) if i < len(item_nodes) else 0)
            out.append((ln, f"agencies[{i}].parent", f"上级机关形成循环：{' -> '.join([*chain, a.id])}"))
    return out


def parse_registry(text: str, source: str = "registry") -> Registry:
    """Validate registry YAML; raises :class:`RegistryError` listing every error."""
    errors: list[tuple[int, str, str]] = []
    try:
        root_node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise RegistryError(source, [(line, "(yaml)", str(getattr(exc, "problem", exc)))]) from exc
    if not isinstance(data, dict) or root_node is None:
        raise RegistryError(source, [(1, "(top)", "must be a mapping with an 'agencies' list")])
    top = _node_map(root_node)
    errors += _duplicate_keys(root_node)
    errors += _unknown_keys(root_node, TOP_KEYS, "")
    deadlines = dict(DEFAULT_DEADLINES)
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        errors.append((_line(top["defaults"][1]), "defaults", "must be a mapping (deadlines, regions, trusted_hosts)"))
        defaults = {}
    elif "defaults" in top:
        errors += _unknown_keys(top["defaults"][1], DEFAULTS_KEYS, "defaults")
    if "defaults" in top:
        dl = (defaults or {}).get("deadlines") or {}
        line = top["defaults"][1].start_mark.line + 1
        if not isinstance(dl, dict):
            errors.append((line, "defaults.deadlines", "must be a mapping kind -> MM-DD"))
        else:
            for kind, value in dl.items():
                if kind not in KINDS:
                    errors.append((line, f"defaults.deadlines.{kind}", f"unknown kind (one of {', '.join(KINDS)})"))
                elif not _valid_mmdd(value):
                    errors.append((line, f"defaults.deadlines.{kind}", f"{value!r} is not a MM-DD date"))
                else:
                    deadlines[kind] = str(value)
    regions: dict[str, dict[str, str]] = {}
    reg = (defaults or {}).get("regions") if isinstance(defaults, dict) else None
    if reg is not None:
        line = top["defaults"][1].start_mark.line + 1
        if not isinstance(reg, dict):
            errors.append((line, "defaults.regions", "must map a region code (prefix) to {kind: MM-DD}"))
        else:
            for code, rules in reg.items():
                if not re.match(r"^\d{2,12}$", str(code)) or not isinstance(rules, dict):
                    errors.append((line, f"defaults.regions.{code}", "must be a region code (2-12 digits) -> {kind: MM-DD}"))
                    continue
                for kind, value in rules.items():
                    if kind not in KINDS or not _valid_mmdd(value):
                        errors.append((line, f"defaults.regions.{code}.{kind}", f"needs a kind and a MM-DD date, got {value!r}"))
                regions[str(code)] = {k: str(v) for k, v in rules.items()}
    trusted: list[str] = []
    th = (defaults or {}).get("trusted_hosts") if isinstance(defaults, dict) else None
    if th is not None:
        line = top["defaults"][1].start_mark.line + 1
        if not isinstance(th, list) or not all(isinstance(h, str) and _HOST_RE.match(h.strip(".")) for h in th):
            errors.append((line, "defaults.trusted_hosts", "must be a list of host names or suffixes"))
        else:
            trusted = [h.strip(".").lower() for h in th]
    attachment_hosts: list[str] = []
    ah = (defaults or {}).get("attachment_hosts") if isinstance(defaults, dict) else None
    if ah is not None:
        line = top["defaults"][1].start_mark.line + 1
        if not _host_list(ah):
            errors.append((line, "defaults.attachment_hosts", "must be a list of host names"))
        else:
            attachment_hosts = [h.lower() for h in ah]
    items = data.get("agencies")
    if not isinstance(items, list) or "agencies" not in top:
        errors.append((1, "agencies", "missing or not a list"))
        raise RegistryError(source, errors)
    item_nodes = top["agencies"][1].value
    agencies: list[AgencySpec] = []
    seen: dict[str, int] = {}
    for i, (item, node) in enumerate(zip(items, item_nodes, strict=True)):
        line = node.start_mark.line + 1
        fields = _node_map(node)

        def err(name: str, why: str, _line: int = line, _i: int = i,
                _fields: dict[str, tuple[yaml.Node, yaml.Node]] = fields) -> None:
            ln = _fields[name][1].start_mark.line + 1 if name in _fields else _line
            errors.append((ln, f"agencies[{_i}].{name}", why))

        if not isinstance(item, dict):
            errors.append((line, f"agencies[{i}]", "must be a mapping"))
            continue
        unknown = set(item) - set(AGENCY_KEYS)
        for name in sorted(unknown, key=str):
            err(name, f"unknown field (one of {', '.join(AGENCY_KEYS)})")
        aid = item.get("id")
        if not isinstance(aid, str) or not _ID_RE.match(aid):
            err("id", "required: a lowercase ASCII id (a-z, 0-9, _ . -)")
        elif aid in seen:
            err("id", f"duplicate id (first at line {seen[aid]})")
        else:
            seen[aid] = line
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            err("name", "required")
        if item.get("kind") not in KINDS:
            err("kind", f"must be one of {', '.join(KINDS)}")
        region = item.get("region")
        if region is not None and not _REGION_RE.match(str(region)):
            err("region", "须为6位（县级及以上）、9位（乡镇/街道）或12位行政区划代码，并加引号")
        if not _valid_url(item.get("site")):
            err("site", "required: an http(s) URL")
        starts = item.get("start_urls") or []
        if not isinstance(starts, list) or not all(_valid_url(u) for u in starts):
            err("start_urls", "must be a list of http(s) URLs")
            starts = []
        hosts = item.get("hosts") or []
        if not isinstance(hosts, list) or not all(isinstance(h, str) and _HOST_RE.match(h) for h in hosts):
            err("hosts", "must be a list of host names")
            hosts = []
        own_attachment_hosts = item.get("attachment_hosts") or []
        if not _host_list(own_attachment_hosts):
            err("attachment_hosts", "must be a list of host names")
            own_attachment_hosts = []
        deadline = item.get("deadline")
        if deadline is not None and not _valid_mmdd(deadline):
            err("deadline", f"{deadline!r} is not a MM-DD date")
        since = item.get("since")
        if since is not None and not (isinstance(since, int) and 2007 <= since <= 2100):
            err("since", "must be a report year (e.g. 2019)")
            since = None
        status = item.get("status", "active")
        if status not in STATUSES:
            err("status", f"must be one of {', '.join(STATUSES)}")
        if isinstance(aid, str):
            site = s if isinstance(s := item.get("site"), str) else ""
            site_host = urlsplit(site).hostname or ""
            agencies.append(AgencySpec(
                id=aid, name=str(item.get("name", "")).strip(), kind=str(item.get("kind")), site=site,
                region=str(region) if region is not None else None,
                parent=str(item["parent"]) if item.get("parent") is not None else None,
                start_urls=tuple(starts), hosts=tuple(dict.fromkeys([*(h.lower() for h in hosts), site_host] if site_host else hosts)),
                deadline=str(deadline) if deadline is not None else None, since=since,
                status=status if status in STATUSES else "active",
                attachment_hosts=tuple(h.lower() for h in own_attachment_hosts),
            ))
    by_id = {a.id: a for a in agencies}
    for i, (a, node) in enumerate(zip(agencies, item_nodes, strict=False)):
        fields = _node_map(node)
        if a.parent and a.parent not in by_id:
            ln = fields["parent"][1].start_mark.line + 1 if "parent" in fields else node.start_mark.line + 1
            errors.append((ln, f"agencies[{i}].parent", f"unknown agency id {a.parent!r}"))
        parent = by_id.get(a.parent or "")
        if parent and a.region and parent.region and _REGION_RE.match(a.region) and _REGION_RE.match(parent.region):
            prefix = region_prefix(parent.region)
            if not a.region.startswith(prefix):
                ln = fields["region"][1].start_mark.line + 1 if "region" in fields else node.start_mark.line + 1
                errors.append((ln, f"agencies[{i}].region",
                               f"区划代码{a.region}不在上级机关{parent.id}（区划代码{parent.region}）的辖区内："
                               f"应以{prefix}开头（{a.region}与{parent.region}其中之一有误）"))
    errors += _parent_cycles(agencies, item_nodes)
    if errors:
        raise RegistryError(source, sorted(errors))
    return Registry(agencies, deadlines, regions, trusted, attachment_hosts)


def _host_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(h, str) and _HOST_RE.match(h) for h in value)


def region_prefix(code: str) -> str:
    """The significant part of a 行政区划代码: ``321300`` (a city) -> ``3213``; ``321322104000`` -> ``321322104``."""
    c = code
    if len(c) == 12 and c.endswith("000"):
        c = c[:9]
    if len(c) == 9 and c.endswith("000"):
        c = c[:6]
    if len(c) == 6:
        while len(c) > 2 and c.endswith("00"):
            c = c[:-2]
    return c


def load_registry(path: str | Path) -> Registry:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(str(p), [(0, "(file)", f"cannot read: {exc}")]) from exc
    return parse_registry(text, str(p))


def sync_registry(session: Session, registry: Registry) -> dict[str, int]:
    """Upsert the registry's agencies; agencies no longer listed become inactive."""
    existing = {a.id: a for a in session.scalars(select(Agency))}
    counts = {"added": 0, "updated": 0, "deactivated": 0}
    for spec in registry.agencies:
        deadline = spec.deadline
        row = existing.pop(spec.id, None)
        values = dict(name=spec.name, kind=spec.kind, region=spec.region, parent_id=spec.parent, site=spec.site,
                      start_urls=list(spec.start_urls), hosts=list(spec.hosts), deadline=deadline, active=spec.status == "active",
                      since=spec.since)
        if row is None:
            session.add(Agency(id=spec.id, updated_at=utcnow(), **values))
            counts["added"] += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.updated_at = utcnow()
            counts["updated"] += 1
    for row in existing.values():
        if row.active:
            row.active = False
            counts["deactivated"] += 1
    for key, value in (("deadlines", {"kinds": registry.deadlines, "regions": registry.regions}),
                       ("trusted_hosts", {"suffixes": registry.trusted_hosts}),
                       ("attachment_hosts", {"defaults": registry.attachment_hosts,
                                             "agencies": {a.id: list(a.attachment_hosts) for a in registry.agencies
                                                          if a.attachment_hosts}})):
        setting = session.get(Setting, key)
        if setting is None:
            session.add(Setting(key=key, value=value))
        else:
            setting.value = value
    session.flush()
    return counts
