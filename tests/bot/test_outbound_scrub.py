"""Secrets never reach Slack: backend error text quoting a key or a token is scrubbed on every
outbound path (ack, respond, every Web API method), with the app run as it is served."""

import json

import httpx
import pytest
from pydantic import SecretStr
from slack_bolt.response import BoltResponse
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from api.desk import Desk
from api.errors import BackendError
from api.http import REDACTED, secrets_of
from bot import outbound
from bot.app import build_app, build_sandbox_desk
from bot.server import build_http_app
from bot.settings import Settings
from bot.socket_mode import connect_socket_mode
from handlers import forms
from playground.console import Console
from sandbox.data import seeded
from sandbox.faults import Faults
from sandbox.kickserv import SANDBOX_API_KEY, build_kickserv_app
from sandbox.kickserv_data import seeded_kickserv
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from tests.conftest import ready_store
from tests.slack_helpers import SIGNING_SECRET, command_body, signed_headers

LEAKED_TOKEN = "xoxb-1234567-7654321-LeakedBotToken"
BOT_TOKEN = "xoxb-test-token"
SECRETS = (SANDBOX_KEY, SANDBOX_API_KEY, LEAKED_TOKEN, BOT_TOKEN, SIGNING_SECRET)
# A ReadyDesk error reply quoting its key (and the URL it came in), as a misconfigured server does.
READYDESK_REPLY = (
    f"<response><error>Invalid API key {SANDBOX_KEY} in /API/default.aspx?key={SANDBOX_KEY}, "
    f"caller {LEAKED_TOKEN}</error></response>"
)
# A Kickserv 422 whose validation messages hold its key and a Slack token.
KICKSERV_REPLY = {"errors": {"note": [f"cannot contain {SANDBOX_API_KEY} or {LEAKED_TOKEN}"]}}
XML_200 = {"status": 200, "headers": {"content-type": "text/xml"}}
JSON_422 = {"status": 422, "headers": {"content-type": "application/json"}}


