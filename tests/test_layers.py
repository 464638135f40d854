"""The floors shared/DESIGN.md describes, read from the source: nothing imports upward or
sideways, with no exceptions; listener modules do not import each other; Desk is the one door to
the backends; ops/ drives the image from outside; and no modules import each other in a circle."""

import ast
import functools
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Top floor first. A package imports its own modules and those of the floors below it, never one
# above it nor one beside it on its own floor (handlers/ and workers/; store/ and telemetry/).
FLOORS = (
    {"playground"},  # the console and the web sandbox page: the way to try Deskhand without Slack
    {"bot"},  # process wiring
    {"handlers", "workers"},  # listeners; what runs with nobody waiting
    {"live"},  # the cards and threads kept live in channels
    {"cards"},  # pure Block Kit, the Slack ids and the card settings
    {"api"},  # the backends and Desk
    {"store", "telemetry"},  # Deskhand's own tables; the metrics
)
# Beside the floors: the fakes of the backends and Slack, imported only by what starts them, and
# importing nothing of ours; ops/ and bench/ drive the app from outside and nothing of the app
# imports them (bench/ may use ops/' replica settings, to measure what the image runs).
SANDBOX_USERS = {"playground", "bot", "ops", "bench", "sandbox"}
OPS_MAY_IMPORT = {"ops", "sandbox", "store"}
OURS = {*set().union(*FLOORS), "sandbox"}
OUTSIDE = {"ops", "bench"}


@functools.cache
def _tree(path: Path) -> ast.Module:
    """`path` parsed, once a session: the checks below read the same few hundred modules."""
    return ast.parse(path.read_text())


@functools.cache
def _walked(path: Path) -> tuple[ast.AST, ...]:
    """The nodes of `path`'s tree the checks below read (imports and attributes), in the order
    of a walk: every node of every module, looked at once a session instead of once a check."""
    return tuple(
        n
        for n in ast.walk(_tree(path))
        if isinstance(n, ast.Import | ast.ImportFrom | ast.Attribute)
    )


@functools.cache
def _imported(path: Path) -> frozenset[str]:
    """Every module `path` imports, as dotted names (`from handlers import ids` -> handlers.ids);
    imports inside functions count as much as those at the top."""
    names: set[str] = set()
    for node in _walked(path):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: a relative import hides which floor it reaches"
            names.add(node.module)
            if node.module == "handlers":  # `from handlers import ids`: the module is ids
                names.update(f"handlers.{alias.name}" for alias in node.names)
    return frozenset(names)


def _floor(package: str) -> int:
    """The floor `package` stands on: 0 at the top."""
    return next(level for level, floor in enumerate(FLOORS) if package in floor)


def _upward_imports(root: Path) -> list[str]:
    """Every import under `root` that reaches a floor above, a package beside on the same floor,
    or breaks the rules of what stands beside the floors, as "importer -> imported"."""
    wrong = []
    for package in sorted(OURS | OUTSIDE):
        for path in sorted((root / package).rglob("*.py")):
            for name in sorted(_imported(path)):
                other = name.split(".")[0]
                if other == package or other not in OURS | OUTSIDE:
                    continue
                if other in OUTSIDE:
                    allowed = package == "bench" and other == "ops"
                elif package == "ops":
                    allowed = other in OPS_MAY_IMPORT
                elif package == "bench":
                    allowed = True  # it measures the app from above
                elif other == "sandbox" or package == "sandbox":
                    allowed = package in SANDBOX_USERS and other == "sandbox"
                else:
                    allowed = _floor(other) > _floor(package)
                if not allowed:
                    wrong.append(f"{path.relative_to(root)} -> {name}")
    return wrong


def test_nothing_imports_upward_or_sideways():
    assert _upward_imports(ROOT) == []


def test_every_installed_package_stands_on_a_floor_or_beside_them():
    installed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert {name.rstrip("*") for name in installed["packages"]["find"]["include"]} == OURS


def _readme_floors() -> list[tuple[str, set[str]]]:
    """The README's floor table, top first: each package and the packages of ours it may import
    ("every floor below" spelled out)."""
    text = (ROOT / "README.md").read_text()
    table = text[text.index("| floor, top first |") :].split("\n\n")[0].splitlines()[2:]
    rows = [(row.split(" | ")[0].strip("|` /"), row.split(" | ")[-1]) for row in table]
    floors = []
    for package, may in rows:
        named = set(re.findall(r"`(\w+)`", may))
        if "every floor below" in may:
            named |= {other for other, _ in rows if _floor(other) > _floor(package)}
        floors.append((package, named))
    return floors


def test_the_readme_floor_table_is_the_floors_this_test_checks():
    floors = _readme_floors()
    packages = [package for package, _ in floors]
    assert sorted(packages) == sorted(set().union(*FLOORS))
    assert [_floor(p) for p in packages] == sorted(_floor(p) for p in packages), "top first"
    for package, named in floors:
        below = {other for other in packages if _floor(other) > _floor(package)}
        assert named == below | ({"sandbox"} if package in SANDBOX_USERS else set()), package


