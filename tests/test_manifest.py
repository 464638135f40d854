"""manifest.yml installs as-is and agrees with what the code registers."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from bot.manifest import Manifest, http_mode, load_manifest, render_manifest
from cards import ids
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
REGISTRARS = {
    "command",
    "action",
    "shortcut",
    "view",
    "view_closed",
    "options",
    "event",
    "message",
    "function",
}


def test_manifest_passes_slacks_rules():
    manifest = load_manifest(ROOT / "manifest.yml")
    assert manifest.display_information.name == "Deskhand"


def _with(path: tuple, value) -> dict:
    """The committed manifest with one value changed."""
    data = yaml.safe_load((ROOT / "manifest.yml").read_text())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("features", "slash_commands", 0, "command"), "ticket"),  # must start with /
        (("features", "slash_commands", 0, "command"), "/" + "t" * 32),  # 33 characters
        (("features", "slash_commands", 0, "description"), ""),
        (("display_information", "name"), "D" * 36),
        (("display_information", "long_description"), "too short"),
        (("display_information", "background_color"), "blue"),
        (
            ("features", "slash_commands"),
            [{"command": f"/c{i}", "description": "x"} for i in range(51)],
        ),
        (
            ("features", "shortcuts"),
            [
                {"name": f"s{i}", "type": "message", "callback_id": f"s{i}", "description": "x"}
                for i in range(11)
            ],
        ),
        (
            ("features", "shortcuts"),
            [{"name": "s", "type": "inline", "callback_id": "s", "description": "x"}],
        ),
        (("settings", "interactivity"), {"request_url": "https://x.example/slack/events"}),
        (("settings", "socket_mode"), True),  # not a key Slack knows
        (("oauth_config", "scopes", "bot"), ["x" * 51]),
    ],
)
def test_the_model_refuses_what_slack_refuses(path, value):
    with pytest.raises(ValidationError):
        Manifest.model_validate(_with(path, value))


def test_http_mode_fills_every_request_url_and_turns_socket_mode_off():
    manifest = http_mode(load_manifest(ROOT / "manifest.yml"), "https://desk.example.com/")
    url = "https://desk.example.com/slack/events"
    assert manifest.settings.socket_mode_enabled is False
    assert {c.url for c in manifest.features.slash_commands} == {url}
    assert manifest.settings.interactivity.request_url == url
    assert manifest.settings.interactivity.message_menu_options_url == url
    # Rendered and read back, it is still a valid manifest that Slack would take.
    assert Manifest.model_validate(yaml.safe_load(render_manifest(manifest))) == manifest


def test_deskhand_manifest_prints_the_committed_manifest():
    """As a real process, from the console script's module (the other CLI cases run main()
    in-process)."""
    result = subprocess.run(
        [sys.executable, "-m", "playground.cli", "manifest"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == MANIFEST


def test_deskhand_manifest_with_url_prints_the_http_mode_variant():
    result = run_cli("manifest", "--url", "https://desk.example.com", env={})
    assert result.returncode == 0, result.stderr
    printed = yaml.safe_load(result.stdout)
    assert printed["settings"]["socket_mode_enabled"] is False
    commands = printed["features"]["slash_commands"]
    assert all(c["url"] == "https://desk.example.com/slack/events" for c in commands)
    events = printed["settings"]["event_subscriptions"]
    assert events["request_url"] == "https://desk.example.com/slack/events"
    assert "reaction_added" in events["bot_events"]  # reactions that act, over HTTP too
    assert "reactions:read" in printed["oauth_config"]["scopes"]["bot"]


def test_deskhand_manifest_refuses_a_url_that_is_not_one():
    result = run_cli("manifest", "--url", "desk.example.com", env={})
    assert result.returncode == 2
    assert "https://" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://desk.example.com", "must start with https://"),
        ("", "must start with https://"),
        ("https://", "needs a host"),
        ("https://desk.example.com/?team=1", "must have no query or fragment"),
        ("https://desk.example.com/#top", "must have no query or fragment"),
        ("https://desk.example.com/slack/events", "the base without /slack/events"),
        ("https://desk.example.com:port", "is not a URL"),
    ],
)
def test_deskhand_manifest_refuses_anything_but_an_https_base_url(url, problem):
    result = run_cli("manifest", "--url", url, env={})
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert problem in line and repr(url) in line, line


def test_deskhand_manifest_does_not_echo_a_password_in_the_url():
    result = run_cli("manifest", "--url", "https://pat:s3cret@desk.example.com", env={})
    assert result.returncode == 2
    assert "must not carry a user name or password" in result.stderr
    assert "s3cret" not in result.stderr


def test_deskhand_manifest_keeps_a_path_under_the_host():
    result = run_cli("manifest", "--url", "https://desk.example.com/deskhand/", env={})
    assert result.returncode == 0, result.stderr
    commands = yaml.safe_load(result.stdout)["features"]["slash_commands"]
    assert {c["url"] for c in commands} == {"https://desk.example.com/deskhand/slack/events"}


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
    assert MANIFEST["oauth_config"]["scopes"]["bot"] == list(ids.BOT_SCOPES)
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


def test_every_listener_is_registered_through_an_id_in_cards_ids():
    registrations = _registrations()
    assert registrations, "handlers register listeners with app.<kind>(ids.NAME)"
    for filename, kind, argument in registrations:
        assert isinstance(argument, ast.Attribute) and getattr(argument.value, "id", "") == "ids", (
            f"{filename}: app.{kind}(...) must name its id from cards/ids.py"
        )
    expected = {
        "command": set(ids.SLASH_COMMANDS),
        "action": set(ids.BLOCK_ACTIONS),
        "shortcut": set(ids.SHORTCUTS),
        "event": set(ids.LISTENED_EVENTS),
        "view": set(ids.VIEWS),
        "view_closed": set(ids.CLOSED_VIEWS),
        "options": set(ids.OPTIONS),
        "function": set(ids.STEPS),
    }
    for kind, names in expected.items():
        used = {getattr(ids, a.attr) for _, k, a in registrations if k == kind}
        assert used == names, kind


@pytest.mark.parametrize("command", [c["command"] for c in MANIFEST["features"]["slash_commands"]])
async def test_each_manifest_command_reaches_a_listener(console, command):
    replies = await console.send(f"{command} help")
    assert replies and all("HTTP 404" not in r["text"] for r in replies)


def test_the_default_manifest_declares_no_steps_so_it_installs_on_any_plan():
    assert "functions" not in MANIFEST
    assert MANIFEST["settings"]["org_deploy_enabled"] is False
    assert "function_runtime" not in MANIFEST["settings"]


def test_the_workflow_steps_manifest_declares_exactly_the_registered_steps_typed():
    result = run_cli("manifest", "--workflow-steps", env={})
    assert result.returncode == 0, result.stderr
    printed = yaml.safe_load(result.stdout)
    Manifest.model_validate(printed)  # as Slack's schema has it
    settings = printed["settings"]
    assert settings["org_deploy_enabled"] is True and settings["function_runtime"] == "remote"
    events = settings["event_subscriptions"]["bot_events"]
    assert sorted(events) == sorted([*ids.EVENTS, ids.FUNCTION_EXECUTED])
    functions = printed["functions"]
    assert sorted(functions) == sorted(ids.STEPS)
    for callback_id, step in functions.items():
        assert step["title"] and step["description"]
        parameters = {**step["input_parameters"], **step["output_parameters"]}
        assert all(p["type"] and p["title"] and p["description"] for p in parameters.values())
        inputs = step["input_parameters"]
        if callback_id in ids.WRITE_STEPS:
            assert inputs["interactivity"]["type"] == "slack#/types/interactivity"
            assert inputs["user"]["type"] == "slack#/types/user_id"
        else:
            assert "interactivity" not in inputs
    # Everything else is the committed manifest's.
    assert {k: v for k, v in printed.items() if k not in ("functions", "settings")} == {
        k: v for k, v in MANIFEST.items() if k != "settings"
    }


@pytest.mark.parametrize("callback_id", ids.STEPS)
async def test_each_declared_step_reaches_its_listener(console, callback_id):
    replies = await console.send(f"run-step {callback_id}")
    said = replies[0]["text"]
    assert "completed" in said or " failed: " in said, said  # not left unanswered
