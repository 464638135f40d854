"""Socket Mode against the Slack sandbox's WebSocket: envelopes acknowledged, replies sent."""

import pytest
from pydantic import SecretStr

from bot.app import build_app, build_desk
from bot.settings import Settings
from bot.socket_mode import connect_socket_mode
from sandbox.slack import SlackSandbox
from tests.conftest import ready_store


@pytest.fixture
async def connected(slack):
    settings = Settings(
        _env_file=None,
        SLACK_API_URL=slack.api_url,
        SLACK_BOT_TOKEN=SecretStr("xoxb-test-token"),
        SLACK_APP_TOKEN=SecretStr("xapp-1-A0DESKHAND-test"),
    )
    store = ready_store()
    desk = build_desk(settings, store)
    handler = await connect_socket_mode(settings, build_app(settings, desk, store=store))
    yield handler
    await handler.close_async()
    await desk.aclose()


def _command(slack: SlackSandbox, text: str, name: str, command: str = "/ticket") -> dict:
    return {
        "token": "unused",
        "team_id": "T0SANDBOX",
        "channel_id": "C1",
        "user_id": "U1",
        "command": command,
        "text": text,
        "api_app_id": "A0DESKHAND",
        "response_url": slack.response_url(name),
        "trigger_id": "1.2.3",
    }


async def test_a_slash_command_envelope_is_acknowledged_and_answered(connected, slack):
    envelope_id = slack.deliver("slash_commands", _command(slack, "34", "sm1"))
    await slack.wait_for_ack(envelope_id)
    reply = await slack.wait_for_call("response_url", "sm1")
    assert reply.payload["blocks"][0]["text"]["text"].startswith("#34 ")
    assert any(c.name == "apps.connections.open" for c in slack.calls)


async def test_a_usage_error_comes_back_in_the_ack_payload(connected, slack):
    ack = await slack.wait_for_ack(slack.deliver("slash_commands", _command(slack, "abc", "sm2")))
    assert "Usage" in ack["text"]


async def test_a_dropped_websocket_reconnects_without_losing_the_next_envelope(connected, slack):
    await slack.wait_for_ack(slack.deliver("slash_commands", _command(slack, "1", "before")))
    await slack.drop_connections()
    envelope_id = slack.deliver("slash_commands", _command(slack, "2", "after"))
    await slack.wait_for_ack(envelope_id, timeout=15)
    reply = await slack.wait_for_call("response_url", "after")
    assert reply.payload["blocks"][0]["text"]["text"].startswith("#2 ")
    assert slack.connections_opened >= 2


@pytest.mark.parametrize(
    ("command", "text", "starts"),
    [
        ("/tickets", "status:open", "*"),
        ("/customer", "demo", "Demo Company"),
        ("/job", "86001", "Job 86001 · "),
        ("/deskhand", "tickets status:open", "*"),
    ],
)
async def test_each_read_command_answers_over_socket_mode(connected, slack, command, text, starts):
    name = f"sm-{command[1:]}"
    await slack.wait_for_ack(slack.deliver("slash_commands", _command(slack, text, name, command)))
    reply = await slack.wait_for_call("response_url", name)
    first = reply.payload["blocks"][0]["text"]["text"]
    assert first.startswith(starts), first
