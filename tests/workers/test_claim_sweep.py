"""The claim sweeper finishes the story of a write whose process stopped mid-write."""

from datetime import UTC, datetime, timedelta

import pytest

from api import read_back
from api.errors import Unavailable
from api.writes import WritePlan
from bot.app import build_web_client
from live.delivery import Delivery
from tests.conftest import RecordingSleep
from workers.claims import sweep_claims


def _history(console, tid: int) -> list:
    return console.fake("readydesk").state.data.history.get(tid, [])


async def _left_by_a_dead_process(
    console, key: str, plan: WritePlan, *, minutes_ago: float = 1
) -> None:
    store = console.store
    audit_id = await store.audit.begin(
        user_id="U1", channel_id="C1", action="note.ticket", target="ticket #34", summary=plan.typed
    )
    await store.claims.claim(
        key,
        action="note.ticket",
        user_id="U1",
        owner="killed-process",
        lease=timedelta(seconds=-1),
        plan=plan.model_dump_json(),
        audit_id=audit_id,
    )


async def _a_written_note_left_by_a_dead_process(console) -> WritePlan:
    """A note that reached ticket 34 from `/note` (response_url "dead1") whose process died
    before it recorded the outcome; its plan."""
    await console.desk.readydesk.add_history_note(
        34, "Called back\n— alice via Slack · ref AB12CD34"
    )
    plan = WritePlan(
        check="ticket_note",
        target="34",
        marker="ref AB12CD34",
        typed="Called back",
        response_url=console.slack.response_url("dead1"),
        label="the note on ticket #34",
    )
    await _left_by_a_dead_process(console, "cmd:dead1", plan)
    return plan


async def test_a_write_the_backend_applied_is_confirmed_and_the_person_told_in_place(console):
    await _a_written_note_left_by_a_dead_process(console)
    done = await sweep_claims(console.desk, console.store, console.app.client, datetime.now(UTC))
    assert done == ["note.ticket cmd:dead1: confirmed"]
    told = await console.slack.wait_for_call("response_url", "dead1")
    assert "The note on ticket #34 was written" in told.payload["text"]
    [row] = await console.store.audit.recent()
    assert row.outcome == "confirmed"
    assert (await console.store.claims.get("cmd:dead1")).state == "done"
    # Slack's retry of the same command now hears it is done, not "being written" forever.
    assert (
        await sweep_claims(console.desk, console.store, console.app.client, datetime.now(UTC)) == []
    )


async def test_a_write_that_never_arrived_is_given_back_in_a_dm_and_can_be_sent_again(console):
    before = len(_history(console, 34))
    long_text = "Replaced the fuser. " * 300  # 6,000 characters: more than one block holds
    plan = WritePlan(
        check="ticket_note",
        target="34",
        marker="ref 00FF00FF",
        typed=long_text,
        label="the note on ticket #34",
    )  # no response_url: a modal's write
    await _left_by_a_dead_process(console, "view:V99", plan)
    now = datetime.now(UTC)
    # The dead process may have sent it just before its lease ran out: the backend may still
    # apply it through the apply window, so "not there" now proves nothing yet.
    done = await sweep_claims(console.desk, console.store, console.app.client, now)
    assert done == ["note.ticket view:V99: unknown; told, read back again later"]
    first = await console.slack.wait_for_call("api", "chat.postMessage")
    assert "Deskhand stopped while writing" in first.payload["text"]
    assert "Try again" not in str(first.payload["blocks"])
    mark = len(console.slack.calls)
    later = now + timedelta(seconds=61)
    done = await sweep_claims(console.desk, console.store, console.app.client, later)
    assert done == ["note.ticket view:V99: failed"]
    [dm] = [c for c in console.slack.calls_since(mark) if c.name == "chat.postMessage"]
    assert dm.payload["channel"] == "U1"
    assert "was *not written* — Deskhand stopped before it went through" in dm.payload["text"]
    shown = "".join(b["text"]["text"] for b in dm.payload["blocks"][2:])
    assert shown == long_text  # every character comes back
    assert len(_history(console, 34)) == before
    assert await console.store.claims.get("view:V99") is None  # released: trying again can write
    assert (await console.store.audit.recent())[0].outcome == "failed"


