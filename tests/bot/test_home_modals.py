"""Home's buttons over signed HTTP: a card opened in a modal over Home (its buttons answering
there, Home published again when it closes), the forms, and Find customer."""

import pytest

from tests.bot.home_helpers import (
    EMAIL,
    SAM,
    Clock,
    button_in,
    find_submit,
    home_app,
    home_button,
    home_opened,
    home_press,
    home_text,
    modal_press,
    open_a_ticket_from_home,
    publishes,
    view_shown,
)
from tests.bot.served import dumped, texts


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def app(slack, clock):
    async with home_app(slack, clock) as running:
        yield running


async def test_open_shows_the_card_in_a_modal_over_home(app, slack):
    await app.event(home_opened(SAM))
    row = next(
        b
        for b in slack.home_tabs[SAM]["blocks"]
        if b.get("block_id", "").startswith("home_ticket_")
    )
    ticket_id = int(row["block_id"].rsplit("_", 1)[1])
    await app.interactive(home_press(SAM, "home_open", row["accessory"]["value"]))
    [opened] = [c for c in slack.calls if c.name == "views.open"]
    assert opened.payload["trigger_id"] == "7.8.9"  # on Home, at once, with the trigger
    modal = view_shown(slack, opened.answer["view"]["id"])
    assert modal["blocks"][0]["text"]["text"].startswith(f"#{ticket_id} ")
    assert "Share in channel" not in dumped(modal["blocks"])  # a modal is in no channel
    assert [c for c in slack.calls if c.name == "chat.postMessage"] == []  # not in Messages
    # The card's own buttons answer in the modal: Refresh in place, Customer on top.
    refresh = button_in(modal, "Refresh")
    await app.interactive(modal_press(SAM, modal, refresh["action_id"], refresh["value"]))
    assert slack.calls[-1].name == "views.update"
    assert slack.calls[-1].payload["view_id"] == modal["id"]
    customer = button_in(modal, "Customer")
    await app.interactive(modal_press(SAM, modal, customer["action_id"], customer["value"]))
    [pushed] = [c for c in slack.calls if c.name == "views.push"]
    assert pushed.payload["trigger_id"] == "7.8.11"
    assert "Customer ID" in texts(pushed.payload["view"]["blocks"])
    assert [c for c in slack.calls if c.name in ("chat.postMessage", "chat.postEphemeral")] == []


async def test_closing_a_card_opened_from_home_publishes_home_again(app, slack):
    row, opened = await open_a_ticket_from_home(app, slack)
    assert opened.payload["view"]["notify_on_close"] is True  # Slack says when it closes
    ticket_id = int(row["block_id"].rsplit("_", 1)[1])
    app.readydesk.state.data.tickets[ticket_id].status = "Escalated"  # done in the modal, say
    published = len(publishes(slack, SAM))
    closed = {
        "type": "view_closed",
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A0DESKHAND",
        "user": {"id": SAM, "team_id": "T0SANDBOX"},
        "view": view_shown(slack, opened.answer["view"]["id"]),
        "is_cleared": False,
    }
    await app.interactive(closed)
    assert len(publishes(slack, SAM)) == published + 1  # within the minute: forced
    assert "Escalated" in home_text(slack, SAM)


async def test_new_ticket_new_job_and_find_customer_open_their_forms(app, slack):
    await app.event(home_opened(SAM))
    for label, callback in (
        ("New ticket", "ticket_modal"),
        ("New job", "job_modal"),
        ("Find customer", "find_customer_modal"),
    ):
        pressed = home_button(slack, SAM, label)
        await app.interactive(home_press(SAM, pressed["action_id"], pressed["value"]))
        opened = [c for c in slack.calls if c.name == "views.open"][-1]
        assert opened.payload["view"]["callback_id"] == callback
        assert opened.payload["trigger_id"] == "7.8.9"


async def test_find_customer_answers_like_slash_customer_in_the_forms_place(app, slack):
    response = await app.interactive(find_submit(SAM, EMAIL))
    # Found at once: the answer is the submit's own reply (a views.update sent as quickly
    # could reach Slack before the reply and be drawn over by it).
    assert response.json()["response_action"] == "update"  # the form becomes the answer
    card = texts(response.json()["view"]["blocks"])
    assert "Demo Company" in card and "linked: same email" in card
    assert [c for c in slack.calls if c.name in ("chat.postMessage", "views.update")] == []


async def test_a_slow_find_says_looking_up_then_puts_the_answer_in_its_place(app, slack):
    app.readydesk.state.faults.add("latency", seconds=2.5)  # past the reply's budget
    response = await app.interactive(find_submit(SAM, EMAIL))
    assert "Looking up" in texts(response.json()["view"]["blocks"])
    updated = await slack.wait_for_call("api", "views.update")
    assert updated.payload["view_id"] == "V00000009"
    assert "Demo Company" in texts(updated.payload["view"]["blocks"])


async def test_find_customer_keeps_the_form_open_when_nothing_was_typed(app, slack):
    response = await app.interactive(find_submit(SAM, "   "))
    assert response.json() == {
        "response_action": "errors",
        "errors": {"find_customer": "Type a name, email, phone or ID."},  # as its label says
    }
    assert [c for c in slack.calls if c.name in ("chat.postMessage", "views.update")] == []


async def test_find_customer_keeps_the_form_open_with_my_words_when_nothing_matches(app, slack):
    response = await app.interactive(find_submit(SAM, "zzzqqq nobody"))
    assert response.json() == {
        "response_action": "errors",
        "errors": {
            "find_customer": "No customer matches “zzzqqq nobody” in ReadyDesk or in Kickserv."
        },
    }  # the form stays, the words in it to change, not an answer with only Dismiss


async def test_find_customer_tells_me_when_neither_system_answers(app, slack):
    for fake in (app.readydesk, app.kickserv):
        fake.state.faults.add("status", status=503)
    response = await app.interactive(find_submit(SAM, EMAIL))  # one business; unreadable
    assert texts(response.json()["view"]["blocks"]) == (
        "ReadyDesk is having trouble (HTTP 503); try again shortly. "
        "Kickserv is having trouble (HTTP 503); try again shortly."
    )


async def test_a_card_opened_from_home_is_left_by_a_word_no_card_button_uses(app, slack):
    _, opened = await open_a_ticket_from_home(app, slack)
    modal = view_shown(slack, opened.answer["view"]["id"])
    assert button_in(modal, "Close")["style"] == "danger"  # the button that closes the ticket
    buttons = [e for b in modal["blocks"] for e in b.get("elements", []) if e["type"] == "button"]
    labels = {e["text"]["text"] for e in buttons}
    assert modal["close"]["text"] not in labels | {"Close", "Done"}  # leaving is no card button
