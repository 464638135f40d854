"""Ticket watches: a baseline first, each new match posted once, bursts summarised."""

import asyncio
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_web_client, handler_config
from bot.settings import Settings
from playground.console import Console
from store import Store
from tests.conftest import ready_store, run_cli
from workers.watches import poll_watches


def _posts(console: Console, channel: str = "C0CONSOLE") -> list:
    return [
        c
        for c in console.slack.calls
        if c.name == "chat.postMessage" and c.payload.get("channel") == channel
    ]


async def _poll(console: Console, store: Store | None = None) -> list[str]:
    """What each watch did (the live-card lines left out)."""
    settings = console.app_settings
    lines = await poll_watches(
        console.desk,
        store or console.store,
        build_web_client(settings),
        datetime.now(UTC),
        config=handler_config(settings),
    )
    return [line for line in lines if line.startswith("#")]


async def _new_ticket(console: Console, subject: str, priority: str = "Urgent") -> int:
    return await console.desk.readydesk.add_ticket(cid="demo", subject=subject, priority=priority)


async def test_a_watch_posts_each_new_matching_ticket_once_after_its_baseline(console):
    [added] = await console.send("/deskhand watch tickets priority:urgent")
    assert added["text"].startswith("Watching `#1`: priority:Urgent.")
    # The watch starts at the newest ticket when it is made: one that comes before its first
    # poll is alerted, and nothing older is.
    early = await _new_ticket(console, "Boiler pressure alarm")
    assert await _poll(console) == ["#1: 1 new"]
    [first] = _posts(console)
    assert first.payload["blocks"][0]["text"]["text"] == f"#{early} Boiler pressure alarm"
    urgent = await _new_ticket(console, "Server room flooding")
    await _new_ticket(console, "Mouse squeaks", priority="Low")
    assert await _poll(console) == ["#1: 1 new"]
    [_, post] = _posts(console)
    assert post.payload["blocks"][0]["text"]["text"] == f"#{urgent} Server room flooding"
    assert await _poll(console) == []  # nothing newer: no second post
    assert len(_posts(console)) == 2


async def test_a_burst_becomes_one_summary(console):
    await console.send("/deskhand watch tickets")
    await _poll(console)
    for n in range(7):
        await _new_ticket(console, f"Outage report {n}")
    assert await _poll(console) == ["#1: 7 new"]
    [summary] = _posts(console)
    assert "*7 new tickets* match watch #1" in summary.payload["blocks"][0]["text"]["text"]


async def test_a_big_burst_lists_what_fits_and_says_how_many_more(console):
    await console.send("/deskhand watch tickets")
    await _poll(console)
    for n in range(60):
        await _new_ticket(console, f"Outage report number {n} from the north side of the building")
    assert await _poll(console) == ["#1: 60 new"]
    [summary] = _posts(console)
    text = summary.payload["blocks"][0]["text"]["text"]
    head, *listed, last = text.split("\n")
    assert head == "*60 new tickets* match watch #1:" and len(text) <= 3000
    assert all(line.endswith(" · Open") for line in listed)  # whole lines, none cut
    assert last == f"… and {60 - len(listed)} more."


