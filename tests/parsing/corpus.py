"""Every fixture with known truth, as (name, path, truth reference): the real samples, the
seeds, the format fixtures and the hard inputs.  Used by the zero-wrong-values test and by
``make bench`` for the accuracy figure."""

from __future__ import annotations

import json
from pathlib import Path

from tests.parsing.scoring import FIXTURES

SLOW = {"xinzhou-2020-scan.pdf", "hongze-2023-tables.png", "huaian-2024.doc", "huaian-2024.wps"}


def corpus(include_slow: bool = True) -> list[tuple[str, Path, str]]:
    out: list[tuple[str, Path, str]] = []
    for folder in sorted((FIXTURES / "real").iterdir()):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        out.append((f"real/{folder.name}", folder / meta["source_file"], f"real/{folder.name}/truth.json"))
    for seed in sorted((FIXTURES / "seeds").glob("*.txt")):
        out.append((f"seeds/{seed.name}", seed, f"seeds/{seed.stem}.expected.json"))
    for exp in sorted((FIXTURES / "formats").glob("*.expected.json")):
        name = exp.name[: -len(".expected.json")]
        if include_slow or name not in SLOW:
            out.append((f"formats/{name}", FIXTURES / "formats" / name, f"formats/{exp.name}"))
    for exp in sorted((FIXTURES / "hard").glob("*.expected.json")):
        name = exp.name[: -len(".expected.json")]
        ref = json.loads(exp.read_text(encoding="utf-8"))["truth"]
        out.append((f"hard/{name}", FIXTURES / "hard" / name, ref))
    return out
