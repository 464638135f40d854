"""HTTP mode: signed requests to the Starlette app over httpx's ASGI transport."""

import asyncio
import json
import logging
import re

import httpx
import pytest
from pydantic import SecretStr

from api.desk import Desk
from api.kickserv import KickservClient
from api.readydesk import ReadyDeskClient
from bot.app import build_app, build_web_client
from bot.server import build_http_app
from bot.settings import Settings
from sandbox.data import seeded
from sandbox.kickserv import SANDBOX_ACCOUNT, SANDBOX_API_KEY, build_kickserv_app
from sandbox.kickserv_data import seeded_kickserv
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from store import Store
from tests.slack_helpers import (
    SIGNING_SECRET,
    block_action,
    command_body,
    event_body,
    interactive_body,
    signed_headers,
)

FORM = {"content-type": "application/x-www-form-urlencoded"}
JSON = {"content-type": "application/json"}


@pytest.fixture
def fakes():
    data = seeded(tickets=50, customers=10)
    return build_readydesk_app(data), build_kickserv_app(seeded_kickserv(data, customers=5))


@pytest.fixture
def settings(slack):
    return Settings(
        _env_file=None,
        SLACK_API_URL=slack.api_url,
        SLACK_BOT_TOKEN=SecretStr("xoxb-test-token"),
        SLACK_SIGNING_SECRET=SecretStr(SIGNING_SECRET),
    )


@pytest.fixture
async def server(settings, fakes):
    """(http client for the Starlette app, the Bolt app, what the test listeners saw)."""
    rd_app, ks_app = fakes
    rd = httpx.ASGITransport(app=rd_app)
    ks = httpx.ASGITransport(app=ks_app)
    desk = Desk(
        ReadyDeskClient("http://rd/API/default.aspx", SANDBOX_KEY, transport=rd),
        KickservClient("http://ks", SANDBOX_ACCOUNT, SANDBOX_API_KEY, transport=ks),
    )
    bolt = build_app(settings, desk, store=Store("sqlite://"))
    seen: list[str] = []

    @bolt.view("test_view")
    async def submit(ack, view):
        await ack(response_action="errors", errors={"note_block": "Write something first."})

    @bolt.options("test_customer_picker")
    async def options(ack, payload):
        await ack(
            options=[
                {"text": {"type": "plain_text", "text": payload["value"].upper()}, "value": "1"}
            ]
        )

    @bolt.event("app_mention")
    async def mentioned(event):
        seen.append(event["text"])

    @bolt.command("/explode")
    async def explode(ack):
        await ack()
        # Like a real listener, fail after awaiting I/O. (A listener that raises in the same
        # step as its ack() makes Bolt answer 404 before the ack is seen: a Bolt quirk.)
        await asyncio.sleep(0.01)
        raise RuntimeError("kaboom: secret internals")

    app = build_http_app(settings, desk, store=Store("sqlite://"), bolt=bolt)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://deskhand"
    ) as client:
        yield client, seen
    await desk.aclose()


async def _post(client, body: str, content_type: dict, **sign) -> httpx.Response:
    return await client.post(
        "/slack/events", content=body, headers={**content_type, **signed_headers(body, **sign)}
    )


async def test_slash_command_replies_through_its_response_url(server, slack):
    client, _ = server
    response = await _post(client, command_body("/ticket", "34", slack.response_url("c1")), FORM)
    assert response.status_code == 200
    call = await slack.wait_for_call("response_url", "c1")
    assert call.payload["blocks"][0]["text"]["text"].startswith("#34 ")


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [("/tickets", "status:open", "tickets* · status:Open"), ("/customer", "demo", "Demo Company"),
     ("/tickets", "stauts:open", "Did you mean `status:`?")],
)  # fmt: skip
async def test_read_commands_answer_signed_requests(server, slack, command, text, expected):
    client, _ = server
    name = f"h-{command[1:]}-{len(text)}"
    response = await _post(client, command_body(command, text, slack.response_url(name)), FORM)
    assert response.status_code == 200
    if "Did you mean" in expected:  # a usage error is the acknowledgement itself
        assert expected in response.json()["text"]
        return
    call = await slack.wait_for_call("response_url", name)
    assert expected in json.dumps(call.payload["blocks"], ensure_ascii=False)


