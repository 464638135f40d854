"""The layering shared/DESIGN.md describes, read from the source: listener modules do not import
each other, workers/ do not import handlers/, Desk is the one door to the backends, and the
ground floors (store/, and telemetry/ beside it, which the others record metrics in) import
nothing of ours."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS_MAY_IMPORT = {"handlers.config", "handlers.ids"}
OURS = {"api", "bot", "cards", "handlers", "sandbox", "store", "telemetry", "workers"}


def _imported(path: Path) -> set[str]:
    """Every module `path` imports, as dotted names (`from handlers import ids` -> handlers.ids)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "handlers":  # `from handlers import ids`: the module is ids
                names.update(f"handlers.{alias.name}" for alias in node.names)
    return names


def _listener_modules() -> set[str]:
    """handlers/ modules that register listeners (the wiring module aside)."""
    return {
        p.stem
        for p in (ROOT / "handlers").glob("*.py")
        if p.stem != "registry" and re.search(r"^def register\(", p.read_text(), re.M)
    }


def test_no_listener_module_imports_another_listener_module():
    listeners = _listener_modules()
    assert {"tickets", "customers", "jobs", "help", "card_buttons"} <= listeners
    edges = {
        (path.stem, name.split(".")[1])
        for path in (ROOT / "handlers").glob("*.py")
        if path.stem != "registry"
        for name in _imported(path)
        if name.startswith("handlers.") and name.split(".")[1] in listeners
    }
    assert {(a, b) for a, b in edges if a != b} == set()


def test_workers_import_desk_cards_and_store_not_handlers():
    for path in (ROOT / "workers").glob("*.py"):
        reached = {n for n in _imported(path) if n.startswith("handlers")}
        assert reached <= WORKERS_MAY_IMPORT, path.name


def test_handlers_and_workers_reach_the_backends_only_through_desk():
    pattern = re.compile(r"\bdesk\.(readydesk|kickserv|directory)\b")
    offenders = [
        f"{path.parent.name}/{path.name}"
        for folder in ("handlers", "workers")
        for path in (ROOT / folder).glob("*.py")
        if pattern.search(path.read_text())
    ]
    assert offenders == []


def test_handlers_reach_workers_only_for_the_live_card_machinery():
    reached = {
        name
        for path in (ROOT / "handlers").glob("*.py")
        for name in _imported(path)
        if name.startswith("workers")
    }
    assert reached <= {"workers.live"}


def test_store_and_telemetry_import_nothing_of_ours():
    for package in ("store", "telemetry"):
        for path in (ROOT / package).rglob("*.py"):
            reached = {name.split(".")[0] for name in _imported(path)} & OURS
            assert reached <= {package}, path.relative_to(ROOT)


def test_metric_names_are_deskhands():
    from prometheus_client import REGISTRY

    import telemetry.metrics  # noqa: F401  (defines them)

    ours = [m.name for m in REGISTRY.collect() if not m.name.startswith(("process_", "python_"))]
    assert ours and all(name.startswith("deskhand_") for name in ours)


def test_ops_drives_the_image_from_outside_and_the_app_never_imports_it():
    for path in (ROOT / "ops").glob("*.py"):
        reached = {n.split(".")[0] for n in _imported(path)} & (OURS | {"ops"})
        assert reached <= {"ops", "sandbox", "store"}, path.name
    for package in OURS:
        for path in (ROOT / package).rglob("*.py"):
            assert not any(n.split(".")[0] == "ops" for n in _imported(path)), path


def _module_graph() -> dict[str, set[str]]:
    """Our modules (ops/ included) and the modules of ours each imports; a submodule's import of
    its own package (`from api.readydesk import codec`) counts as the submodule it names."""
    modules = {}
    for package in (*OURS, "ops"):
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    graph = {}
    for name, path in modules.items():
        reached = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                reached.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                named = {f"{node.module}.{alias.name}" for alias in node.names} & modules.keys()
                reached.update(named or {node.module})
        graph[name] = {other for other in reached if other in modules and other != name}
    return graph


def test_no_modules_import_each_other_round_in_a_circle():
    graph = _module_graph()
    assert {"ops.image_check", "ops.replicas", "api.desk"} <= graph.keys()
    circles = []
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            name = todo.pop()
            if name == start:
                circles.append(start)
                break
            if name not in seen:
                seen.add(name)
                todo.extend(graph[name])
    assert circles == []


def test_nothing_imports_slack_sdks_private_names():
    # A private name (or module) can change in any release of slack-sdk or slack-bolt.
    offenders = []
    for folder in OURS:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.ImportFrom) or not node.module:
                    continue
                if node.module.split(".")[0] not in ("slack_sdk", "slack_bolt"):
                    continue
                parts = node.module.split(".") + [a.name for a in node.names]
                if any(p.startswith("_") for p in parts):
                    offenders.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert offenders == []
