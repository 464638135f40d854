"""No `global` statement outside tests: state lives in objects build_app and build_desk make, so
two apps in one process (`--workers`, the tests) share nothing by accident."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = {"tests", ".venv", ".git", "node_modules"}


def test_no_module_rebinds_its_state_through_global():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted(ROOT.rglob("*.py"))
        if not SKIPPED & set(path.relative_to(ROOT).parts)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Global)
    ]
    assert found == []
