"""main.py is a module, so import-linter cannot check it: its one rule is checked here."""

from __future__ import annotations

import ast
from pathlib import Path

MAIN = Path(__file__).resolve().parent.parent / "main.py"


def top_level_imports(source: str) -> set[str]:
    """Top-level package names imported anywhere in the source (absolute imports only)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_top_level_imports_sees_nested_and_from_imports():
    source = "import os.path\ndef f():\n    from kubernetes.utils import parse_quantity\n"
    assert top_level_imports(source) == {"os", "kubernetes"}


def test_main_does_not_import_kubernetes():
    """The official client lives in k8s/ only; main.py reaches the cluster through the core."""
    assert "kubernetes" not in top_level_imports(MAIN.read_text())
