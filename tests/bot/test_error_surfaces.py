"""An error reaches the person on the surface they are looking at, with everything they typed:
a form becomes the error and the typed values, a shortcut gets a DM, a button with no
response_url an ephemeral message (or a DM where there is no channel)."""

import logging
import secrets
from urllib.parse import urlencode

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from api.errors import Unavailable
from handlers import notes
from playground.console import CONSOLE_CHANNEL, CONSOLE_USER, Console
from sandbox.slack import TEAM_ID

DAMAGED = "This form is out of date or damaged; open it again."
LONG_NOTE = "Replaced the fuser; " * 400  # 8,000 characters, more than one section holds


def _texts(blocks: list[dict]) -> str:
    """Every text a person sees in these blocks, joined."""
    out = []
    for block in blocks:
        for part in [block.get("text"), *block.get("elements", [])]:
            if isinstance(part, dict) and part.get("text"):
                out.append(part["text"])
    return "\n".join(out)


def _calls(console: Console, mark: int, name: str) -> list[dict]:
    return [c.payload for c in console.slack.calls_since(mark) if c.name == name]


async def _note_form(console: Console) -> str:
    await console.send("/note ticket 34")
    return console.slack.last_view_id


@pytest.mark.parametrize(
    "metadata", ["{not json", "[]", None], ids=["unreadable", "not-an-object", "missing"]
)
async def test_a_form_with_damaged_metadata_says_so_and_shows_back_what_was_typed(
    console, caplog, metadata
):
    view_id = await _note_form(console)
    view = console.slack.views[view_id]
    if metadata is None:
        del view["private_metadata"]
    else:
        view["private_metadata"] = metadata
    with caplog.at_level(logging.INFO):
        ack = await console.submit_view(view_id, {"note": LONG_NOTE})
    assert ack["response_action"] == "update"
    shown = _texts(ack["view"]["blocks"])
    assert DAMAGED in shown
    assert LONG_NOTE.replace(" ", "") in shown.replace("\n", "").replace(" ", "")
    assert "Something went wrong" not in shown
    logged = [r for r in caplog.records if "unreadable state" in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is None  # one line, no traceback


async def test_a_backend_error_before_the_form_is_acknowledged_keeps_the_form_text(
    console, monkeypatch
):
    async def down(*args, **kwargs):
        raise Unavailable("ReadyDesk is not answering right now.", backend="ReadyDesk")

    await console.send('shortcut "Add as note" The printer on floor 2 jams')
    view_id = console.slack.last_view_id
    monkeypatch.setattr(console.desk.directory, "business", down)
    ack = await console.submit_view(
        view_id, {"note": "Jams on duplex only", "pick_customer": "readydesk:demo"}
    )
    shown = _texts(ack["view"]["blocks"])
    assert "ReadyDesk is not answering right now." in shown
    assert "Jams on duplex only" in shown and "readydesk:demo" in shown


async def test_an_error_after_a_form_is_acknowledged_updates_the_view(console):
    @console.app.view("test_form")
    async def saving(ack, view):
        await ack(response_action="update", view={**_form(), "title": _plain("Saving…")})
        raise Unavailable("Kickserv is not answering right now.", backend="Kickserv")

    console.slack.views["V0TEST"] = {**_form(), "id": "V0TEST"}
    ack = await console.submit_view("V0TEST", {"what": "Fix the boiler, back door code 9"})
    assert ack["view"]["title"]["text"] == "Saving…"
    shown = _texts(console.slack.views["V0TEST"]["blocks"])  # after views.update
    assert "Kickserv is not answering right now." in shown
    assert "Fix the boiler, back door code 9" in shown


async def test_a_failing_message_shortcut_sends_a_dm(console, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(notes, "note_modal", broken)
    mark = len(console.slack.calls)
    await console.send('shortcut "Add as note" hello')
    [dm] = _calls(console, mark, "chat.postMessage")
    assert dm["channel"] == CONSOLE_USER
    assert dm["text"].startswith("Something went wrong on Deskhand's side (ref ")
    assert not [c for c in console.slack.calls_since(mark) if c.kind == "response_url"]


async def test_a_global_shortcut_error_sends_a_dm(console):
    @console.app.shortcut("test_global")
    async def global_shortcut(ack):
        await ack()
        raise Unavailable("ReadyDesk is not answering right now.", backend="ReadyDesk")

    mark = len(console.slack.calls)
    await console.dispatch(
        {
            "type": "shortcut",
            "callback_id": "test_global",
            "trigger_id": "1.2",
            "team": {"id": TEAM_ID},
            "user": {"id": CONSOLE_USER, "team_id": TEAM_ID},
            "api_app_id": "A0DESKHAND",
        }
    )
    [dm] = _calls(console, mark, "chat.postMessage")
    assert dm == {**dm, "channel": CONSOLE_USER, "text": "ReadyDesk is not answering right now."}


@pytest.mark.parametrize(
    ("channel", "method"), [(CONSOLE_CHANNEL, "chat.postEphemeral"), (None, "chat.postMessage")]
)
async def test_a_button_without_a_response_url_gets_an_ephemeral_or_a_dm(console, channel, method):
    @console.app.action("test_button")
    async def button(ack):
        await ack()
        raise Unavailable("Kickserv is not answering right now.", backend="Kickserv")

    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "api_app_id": "A0DESKHAND",
        "user": {"id": CONSOLE_USER, "team_id": TEAM_ID},
        "trigger_id": "1.2",
        "container": {"type": "view", "view_id": "V1"},
        "actions": [
            {
                "type": "button",
                "action_id": "test_button",
                "block_id": "b",
                "value": "x",
                "action_ts": "1.2",
            }
        ],
    }
    if channel:
        payload["channel"] = {"id": channel}
    mark = len(console.slack.calls)
    await console.dispatch(payload)
    [sent] = _calls(console, mark, method)
    assert sent["text"] == "Kickserv is not answering right now."
    assert sent.get("user", CONSOLE_USER) == CONSOLE_USER
    assert sent["channel"] == (channel or CONSOLE_USER)


async def test_a_command_that_fails_before_acking_is_answered_not_a_500(console):
    @console.app.command("/testfail")
    async def fails_early(ack):
        raise Unavailable("ReadyDesk is not answering right now.", backend="ReadyDesk")

    replies = await _command(console, "/testfail")
    assert [r["text"] for r in replies] == ["ReadyDesk is not answering right now."]


async def test_a_request_that_fails_its_signature_check_is_answered_nowhere(console):
    """A malformed timestamp makes Bolt's check raise: the error handler must not post to the
    response_url or the user the unverified body names."""
    mark = len(console.slack.calls)
    body = urlencode(
        {
            "command": "/ticket",
            "text": "34",
            "user_id": CONSOLE_USER,
            "response_url": console.slack.response_url("unverified"),
        }
    )
    headers = {"x-slack-signature": "v0=bad", "x-slack-request-timestamp": "abc"}
    await console.app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    await console.settle()
    assert console.slack.calls_since(mark) == []


async def _command(console: Console, command: str) -> list[dict]:
    body = urlencode(
        {
            "team_id": TEAM_ID,
            "channel_id": CONSOLE_CHANNEL,
            "user_id": CONSOLE_USER,
            "command": command,
            "text": "",
            "api_app_id": "A0DESKHAND",
            "response_url": console.slack.response_url("testfail"),
            "trigger_id": "1.2",
        }
    )
    return await console.deliver(body, len(console.slack.calls))


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def _form() -> dict:
    return {
        "type": "modal",
        "callback_id": "test_form",
        "title": _plain("Create job"),
        "submit": _plain("Create"),
        "private_metadata": "{}",
        "hash": secrets.token_hex(4),
        "blocks": [
            {
                "type": "input",
                "block_id": "what",
                "label": _plain("What to do"),
                "element": {"type": "plain_text_input", "action_id": "what"},
            }
        ],
    }
