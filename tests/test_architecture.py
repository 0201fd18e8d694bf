"""The house's dependency direction, checked on the import graph of our own modules.

Layers, bottom to top; a package imports only the packages named on its line (every
``import``, the lazy ones inside functions as much as those at the top of a module):

    parsing    -> nothing of ours            pure: bytes of a report in, tables out
    db         -> parsing                    SQLAlchemy models, store, registry; no Scrapy
    spiders    -> parsing                    Scrapy spiders and platform adapters; no db
    monitor    -> parsing, db                compliance judged from the database; no Scrapy
    crawler    -> parsing, db, spiders,      Scrapy plumbing and the application shell
                  monitor                    (CLI, service, dashboard, jobs, mail)
    sampleweb  -> the product                the sample government web (tests, demo, bench)
    varietyweb -> the product, sampleweb     the variety web the crawler is measured on

``db`` and ``spiders`` are siblings: neither imports the other.  The test webs sit above
the product and are not in the wheel; the product never imports them, ``tests`` or
``bench``, with one documented exception: ``nianbao demo`` (``crawler/cli.py``) imports
``sampleweb.demo`` lazily and says in one line what to do when it is absent.

No two modules of ours import each other, directly or around a circle.  Importing
``a.b.c`` counts as importing the module ``a.b.c`` (not the package ``a.b``).
"""

from __future__ import annotations

import ast
import functools
import graphlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("parsing", "db", "spiders", "monitor", "crawler")
TEST_WEBS = ("sampleweb", "varietyweb")
OURS = (*PRODUCT, *TEST_WEBS, "tests", "bench")
ALLOWED = {
    "parsing": set(),
    "db": {"parsing"},
    "spiders": {"parsing"},
    "monitor": {"parsing", "db"},
    "crawler": {"parsing", "db", "spiders", "monitor"},
    "sampleweb": set(PRODUCT),
    "varietyweb": {*PRODUCT, "sampleweb"},
}
# subpackages that say in their docstring what they may import (a prefix matches a
# package and everything in it)
SUBPACKAGE_ALLOWED = {
    "crawler.dashboard": ("db", "monitor", "parsing", "crawler.config", "crawler.cadence"),
    "crawler.jobs": ("db", "crawler.run", "crawler.settings", "crawler.pipelines", "parsing.pool", "spiders.reports"),
    "spiders.adapters": ("parsing", "spiders"),
    "monitor.exports": ("monitor", "db", "parsing"),
    "varietyweb.platforms": ("varietyweb",),
}
# the one import of a test web from the product: `nianbao demo` runs the sample web
DEMO_EXCEPTION = ("crawler.cli", "sampleweb.demo")
FORBIDDEN_LIBRARIES = {
    "parsing": {"scrapy", "twisted", "sqlalchemy", "alembic"},
    "db": {"scrapy", "twisted"},
    "spiders": {"sqlalchemy", "alembic"},
    "monitor": {"scrapy", "twisted"},
}


def _modules() -> dict[str, Path]:
    """Every module of ours by dotted name (a package by its name, for its ``__init__``)."""
    found: dict[str, Path] = {}
    for package in OURS:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _ours(name: str) -> str | None:
    """The module of ours that ``import name`` loads (``a.b.func`` -> ``a.b``), or None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


@functools.cache
def _imports(module: str) -> list[tuple[str, ast.stmt]]:
    """(imported module of ours, the import statement) for every import in ``module``."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[tuple[str, ast.stmt]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            target = _ours(name)
            if target and target != module:
                out.append((target, node))
    return out


