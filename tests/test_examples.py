"""Every example in the README and in `/deskhand help` runs against the sandbox through the app
(a signed request, the card that comes back) and answers; none gets "There is no …", "No customer
matches …", a did-you-mean or an error.

The examples are found by rule, not copied, so an example added to either text is tested too:

- README, the commands table (from `## Commands` to the next heading): each inline code span
  that starts with `/` is a command; in the `/tickets` row, each span made of `key:value` filters
  gives one `/tickets <filter>` per filter and per `|` alternative (`due:today|tomorrow`).
- README, anywhere: each line starting with `deskhand> ` is typed into one console, in order
  (so `click Customer` presses a button on the card before it). What follows `  # ` is a
  comment; a comment that is a quoted text is the reply the line must give.
- `/deskhand help`, as the app draws it: each `e.g. `…`` line.
- manifest.yml: each slash command's `usage_hint`, one example per ` | ` alternative (what
  Slack shows as you type the command), after the command.

A span with `<…>`, `[…]`, `…` or a `|` outside a filter's value is grammar, not an example, and
is skipped (`/ticket <number>`, `/digest add <kind> [filters] at 08:00`).
"""

import html
import json
import re
from pathlib import Path

import yaml

from api.digests import KINDS
from cards import ids
from playground.console import Console
from tests.conftest import directory_filled

README = Path(__file__).resolve().parents[1] / "README.md"
MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"
CODE = re.compile(r"`([^`]+)`")
FILTER = re.compile(r'^(\w+):("[^"]*"|\S+)$')
FILTERS = re.compile(r'\w+:(?:"[^"]*"|\S+)')
# What a failed example says: a name the sandbox does not have, a typo, a refusal or a crash.
FAILURES = (
    "There is no",
    "No customer matches",
    "No Kickserv customer matches",
    "Several Kickserv customers match",
    "did you mean",
    "is not a",
    "does not exist",
    "Something went wrong",
    "Unknown command",
    "could not be",
    "took too long",
    "No button",
    "No select",
)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_grammar(text: str) -> bool:
    """Placeholders and alternatives are usage, not something to type."""
    return bool(re.search(r"<[^>]*>|\[[^\]]*\]|…|\|", text))


def _table_rows(readme: str) -> list[str]:
    section = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("|")]


def table_commands(readme: str) -> list[str]:
    """The commands in the README's commands table."""
    spans = [s.replace("\\|", "|") for row in _table_rows(readme) for s in CODE.findall(row)]
    return list(dict.fromkeys(s for s in spans if s.startswith("/") and not is_grammar(s)))


def ticket_filters(readme: str) -> list[str]:
    """`/tickets <filter>` for each filter (and alternative) the `/tickets` row shows."""
    found = []
    for row in _table_rows(readme):
        if not row.startswith("| `/tickets "):
            continue
        for span in CODE.findall(row.replace("\\|", "\u2016")):
            tokens = FILTERS.findall(span)
            if not tokens or " ".join(tokens) != span.strip():
                continue  # not a span of filters
            for token in tokens:
                key, _, values = token.partition(":")
                found += [f"/tickets {key}:{v}" for v in values.split("\u2016")]
    return [f for f in dict.fromkeys(found) if not is_grammar(f.removeprefix("/tickets "))]


def console_lines(readme: str) -> list[tuple[str, str | None]]:
    """Each `deskhand> ` line: (what is typed, the quoted reply its comment expects, if any)."""
    lines = []
    for line in readme.splitlines():
        if not line.startswith("deskhand> "):
            continue
        typed, _, comment = line.removeprefix("deskhand> ").partition("  # ")
        quoted = re.fullmatch(r'\s*"(.+)"\s*', comment)
        lines.append((typed.strip(), quoted.group(1) if quoted else None))
    return lines


def help_examples(help_text: str) -> list[str]:
    """The `e.g.` lines of the help card's mrkdwn."""
    found = re.findall(r"e\.g\. `([^`]+)`", help_text)
    return [html.unescape(e) for e in found if not is_grammar(html.unescape(e))]


def manifest_hints(manifest: dict) -> list[str]:
    """Each slash command's usage hint alternatives, as typed after the command."""
    found = []
    for command in manifest["features"]["slash_commands"]:
        hint = command.get("usage_hint") or ""
        found += [f"{command['command']} {alt.strip()}" for alt in hint.split(" | ") if alt.strip()]
    return [f for f in found if not is_grammar(f)]


def _readme() -> str:
    return README.read_text()


async def _ready(console: Console) -> Console:
    await directory_filled(console)  # as a newcomer finds it a few seconds after start
    return console


async def _run(console: Console, typed: str) -> tuple[list[dict], str]:
    """The replies to one typed line, and everything the app sent for it, as text."""
    mark = len(console.slack.calls)
    replies = await console.send(typed)
    sent = [c.payload for c in console.slack.calls_since(mark)]
    return replies, json.dumps([replies, sent], ensure_ascii=False)


def assert_answers(typed: str, replies: list[dict], sent: str, expected: str | None = None):
    """A card, a list, a form or a confirmation; none of the failures (unless quoted)."""
    assert replies, f"{typed!r} got no answer"
    shown = sent.replace(json.dumps(expected, ensure_ascii=False)[1:-1], "") if expected else sent
    failed = [f for f in FAILURES if f.lower() in shown.lower()]
    assert not failed, f"{typed!r} answered {failed}: {sent[:600]}"
    assert not any(r["text"].startswith("Usage") for r in replies), (typed, replies)
    if expected:
        assert expected in sent, f"{typed!r} should answer {expected!r}: {sent[:600]}"
    total = re.search(r"\*([\d,]+) tickets?\*", sent)
    if total and not DATE.search(typed):  # a literal date is grammar for some other day
        assert int(total.group(1).replace(",", "")) > 0, f"{typed!r} found no tickets"


