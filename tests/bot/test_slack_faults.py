"""Slack's own API failing under the app: a command's reply whose response_url answers 429, 5xx,
ok:false or 404, a form whose views.update fails after the note was written, and the Home tab's
views.publish failing — each retried within Slack's rules, or delivered by DM when the surface
is gone; the person always hears the truth once."""

import json

import pytest

from handlers import forms
from playground.console import Console
from sandbox.slack import sandbox_user
from tests.bot.served import served
from tests.conftest import RecordingSleep

JSON = {"content-type": "application/json; charset=utf-8"}
RESPONSE = "/response/"


def _history(console: Console, tid: int) -> list:
    return console.fake("readydesk").state.data.history.get(tid, [])


def _replies(console: Console) -> list[dict]:
    """What reached the command's response_url."""
    return [c.payload for c in console.slack.calls if c.kind == "response_url"]


def _dms(console: Console, user: str = "U0CONSOLE") -> list[dict]:
    return [m for (where, _), m in console.slack.messages.items() if where == user]


@pytest.fixture
def quick(console: Console, sleeps: RecordingSleep) -> RecordingSleep:
    """The app's retry waits, recorded instead of slept."""
    console.app.client.delivery.sleep = sleeps
    return sleeps


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 429, "headers": {"Retry-After": "1"}},
        {"status": 500},
        {"status": 200, "body": json.dumps({"ok": False, "error": "ratelimited"}), "headers": JSON},
    ],
    ids=["429", "500", "ok-false-ratelimited"],
)
async def test_a_command_reply_slack_fails_once_is_retried_and_arrives_once(console, quick, fault):
    before = len(_history(console, 34))
    console.slack.faults.add("status", path=RESPONSE, times=1, **fault)
    await console.send("/note ticket 34 Called back")
    [reply] = _replies(console)
    assert reply["text"].startswith("Added the note to ticket #34")
    assert len(_history(console, 34)) == before + 1
    assert _dms(console) == []
    assert quick.delays == [1.0] if fault["status"] == 429 else len(quick.delays) == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 404, "body": "expired_url"},
        {"status": 200, "body": json.dumps({"ok": False, "error": "used_url"}), "headers": JSON},
        {"status": 500, "times": None},  # past every retry
    ],
    ids=["404", "ok-false", "500-for-good"],
)
async def test_a_command_reply_whose_response_url_is_gone_arrives_as_a_dm(console, quick, fault):
    before = len(_history(console, 34))
    console.slack.faults.add("status", path=RESPONSE, **{"times": 1, **fault})
    await console.send("/note ticket 34 Called back")
    assert len(_history(console, 34)) == before + 1  # written once
    [dm] = _dms(console)
    assert dm["text"].startswith("Added the note to ticket #34")
    assert "response_type" not in dm and "replace_original" not in dm


async def test_a_form_whose_update_fails_once_still_shows_the_note_added(
    console, quick, monkeypatch
):
    monkeypatch.setattr(forms, "ACK_BUDGET", 0.05)
    console.faults("readydesk").add("latency", seconds=0.3, query={"action": "add_history"})
    console.slack.faults.add("status", path="/api/views.update", status=500, times=1)
    await console.send("/note ticket 34")
    view_id = console.slack.last_view_id
    ack = await console.submit_view(view_id, {"note": "Slow but sure"})
    assert ack["view"]["title"]["text"] == "Saving…"
    assert console.slack.views[view_id]["title"]["text"] == "Note added"
    assert _dms(console) == []


async def test_a_form_closed_before_the_note_was_written_is_told_by_dm_not_not_done(
    console, quick, monkeypatch
):
    monkeypatch.setattr(forms, "ACK_BUDGET", 0.05)
    console.faults("readydesk").add("latency", seconds=0.3, query={"action": "add_history"})
    gone = json.dumps({"ok": False, "error": "not_found"})
    console.slack.faults.add(
        "status", path="/api/views.update", status=200, body=gone, headers=JSON
    )
    before = len(_history(console, 34))
    await console.send("/note ticket 34")
    view_id = console.slack.last_view_id
    await console.submit_view(view_id, {"note": "Slow but sure"})
    assert len(_history(console, 34)) == before + 1
    [dm] = _dms(console)
    assert dm["text"] == "Note added"
    assert "Not done" not in json.dumps(console.slack.views) + json.dumps(dm)


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"status": 200, "body": json.dumps({"ok": False, "error": "ratelimited"}), "headers": JSON},
    ],
    ids=["500", "ok-false-ratelimited"],
)
async def test_the_home_tab_is_published_when_slack_fails_once(slack, fault):
    slack.users["U2"] = sandbox_user("U2", "Sam Ortiz", "sam@fieldcrew.example")
    async with served(slack) as app:
        slack.faults.add("status", path="/api/views.publish", times=1, **fault)
        opened = {"type": "app_home_opened", "user": "U2", "channel": "D0HOME", "tab": "home"}
        await app.event(opened)
    assert "U2" in slack.home_tabs
    publishes = [c for c in slack.calls if c.name == "views.publish"]
    assert len(publishes) == 1  # the failed one never reached Slack's state


