"""manifest.yml installs as-is and agrees with what the code registers."""

import ast
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from handlers import ids

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared/vendor/slack-manifest-schema/manifest.schema.1.0.0.json"
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
REGISTRARS = {"command", "action", "shortcut", "view", "options", "event", "message"}


def test_manifest_passes_slacks_schema():
    jsonschema.validate(MANIFEST, json.loads(SCHEMA.read_text()))


def test_manifest_commands_are_exactly_the_registered_ones():
    commands = [c["command"] for c in MANIFEST["features"]["slash_commands"]]
    assert sorted(commands) == sorted(ids.SLASH_COMMANDS)


def test_manifest_shortcuts_and_events_are_exactly_the_registered_ones():
    shortcuts = [s["callback_id"] for s in MANIFEST["features"].get("shortcuts", [])]
    events = MANIFEST["settings"].get("event_subscriptions", {}).get("bot_events", [])
    assert sorted(shortcuts) == sorted(ids.SHORTCUTS)
    assert sorted(events) == sorted(ids.EVENTS)


def test_interactivity_is_on_because_cards_have_buttons():
    assert ids.BLOCK_ACTIONS
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def test_only_the_scopes_in_use_are_requested():
    assert MANIFEST["oauth_config"]["scopes"]["bot"] == ["commands"]
    assert MANIFEST["settings"]["socket_mode_enabled"] is True


def _registrations() -> list[tuple[str, str, ast.expr]]:
    """(file, kind, first argument) of every `app.<kind>(...)` call under handlers/."""
    found = []
    for path in sorted((ROOT / "handlers").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "app"
                and node.func.attr in REGISTRARS
            ):
                found.append((path.name, node.func.attr, node.args[0]))
    return found


def test_every_listener_is_registered_through_an_id_in_handlers_ids():
    registrations = _registrations()
    assert registrations, "handlers register listeners with app.<kind>(ids.NAME)"
    for filename, kind, argument in registrations:
        assert isinstance(argument, ast.Attribute) and getattr(argument.value, "id", "") == "ids", (
            f"{filename}: app.{kind}(...) must name its id from handlers/ids.py"
        )
    expected = {
        "command": set(ids.SLASH_COMMANDS), "action": set(ids.BLOCK_ACTIONS),
        "shortcut": set(ids.SHORTCUTS), "event": set(ids.EVENTS),
    }  # fmt: skip
    for kind, names in expected.items():
        used = {getattr(ids, a.attr) for _, k, a in registrations if k == kind}
        assert used == names, kind


@pytest.mark.parametrize("command", [c["command"] for c in MANIFEST["features"]["slash_commands"]])
async def test_each_manifest_command_reaches_a_listener(console, command):
    replies = await console.send(f"{command} help")
    assert replies and all("HTTP 404" not in r["text"] for r in replies)
