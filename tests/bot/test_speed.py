"""Speed a person notices under load: a slow reply does not hold up other people's cards."""

from tests.bot.served import FORM, served
from tests.slack_helpers import command_body, signed_headers


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
