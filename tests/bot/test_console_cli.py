"""`deskhand console` fed by a pipe: once as a newcomer's script would run it (a subprocess),
the rest through the same `main()` in this process (tests/conftest.py's `run_cli`)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from playground.console import SHORTCUT_NAMES
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]


def _script(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def _run_console(lines: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("console", *extra, env={}, input=_script(lines))


def test_console_json_prints_one_reply_per_line():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "READYDESK_"))}
    result = subprocess.run(
        [sys.executable, "-m", "playground.cli", "console", "--json"],
        input=_script(["/ticket 34", "/ticket 999999", "/ticket abc", "help"]),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(replies) == 4
    card, missing, usage, help_ = replies
    assert set(card) >= {"response_type", "text", "blocks"}
    assert card["blocks"][0]["text"]["text"].startswith("#34 ")
    assert missing["text"] == "Ticket 999999 does not exist in ReadyDesk."
    assert "Usage" in usage["text"]
    assert "/deskhand help" in json.dumps(help_["blocks"])
    assert "Traceback" not in result.stderr


def test_console_renders_a_card_for_people():
    result = _run_console(["/ticket 34", "click Customer"])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "#34 " in out
    for label in ("Status:", "Priority:", "Customer:", "Assigned to:", "Opened:", "Due:"):
        assert label in out
    buttons = "[ Refresh ]  [ Add note ]  [ Assign to me ]  [ Open ▾ ]  [ Book a visit ]  [ Close ]"
    assert f"Buttons: {buttons}" in out
    assert "Customer ID:" in out  # the click showed the customer card


def test_the_console_fills_forms_from_the_same_input():
    result = _run_console(
        [
            "/note ticket 34",
            "Called back from the console",
            "/ticket new",
            "demo",
            "1",
            "Scanner jams",
            "",
            "",
            "",
            'shortcut "Add as note" Customer asked for a callback',
            "34",
            "",
            "",
            "",
        ]
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Note on ticket #34: Called back from the console" in out
    assert "[ Note added ]" in out and "Added the note to ticket #34" in out
    assert "Customer: type to search: demo" in out and "1. Demo Company (demo)" in out
    assert "[ Ticket created ]" in out
    assert "Created ticket #" in out and "*ticket" not in out  # mrkdwn read, as Slack shows it
    assert "Ticket number (optional): 34" in out
    assert out.count("[ Note added ]") == 2
    assert "Traceback" not in result.stderr


def test_a_form_submitted_from_the_console_names_the_choice_as_shown():
    result = _run_console(["/job new demo", "", "1", "Fix the sink", "", "", ""])
    assert result.returncode == 0, result.stderr
    assert "[ Job created ]" in result.stdout
    assert "for kickserv:" not in result.stdout  # the customer as picked, not a select's value
    assert "for Demo Company" in result.stdout


def test_console_shortcut_names_are_the_manifests():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    names = {s["name"].lower(): s["callback_id"] for s in manifest["features"]["shortcuts"]}
    assert names == SHORTCUT_NAMES


def test_selects_are_listed_and_chosen_and_help_says_how():
    result = _run_console(["/ticket 34", "choose Escalated", "help"])
    assert result.returncode == 0, result.stderr
    first, chosen, *_ = result.stdout.split("\n\n")
    assert "choose one: Open · Assigned · Awaiting Response · Escalated · Closed" in first
    assert "Status: Open" in first and "Status: Escalated" in chosen
    assert "choose <option> picks an option in its select" in result.stdout
    assert "Ctrl-C clears the line; Ctrl-C twice, Ctrl-D or quit leaves." in result.stdout
    assert "Every command also works as /deskhand <command> …." in result.stdout  # not a link


def test_mentions_show_as_names():
    result = _run_console(["/deskhand link @pat tech:bob"])
    assert result.returncode == 0, result.stderr
    assert "@Pat Lee is ReadyDesk technician bob — linked by @Alice Moreno on " in result.stdout
    assert "<@" not in result.stdout


def test_form_errors_name_the_fields_label():
    answers = ["", "1", "", "2026-13-01", "10:00", ""]  # customer kept, service 1, a bad date
    result = _run_console(["/job new weasel works", *answers])
    assert result.returncode == 0, result.stderr
    assert "  ! Date: “2026-13-01” is not a date: pick one, e.g. 2026-12-01." in result.stdout
    assert "! date:" not in result.stdout
    assert result.stdout.rstrip().endswith("Form cancelled: nothing was sent.")  # input ran out


def test_a_form_says_in_the_console_what_it_says_on_its_page():
    result = _run_console(["/job new zzzzqqq"])  # input runs out at the first field
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "No Kickserv customer matches “zzzzqqq”: choose one." in out
    assert out.index("No Kickserv customer matches") < out.index("Customer: type to search")


def test_a_refused_form_is_asked_again_with_what_was_typed_kept():
    """Slack keeps a form's values when the app refuses a field; so does the console: Enter
    keeps each answer, and only the wrong one is typed again."""
    first = ["", "1", "Kept description", "2026-13-01", "10:00", ""]  # a bad date
    again = ["", "", "", "2026-12-01", "", ""]  # Enter keeps customer, service, text and time
    result = _run_console(["/job new weasel works", *first, *again])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "  ! Date: “2026-13-01” is not a date" in out
    retry = out[out.index("  ! Date:") :]
    assert "Create job — Enter keeps what you typed; Ctrl-D cancels." in retry
    assert "Customer: type to search [Weasel Works (#2)]: " in retry
    assert "Service (number or name) [Gutter Cleaning]: " in retry
    assert "Description (optional) [Kept description]: " in retry
    assert "Time (your time zone) (optional) [HH:MM] [10:00]: " in retry
    assert "[ Job created ]" in retry