# -- the rule -----------------------------------------------------------------------------------


def test_the_rule_takes_examples_and_leaves_grammar():
    sample = (
        "\n## Commands\n\n| command | what |\n|---|---|\n"
        "| `/ticket <number>` | a card; `/ticket new` |\n"
        '| `/tickets [filters]` | `status:open group:"A B" due:today\\|2026-12-01 tech:<ID>` |\n'
        "| `/deskhand <command> …` | `/deskhand help`, `/digest list`, `/job new [words]` |\n"
        "\n## Next\n| `/ignored` | |\n"
        "deskhand> /ticket 34   # a card\n"
        'deskhand> /ticket 9  # "Ticket 9 does not exist."\n'
    )
    assert table_commands(sample) == ["/ticket new", "/deskhand help", "/digest list"]
    assert ticket_filters(sample) == [
        "/tickets status:open",
        '/tickets group:"A B"',
        "/tickets due:today",
        "/tickets due:2026-12-01",
    ]
    assert console_lines(sample) == [
        ("/ticket 34", None),
        ("/ticket 9", "Ticket 9 does not exist."),
    ]
    help_text = "`/job &lt;number&gt;` …\n      e.g. `/job 86001`\n      e.g. `/note job &lt;n&gt;`"
    assert help_examples(help_text) == ["/job 86001"]
    manifest = {
        "features": {
            "slash_commands": [
                {"command": "/customer", "usage_hint": "acme | 555-0142"},
                {"command": "/note", "usage_hint": "job <number> [text]"},
                {"command": "/deskhand"},
            ]
        }
    }
    assert manifest_hints(manifest) == ["/customer acme", "/customer 555-0142"]


def test_the_readme_has_examples_of_each_kind():
    readme = _readme()
    assert len(table_commands(readme)) >= 5
    assert {"/tickets tech:jsmith", '/tickets group:"Field Team"'} <= set(ticket_filters(readme))
    assert len(console_lines(readme)) >= 5


# -- the README -------------------------------------------------------------------------------


async def test_each_command_in_the_readme_table_answers(console):
    await _ready(console)
    for typed in table_commands(_readme()) + ticket_filters(_readme()):
        replies, sent = await _run(console, typed)
        assert_answers(typed, replies, sent)


async def test_the_readme_console_session_answers_line_by_line(console):
    await _ready(console)
    for typed, expected in console_lines(_readme()):
        replies, sent = await _run(console, typed)
        assert_answers(typed, replies, sent, expected)


async def test_each_workflow_step_run_in_the_readme_completes_unless_its_comment_says(console):
    await _ready(console)
    runs = [(t, e) for t, e in console_lines(_readme()) if t.startswith("run-step ")]
    assert {t.split()[1] for t, _ in runs} == set(ids.STEPS)  # every step has its example
    for typed, expected in runs:
        replies, sent = await _run(console, typed)
        assert_answers(typed, replies, sent, expected)
        if expected is None:
            assert " completed:" in replies[0]["text"], (typed, replies[0]["text"])


def test_the_readme_names_every_workflow_step_by_its_callback_id():
    table = _readme().split("\n## Workflow Builder steps\n", 1)[1].split("\n## ", 1)[0]
    for callback_id in ids.STEPS:
        assert f"(`{callback_id}`)" in table, callback_id


# -- /deskhand help -------------------------------------------------------------------------------


async def test_each_example_in_deskhand_help_answers(console):
    [card] = await (await _ready(console)).send("/deskhand help")
    examples = help_examples("\n".join(b["text"]["text"] for b in card["blocks"] if "text" in b))
    assert len(examples) >= 10
    for typed in examples:
        replies, sent = await _run(console, typed)
        assert_answers(typed, replies, sent)


# -- manifest.yml usage hints -------------------------------------------------------------------


async def test_each_usage_hint_in_the_manifest_answers(console):
    await _ready(console)
    hints = manifest_hints(yaml.safe_load(MANIFEST.read_text()))
    assert len(hints) >= 12
    for typed in hints:
        replies, sent = await _run(console, typed)
        assert_answers(typed, replies, sent)


# -- one list of digest kinds ---------------------------------------------------------------------


async def test_the_readme_and_help_name_the_same_digest_kinds(console):
    [row] = [r for r in _table_rows(_readme()) if r.startswith("| `/digest add ")]
    in_readme = re.search(r"kinds ((?:`[\w-]+`(?:, )?)+)", row)
    assert in_readme, row
    [card] = await (await _ready(console)).send("/deskhand help")
    shown = "\n".join(b["text"]["text"] for b in card["blocks"] if "text" in b)
    in_help = re.search(r"Kinds: ([^;.]+)", shown)  # a kind may say what it lists, in brackets
    assert in_help, shown
    assert CODE.findall(in_readme.group(1)) == list(KINDS)
    named = re.sub(r"\s*\([^)]*\)", "", in_help.group(1))
    assert [k.strip() for k in named.split(",")] == list(KINDS)
