"""What the bad-input tests share: the app as served with a ticket page, a signed slash command
with any of Slack's fields left out, and what to look for in the answers and the logs."""

import logging
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlencode

import pytest

from sandbox.slack import SlackSandbox
from tests.bot.served import FORM, Served, served
from tests.slack_helpers import command_body, signed_headers

WEB = "https://helpdesk.example/readydesk/tickets.aspx?tid={tid}"
NOTE = "Called back; the printer\nneeds a new fuser — ordered *today*"


async def serving(slack: SlackSandbox) -> AsyncIterator[Served]:
    """The app as served, with READYDESK_WEB_URL set (its ticket links unfurl)."""
    async with served(slack, READYDESK_WEB_URL=WEB) as running:
        yield running


async def send_command(
    app: Served, command: str, text: str, url: str, **fields: str | None
) -> dict:
    """A signed slash command (`fields` replace Slack's; None leaves one out); its ack's body."""
    sent = dict(parse_qsl(command_body(command, text, url), keep_blank_values=True))
    sent = {k: v for k, v in (sent | fields).items() if v is not None}
    body = urlencode(sent)
    response = await app.http.post(
        "/slack/events", content=body, headers={**FORM, **signed_headers(body)}
    )
    await app.work.wait()
    assert response.status_code == 200
    return response.json() if response.content else {}


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Log records with a traceback, or the error handler's "unhandled error"."""
    return [r for r in caplog.records if r.exc_info or "unhandled error" in r.getMessage()]


def buttons(blocks: list[dict]) -> list[dict]:
    """Every button in a message's actions blocks."""
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def history(app: Served, tid: int) -> int:
    """How many history entries (notes) ticket `tid` has in the ReadyDesk fake."""
    return len(app.readydesk.state.data.history.get(tid, []))