async def test_block_action_refreshes_the_card(server, slack):
    client, _ = server
    payload = block_action(
        # A value in the form cards had before references named their kind still works.
        "ticket_refresh",
        '{"ticket_id": 7, "customer_id": ""}',
        slack.response_url("a1"),
    )
    response = await _post(client, interactive_body(payload), FORM)
    assert response.status_code == 200
    call = await slack.wait_for_call("response_url", "a1")
    assert call.payload["replace_original"] is True
    assert call.payload["blocks"][0]["text"]["text"].startswith("#7 ")


async def test_view_submission_can_keep_the_modal_open_with_errors(server):
    client, _ = server
    payload = {
        "type": "view_submission", "team": {"id": "T0SANDBOX"}, "user": {"id": "U1"},
        "api_app_id": "A0DESKHAND", "trigger_id": "1.2.3",
        "view": {"id": "V1", "type": "modal", "callback_id": "test_view", "private_metadata": "",
                 "state": {"values": {}}, "hash": "h"},
    }  # fmt: skip
    response = await _post(client, interactive_body(payload), FORM)
    assert response.status_code == 200
    assert response.json() == {
        "response_action": "errors",
        "errors": {"note_block": "Write something first."},
    }


async def test_options_request_is_answered_in_the_ack(server):
    client, _ = server
    payload = {
        "type": "block_suggestion", "team": {"id": "T0SANDBOX"}, "user": {"id": "U1"},
        "api_app_id": "A0DESKHAND", "action_id": "test_customer_picker", "block_id": "b",
        "value": "dem", "container": {"type": "view", "view_id": "V1"},
    }  # fmt: skip
    response = await _post(client, interactive_body(payload), FORM)
    assert response.status_code == 200
    assert response.json()["options"][0]["text"]["text"] == "DEM"


async def test_a_retried_event_runs_its_listener_once(server):
    client, seen = server
    body = event_body("Ev0001", {"type": "app_mention", "text": "hi <@U0DESKHAND>", "user": "U1",
                                 "channel": "C1", "ts": "1.1", "event_ts": "1.1"})  # fmt: skip
    first = await _post(client, body, JSON)
    headers = {**JSON, "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}
    retry = await _post(client, body, headers)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert seen == ["hi <@U0DESKHAND>"]


@pytest.mark.parametrize(
    "how",
    ["forged", "unsigned", "stale"],
)
async def test_bad_signatures_are_refused_and_nothing_runs(server, slack, how):
    client, _ = server
    body = command_body("/ticket", "34", slack.response_url("bad"))
    if how == "forged":
        headers = {**FORM, **signed_headers(body, secret="not-the-secret")}
    elif how == "unsigned":
        headers = FORM
    else:
        headers = {**FORM, **signed_headers(body, age=301)}
    response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert [c for c in slack.calls if c.kind == "response_url"] == []


async def test_a_failing_listener_gives_an_ephemeral_reference_that_is_logged(
    server, slack, caplog
):
    client, _ = server
    with caplog.at_level(logging.ERROR):
        response = await _post(client, command_body("/explode", "", slack.response_url("x1")), FORM)
        call = await slack.wait_for_call("response_url", "x1")
    assert response.status_code == 200
    text = call.payload["text"]
    assert call.payload["response_type"] == "ephemeral"
    ref = re.search(r"\(ref ([0-9A-F]{6})\)", text).group(1)
    assert "kaboom" not in text
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)


async def test_healthz_reports_each_backend(server):
    client, _ = server
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "backends": {"readydesk": "ok", "kickserv": "ok"}}


async def test_healthz_is_503_when_no_backend_answers(server, fakes):
    client, _ = server
    for fake in fakes:
        fake.state.faults.add("status", status=401)
    response = await client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["backends"]["readydesk"].startswith("error:")
    assert SANDBOX_KEY not in json.dumps(body)


async def test_web_api_429_is_retried_after_retry_after(settings, slack):
    slack.rate_limits["chat.postMessage"] = 1
    client = build_web_client(settings)
    response = await client.chat_postMessage(channel="C1", text="hello")
    assert response["ok"] is True
    attempts = [c for c in slack.calls if c.name == "chat.postMessage"]
    assert len(attempts) == 2 and attempts[0].payload.get("_ratelimited")