async def test_a_reply_rate_limited_for_long_goes_by_dm_without_waiting_it_out(console, quick):
    # A listener waiting out Retry-After holds one of the few work slots: other commands starve.
    long_limit = {"status": 429, "headers": {"Retry-After": "20"}}
    console.slack.faults.add("status", path=RESPONSE, **long_limit)
    await console.send("/note ticket 34 Called back")
    [dm] = _dms(console)
    assert dm["text"].startswith("Added the note to ticket #34")
    assert sum(quick.delays) <= 3.0


async def test_a_form_outcome_rate_limited_for_long_goes_by_dm_without_waiting_it_out(
    console, quick, monkeypatch
):
    monkeypatch.setattr(forms, "ACK_BUDGET", 0.05)
    console.faults("readydesk").add("latency", seconds=0.3, query={"action": "add_history"})
    console.slack.faults.add(
        "status", path="/api/views.update", status=429, headers={"Retry-After": "20"}
    )
    await console.send("/note ticket 34")
    await console.submit_view(console.slack.last_view_id, {"note": "Slow but sure"})
    [dm] = _dms(console)
    assert dm["text"] == "Note added"
    assert sum(quick.delays) <= 3.0


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"status": 429, "headers": {"Retry-After": "20"}}, "nothing was sent. Try again"),
        ({"status": 500}, "may still have taken that: look for it before you try again"),
    ],
    ids=["rate-limited-for-long", "500"],
)
async def test_a_share_slack_keeps_failing_says_what_slack_did_not_deskhand_went_wrong(
    console, quick, fault, said
):
    await console.send("/ticket 34")
    console.slack.faults.add("status", path="/api/chat.postMessage", **fault)
    await console.send("click Share in channel")
    told = _replies(console)[-1]["text"]
    assert said in told
    assert "Deskhand's side" not in told
    assert [m for (where, _), m in console.slack.messages.items() if where == "C0CONSOLE"] == []


async def test_a_share_whose_channel_and_response_url_both_fail_says_so_in_the_dm(console, quick):
    console.slack.channels_without_bot.add("C0CONSOLE")
    await console.send("/ticket 34")
    console.slack.faults.add("status", path=RESPONSE, status=404, body="expired_url")
    await console.send("click Share in channel")
    [dm] = _dms(console)
    assert "not shared in the channel" in dm["text"]
    assert dm["blocks"][0]["type"] == "context"
    assert "#34 " in json.dumps(dm["blocks"])


async def test_a_burst_of_shares_to_one_channel_never_holds_a_listener_long(paced_console, sleeps):
    console = paced_console
    console.app.client.delivery.sleep = quick = sleeps  # the pacing's waits, recorded
    console.app.client.delivery.clock = lambda: 0.0  # the whole burst at one instant
    for ticket in (34, 35, 36, 37, 38, 39):
        await console.send(f"/ticket {ticket}")
        await console.send("click Share in channel")
    shared = [m for (where, _), m in console.slack.messages.items() if where == "C0CONSOLE"]
    assert len(shared) == 6
    assert quick.delays[:2] == [1.0, 2.0]  # paced about a second apart …
    assert max(quick.delays) <= 3.0  # … but no listener waits its turn for long


async def test_a_note_not_added_told_by_dm_offers_no_button_that_only_works_in_the_form(
    console, quick, monkeypatch
):
    monkeypatch.setattr(forms, "ACK_BUDGET", 0.0)  # the outcome comes after the ack
    console.faults("readydesk").add("status", status=400, query={"action": "add_history"})
    gone = json.dumps({"ok": False, "error": "not_found"})
    console.slack.faults.add(
        "status", path="/api/views.update", status=200, body=gone, headers=JSON
    )
    await console.send("/note ticket 34")
    await console.submit_view(console.slack.last_view_id, {"note": "Called back twice"})
    [dm] = _dms(console)
    assert "Called back twice" in json.dumps(dm["blocks"])  # what was typed, given back
    assert not [b for b in dm["blocks"] if b["type"] == "actions"]
