"""The dependency direction of DEVELOPERS.md, checked on the import graph."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "parsing": {"scrapy", "twisted", "sqlalchemy", "alembic", "db", "crawler", "spiders", "monitor"},
    "db": {"scrapy", "twisted", "crawler", "spiders"},
    "spiders": {"db", "sqlalchemy", "monitor"},
    "monitor": {"scrapy", "twisted", "crawler", "spiders"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_the_dependency_direction(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        bad = _imports(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_no_print_outside_the_cli() -> None:
    for package in ("parsing", "db", "spiders", "monitor", "crawler"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "cli.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                    raise AssertionError(f"print() in {path.relative_to(ROOT)}")
