"""The layer contract, read from the source: storage <- domain <- formats <- cli/tui.

Every ``import`` in qualcode/ is read with :mod:`ast` (module level, inside functions and under
``TYPE_CHECKING`` alike, since a lazy import is still a dependency), and each module is placed in
a layer by its path. A module may import its own layer and the layers below it, never above;
the domain imports no UI library; the TUI reaches the database only through domain modules
(``qualcode.workbench`` and ``qualcode.views`` are its gateway), so no screen or widget runs SQL.
docs/architecture.md describes the same layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qualcode"

# Lower number = lower layer. ``qualcode`` itself (the public API's lazy facade) and
# ``qualcode.errors`` (the one-line user errors every layer raises) sit at the bottom.
LAYERS = {"storage": 0, "domain": 1, "formats": 2, "app": 3, "ui": 4, "entry": 5}
STORAGE = {"qualcode", "qualcode.errors", "qualcode.db", "qualcode.models", "qualcode.migrate"}
# The SQLite file's checks and pragmas without SQLAlchemy (qualcode.db builds on them), and the
# schema compiled ahead that `init` replays.
STORAGE |= {"qualcode.project_file", "qualcode.schema_script"}
# Pure leaves (no import of ours) that any layer may use: making CSV cells inert is undone when a
# participants CSV is read back (domain) and done when any table is written (formats); the one
# rule for names (qualcode.names) is stored by the models and used by every lookup and sort.
LEAVES = {"qualcode.formats.inert", "qualcode.names"}
# A codebook as plain data (and the code statuses the models' constraint lists).
LEAVES |= {"qualcode.codebook_data"}
# A new row's GUID and time: the models' column defaults and the light path of `code` share them.
LEAVES |= {"qualcode.row_defaults"}
# Builds a whole project from shipped files (formats), below the commands that call it.
APP = {"qualcode.demo"}
# ``python -m qualcode`` starts the CLI; the console script and its warm worker belong to the CLI.
ENTRY = {"qualcode.__main__"}
CLI_PROCESS = {"qualcode.launcher", "qualcode.worker"}
UI_LIBRARIES = ("textual", "typer", "click", "rich")
# The TUI may name SQLAlchemy's exception types (to explain a refused write), nothing else of it.
TUI_ALLOWED_SQLALCHEMY = ("sqlalchemy.exc",)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    if module in ENTRY:
        return "entry"
    if module in STORAGE or module in LEAVES:
        return "storage"
    if module in APP:
        return "app"
    if module.startswith(("qualcode.cli", "qualcode.tui")) or module in CLI_PROCESS:
        return "ui"
    if module.startswith("qualcode.formats"):
        return "formats"
    return "domain"


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import statement; ``from a import b`` gives ``a.b``
    when ``a.b`` is a module of ours, so that a package's submodules are placed correctly."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                ours = sub.startswith("qualcode") and (
                    (ROOT / Path(*sub.split("."))).with_suffix(".py").exists()
                    or (ROOT / Path(*sub.split(".")) / "__init__.py").exists()
                )
                found.append((node.lineno, sub if ours else node.module))
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def violations(check) -> list[str]:
    out = []
    for module, path in MODULES.items():
        for line, target in imports(path):
            problem = check(module, target)
            if problem:
                out.append(f"{path.relative_to(ROOT)}:{line}: {module} imports {target}: {problem}")
    return out


def test_leaves_import_nothing_of_ours():
    for leaf in LEAVES:
        assert not [t for _line, t in imports(MODULES[leaf]) if t.startswith("qualcode")], leaf


def test_every_module_is_placed_in_a_layer():
    assert set(map(layer_of, MODULES)) == set(LAYERS)
    assert layer_of("qualcode.formats.refi.importer") == "formats"
    assert layer_of("qualcode.tui.screens.reports") == "ui"
    assert layer_of("qualcode.workbench") == "domain"


def test_no_module_imports_a_layer_above_its_own():
    def check(module: str, target: str) -> str | None:
        if not target.startswith("qualcode") or module == "qualcode":
            return None
        mine, theirs = layer_of(module), layer_of(target)
        if LAYERS[theirs] > LAYERS[mine]:
            return f"{mine} may not depend on {theirs}"
        return None

    assert violations(check) == []


@pytest.mark.parametrize("library", UI_LIBRARIES)
def test_storage_domain_and_formats_import_no_ui_library(library):
    def check(module: str, target: str) -> str | None:
        is_ui = target == library or target.startswith(library + ".")
        # formats.tables renders the `table` format with rich: an output format, not a UI.
        if is_ui and layer_of(module) in ("storage", "domain"):
            return "the domain must run without a UI"
        if is_ui and layer_of(module) == "formats" and library != "rich":
            return "a format must run without a UI"
        return None

    assert violations(check) == []


def test_the_tui_reaches_the_database_only_through_the_domain():
    def check(module: str, target: str) -> str | None:
        if not module.startswith("qualcode.tui"):
            return None
        if target.startswith("sqlalchemy") and not target.startswith(TUI_ALLOWED_SQLALCHEMY):
            return "SQL belongs in a domain module (qualcode.views / qualcode.workbench)"
        if target == "qualcode.models" or target.startswith("qualcode.models."):
            return "the TUI gets plain view objects from qualcode.views, not ORM rows"
        return None

    assert violations(check) == []


def test_the_cli_runs_no_sql_of_its_own():
    def check(module: str, target: str) -> str | None:
        if module.startswith("qualcode.cli") and target.startswith("sqlalchemy"):
            return "a command calls a domain function; the SQL lives there"
        return None

    assert violations(check) == []


def test_the_checker_sees_a_violation(tmp_path):
    """The reader itself works: a domain module importing the TUI is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from qualcode.tui import app\n    import sqlalchemy\n")
    assert (2, "qualcode.tui.app") in imports(bad)
    assert LAYERS[layer_of("qualcode.tui.app")] > LAYERS[layer_of("qualcode.coding")]


def test_every_import_of_ours_names_something_that_exists():
    """Lazy imports inside functions run only when a user reaches them: check their targets."""
    import importlib

    missing = []
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module and not node.level):
                continue
            if not node.module.startswith("qualcode"):
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if not hasattr(module, alias.name) and sub not in MODULES:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {sub}")
    assert missing == []
