"""Digests due: each slot posted exactly once with a controllable clock, after downtime only
within the grace period, and a channel the bot cannot post to pauses the digest."""

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from api.times import day_words
from bot.app import build_web_client, handler_config
from playground.console import Console
from store import Store
from store.schedules import EVERY_DAY, DigestSchedule
from tests.conftest import ready_store, run_cli
from workers.digests import run_due


def _posts(console: Console, channel: str = "C0CONSOLE") -> list:
    return [
        c
        for c in console.slack.calls
        if c.name == "chat.postMessage" and c.payload.get("channel") == channel
    ]


async def _due(console: Console, now: datetime, store: Store | None = None) -> list[str]:
    settings = console.app_settings
    client, config = build_web_client(settings), handler_config(settings)
    return await run_due(console.desk, store or console.store, client, now, config=config)


def _next_eight(zone: str = "America/New_York") -> datetime:
    return DigestSchedule(time(8, 0), EVERY_DAY, zone).next_slot(datetime.now(UTC))


async def test_each_slot_is_posted_once_even_with_two_schedulers(console, tmp_path):
    await console.send("/digest add unresolved at 08:00 daily tz America/New_York")
    slot = _next_eight()
    assert await _due(console, slot - timedelta(minutes=1)) == []  # not yet
    first = await _due(console, slot + timedelta(seconds=5))
    assert first == [f"#1 {slot.isoformat()}: posted"]
    assert await _due(console, slot + timedelta(seconds=10)) == []  # already claimed
    [post] = _posts(console)
    assert post.payload["blocks"][0]["text"]["text"] == "Unresolved tickets"
    assert "Pause" in str(post.payload["blocks"][-1])