def _assert_scrubbed(payload: object) -> None:
    dump = json.dumps(payload, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in dump
    assert REDACTED in dump


async def _error_texts(desk: Desk) -> str:
    """What the two backends say when they fail, as the API layer reports it to a person."""
    texts = []
    for call in (desk.readydesk.get_ticket(34), desk.kickserv.add_note("jobs", 86001, "x")):
        try:
            await call
        except BackendError as err:
            texts.append(err.message)
    assert len(texts) == 2 and LEAKED_TOKEN in texts[0] and SANDBOX_API_KEY in texts[1]
    return " | ".join(texts)


def test_scrub_reaches_every_string_of_a_payload():
    _kept = secrets_of(["s3cr3t-value"])  # held as a client holds its key
    payload = {
        "text": "key s3cr3t-value",
        "blocks": [SectionBlock(text=f"token {LEAKED_TOKEN}"), {"type": "divider"}],
        "view": View(type="modal", title="t", blocks=[SectionBlock(text="see ?key=abc123")]),
        "attachments": ({"fields": [{"value": "xapp-1-A0-123456-abcdef"}]},),
        "errors": {"note_block": "s3cr3t-value"},
        "replace_original": False,
        "count": 3,
    }
    scrubbed = outbound.scrub(payload)
    assert scrubbed["text"] == f"key {REDACTED}"
    assert scrubbed["blocks"][0]["text"]["text"] == f"token {REDACTED}"
    assert scrubbed["view"]["blocks"][0]["text"]["text"] == f"see ?key={REDACTED}"
    assert scrubbed["attachments"][0]["fields"][0]["value"] == REDACTED
    assert scrubbed["errors"] == {"note_block": REDACTED}  # keys (block ids) stay as they are
    assert (scrubbed["replace_original"], scrubbed["count"]) == (False, 3)
    assert outbound.scrub(["xoxc-1234-abcdef", "xoxp-9-8-7-654321"]) == [REDACTED, REDACTED]
    assert outbound.scrub_fields({"token": LEAKED_TOKEN, "text": LEAKED_TOKEN}) == {
        "token": LEAKED_TOKEN,  # the credential Slack must receive
        "text": REDACTED,
    }


def test_an_acknowledgement_stays_json_and_plain_text_is_redacted():
    as_json = outbound.scrub_response(BoltResponse(status=200, body={"text": LEAKED_TOKEN}))
    assert json.loads(as_json.body) == {"text": REDACTED}
    as_text = outbound.scrub_response(BoltResponse(status=200, body=f"oops {LEAKED_TOKEN}"))
    assert as_text.body == f"oops {REDACTED}"


@pytest.fixture
def settings(slack):
    return Settings(
        _env_file=None,
        SLACK_API_URL=slack.api_url,
        SLACK_BOT_TOKEN=SecretStr(BOT_TOKEN),
        SLACK_SIGNING_SECRET=SecretStr(SIGNING_SECRET),
        SLACK_APP_TOKEN=SecretStr("xapp-1-A0DESKHAND-test"),
    )


def _leak(readydesk: Faults, kickserv: Faults, readydesk_actions: tuple[str, ...]) -> None:
    """The fakes answer error replies full of secrets: ReadyDesk to `readydesk_actions`, Kickserv
    to every POST."""
    for action in readydesk_actions:
        readydesk.add("status", query={"action": action}, body=READYDESK_REPLY, **XML_200)
    kickserv.add("status", method="POST", body=json.dumps(KICKSERV_REPLY), **JSON_422)


@pytest.fixture
async def leaky_desk():
    data = seeded(tickets=50, customers=10)
    rd, ks = build_readydesk_app(data), build_kickserv_app(seeded_kickserv(data, customers=5))
    _leak(rd.state.faults, ks.state.faults, ("get_tickets",))
    desk = build_sandbox_desk(ready_store(), rd, ks)
    yield desk
    await desk.aclose()


def _leaking_app(settings, desk):
    """The real app plus `/leak <path>`: it sends the backends' error text out along <path>."""
    bolt = build_app(settings, desk, store=ready_store())

    @bolt.command("/leak")
    async def leak(ack, command, respond, client):
        path = command["text"]
        text = await _error_texts(desk)
        if path == "ack":
            await ack(text=text, blocks=[SectionBlock(text=text)])
            return
        await ack()
        view = View(type="modal", title="Leak", blocks=[SectionBlock(text=text)])
        if path == "respond":
            await respond(text=text, blocks=[SectionBlock(text=text)], response_type="ephemeral")
        elif path == "chat.postMessage":
            await client.chat_postMessage(channel="C1", text=text, blocks=[SectionBlock(text=text)])
        elif path == "chat.update":
            posted = await client.chat_postMessage(channel="C1", text="placeholder")
            await client.chat_update(channel="C1", ts=posted["ts"], text=text)
        elif path == "chat.postEphemeral":
            await client.chat_postEphemeral(channel="C1", user="U1", text=text)
        elif path == "chat.unfurl":
            unfurls = {"https://x.example": {"blocks": [SectionBlock(text=text).to_dict()]}}
            await client.chat_unfurl(channel="C1", ts="1.2", unfurls=unfurls)
        elif path in ("views.open", "views.push"):
            method = client.views_open if path == "views.open" else client.views_push
            await method(trigger_id=command["trigger_id"], view=view)
        elif path == "views.update":
            opened = await client.views_open(
                trigger_id=command["trigger_id"],
                view=View(type="modal", title="Leak", blocks=[SectionBlock(text="…")]),
            )
            await client.views_update(view_id=opened["view"]["id"], view=view)
        elif path == "views.publish":
            await client.views_publish(user_id="U1", view=View(type="home", blocks=view.blocks))

    return bolt


@pytest.mark.parametrize(
    "path",
    [
        "ack",
        "respond",
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "chat.unfurl",
        "views.open",
        "views.update",
        "views.push",
        "views.publish",
    ],
)
async def test_backend_error_text_is_scrubbed_on_every_outbound_path(
    settings, leaky_desk, slack, path
):
    app = build_http_app(settings, leaky_desk, bolt=_leaking_app(settings, leaky_desk))
    body = command_body("/leak", path, slack.response_url("leak"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://deskhand"
    ) as http:
        response = await http.post(
            "/slack/events",
            content=body,
            headers={"content-type": "application/x-www-form-urlencoded", **signed_headers(body)},
        )
    assert response.status_code == 200
    if path == "ack":
        sent = response.json()
    else:
        kind, name = ("response_url", "leak") if path == "respond" else ("api", path)
        sent = (await slack.wait_for_call(kind, name)).payload
    assert "ReadyDesk refused" in json.dumps(sent) and "Kickserv refused" in json.dumps(sent)
    _assert_scrubbed(sent)


async def test_a_socket_mode_acknowledgement_is_scrubbed(settings, leaky_desk, slack):
    handler = await connect_socket_mode(settings, _leaking_app(settings, leaky_desk))
    try:
        envelope = slack.deliver(
            "slash_commands",
            {
                "token": "unused",
                "team_id": "T0SANDBOX",
                "channel_id": "C1",
                "user_id": "U1",
                "command": "/leak",
                "text": "ack",
                "api_app_id": "A0DESKHAND",
                "response_url": slack.response_url("sm"),
                "trigger_id": "1.2.3",
            },
        )
        ack = await slack.wait_for_ack(envelope)
    finally:
        await handler.close_async()
    assert "ReadyDesk refused" in ack["text"]
    _assert_scrubbed(ack)


@pytest.fixture
async def leaky_console():
    """The console (the real handlers), its fakes behind the leaking layer for writes.

    No "Adding …" line before the answer, however loaded the machine (as the `console` fixture).
    """
    async with Console(Settings(_env_file=None, DESKHAND_LOOKING_UP_AFTER=60)) as running:
        leaky = ("add_history", "get_tickets")
        _leak(running.faults("readydesk"), running.faults("kickserv"), leaky)
        yield running


async def test_a_failed_note_reply_names_the_failure_without_the_secrets(leaky_console):
    [reply] = await leaky_console.send("/note ticket 34 Called back")
    assert "Not added" in reply["text"] and "ReadyDesk refused" in reply["text"]
    _assert_scrubbed(reply)
    [reply] = await leaky_console.send("/note job 86001 Gate code")
    assert "Kickserv refused that" in reply["text"]
    _assert_scrubbed(reply)


async def test_the_error_handler_reply_is_scrubbed(leaky_console):
    [reply] = await leaky_console.send("/ticket 34")
    assert "ReadyDesk refused" in reply["text"]
    _assert_scrubbed(reply)


async def test_a_kickserv_refusal_in_the_form_is_scrubbed_in_the_ack(leaky_console):
    await leaky_console.send("/note job 86001")
    ack = await leaky_console.submit_view(leaky_console.slack.last_view_id, {"note": "Gate code"})
    assert ack["response_action"] == "errors"
    assert "Kickserv refused that" in json.dumps(ack)
    _assert_scrubbed(ack)


async def test_a_slow_failure_is_scrubbed_in_views_update(leaky_console, monkeypatch):
    monkeypatch.setattr(forms, "ACK_BUDGET", 0.0)
    await leaky_console.send("/note ticket 34")
    view_id = leaky_console.slack.last_view_id
    ack = await leaky_console.submit_view(view_id, {"note": "Toner swapped"})
    assert ack["view"]["title"]["text"] == "Saving…"
    [update] = [c for c in leaky_console.slack.calls if c.name == "views.update"]
    assert "ReadyDesk refused" in json.dumps(update.payload)
    _assert_scrubbed(update.payload)
