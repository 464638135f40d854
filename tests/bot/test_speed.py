"""Speed a person notices under load: a slow reply does not hold up other people's cards."""

import asyncio

import pytest

from ops.containers import free_port
from ops.local_serve import answering, start_deskhand
from sandbox.slack import sandbox_user
from tests.bot.served import FORM, served
from tests.bot.test_processes import _env, _stop
from tests.slack_helpers import command_body, signed_headers

pytestmark = pytest.mark.long_running


async def _command(app, slack, name: str, text: str) -> None:
    body = command_body("/ticket", text, slack.response_url(name))
    response = await app.http.post(
        "/slack/events", content=body, headers={**FORM, **signed_headers(body)}
    )
    assert response.status_code == 200


async def test_a_slow_response_url_does_not_hold_up_the_next_commands_card(slack):
    """With one listener slot, a card whose response_url takes seconds to answer no longer
    keeps the next person's card waiting behind it."""
    async with served(slack, DESKHAND_MAX_LISTENERS="1") as app:
        slack.faults.add("latency", path="/response/slow", seconds=3.0)
        await _command(app, slack, "slow", "34")
        await _command(app, slack, "next", "35")
        card = await slack.wait_for_call("response_url", "next", timeout=10)
        assert card.payload["blocks"][0]["text"]["text"].startswith("#35 ")
        # The slow card is still on its way: the next one did not wait for it.
        assert [c.name for c in slack.calls if c.kind == "response_url"] == ["next"]
        await slack.wait_for_call("response_url", "slow", timeout=10)


async def test_replies_one_after_another_reuse_one_connection_to_slack(slack):
    """Cards posted to response_urls one after another go over the connection the first one
    opened, rather than a new one each (a burst's replies reconnected for most cards)."""
    async with served(slack) as app:
        for name, ticket in (("first", "34"), ("second", "35"), ("third", "34")):
            # Each returns once its listener is done: its reply has been answered.
            await app.post(command_body("/ticket", ticket, slack.response_url(name)), FORM)
    peers = [c.peer for c in slack.calls if c.kind == "response_url"]
    assert len(peers) == 3 and peers[0] and len(set(peers)) == 1


@pytest.mark.parametrize("setting, logged", [({}, False), ({"DESKHAND_ACCESS_LOG": "true"}, True)])
async def test_the_access_log_is_off_unless_asked_for(setting, logged, migrated_url):
    """`deskhand serve` writes uvicorn's line per HTTP request only with DESKHAND_ACCESS_LOG."""
    port = free_port()
    process = await start_deskhand(
        "serve",
        "--port",
        str(port),
        env=_env(
            SLACK_SIGNING_SECRET="s3cret",
            SLACK_BOT_TOKEN="xoxb-1-access",
            DESKHAND_DATABASE_URL=migrated_url,
            **setting,
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        live = await answering(f"http://127.0.0.1:{port}/livez", process)
        assert live.status_code == 200
    finally:
        log = await _stop(process)
    assert "Deskhand is serving Slack over HTTP" in log  # Deskhand's own lines either way
    assert ('"GET /livez HTTP/1.1" 200' in log) is logged


async def test_web_api_calls_for_each_request_carry_the_bot_token(slack):
    """The Web API client each listener gets posts with the configured bot token, request after
    request (Home tabs published for two people)."""
    slack.users["U2"] = sandbox_user("U2", "Sam Ortiz", "sam@fieldcrew.example")
    async with served(slack) as app:
        for user in ("U1", "U2"):
            await app.event({"type": "app_home_opened", "user": user, "tab": "home"})
    publishes = [c for c in slack.calls if c.name == "views.publish"]
    assert [c.payload["user_id"] for c in publishes] == ["U1", "U2"]
    assert {c.token for c in publishes} == {"xoxb-test-token"}
    assert set(slack.home_tabs) == {"U1", "U2"}
