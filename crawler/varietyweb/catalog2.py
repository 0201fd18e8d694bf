"""The variety web's sites and agencies, part 2 (platforms added after the first version)."""

from __future__ import annotations

from crawler.varietyweb.world import World


def build_part2(w: World) -> None:
    return None
