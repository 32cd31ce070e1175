"""The house's size rules, checked: no module over 400 lines and no function over 60 lines in
the core (``barista_ui/``) and the views (``components/``), except where a reason is written
down here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("barista_ui", "components")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
EXCEPTIONS: dict[str, str] = {
    # "path/to/module.py:function": "why it stays long",
}


def sizes(
    root: Path = ROOT, packages: tuple[str, ...] = PACKAGES
) -> tuple[dict[str, int], dict[str, int]]:
    """Lines per module and per function (``path:name``) under the packages."""
    modules: dict[str, int] = {}
    functions: dict[str, int] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8")
            modules[rel] = len(text.splitlines())
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    assert node.end_lineno is not None
                    functions[f"{rel}:{node.name}"] = node.end_lineno - node.lineno + 1
    return modules, functions


def test_no_module_over_400_lines() -> None:
    modules, _ = sizes()
    long = {m: n for m, n in modules.items() if n > MAX_MODULE_LINES and m not in EXCEPTIONS}
    assert not long, f"split these modules (or write the reason in EXCEPTIONS): {long}"


def test_no_function_over_60_lines() -> None:
    _, functions = sizes()
    long = {f: n for f, n in functions.items() if n > MAX_FUNCTION_LINES and f not in EXCEPTIONS}
    assert not long, f"split these functions (or write the reason in EXCEPTIONS): {long}"


def test_the_checker_measures_modules_and_nested_functions(tmp_path: Path) -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(70))
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(f"class C:\n    async def long(self):\n{body}\n")
    modules, functions = sizes(tmp_path, ("pkg",))
    assert modules == {"pkg/m.py": 72}
    assert functions == {"pkg/m.py:long": 71}