async def test_an_unreadable_target_keeps_the_claim_unknown_until_a_later_sweep(console):
    plan = WritePlan(
        check="ticket_note",
        target="34",
        marker="ref 11112222",
        typed="Hello",
        label="the note on ticket #34",
    )
    await _left_by_a_dead_process(console, "view:V5", plan)
    faults = console.faults("readydesk")
    fault = faults.add("status", status=503, query={"action": "get_history"})
    now = datetime.now(UTC)
    done = await sweep_claims(console.desk, console.store, console.app.client, now)
    assert done == ["note.ticket view:V5: unknown; told, read back again later"]
    assert (await console.store.claims.get("view:V5")).state == "unknown"
    told = await console.slack.wait_for_call("api", "chat.postMessage")
    assert "*Could not confirm yet*" in told.payload["text"]
    assert "Deskhand stopped while writing" in told.payload["text"]  # its process did stop
    assert "Hello" in str(told.payload["blocks"])  # what they wrote, kept
    again = now + timedelta(minutes=2)
    assert await sweep_claims(console.desk, console.store, console.app.client, again) == [
        "note.ticket view:V5: still unknown; read back again later"  # and not told twice
    ]
    faults.active.remove(fault)
    later = now + timedelta(minutes=4)  # read back at last, past the apply window
    assert await sweep_claims(console.desk, console.store, console.app.client, later) == [
        "note.ticket view:V5: failed"
    ]


async def test_a_claim_from_before_write_plans_is_settled_once_and_the_person_told(console):
    await console.store.claims.claim(
        "view:OLD", action="job.create", user_id="U1", owner="old", lease=timedelta(seconds=-1)
    )  # as migration 0007 leaves it
    done = await sweep_claims(console.desk, console.store, console.app.client, datetime.now(UTC))
    assert done == ["job.create view:OLD: unknown for good: no plan to read it back"]
    assert [r.outcome for r in await console.store.audit.recent()] == ["unknown"]
    later = datetime.now(UTC) + timedelta(hours=1)
    assert await sweep_claims(console.desk, console.store, console.app.client, later) == []
    assert len(await console.store.audit.recent()) == 1  # one row, not one a sweep


async def test_a_note_not_found_among_more_notes_than_are_read_back_stays_unknown(
    console, monkeypatch
):
    monkeypatch.setattr(read_back, "NOTES_LOOKED_AT", 3)
    job = min(console.fake("kickserv").state.data.jobs)
    for n in range(4):
        await console.desk.kickserv.add_note("jobs", job, f"Older note {n}")
    plan = WritePlan(check="job_note", target=str(job), marker="ref 99998888")
    with pytest.raises(Unavailable, match="could not be checked fully"):
        await console.desk.find_write(plan)


async def test_a_write_still_unreadable_after_a_day_is_given_up_and_the_person_told(console):
    plan = WritePlan(
        check="ticket_note",
        target="34",
        marker="ref 33334444",
        typed="Hello again",
        label="the note on ticket #34",
    )
    await _left_by_a_dead_process(console, "view:V7", plan)
    faults = console.faults("readydesk")
    faults.add("status", status=503, query={"action": "get_history"})
    now = datetime.now(UTC)
    await sweep_claims(console.desk, console.store, console.app.client, now)
    mark = len(console.slack.calls)  # they were told it could not be confirmed yet
    a_day_on = now + timedelta(days=1, minutes=1)
    assert await sweep_claims(console.desk, console.store, console.app.client, a_day_on) == [
        "note.ticket view:V7: still unknown after a day; told, no longer read back"
    ]
    [dm] = [c for c in console.slack.calls_since(mark) if c.name == "chat.postMessage"]
    assert "could not check for a day" in dm.payload["text"]
    assert "(Deskhand stopped while writing)" in dm.payload["text"]
    assert "Hello again" in str(dm.payload["blocks"])
    later = a_day_on + timedelta(hours=1)
    assert await sweep_claims(console.desk, console.store, console.app.client, later) == []


async def test_a_settled_outcome_outlasts_a_slack_ratelimit_longer_than_one_call_retries(console):
    """Seen in the soak: the outcome's DM hit a ratelimit spell past one call's retries and
    was dropped; the claim was settled, so nobody would ever tell the person."""
    await console.desk.readydesk.add_history_note(34, "Fuser in\n— alice via Slack · ref CC11DD22")
    plan = WritePlan(
        check="ticket_note",
        target="34",
        marker="ref CC11DD22",
        typed="Fuser in",
        label="the note on ticket #34",
    )  # no response_url: a modal's write, told by DM
    await _left_by_a_dead_process(console, "view:V98", plan)
    console.slack.rate_limits["chat.postMessage"] = 6  # more 429s than one call retries
    # The app's Slack rules, with each Retry-After noted rather than waited out.
    slack = build_web_client(console.app_settings, Delivery(sleep=RecordingSleep()))
    done = await sweep_claims(console.desk, console.store, slack, datetime.now(UTC))
    assert done == ["note.ticket view:V98: confirmed"]
    [dm] = [c for c in console.slack.calls if c.name == "chat.postMessage" and c.answer]
    assert dm.payload["channel"] == "U1"
    assert "The note on ticket #34 was written" in dm.payload["text"]