def _libraries(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _graph() -> dict[str, set[str]]:
    return {m: {t for t, _ in _imports(m)} for m in MODULES}


def _top(module: str) -> str:
    return module.split(".")[0]


def test_no_import_cycle_between_our_modules() -> None:
    try:
        graphlib.TopologicalSorter(_graph()).prepare()
    except graphlib.CycleError as exc:
        raise AssertionError(f"import circle: {' -> '.join(exc.args[1])}") from None


def test_the_cycle_check_sees_lazy_imports() -> None:
    """The dashboard's next-crawl date is computed by ``crawler.cadence``, imported inside a
    function; the checker counts such an import (else the circle dashboard -> service ->
    dashboard that was once there would have gone unseen)."""
    assert "crawler.cadence" in _graph()["crawler.dashboard.queries"]
    assert "crawler.dashboard" in _graph()["crawler.service"]  # lazy, in serve()
    assert "crawler.service" not in _graph()["crawler.dashboard.queries"]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_nothing_imports_upward(package: str) -> None:
    bad = []
    for module in MODULES:
        if _top(module) != package:
            continue
        for target, node in _imports(module):
            top = _top(target)
            if top != package and top not in ALLOWED[package] and (module, target) != DEMO_EXCEPTION:
                bad.append(f"{MODULES[module].relative_to(ROOT)}:{node.lineno} imports {target}")
    assert not bad, "\n".join(bad)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize("subpackage", sorted(SUBPACKAGE_ALLOWED))
def test_subpackages_import_what_their_docstring_says(subpackage: str) -> None:
    allowed = (subpackage, *SUBPACKAGE_ALLOWED[subpackage])
    bad = [f"{m} imports {t}" for m in MODULES if _within(m, subpackage)
           for t, _ in _imports(m) if not any(_within(t, a) for a in allowed)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("package", sorted(FORBIDDEN_LIBRARIES))
def test_package_imports_respect_the_library_direction(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        bad = _libraries(path) & FORBIDDEN_LIBRARIES[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_demo_is_the_one_product_import_of_a_test_web_and_it_is_lazy() -> None:
    edges = [(m, t, node) for m in MODULES if _top(m) in PRODUCT
             for t, node in _imports(m) if _top(t) not in PRODUCT]
    assert [(m, t) for m, t, _ in edges] == [DEMO_EXCEPTION]
    (_, _, node), = edges
    tree = ast.parse(MODULES["crawler.cli"].read_text(encoding="utf-8"))
    guarded = [t for t in ast.walk(tree) if isinstance(t, ast.Try)
               and any(getattr(n, "lineno", None) == node.lineno for n in t.body)
               and any(isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in t.handlers)]
    inside_function = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
                       and f.lineno < node.lineno <= (f.end_lineno or 0)]
    assert guarded and inside_function, "the demo import must be lazy and say what to do when sampleweb is absent"


def test_every_package_says_what_it_is_for_and_what_it_may_import() -> None:
    for init in sorted(p for package in (*PRODUCT, *TEST_WEBS) for p in (ROOT / package).rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc and len(doc.split("\n\n")) >= 2, init.relative_to(ROOT)


def test_the_demo_without_the_sample_web_says_what_to_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """From an installed wheel (no sampleweb) ``nianbao demo`` fails with one Chinese line."""
    from click.testing import CliRunner

    from crawler.cli import main

    monkeypatch.setitem(sys.modules, "sampleweb.demo", None)  # what a wheel install sees
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "make demo" in lines[0] and "样例网站" in lines[0]
    assert not (tmp_path / "out").exists()


def test_the_cli_modules_do_not_import_each_other() -> None:
    """``cli.py`` imports the command modules to register them; the shared options live in
    ``cli_common``, so no command module imports ``cli.py`` back."""
    graph = _graph()
    assert "crawler.cli" not in graph["crawler.cli_service"]
    for module in MODULES:
        if module.startswith("crawler.cli_"):
            assert "crawler.cli" not in graph[module], module


def test_spiders_do_not_import_the_crawler() -> None:
    assert not [(m, t) for m, ts in _graph().items() if _top(m) == "spiders" for t in ts if _top(t) == "crawler"]


def test_the_sample_web_is_importable_from_the_source_tree() -> None:
    import sampleweb.demo
    import varietyweb

    assert callable(sampleweb.demo.run_demo) and callable(varietyweb.VarietyServer)


def test_the_wheel_holds_the_product_and_not_the_test_webs(tmp_path: Path) -> None:
    """Build the wheel from a copy of the source tree (offline: the build backend is a dev
    dependency) and look inside."""
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".bench", "artifacts",
        "test-artefacts", "demo-output", "nianbao-files"))
    out = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-q", "-w", str(out), str(src)], check=True, capture_output=True, timeout=600)
    (wheel,) = out.glob("nianbao-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert tops == set(PRODUCT)
    assert "crawler/cli.py" in names and "spiders/items.py" in names
    assert any(n.startswith("crawler/dashboard/templates/") for n in names)
    assert not [n for n in names if n.startswith((*TEST_WEBS, "tests", "bench")) or "/demo.py" in n]


def test_no_print_outside_the_cli() -> None:
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "cli.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                    raise AssertionError(f"print() in {path.relative_to(ROOT)}")


def test_lint_runs_the_type_checker_and_ci_runs_lint() -> None:
    """`make lint` runs ruff and mypy, `.ci/run` runs `make lint`, and mypy reports a
    `# type: ignore` that is not needed (so none stays as noise)."""
    import tomllib

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check" in lint and "mypy" in lint
    assert "make lint" in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert mypy["warn_unused_ignores"] is True and set(PRODUCT) <= set(mypy["files"])


def test_no_type_ignore_where_no_type_checker_runs() -> None:
    """tests/ and bench/ are not type-checked, so a `# type: ignore` there would be noise."""
    import io
    import tokenize

    noisy = []
    for path in (p for d in ("tests", "bench") for p in (ROOT / d).rglob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        noisy += [f"{path.relative_to(ROOT)}:{t.start[0]}" for t in tokens
                  if t.type == tokenize.COMMENT and t.string.replace(" ", "").startswith("#type:ignore")]
    assert not noisy, noisy
