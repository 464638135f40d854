"""Digests: subscribing, listing, pausing, previewing (the posting of due slots is
tests/workers/test_digests.py)."""

import re
from collections import Counter

from bot.settings import Settings
from playground.console import Console
from sandbox.data import GROUPS, PRIORITIES


async def test_subscribe_list_pause_resume_remove(console):
    [added] = await console.send(
        "/digest add unresolved status:open at 08:00 weekdays tz America/New_York quiet"
    )
    assert added["text"] == (
        "Subscribed: `#1` unresolved status:Open at 08:00 weekdays America/New_York quiet"
    )
    [jobs] = await console.send("/digest add jobs-today at 7:30")
    assert "jobs-today at 07:30 daily UTC" in jobs["text"]  # the user's Slack time zone
    [paused] = await console.send("/digest pause 1")
    assert paused["text"] == "Digest #1 is paused."
    [listed] = await console.send("/digest list")
    assert "America/New_York quiet — *paused* by hand\n" in listed["text"]
    await console.send("/digest resume 1")
    [removed] = await console.send("/digest remove 2")
    assert removed["text"] == "Removed digest #2."
    assert [s.id for s in await console.store.digests.in_channel("C0CONSOLE")] == [1]


async def test_the_digests_older_name_is_still_understood(console):
    """`open-tickets` was the unresolved digest's name: typed, it subscribes to `unresolved`."""
    [added] = await console.send("/digest add open-tickets at 08:00")
    assert added["text"].startswith("Subscribed: `#1` unresolved at 08:00"), added["text"]
    [sub] = await console.store.digests.in_channel("C0CONSOLE")
    assert sub.kind == "unresolved"


async def test_subscription_mistakes_are_explained(console):
    cases = {
        "/digest add": "Which digest?",
        "/digest add unresolvd at 08:00": "Did you mean `unresolved`?",
        "/digest add overdue": "When? Add `at 08:00` after the filters.",
        "/digest add overdue at 08:00 tz Europe/Berln": "Did you mean `Europe/Berlin`?",
        "/digest add jobs-today status:open at 08:00": "`jobs-today` takes no filters.",
        "/digest add overdue stauts:open at 08:00": "Did you mean `status:`?",
        "/digest remove 99": "This channel has no digest `#99`.",
        "/digest pause 99999999999999999999999": "This channel has no digest `#999999999…`.",
        "/digest resume ²": "This channel has no digest `#²`.",
    }
    for line, expected in cases.items():
        [reply] = await console.send(line)
        assert expected in reply["text"], (line, reply["text"])
    assert await console.store.digests.in_channel("C0CONSOLE") == []


async def test_words_after_the_time_must_be_schedule_words(console):
    rule = "After the time come only `daily`, `weekdays`, days like `mon,thu`"
    cases = {
        "/digest add unresolved at 08:00 fortnightly": "`fortnightly` is not a schedule word.",
        "/digest add unresolved at 08:00 monthly": "`monthly` is not a schedule word.",
        "/digest add overdue at 08:00 weekdys": "Did you mean `weekdays`?",
        "/digest add overdue at 08:00 quiet status:open": "`status:open` is not a schedule word.",
        "/digest add overdue at 08:00 daily weekdays": "Name the days once",
    }
    for line, expected in cases.items():
        [reply] = await console.send(line)
        assert expected in reply["text"] and rule in reply["text"], (line, reply["text"])
    [day] = await console.send("/digest add overdue at 08:00 mon,thx")
    assert "`thx` is not a day; days are `mon`, `tue`" in day["text"]
    [zone] = await console.send("/digest add overdue at 08:00 tz")
    assert "`tz` needs a time zone, e.g. `tz Europe/Berlin`." in zone["text"]
    assert await console.store.digests.in_channel("C0CONSOLE") == []
    [added] = await console.send(
        "/digest add unresolved printer at reception at 08:00 mon,thursday tz Europe/Berlin quiet"
    )
    assert added["text"] == (
        'Subscribed: `#1` unresolved "printer at reception" at 08:00 mon,thu Europe/Berlin quiet'
    )
    [help_] = await console.send("/deskhand help")
    listed = "\n".join(b["text"]["text"] for b in help_["blocks"] if b["type"] == "section")
    assert "Filters and search words go before `at`" in listed


async def test_a_bad_time_of_day_is_named_and_am_pm_times_are_accepted(console):
    advice = "is not a time of day; write it as 24-hour HH:MM, e.g. `at 08:00`"
    for typed in ("25:00", "07:60", "8", "13pm", "0am", "8.30"):
        [reply] = await console.send(f"/digest add overdue at {typed} weekdays")
        assert reply["text"].startswith(f"`{typed}` {advice}"), (typed, reply["text"])
    assert await console.store.digests.in_channel("C0CONSOLE") == []
    for typed, stored in (("8am", "08:00"), ("8:30 pm", "20:30"), ("12am", "00:00")):
        [added] = await console.send(f"/digest add overdue at {typed} tz UTC")
        assert f"overdue at {stored} daily UTC" in added["text"], (typed, added["text"])


async def test_only_writers_may_subscribe_but_anyone_may_list():
    async with Console(Settings(_env_file=None, DESKHAND_WRITERS="U0BOSS")) as console:
        [refused] = await console.send("/digest add overdue at 08:00")
        assert "not on Deskhand's list of people who may write" in refused["text"]
        [listed] = await console.send("/digest list")
        assert listed["text"].startswith("No digests in this channel.")


