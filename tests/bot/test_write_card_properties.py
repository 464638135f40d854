"""For every write path, over a few generated inputs: the card shown right after the write is
the card `/ticket N` or `/job N` shows right after it (one builder, one read)."""

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.console import Console
from tests.conftest import directory_filled

FEW = settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
words = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "S")),
    min_size=1,
    max_size=40,
).filter(str.strip)


def _posted(console: Console, mark: int) -> dict[str, Any]:
    [post] = [c for c in console.slack.calls_since(mark) if c.name == "chat.postEphemeral"]
    return post.payload


def _options(view: dict[str, Any], block_id: str) -> list[str]:
    block = next((b for b in view["blocks"] if b.get("block_id") == block_id), None)
    return [o["value"] for o in block["element"]["options"]] if block else []


@FEW
@given(
    subject=words,
    customer=st.sampled_from(["readydesk:demo", "kickserv:1"]),
    priority=st.sampled_from(["", "High", "Low"]),
)
async def test_the_card_after_ticket_new_is_the_looked_up_card(
    console, subject, customer, priority
):
    await directory_filled(console)
    await console.send("/ticket new")
    mark = len(console.slack.calls)
    values = {"customer": customer, "subject": subject, "priority": priority}
    done = await console.submit_view(console.slack.last_view_id, values)
    assert done["view"]["title"]["text"] == "Ticket created"
    after = _posted(console, mark)
    number = after["blocks"][-1]["block_id"].removeprefix("ticket_")
    [looked_up] = await console.send(f"/ticket {number}")
    assert after["blocks"] == looked_up["blocks"]


@FEW
@given(
    pick=st.integers(0, 10**6),
    day=st.none() | st.dates().map(lambda d: d.replace(year=2027).isoformat()),
    at=st.sampled_from(["", "08:00", "14:30"]),
    assign=st.booleans(),
)
async def test_the_card_after_job_new_is_the_looked_up_card(console, pick, day, at, assign):
    await directory_filled(console)
    await console.send("/job new democompany")
    view_id = console.slack.last_view_id
    view = console.slack.views[view_id]
    services, employees = _options(view, "service"), _options(view, "employee")
    values = {
        "customer": view["blocks"][0]["element"]["initial_option"]["value"],
        "service": services[pick % len(services)],
        "date": day or "",
        "time": at if day else "",
        "employee": employees[pick % len(employees)] if assign and day else "",
    }
    mark = len(console.slack.calls)
    done = await console.submit_view(view_id, values)
    assert done["view"]["title"]["text"] == "Job created"
    after = _posted(console, mark)
    number = after["blocks"][-1]["block_id"].removeprefix("job_")
    [looked_up] = await console.send(f"/job {number}")
    assert after["blocks"] == looked_up["blocks"]


@FEW
@given(press=st.sampled_from(["Assign to me", "Close", "status"]), pick=st.integers(0, 10**6))
async def test_the_card_after_a_ticket_change_is_the_looked_up_card(console, press, pick):
    [card] = await console.send(f"/ticket {30 + pick % 20}")
    number = card["blocks"][-1]["block_id"].removeprefix("ticket_")
    if press == "status":
        select = next(e for e in card["blocks"][-1]["elements"] if e["type"] == "static_select")
        status = select["options"][pick % len(select["options"])]["value"]
        *_, after = await console.send(f"choose {status}")
    elif press not in [e.get("text", {}).get("text") for e in card["blocks"][-1]["elements"]]:
        return  # already closed: nothing to press
    else:
        *_, after = await console.send(f"click {press}")
    [looked_up] = await console.send(f"/ticket {number}")
    assert after["blocks"] == looked_up["blocks"]


@FEW
@given(text=words.filter(lambda t: "@" not in t))
async def test_after_a_note_the_job_card_shows_it_as_written_by_the_slack_person(console, text):
    data = console.fake("kickserv").state.data
    noted = {n.noteable_id for n in data.notes.values() if n.noteable_type == "Job"}
    number = next(j.job_number for j in data.jobs.values() if j.id not in noted)  # its first
    [added] = await console.send(f"/note job {number} {text}")
    assert added["text"].startswith(f"Added the note to job {number}")
    [card] = await console.send(f"/job {number}")
    [latest] = [b for b in card["blocks"] if "Latest note, by " in str(b)]
    author, _, shown = (
        latest["elements"][0]["text"].removeprefix("Latest note, by ").partition(": ")
    )
    assert (author.endswith(" via Slack"), shown) == (True, text.strip())
