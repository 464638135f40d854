"""The fakes speak the wire as the documentation describes it, never as the client guesses it:
nothing in sandbox/ imports api/, so a wrong name in a client makes a test fail."""

import ast
from pathlib import Path

import sandbox

SANDBOX = Path(sandbox.__file__).parent


def api_imports(source: str) -> list[str]:
    """The modules of `api` (the package or anything under it) that `source` imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [n for n in names if n == "api" or n.startswith("api.")]
    return found


def test_the_rule_sees_every_way_of_importing_the_client():
    source = "import api\nimport api.errors as e\nfrom api.readydesk.wire import WireNames\n"
    source += "from api import desk\nimport apiary\nfrom sandbox import api_like\n"
    assert api_imports(source) == ["api", "api.errors", "api.readydesk.wire", "api"]


def test_nothing_in_sandbox_imports_the_client():
    offenders = {
        str(path.relative_to(SANDBOX)): imported
        for path in sorted(SANDBOX.rglob("*.py"))
        if (imported := api_imports(path.read_text()))
    }
    assert offenders == {}