async def test_two_processes_sharing_a_database_post_one_digest(console, tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, two = ready_store(url), ready_store(url)
    await one.digests.add(
        channel_id="C0CONSOLE",
        kind="overdue",
        filters="",
        at_time="08:00",
        days=EVERY_DAY,
        timezone="America/New_York",
        quiet=False,
        created_by="U0CONSOLE",
    )
    slot = _next_eight()
    results = await asyncio.gather(_due(console, slot, one), _due(console, slot, two))
    assert sorted(len(r) for r in results) == [0, 1]
    assert len(_posts(console)) == 1
    await one.close()
    await two.close()


async def test_after_downtime_a_slot_older_than_the_grace_period_is_skipped_and_logged(
    console, caplog
):
    await console.send("/digest add overdue at 08:00 daily tz America/New_York")
    slot = _next_eight()
    with caplog.at_level(logging.INFO, logger="deskhand.digests"):
        assert await _due(console, slot + timedelta(hours=2)) == []
    assert _posts(console) == []
    assert "skipped the" in caplog.text
    assert await _due(console, slot + timedelta(minutes=30)) == []  # that slot is done with


async def test_quiet_digests_post_nothing_when_nothing_changed_and_others_say_what_did(console):
    await console.send("/digest add unresolved at 08:00 daily tz America/New_York quiet")
    await console.send("/digest add unresolved priority:high at 08:00 daily tz America/New_York")
    slot = _next_eight()
    await _due(console, slot)
    second = await _due(console, slot + timedelta(days=1))
    assert sorted(second) == [
        f"#1 {(slot + timedelta(days=1)).isoformat()}: quiet",
        f"#2 {(slot + timedelta(days=1)).isoformat()}: posted",
    ]
    latest = _posts(console)[-1]
    assert "Since the last digest:" in str(latest.payload["blocks"])


async def test_a_channel_the_bot_cannot_post_to_pauses_the_digest_and_tells_its_creator(console):
    await console.send("/digest add jobs-today at 08:00 daily tz America/New_York")
    console.slack.channels_without_bot.add("C0CONSOLE")
    slot = _next_eight()
    assert await _due(console, slot) == [f"#1 {slot.isoformat()}: paused"]
    [sub] = await console.store.digests.in_channel("C0CONSOLE")
    assert sub.paused and sub.paused_reason == "Deskhand is not in the channel"
    [told] = _posts(console, channel="U0CONSOLE")
    assert "is paused: Deskhand is not in the channel" in told.payload["text"]


async def test_two_digests_for_one_channel_at_the_same_minute_are_a_second_apart(paced_console):
    await paced_console.send("/digest add overdue at 08:00 daily tz America/New_York")
    await paced_console.send("/digest add unassigned at 08:00 daily tz America/New_York")
    await _due(paced_console, _next_eight())
    first, second = _posts(paced_console)
    assert second.at - first.at >= 0.9


async def test_deskhand_digest_run_due_posts_once_for_cron(slack, tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = ready_store(url)
    await store.digests.add(
        channel_id="C0CRON",
        kind="jobs-today",
        filters="",
        at_time="08:00",
        days=EVERY_DAY,
        timezone="America/New_York",
        quiet=False,
        created_by="U1",
    )
    await store.close()
    slot = _next_eight()
    env = {
        "PATH": "/usr/bin:/bin",
        "DESKHAND_DATABASE_URL": url,
        "SLACK_API_URL": slack.api_url,
        "SLACK_BOT_TOKEN": "xoxb-cron",
    }

    async def run(*args: str, **extra: str) -> tuple[int, str, str]:
        done = await asyncio.to_thread(run_cli, "digest", "run-due", *args, env={**env, **extra})
        return done.returncode, done.stdout, done.stderr

    at = (slot + timedelta(minutes=2)).isoformat()
    code, out, err = await run("--at", at)
    assert code == 0, err
    assert out.strip() == f"#1 {slot.isoformat()}: posted"
    assert [c.payload["channel"] for c in slack.calls if c.name == "chat.postMessage"] == ["C0CRON"]
    code, out, _ = await run("--at", at)
    assert out.strip() == f"Nothing due at {at}."
    code, _, err = await run("--at", "tomorrow")
    assert code == 2 and "--at takes an ISO 8601 time" in err
    code, _, err = await run(SLACK_BOT_TOKEN="")
    assert code == 2 and "SLACK_BOT_TOKEN" in err
    late = f"sqlite:///{tmp_path / 'late.db'}"  # the same digest, run with a one-minute grace
    store = ready_store(late)
    await store.digests.add(
        channel_id="C0CRON",
        kind="jobs-today",
        filters="",
        at_time="08:00",
        days=EVERY_DAY,
        timezone="America/New_York",
        quiet=False,
        created_by="U1",
    )
    await store.close()
    code, out, err = await run("--at", at, DESKHAND_DATABASE_URL=late, DESKHAND_DIGEST_GRACE="60")
    assert code == 0, err
    assert out.strip() == f"Nothing due at {at}."  # two minutes late is past the grace
    assert len([c for c in slack.calls if c.name == "chat.postMessage"]) == 1


async def test_a_scheduled_digests_breakdowns_count_only_the_tickets_its_filters_match(console):
    data = console.fake("readydesk").state.data
    [added] = await console.send(
        '/digest add unresolved priority:high group:"Tier 1" at 08:00 daily tz America/New_York'
    )
    assert added["text"].startswith("Subscribed:"), added["text"]
    slot = _next_eight()
    await _due(console, slot)
    [post] = _posts(console)
    matching = [
        t
        for t in data.tickets.values()
        if t.priority == "High" and t.assigned_group_name == "Tier 1" and t.status != "Closed"
    ]
    lines = post.payload["blocks"][1]["text"]["text"].splitlines()
    query = '`/tickets status:unresolved priority:High group:"Tier 1"`'
    assert lines[0] == f"*{len(matching)}* unresolved · {query}"
    assert f"*By priority:* High {len(matching)}" in lines
    assert f"*By group:* Tier 1 {len(matching)}" in lines


async def test_a_jobs_digest_posted_past_midnight_is_of_the_day_its_slot_was_due(console):
    # Slack or the process was down at 23:30; the post goes out at 00:10, within the grace
    # period. "Jobs tomorrow" at 23:30 is the next morning's jobs, not the day after's.
    await console.send("/digest add jobs-tomorrow at 23:30 daily tz UTC")
    slot = DigestSchedule(time(23, 30), EVERY_DAY, "UTC").next_slot(datetime.now(UTC))
    late = slot + timedelta(minutes=40)
    settings = console.app_settings
    config = replace(handler_config(settings), clock=lambda: late)
    client = build_web_client(settings)
    assert await run_due(console.desk, console.store, client, late, config=config) == [
        f"#1 {slot.isoformat()}: posted"
    ]
    [post] = _posts(console)
    wanted = slot.date() + timedelta(days=1)
    assert post.payload["blocks"][0]["text"]["text"].startswith(
        f"Jobs tomorrow · {day_words(wanted)}"
    )


async def _pause_posted_digest(console: Console) -> tuple[str, dict]:
    """Post digest #1 and press its Pause: the message's ts and the reply that replaced it."""
    await console.send("/digest add unresolved at 08:00 daily tz America/New_York")
    await _due(console, _next_eight() + timedelta(seconds=5))
    [post] = _posts(console)
    message = {**post.payload, "ts": post.answer["ts"]}
    [pause] = [
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Pause"
    ]
    body = console.requests.block_actions(
        {"type": "button", "action_id": pause["action_id"], "value": pause["value"]},
        user={"id": "U0CONSOLE"},
        container={"type": "message", "message_ts": message["ts"], "channel_id": "C0CONSOLE"},
        channel={"id": "C0CONSOLE"},
        message=message,
        response_url=console.slack.response_url("pause"),
    )
    [replaced] = await console.deliver(body, len(console.slack.calls))
    return message["ts"], replaced


async def _resume_as_someone_else(console: Console) -> list[dict]:
    resume = console.requests.command(
        "/digest",
        "resume 1",
        user={"id": "U0OTHER"},
        channel={"id": "C0CONSOLE"},
        response_url=console.slack.response_url("resume"),
    )
    return await console.deliver(resume, len(console.slack.calls))


async def test_pause_on_a_posted_digest_takes_its_pause_away_and_says_who_paused_it(console):
    ts, replaced = await _pause_posted_digest(console)
    assert replaced["replace_original"] is True  # the channel's copy, for everyone
    shown = str(replaced["blocks"])
    assert "'Pause'" not in shown and "Show in /tickets" in shown
    assert "Paused by <@U0CONSOLE>: `/digest resume 1` starts it again." in shown
    [sub] = await console.store.digests.in_channel("C0CONSOLE")
    assert sub.paused
    # Resumed (by someone else): the channel's copy no longer says how to resume it.
    console.slack.messages[("C0CONSOLE", ts)] |= {"blocks": replaced["blocks"]}  # as Slack did
    answers = await _resume_as_someone_else(console)
    assert answers[-1]["text"] == "Digest #1 is running again."
    resumed = console.slack.messages[("C0CONSOLE", ts)]
    last = resumed["blocks"][-1]["elements"][0]["text"]
    assert last == "Paused by <@U0CONSOLE>, resumed by <@U0OTHER>."
    assert "Show in /tickets" in str(resumed["blocks"]) and "'Pause'" not in str(resumed["blocks"])


async def test_a_pause_by_hand_after_the_cards_keeps_the_card_to_mark_resumed(console):
    ts, replaced = await _pause_posted_digest(console)
    console.slack.messages[("C0CONSOLE", ts)] |= {"blocks": replaced["blocks"]}  # as Slack did
    [again] = await console.send("/digest pause 1")
    assert again["text"] == "Digest #1 is paused."
    await _resume_as_someone_else(console)
    last = console.slack.messages[("C0CONSOLE", ts)]["blocks"][-1]["elements"][0]["text"]
    assert last == "Paused by <@U0CONSOLE>, resumed by <@U0OTHER>."


async def test_a_resume_whose_paused_message_is_gone_still_resumes(console):
    ts, _ = await _pause_posted_digest(console)
    del console.slack.messages[("C0CONSOLE", ts)]  # someone deleted the paused digest
    answers = await _resume_as_someone_else(console)
    assert [a["text"] for a in answers] == ["Digest #1 is running again."]
    [sub] = await console.store.digests.in_channel("C0CONSOLE")
    assert not sub.paused and sub.paused_message == ""
