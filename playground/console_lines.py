"""The console's terminal: lines read from a prompt or a pipe, each sent through the `Console`,
its replies printed (rendered, or one JSON object a line) and any form it opens filled in.

At a terminal, Ctrl-C clears the line being typed (or cancels the form being filled); a second
Ctrl-C in a row quits, as Ctrl-D does.
"""

import json
import sys
from typing import TextIO

from bot.settings import Settings
from cards import ids
from playground.console import CONSOLE_CHANNEL, HELP_ALIASES, Console
from playground.console_forms import fill_form
from playground.console_input import INTERRUPTED, LineReader
from playground.console_render import Names, Style, render_reply

QUIT_WORDS = {"quit", "exit", r"\q"}
# The console's own words, after `help` (the app's help card says what Slack would).
CONSOLE_WORDS = (
    "In the console: `click &lt;button&gt;` presses a button on the last card "
    "(`click Customer`), `choose &lt;option&gt;` picks an option in its select "
    "(`choose Escalated`, a ticket's Status), "
    '`shortcut "&lt;name&gt;" &lt;message text&gt;` runs a message shortcut on a made-up message. '
    "`reply &lt;text&gt;` answers in the thread of the newest card shared here, "
    "`react &lt;emoji&gt;` reacts to it (`react ticket`). "
    "`run-step &lt;step&gt; key=value …` runs a Workflow Builder step as you "
    "(`run-step look_up_ticket ticket_number=34`). "
    "Ctrl-C clears the line; Ctrl-C twice, Ctrl-D or `quit` leaves."
)
AGAIN = "(Ctrl-C again, Ctrl-D or `quit` leaves.)"


async def run_console(
    settings: Settings,
    *,
    json_output: bool = False,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> None:
    """Read commands from a terminal (with a prompt) or a pipe (one a line) until end of input."""
    style = Style(enabled=stdout.isatty() and not json_output)
    async with Console(settings, world=True) as console:
        names = Names(
            {uid: user["real_name"] for uid, user in console.slack.users.items()},
            {CONSOLE_CHANNEL: "console"},
        )
        with LineReader(stdin, stdout) as reader:
            if reader.interactive and not json_output:
                source = (
                    "ReadyDesk sandbox" if settings.readydesk_is_sandbox else settings.readydesk_url
                )
                print(
                    f"Deskhand console ({source}). Try `/ticket 34`, then `click Customer`; "
                    "`help` lists commands; Ctrl-C clears the line; Ctrl-D quits.",
                    file=stdout,
                )
            interrupted = False
            while True:
                line = await reader.read("deskhand> ")
                if line is INTERRUPTED:
                    if interrupted:
                        print(file=stdout)
                        break
                    interrupted = True
                    print(f"\n{AGAIN}", file=stdout)
                    continue
                interrupted = False
                if line is None or line.strip().lower() in QUIT_WORDS:
                    break
                if line.strip():
                    await _line(console, line, reader, stdout, style, names, json_output)
                stdout.flush()


async def _line(
    console: Console,
    line: str,
    reader: LineReader,
    stdout: TextIO,
    style: Style,
    names: Names,
    json_output: bool,
) -> None:
    """Send one line, print its replies, fill in any form it opened."""
    views_before = set(console.slack.views)
    for reply in await console.send(line):
        if reply["via"].startswith("views."):
            continue  # a form: filled in below
        if json_output:
            print(json.dumps(reply, ensure_ascii=False), file=stdout)
        else:
            print(render_reply(reply, style, names) + "\n", file=stdout)
    if not json_output and line.strip().lower() in HELP_ALIASES | {f"{ids.DESKHAND_COMMAND} help"}:
        print(render_reply({"text": CONSOLE_WORDS}, style, names) + "\n", file=stdout)
    for view_id in sorted(set(console.slack.views) - views_before):
        await _form(console, view_id, reader, stdout)


async def _form(console: Console, view_id: str, reader: LineReader, stdout: TextIO) -> None:
    """Fill a modal the app opened, with answers from the same input as the commands."""

    async def read(prompt: str) -> str | None:
        if not reader.interactive:
            print(prompt, file=stdout, end="")
        answer = await reader.read(prompt)
        if answer is INTERRUPTED:
            print(file=stdout)
            return None  # cancels the form
        if not reader.interactive and answer is not None:
            print(answer, file=stdout)
        return answer if isinstance(answer, str) else None

    await fill_form(
        console, console.slack.views, view_id, read, lambda text: print(text, file=stdout)
    )
    print(file=stdout)
