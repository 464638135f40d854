"""Creating ReadyDesk tickets from the form, once per submit, refusals on their fields."""

from playground.console import Console
from tests.slack_helpers import is_signed


def _tickets(console: Console) -> dict:
    return console.fake("readydesk").state.data.tickets


async def test_ticket_new_opens_at_once_then_creates_one_signed_ticket(console):
    mark = len(console.slack.calls)
    await console.send("/ticket new")
    assert [c.name for c in console.slack.calls_since(mark) if c.name.startswith("views.")] == [
        "views.open",
        "views.update",
    ]
    view_id = console.slack.last_view_id
    view = console.slack.views[view_id]
    category = next(b for b in view["blocks"] if b.get("block_id") == "category")
    values = {
        "customer": "readydesk:demo",
        "subject": "Scanner jams <!channel>",
        "description": "Every morning",
        "priority": "High",
        "category": category["element"]["options"][0]["value"],
    }
    before = set(_tickets(console))
    first = await console.submit_view(view_id, values)
    again = await console.submit_view(view_id, values)
    assert first["view"]["title"]["text"] == "Ticket created"
    assert again["view"]["title"]["text"] == "Ticket created"
    [new] = set(_tickets(console)) - before
    ticket = _tickets(console)[new]
    assert (ticket.cid, ticket.subject, ticket.priority) == (
        "demo",
        "Scanner jams <!channel>",
        "High",
    )
    assert is_signed(ticket.summary, "Every morning")
    posted = [c for c in console.slack.calls if c.name == "chat.postEphemeral"][-1]
    assert posted.payload["blocks"][0]["text"]["text"].startswith(f"#{new} Scanner jams")


async def test_readydesk_refusals_and_kickserv_only_customers_stay_on_the_fields(console):
    await console.send("/ticket new")
    view_id = console.slack.last_view_id
    before = len(_tickets(console))
    long_subject = {"customer": "readydesk:demo", "subject": "x" * 300}
    refused = await console.submit_view(view_id, long_subject)
    assert refused["response_action"] == "errors" and "subject" in refused["errors"]
    kickserv_only = await console.submit_view(
        view_id, {"customer": "kickserv:999999", "subject": "Hello"}
    )
    assert kickserv_only["errors"] == {
        "customer": "This customer is only in Kickserv; choose a ReadyDesk customer."
    }
    assert len(_tickets(console)) == before


async def test_a_backend_failure_keeps_everything_typed_for_try_again(console):
    faults = console.faults("readydesk")
    fault = faults.add("status", status=422, query={"action": "add_ticket"})  # refused
    await console.send("/ticket new")
    view_id = console.slack.last_view_id
    values = {
        "customer": "readydesk:demo",
        "subject": "Badge reader",
        "description": "Lobby",
        "priority": "Urgent",
    }
    failed = await console.submit_view(view_id, values)
    assert failed["view"]["title"]["text"] == "Ticket not created"
    assert "Badge reader" in str(failed["view"]["blocks"])
    faults.active.remove(fault)
    console.slack.views[view_id] = {**failed["view"], "id": view_id}
    await console.press_in_view(view_id, "Try again")
    form = console.slack.views[view_id]
    by_block = {b.get("block_id"): b for b in form["blocks"]}
    assert by_block["subject"]["element"]["initial_value"] == "Badge reader"
    assert by_block["description"]["element"]["initial_value"] == "Lobby"
    assert by_block["priority"]["element"]["initial_option"]["value"] == "Urgent"
    assert by_block["customer"]["element"]["initial_option"]["value"] == "readydesk:demo"
    created = await console.submit_view(view_id, values)
    assert created["view"]["title"]["text"] == "Ticket created"
