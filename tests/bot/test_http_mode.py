"""HTTP mode: signed requests to the Starlette app over httpx's ASGI transport."""

import json
import logging
import re

import httpx
import pytest

from bot.app import build_web_client
from tests.slack_helpers import (
    block_action,
    command_body,
    event_body,
    interactive_body,
    signed_headers,
)

FORM = {"content-type": "application/x-www-form-urlencoded"}
JSON = {"content-type": "application/json"}


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
    [
        ("/tickets", "status:open", "tickets* · status:Open"),
        ("/customer", "demo", "Demo Company"),
        ("/tickets", "stauts:open", "Did you mean `status:`?"),
    ],
)
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
        "type": "view_submission",
        "team": {"id": "T0SANDBOX"},
        "user": {"id": "U1"},
        "api_app_id": "A0DESKHAND",
        "trigger_id": "1.2.3",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "test_view",
            "private_metadata": "",
            "state": {"values": {}},
            "hash": "h",
        },
    }
    response = await _post(client, interactive_body(payload), FORM)
    assert response.status_code == 200
    assert response.json() == {
        "response_action": "errors",
        "errors": {"note_block": "Write something first."},
    }


async def test_options_request_is_answered_in_the_ack(server):
    client, _ = server
    payload = {
        "type": "block_suggestion",
        "team": {"id": "T0SANDBOX"},
        "user": {"id": "U1"},
        "api_app_id": "A0DESKHAND",
        "action_id": "test_customer_picker",
        "block_id": "b",
        "value": "dem",
        "container": {"type": "view", "view_id": "V1"},
    }
    response = await _post(client, interactive_body(payload), FORM)
    assert response.status_code == 200
    assert response.json()["options"][0]["text"]["text"] == "DEM"


async def test_a_retried_event_runs_its_listener_once(server):
    client, seen = server
    body = event_body(
        "Ev0001",
        {
            "type": "app_mention",
            "text": "hi <@U0DESKHAND>",
            "user": "U1",
            "channel": "C1",
            "ts": "1.1",
            "event_ts": "1.1",
        },
    )
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


async def test_web_api_429_is_retried_after_retry_after(settings, slack):
    slack.rate_limits["chat.postMessage"] = 1
    client = build_web_client(settings)
    response = await client.chat_postMessage(channel="C1", text="hello")
    assert response["ok"] is True
    attempts = [c for c in slack.calls if c.name == "chat.postMessage"]
    assert len(attempts) == 2 and attempts[0].payload.get("_ratelimited")
