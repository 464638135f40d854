"""The card shown after a write is the card of the record: the one `/job N` or `/ticket N`
shows right after, built by the same code from the same read."""

from typing import Any

from playground.console import Console
from tests.conftest import directory_filled


def _posted_card(console: Console, mark: int) -> dict[str, Any]:
    """The card the app posted (ephemerally) for the person since `mark`."""
    [post] = [c for c in console.slack.calls_since(mark) if c.name == "chat.postEphemeral"]
    return post.payload


async def _job_form(console: Console, words: str = "") -> str:
    await directory_filled(console)
    await console.send(f"/job new {words}".strip())
    return console.slack.last_view_id


def _option(view: dict[str, Any], block_id: str, label: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return next(o["value"] for o in block["element"]["options"] if o["text"]["text"] == label)


async def test_the_card_after_job_new_is_the_card_job_n_shows(console):
    view_id = await _job_form(console, "demo")
    view = console.slack.views[view_id]
    values = {
        "customer": view["blocks"][0]["element"]["initial_option"]["value"],
        "service": _option(view, "service", "Printer Repair"),
        "date": "2026-12-09",
        "time": "10:00",
        "employee": _option(view, "employee", "Sam Ortiz"),
    }
    mark = len(console.slack.calls)
    done = await console.submit_view(view_id, values)
    assert done["view"]["title"]["text"] == "Job created"
    after = _posted_card(console, mark)
    number = after["blocks"][0]["text"]["text"].split()[1]
    [looked_up] = await console.send(f"/job {number}")
    assert after["blocks"] == looked_up["blocks"]
    facts = str(after["blocks"][1])
    assert "Demo Company (#1)" in facts and "(#1) (#1)" not in facts
    assert "*Assigned to*\\nSam Ortiz" in facts


async def test_a_job_for_a_customer_picked_in_the_typeahead_names_the_customer(console):
    view_id = await _job_form(console)
    [picked] = [
        o
        for g in (await console.suggest("customer_picker", "democompany"))["option_groups"]
        for o in g["options"]
        if o["value"].startswith("kickserv:")
    ]
    service = _option(console.slack.views[view_id], "service", "Printer Repair")
    mark = len(console.slack.calls)
    await console.submit_view(view_id, {"customer": picked["value"], "service": service})
    after = _posted_card(console, mark)
    assert "*Customer*\\nDemo Company (#1)" in str(after["blocks"][1])
    number = after["blocks"][0]["text"]["text"].split()[1]
    [looked_up] = await console.send(f"/job {number}")
    assert after["blocks"] == looked_up["blocks"]


async def test_the_card_after_ticket_new_has_the_status_select_of_ticket_n(console):
    await console.send("/ticket new")
    view_id = console.slack.last_view_id
    mark = len(console.slack.calls)
    done = await console.submit_view(
        view_id, {"customer": "readydesk:demo", "subject": "Scanner jams"}
    )
    assert done["view"]["title"]["text"] == "Ticket created"
    after = _posted_card(console, mark)
    number = after["blocks"][0]["text"]["text"].split()[0].lstrip("#")
    [looked_up] = await console.send(f"/ticket {number}")
    assert after["blocks"] == looked_up["blocks"]
    kinds = [e["type"] for e in after["blocks"][-1]["elements"]]
    assert "static_select" in kinds
