"""No function in qualcode/ is longer than 60 lines (issue 19).

A long function usually holds several steps that read better as named pieces; the limit keeps
the next one from growing unnoticed. Length is the whole ``def``, decorators excluded, docstring
and body included, as :mod:`ast` reports it (``end_lineno - lineno + 1``); nested functions and
methods are measured on their own and also count towards the function that holds them.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qualcode"
LIMIT = 60

# Functions judged clearer whole, as "module path:qualified name": why. None so far. An entry
# that no longer exceeds the limit fails test_allow_list_holds_only_long_functions, so the list
# cannot go stale.
ALLOWED: dict[str, str] = {}


def _functions(path: Path) -> list[tuple[str, int, int]]:
    """(qualified name, first line, length) of every function and method in ``path``."""
    found: list[tuple[str, int, int]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                found.append((name, child.lineno, length))
                walk(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")
            else:
                walk(child, prefix)

    walk(ast.parse(path.read_text(encoding="utf-8"), str(path)), "")
    return found


def _all_functions() -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        for name, line, length in _functions(path):
            out[f"{where}:{name}"] = (line, length)
    return out


def test_no_function_is_longer_than_the_limit() -> None:
    functions = _all_functions()
    too_long = [
        f"{key} (line {line}): {length} lines"
        for key, (line, length) in sorted(functions.items())
        if length > LIMIT and key not in ALLOWED
    ]
    assert not too_long, f"functions over {LIMIT} lines; split them into named steps:\n" + (
        "\n".join(too_long)
    )


def test_allow_list_holds_only_long_functions() -> None:
    functions = _all_functions()
    stale = [
        f"{key}: no such function (renamed or removed?)"
        if key not in functions
        else f"{key}: now {functions[key][1]} lines, within the limit"
        for key in sorted(ALLOWED)
        if key not in functions or functions[key][1] <= LIMIT
    ]
    assert not stale, "take these off ALLOWED:\n" + "\n".join(stale)


def test_the_measure_sees_a_long_method(tmp_path: Path) -> None:
    """The measure itself: a 61-line method is seen by its qualified name and a 60-line one is
    not over the limit (so the test above cannot pass by measuring nothing)."""
    long_body = "\n".join(f"        x{i} = {i}" for i in range(60))
    short_body = "\n".join(f"        y{i} = {i}" for i in range(59))
    source = (
        f"class Store:\n    def flush(self):\n{long_body}\n\n    def fine(self):\n{short_body}\n"
    )
    path = tmp_path / "sample.py"
    path.write_text(source, encoding="utf-8")
    lengths = {name: length for name, _, length in _functions(path)}
    assert lengths == {"Store.flush": 61, "Store.fine": 60}
    assert [name for name, length in lengths.items() if length > LIMIT] == ["Store.flush"]