async def test_preview_builds_the_card_now_for_the_requester(console):
    [card] = await console.send("/digest preview jobs-today")
    assert card["blocks"][0]["text"]["text"].startswith("Jobs today · ")
    assert card["response_type"] == "ephemeral"


async def test_each_kind_builds_its_card_from_the_sandboxes(console):
    data = console.fake("readydesk").state.data
    for kind in ("overdue", "unassigned", "jobs-tomorrow"):
        [card] = await console.send(f"/digest preview {kind}")
        assert card["blocks"], (kind, card["text"])
    [unassigned] = await console.send("/digest preview unassigned")
    shown = [int(n) for n in re.findall(r"\*#(\d+)\*", str(unassigned["blocks"]))]
    assert shown and all(not data.tickets[n].assigned_tech for n in shown)
    assert shown == sorted(shown)  # oldest first


def _breakdown(card: dict, label: str) -> str:
    """The card's `*By <label>:* …` line."""
    text = card["blocks"][1]["text"]["text"]
    return next(line for line in text.splitlines() if line.startswith(f"*By {label}:*"))


def _expected(label: str, counts: Counter, order: list[str]) -> str:
    return f"*By {label}:* " + " · ".join(f"{k} {counts[k]}" for k in order if counts[k])


async def test_a_previews_breakdowns_count_only_the_tickets_its_filters_match(console):
    data = console.fake("readydesk").state.data
    groups = [name for _, name in GROUPS]
    urgent = [t for t in data.tickets.values() if t.priority == "Urgent" and t.status != "Closed"]
    [card] = await console.send("/digest preview unresolved priority:urgent")
    assert f"*{len(urgent)}* unresolved" in card["blocks"][1]["text"]["text"]
    assert _breakdown(card, "priority") == f"*By priority:* Urgent {len(urgent)}"
    by_group = Counter(t.assigned_group_name for t in urgent)
    assert _breakdown(card, "group") == _expected("group", by_group, groups)

    field = [t for t in data.tickets.values() if t.assigned_group_name == "Field Team"]
    field = [t for t in field if t.status != "Closed"]
    [card] = await console.send('/digest preview unresolved group:"Field Team"')
    assert _breakdown(card, "group") == f"*By group:* Field Team {len(field)}"
    by_priority = Counter(t.priority for t in field)
    assert _breakdown(card, "priority") == _expected("priority", by_priority, list(PRIORITIES))


async def test_each_breakdown_adds_up_to_the_total_beside_it(console):
    data = console.fake("readydesk").state.data
    loose = next(t for t in data.tickets.values() if t.status != "Closed")
    loose.assigned_group_name, loose.assigned_group_id = "", 0  # in no group
    [card] = await console.send("/digest preview unresolved")
    total = int(re.search(r"\*([\d,]+)\* unresolved", str(card["blocks"])).group(1))
    for label in ("status", "priority", "group"):
        row = _breakdown(card, label)
        assert sum(int(n) for n in re.findall(r" (\d+)(?= ·|$)", row)) == total, row
    assert _breakdown(card, "group").endswith(" · none of these 1")


async def test_watch_numbers_no_watch_has_are_answered_not_crashed_on(console):
    for verb in ("unwatch", "pause-watch", "resume-watch"):
        for number, shown in (("99999999999999999999999", "999999999…"), ("²", "²"), ("0", "0")):
            [reply] = await console.send(f"/deskhand {verb} {number}")
            assert reply["text"] == (
                f"This channel has no watch `#{shown}`. `/deskhand watches` lists them."
            ), (verb, number)


async def test_the_same_digest_twice_in_a_channel_is_refused(console):
    await console.send("/digest add overdue priority:high at 08:00 weekdays tz Europe/Berlin")
    [again] = await console.send(
        "/digest add overdue priority:High at 8am weekdays tz Europe/Berlin"
    )
    assert again["text"].startswith(
        "This channel already has that digest: `#1` overdue priority:High at 08:00 weekdays"
    )
    [later] = await console.send("/digest add overdue priority:high at 09:00 weekdays")
    assert later["text"].startswith("Subscribed: `#2`")


async def test_words_after_a_command_that_takes_none_get_its_usage(console):
    cases = {
        "/deskhand whoami please": "Nothing goes after it. Usage: `/deskhand whoami`.",
        "/deskhand watches extra": "Nothing goes after it. Usage: `/deskhand watch tickets",
        "/deskhand callbacks now": "Nothing goes after it. Usage: `/deskhand callbacks`",
        "/deskhand whoami help": "Usage: `/deskhand whoami`.",
    }
    for line, expected in cases.items():
        [reply] = await console.send(line)
        assert reply["text"].startswith(expected), (line, reply["text"])


async def test_help_on_one_command_shows_that_command(console):
    [one] = await console.send("/deskhand help watches")
    shown = str(one["blocks"])
    assert "/deskhand watch tickets [filters]" in shown and "/digest add" not in shown
    [two] = await console.send("/deskhand help watch tickets")
    assert "/deskhand watch tickets [filters]" in str(two["blocks"])
    [bogus] = await console.send("/deskhand help bogus")
    assert "There is no command `bogus`." in str(bogus["blocks"][0])
    assert "/digest add" in str(bogus["blocks"])  # then every command
