"""The console's terminal: lines read from a prompt or a pipe, each sent through the `Console`,
its replies printed (rendered, or one JSON object a line) and any form it opens filled in."""

import asyncio
import json
import sys
from typing import TextIO

from bot.console import Console
from bot.console_forms import fill_form
from bot.console_render import Style, render_reply
from bot.settings import Settings

QUIT_WORDS = {"quit", "exit", r"\q"}


async def run_console(
    settings: Settings,
    *,
    json_output: bool = False,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> None:
    """Read commands from a terminal (with a prompt) or a pipe (one a line) until end of input."""
    interactive = stdin.isatty()
    style = Style(enabled=stdout.isatty() and not json_output)
    async with Console(settings, world=True) as console:
        if interactive and not json_output:
            source = (
                "ReadyDesk sandbox" if settings.readydesk_is_sandbox else settings.readydesk_url
            )
            print(
                f"Deskhand console ({source}). Try `/ticket 34`, then `click Customer`; "
                "`help` lists commands; Ctrl-D quits.",
                file=stdout,
            )
        while True:
            line = await asyncio.to_thread(_read_line, stdin, "deskhand> " if interactive else "")
            if line is None or line.strip().lower() in QUIT_WORDS:
                break
            if not line.strip():
                continue
            views_before = set(console.slack.views)
            for reply in await console.send(line):
                if reply["via"].startswith("views."):
                    continue  # a form: filled in below
                if json_output:
                    print(json.dumps(reply, ensure_ascii=False), file=stdout)
                else:
                    print(render_reply(reply, style) + "\n", file=stdout)
            for view_id in sorted(set(console.slack.views) - views_before):
                await _form(console, view_id, stdin, stdout, interactive)
            stdout.flush()


async def _form(
    console: Console, view_id: str, stdin: TextIO, stdout: TextIO, interactive: bool
) -> None:
    """Fill a modal the app opened, with answers from the same input as the commands."""

    async def read(prompt: str) -> str | None:
        if not interactive:
            print(prompt, file=stdout, end="")
        answer = await asyncio.to_thread(_read_line, stdin, prompt if interactive else "")
        if not interactive and answer is not None:
            print(answer.rstrip("\n"), file=stdout)
        return None if answer is None else answer.rstrip("\n")

    await fill_form(
        console, console.slack.views, view_id, read, lambda text: print(text, file=stdout)
    )
    print(file=stdout)


def _read_line(stdin: TextIO, prompt: str) -> str | None:
    if prompt:
        try:
            return input(prompt)
        except EOFError:
            return None
    line = stdin.readline()
    return line if line else None