def test_the_floor_check_sees_an_upward_import(tmp_path):
    for package in OURS | OUTSIDE:
        (tmp_path / package).mkdir()
    cases = {
        "cards/a.py": "from handlers import ids",  # up two floors
        "handlers/b.py": "from workers.live import card_changed",  # beside, on its own floor
        "bot/c.py": "def later():\n    from playground import cli",  # up, inside a function
        "store/d.py": "import telemetry.metrics",  # beside, on the ground floor
        "sandbox/e.py": "from api.readydesk import Ticket",  # the fakes import nothing of ours
        "api/f.py": "import sandbox",  # the fakes are started by bot/, not used by the layers
        "bot/g.py": "import bench.ack_burst",  # nothing imports bench/
        "ops/h.py": "from bot.app import build_app",  # ops/ drives the image from outside
        "playground/ok.py": "from bot import cli\nfrom store import Store\nimport sandbox",
    }
    for name, source in cases.items():
        (tmp_path / name).write_text(source + "\n")
    reached = {line.split(" -> ")[0] for line in _upward_imports(tmp_path)}
    assert reached == {name for name in cases if not name.startswith("playground")}


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


def test_handlers_and_workers_reach_the_backends_only_through_desk():
    pattern = re.compile(r"\bdesk\.(readydesk|kickserv|directory)\b")
    offenders = [
        f"{path.parent.name}/{path.name}"
        for folder in ("handlers", "workers")
        for path in (ROOT / folder).glob("*.py")
        if pattern.search(path.read_text())
    ]
    assert offenders == []


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
        for node in _walked(path):
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


def _private_reaches_in_the_app(root: Path) -> list[str]:
    """Every place the app reaches a private name it does not own: a `_name` imported from
    slack-sdk or slack-bolt (which may change in any release), or `thing._name` on anything but
    `self` or `cls` (`block_dict` once read slack-sdk's `_class_validator_names`)."""
    found = []
    for package in sorted(OURS):
        for path in sorted((root / package).rglob("*.py")):
            for node in _walked(path):
                where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
                if isinstance(node, ast.ImportFrom) and node.module:
                    parts = [*node.module.split("."), *(a.name for a in node.names)]
                    if parts[0] in ("slack_sdk", "slack_bolt") and any(
                        p.startswith("_") and not p.startswith("__") for p in parts
                    ):
                        found.append(f"{where} {node.module}")
                elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                    owner = node.value.id if isinstance(node.value, ast.Name) else ""
                    if not node.attr.startswith("__") and owner not in ("self", "cls"):
                        found.append(f"{where} {ast.unparse(node)}")
    return found


def test_the_app_reaches_no_private_name_of_another_object_or_library():
    assert _private_reaches_in_the_app(ROOT) == []


def test_the_private_name_check_sees_one(tmp_path):
    for package in OURS:
        (tmp_path / package).mkdir()
    cases = {
        "bot/a.py": "from slack_bolt.context.respond.internals import _build_message",
        "cards/b.py": "names = JsonObject._class_validator_names",
        "api/c.py": "transport = self._http._transport",
        "store/ok.py": "self._engine.dispose()\ncls._made = 1\nname = type(x).__name__",
    }
    for name, source in cases.items():
        (tmp_path / name).write_text(source + "\n")
    reached = {line.split(":")[0] for line in _private_reaches_in_the_app(tmp_path)}
    assert reached == {"bot/a.py", "cards/b.py", "api/c.py"}


# What tests and benchmarks once reached past public names for, and the public way now: the
# Console's `desk`, `app`, `app_settings`, `fake(backend)`, `faults(backend)`, `dispatch`,
# `deliver`, `requests` and `settle` (playground/console.py); Served's `readydesk`, `kickserv`,
# `post`; the backend clients' `forget_lookups()`, `call()` and `transport`; the scheduler's
# `look()`; the Slack fake's `faults`. Any `name._private` outside an import is a reach-in (a
# test's own objects say `self._x`).
CALL = r"(?:\((?:[^()]|\([^()]*\))*\))?"  # a call's arguments, one level of calls inside
PRIVATE_REACH_IN = re.compile(rf"\b(?!self\b|cls\b)[A-Za-z_]\w*{CALL}(?:\.\w+{CALL})*\._[a-z]")
IMPORT_LINE = re.compile(r"^\s*(?:from|import)\s")


def _private_reach_ins(root: Path) -> list[str]:
    """Every line under root's tests/ and bench/ that reaches a private name of another object."""
    me = Path(__file__).resolve()
    return [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for folder in ("tests", "bench")
        for path in sorted((root / folder).rglob("*.py"))
        if path.resolve() != me
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if PRIVATE_REACH_IN.search(line) and not IMPORT_LINE.match(line)
    ]


def test_tests_and_benchmarks_reach_the_app_through_its_public_names():
    assert _private_reach_ins(ROOT) == []


def test_the_reach_in_check_sees_a_private_name(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "bench").mkdir()
    reached = [
        "desk.readydesk._lookups.clear()",
        "client._http._transport = x",
        "await _client(app)._request('a', {})",
        "await build_scheduler(_settings(), None)._look()",
        "for listener in bolt._async_listeners:",
    ]
    fine = ["self._ready.set()", "from tests.bot.test_processes import _env", "x = obj.__class__"]
    (tmp_path / "tests" / "test_x.py").write_text("\n".join(reached + fine) + "\n")
    (tmp_path / "bench" / "b.py").write_text(
        "from bench._soak_ledger import read\nscheduler._look()\n"
    )
    found = [line.split(": ", 1)[1] for line in _private_reach_ins(tmp_path)]
    assert found == [*reached, "scheduler._look()"]