async def test_two_pollers_on_one_database_post_each_ticket_once(console, tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, two = ready_store(url), ready_store(url)
    watch = await one.alerts.add(
        channel_id="C0CONSOLE", kind="tickets", filters="", created_by="U1"
    )
    await _poll(console, one)
    await _new_ticket(console, "Printer on fire")
    await asyncio.gather(_poll(console, one), _poll(console, two))
    assert len(_posts(console)) == 1
    assert (await two.alerts.get(watch.id)).cursor == (await one.alerts.get(watch.id)).cursor
    await one.close()
    await two.close()


async def test_a_channel_the_bot_left_pauses_the_watch_and_tells_its_creator(console):
    await console.send("/deskhand watch tickets")
    await _poll(console)
    console.slack.channels_without_bot.add("C0CONSOLE")
    await _new_ticket(console, "Anyone there?")
    assert await _poll(console) == ["#1: paused (Deskhand is not in the channel)"]
    [told] = _posts(console, channel="U0CONSOLE")
    told_text = told.payload["text"]
    assert "watch #1 in <#C0CONSOLE> is paused: Deskhand is not in the channel" in told_text
    assert "`/deskhand resume-watch 1` there" in told_text
    [listed] = await console.send("/deskhand watches")
    assert "*paused*: Deskhand is not in the channel" in listed["text"]


async def test_watch_commands_explain_mistakes_and_unwatch_stops(console):
    [bad] = await console.send("/deskhand watch invoices")
    assert "Deskhand can watch `tickets`" in bad["text"]
    [typo] = await console.send("/deskhand watch tickets stauts:open")
    assert "Did you mean `status:`?" in typo["text"]
    await console.send("/deskhand watch tickets")
    [stopped] = await console.send("/deskhand unwatch 1")
    assert stopped["text"] == "Stopped watch #1."
    [none] = await console.send("/deskhand unwatch 1")
    assert "This channel has no watch `#1`" in none["text"]
    [which] = await console.send("/deskhand pause-watch")
    assert which["text"].startswith("Which watch? Give its number, e.g. `#1`")
    [usage] = await console.send("/deskhand watch help")
    assert usage["text"].startswith("Usage: `/deskhand watch tickets [filters] | watch jobs")
    [twice] = await console.send("/deskhand watch jobs tomorrow today")
    assert twice["text"].startswith("Give the day once: `today` is a second one.")


async def test_a_second_watch_for_the_same_thing_is_refused_naming_the_first(console):
    await console.send("/deskhand watch tickets priority:urgent")
    await console.send("/deskhand pause-watch 1")
    [again] = await console.send("/deskhand watch tickets priority:Urgent")
    assert again["text"].startswith(
        "This channel already watches that: `#1` priority:Urgent. "
        "It is paused: `/deskhand resume-watch 1` starts it again."
    )
    [listed] = await console.send("/deskhand watches")
    assert listed["text"].endswith("`#1` tickets: priority:Urgent — *paused* by hand")
    [other] = await console.send("/deskhand watch tickets priority:high")  # another search
    assert other["text"].startswith("Watching `#2`: priority:High.")
    [jobs] = await console.send("/deskhand watch jobs")
    assert jobs["text"].startswith("Watching `#3`: jobs today.")
    [same] = await console.send("/deskhand watch jobs today")
    assert same["text"].startswith("This channel already watches that: `#3` jobs today.")
    assert len(await console.store.alerts.in_channel("C0CONSOLE")) == 3


async def test_my_watch_of_another_channel_is_named_with_its_channel(console):
    mine = await console.store.alerts.add(
        channel_id="C0DISPATCH", kind="tickets", filters="", created_by="U0CONSOLE"
    )
    theirs = await console.store.alerts.add(
        channel_id="C0PRIVATE", kind="tickets", filters="", created_by="U1"
    )
    [there] = await console.send(f"/deskhand pause-watch #0{mine.id}")
    assert there["text"] == f"Watch `#{mine.id}` is in <#C0DISPATCH>: run this there."
    [hidden] = await console.send(f"/deskhand pause-watch {theirs.id}")
    assert hidden["text"].startswith(f"This channel has no watch `#{theirs.id}`.")
    assert not (await console.store.alerts.get(mine.id)).paused


def test_deskhand_alerts_poll_runs_one_poll(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DESKHAND_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "SLACK_BOT_TOKEN": "xoxb-cron",
    }

    def run(**extra: str) -> subprocess.CompletedProcess[str]:
        return run_cli("alerts", "poll", env={**env, **extra})

    quiet = run()
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout.strip() == "Nothing is watched."
    refused = run(SLACK_BOT_TOKEN="")
    assert refused.returncode == 2 and "SLACK_BOT_TOKEN" in refused.stderr


async def test_a_paused_watch_posts_nothing_and_catches_up_when_resumed(console):
    await console.send("/deskhand watch tickets")
    await _poll(console)
    [paused] = await console.send("/deskhand pause-watch 1")
    assert paused["text"] == "Watch #1 is paused."
    for n in range(6):
        await _new_ticket(console, f"While paused {n}")
    assert await _poll(console) == []
    await console.send("/deskhand resume-watch 1")
    assert await _poll(console) == ["#1: 6 new"]  # one summary, not six cards
    assert len(_posts(console)) == 1


async def test_the_burst_size_and_the_live_window_are_settings():
    settings = Settings(_env_file=None, DESKHAND_ALERT_BURST=2, DESKHAND_LIVE_CARD_DAYS=1)
    async with Console(settings) as console:
        await console.send("/deskhand watch tickets")
        await _poll(console)
        first, *_ = [await _new_ticket(console, f"Storm damage {n}") for n in range(3)]
        assert await _poll(console) == ["#1: 3 new"]
        [summary] = _posts(console)
        assert "*3 new tickets*" in summary.payload["blocks"][0]["text"]["text"]
        await console.send(f"/ticket {first}")
        await console.send("click Share in channel")
        await console.desk.readydesk.update_ticket(first, priority="Low")
        config = handler_config(console.app_settings)
        client = build_web_client(console.app_settings)
        later = datetime.now(UTC) + timedelta(days=2)  # past one day: no longer live
        await poll_watches(console.desk, console.store, client, later, config=config)
        assert not [c for c in console.slack.calls if c.name == "chat.update"]


async def test_a_ticket_alert_says_which_watch_posted_it_and_keeps_saying_it(console):
    await console.send("/deskhand watch tickets")
    number = await _new_ticket(console, "Printer on fire")
    assert await _poll(console) == ["#1: 1 new"]
    [ts] = [
        ts
        for (channel, ts), m in console.slack.messages.items()
        if channel == "C0CONSOLE" and m["blocks"][0]["text"]["text"].startswith(f"#{number} ")
    ]
    assert "New ticket matching watch #1" in repr(console.slack.messages[("C0CONSOLE", ts)])
    # ReadyDesk changes the ticket: the live card is redrawn in place and keeps its line.
    await console.desk.readydesk.update_ticket(number, priority="Low")
    settings = console.app_settings
    lines = await poll_watches(
        console.desk,
        console.store,
        build_web_client(settings),
        datetime.now(UTC),
        config=handler_config(settings),
    )
    assert f"ticket:{number}: changed, 1 card(s) updated" in lines
    redrawn = console.slack.messages[("C0CONSOLE", ts)]
    assert "*Priority*\nLow" in [f["text"] for f in redrawn["blocks"][1]["fields"]]
    assert "New ticket matching watch #1" in repr(redrawn["blocks"])


async def test_a_ticket_two_watches_of_a_channel_match_is_posted_there_once(console):
    await console.send("/deskhand watch tickets")
    await console.send("/deskhand watch tickets priority:urgent")
    number = await _new_ticket(console, "Server room flooding")
    assert await _poll(console) == ["#1: 1 new", "#2: 0 new"]
    [post] = _posts(console)
    assert post.payload["blocks"][0]["text"]["text"] == f"#{number} Server room flooding"
    assert await _poll(console) == []  # and not later either
    assert len(_posts(console)) == 1


@pytest.mark.parametrize("label", ["Refresh", "Assign to me"])
async def test_a_button_pressed_on_an_alert_card_keeps_its_watch_line(console, label):
    await console.send("/deskhand watch tickets")
    number = await _new_ticket(console, "Printer on fire")
    await _poll(console)
    [(ts, message)] = [
        (ts, m) for (channel, ts), m in console.slack.messages.items() if channel == "C0CONSOLE"
    ]
    [button] = [
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("text", {}).get("text") == label
    ]
    body = console.requests.block_actions(
        {"type": "button", "action_id": button["action_id"], "value": button["value"]},
        user={"id": "U0CONSOLE"},
        container={"type": "message", "message_ts": ts, "channel_id": "C0CONSOLE"},
        channel={"id": "C0CONSOLE"},
        message={**message, "ts": ts},
        response_url=console.slack.response_url("pressed"),
    )
    await console.deliver(body, len(console.slack.calls))
    [redrawn] = [
        c.payload
        for c in console.slack.calls
        if c.name == "pressed" and c.payload.get("replace_original") and c.payload.get("blocks")
    ]
    assert redrawn["blocks"][0]["text"]["text"] == f"#{number} Printer on fire"
    assert "New ticket matching watch #1" in str(redrawn["blocks"])
    assert "'Share'" not in str(redrawn["blocks"])  # drawn as the channel's copy, not as mine
