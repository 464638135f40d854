"""The ticket card's Assign to me, Status and Close: one write per press, card redrawn."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.settings import Settings
from playground.console import Console
from sandbox.slack import sandbox_user
from tests.conftest import clean_settings


def _ticket(console: Console, tid: int):
    return console.fake("readydesk").state.data.tickets[tid]


async def _audit(console: Console) -> list[str]:
    return [r.outcome for r in await console.store.audit.recent()]


async def test_assign_to_me_assigns_the_linked_technician_once(console):
    await console.send("/ticket 34")
    [card] = await console.send("click Assign to me")
    assert card["replace_original"] is True
    assert _ticket(console, 34).assigned_tech == "alice"
    assert "*Assigned to*\\nalice" in str(card["blocks"])
    _ticket(console, 34).assigned_tech = "bob"  # someone else changes it in ReadyDesk
    notice, redrawn = await console.send("click Assign to me")  # the same card, pressed again
    assert notice["text"] == "Already done on ticket #34 (assign to alice)."
    assert _ticket(console, 34).assigned_tech == "bob"  # not written a second time
    assert "*Assigned to*\\nbob" in str(redrawn["blocks"])
    assert (await _audit(console))[:2] == ["duplicate", "written"]


async def test_status_select_sets_the_status_and_close_closes(console):
    await console.send("/ticket 34")
    [card] = await console.send("choose Escalated")
    assert _ticket(console, 34).status == "Escalated"
    select = next(e for e in card["blocks"][-1]["elements"] if e["type"] == "static_select")
    assert select["initial_option"]["value"] == "Escalated"
    [closed] = await console.send("click Close")
    assert _ticket(console, 34).date_closed is not None
    labels = [e.get("text", {}).get("text") for e in closed["blocks"][-1]["elements"]]
    assert "Close" not in labels  # a closed ticket has no Close button
    assert (await _audit(console))[:2] == ["written", "written"]


async def test_assign_to_me_without_a_technician_explains_how_to_link():
    async with Console(Settings(_env_file=None)) as console:
        console.slack.users["U0CONSOLE"] = sandbox_user("U0CONSOLE", "New Hire", "n@x.example")
        await console.send("/ticket 34")
        [reply] = await console.send("click Assign to me")
    assert "does not know which ReadyDesk technician you are" in reply["text"]


async def test_a_failed_change_says_nothing_changed_and_the_next_press_can_write(console):
    faults = console.faults("readydesk")
    fault = faults.add("status", status=422, query={"action": "update_ticket"})  # refused
    await console.send("/ticket 34")
    [failed] = await console.send("click Close")
    assert failed["text"].startswith("*Not changed* on ticket #34. ReadyDesk rejected")
    assert _ticket(console, 34).date_closed is None
    faults.active.remove(fault)
    [closed] = await console.send("click Close")  # the claim was released: this press writes
    assert closed["replace_original"] is True and _ticket(console, 34).date_closed is not None


async def test_card_writes_are_refused_to_non_writers():
    async with Console(Settings(_env_file=None, DESKHAND_WRITERS="U0BOSS")) as console:
        await console.send("/ticket 34")
        [refused] = await console.send("click Close")
        assert "not on Deskhand's list of people who may write" in refused["text"]
        assert _ticket(console, 34).date_closed is None


async def test_close_dates_the_ticket_on_the_business_clock_not_the_servers():
    # Tokyo is 9 hours from this server's UTC: ReadyDesk writes its dates as the business's
    # wall-clock time, so the card's "Closed" must be Tokyo's time of the press.
    async with Console(clean_settings(DESKHAND_TIMEZONE="Asia/Tokyo")) as console:
        await console.send("/ticket 34")
        await console.send("click Close")
        closed_at = _ticket(console, 34).date_closed
        tokyo_now = console.clock.now().astimezone(ZoneInfo("Asia/Tokyo")).replace(tzinfo=None)
    assert abs(closed_at - tokyo_now) < timedelta(minutes=1), (closed_at, tokyo_now)


async def test_a_stale_cards_close_and_assign_say_what_is_so_and_write_nothing(console):
    await console.send("/ticket 34")
    _ticket(console, 34).assigned_tech = "alice"  # changed in ReadyDesk after the card was drawn
    notice, redrawn = await console.send("click Assign to me")
    assert notice["text"] == "Ticket #34 is already assigned to you (alice)."
    assert redrawn["replace_original"] is True  # the card brought up to date
    _ticket(console, 34).status = "Closed"
    notice, redrawn = await console.send("click Close")
    assert notice["text"] == "Ticket #34 is already closed."
    labels = [e.get("text", {}).get("text") for e in redrawn["blocks"][-1]["elements"]]
    assert "Close" not in labels
    assert await _audit(console) == []  # nothing was written
