"""Every slash command answers in full when ReadyDesk and Kickserv are slow, with the app run as
it is served: the acknowledgement returns at once, and the answer comes after it through the
response_url or the Web API, never in a second ack that Slack would not see."""

import pytest

from playground.console import Console
from tests.conftest import directory_filled

pytestmark = pytest.mark.long_running

LATENCY = 0.05  # seconds each backend request waits before the fake answers (any will do)


@pytest.fixture
async def slow(console: Console) -> Console:
    """The console with the directory filled (as in a process that has run a while), then both
    backends answering every request late."""
    await directory_filled(console)
    for backend in ("readydesk", "kickserv"):
        console.faults(backend).add("latency", seconds=LATENCY)
    return console


def _job(console: Console) -> int:
    return next(iter(console.fake("kickserv").state.data.jobs))


async def _answers(console: Console, line: str) -> list[dict]:
    """What the person sees for `line`; none of it may ride on the acknowledgement."""
    replies = await console.send(line.format(job=_job(console)))
    assert replies, f"{line}: nothing reached the person"
    acked = [r["text"] for r in replies if r["via"] == "ack"]
    assert not acked, f"{line}: answered in the ack after waiting for a backend: {acked}"
    return replies


# (what is typed first, the command, what the person reads in the last reply)
MESSAGES = [
    ([], "/ticket 34", "Ticket #34: Printer offline in accounts"),
    ([], "/tickets status:open", "tickets · status:Open"),
    ([], "/tickets tech:me", "tickets · tech:alice"),
    ([], "/customer demo", "Customer: Demo Company"),  # an exact ID: its card
    ([], "/job {job}", "Job {job}"),
    ([], "/note ticket 34 Called back", "Added the note to ticket #34"),
    ([], "/note customer demo Prefers mornings", "Added the note to customer"),
    ([], "/digest list", "No digests in this channel."),
    ([], "/digest add unresolved status:open at 08:00", "Subscribed: `#1` unresolved"),
    (["/digest add overdue at 07:30"], "/digest pause 1", "Digest #1 is paused."),
    (["/digest add overdue at 07:30"], "/digest resume 1", "Digest #1 is running again."),
    (["/digest add overdue at 07:30"], "/digest remove 1", "Removed digest #1."),
    (["/digest add overdue at 07:30"], "/digest remove 7", "This channel has no digest `#7`"),
    ([], "/digest preview unresolved", "Unresolved tickets"),
    ([], "/digest preview unresolved status:bogus", "There is no status `bogus`"),
    ([], "/digest preview jobs-today", "Jobs today"),
    ([], "/digest add unresolved at 08:00 tz Mars/Base", "`Mars/Base` is not a time zone"),
    ([], "/deskhand ticket 34", "Ticket #34: Printer offline in accounts"),
    ([], "/deskhand tickets priority:high", "tickets · priority:High"),
    ([], "/deskhand customer demo", "Customer: Demo Company"),
    ([], "/deskhand job {job}", "Job {job}"),
    ([], "/deskhand note ticket 34 Swapped the toner", "Added the note to ticket #34"),
    ([], "/deskhand whoami", "You are ReadyDesk technician `alice`"),
    ([], "/deskhand link @alice tech:alice", "Saved. <@U0CONSOLE> is ReadyDesk technician"),
    ([], "/deskhand link @alice tech:nobody", "ReadyDesk has no technician `nobody`"),
    (["/note ticket 34 Called back"], "/deskhand audit", "The last 1 writes from Slack"),
    ([], "/deskhand watch tickets priority:urgent", "Watching `#1`: priority:Urgent"),
    ([], "/deskhand watch tickets status:bogus", "There is no status `bogus`"),
    ([], "/deskhand watch jobs tomorrow", "Watching `#1`: jobs tomorrow"),
    (["/deskhand watch jobs tomorrow"], "/deskhand watches", "`#1` jobs: jobs tomorrow"),
    ([], "/deskhand watches", "Nothing is watched here."),
    (["/deskhand watch jobs today"], "/deskhand pause-watch 1", "Watch #1 is paused."),
    (["/deskhand watch jobs today"], "/deskhand resume-watch 1", "Watch #1 is watching again."),
    (["/deskhand watch jobs today"], "/deskhand unwatch 1", "Stopped watch #1."),
    ([], "/deskhand unwatch 4", "This channel has no watch `#4`"),
    ([], "/deskhand callbacks", "possible callbacks in the last 30 days"),
    ([], "/deskhand runsheet", "Your run-sheet for"),
    ([], "/deskhand runsheet at 07:00 weekdays", "Your run-sheet comes by direct message at 07:00"),
    (["/deskhand runsheet at 07:00"], "/deskhand runsheet off", "Your run-sheet is off."),
    ([], "/deskhand threads", "Threads do not sync in this channel."),
    ([], "/deskhand threads on", "Threads sync in this channel now"),
    (["/deskhand threads on"], "/deskhand threads off", "Threads no longer sync"),
]


@pytest.mark.parametrize(
    ("before", "line", "expected"), MESSAGES, ids=[", then ".join([*m[0], m[1]]) for m in MESSAGES]
)
async def test_a_slow_backend_still_gets_the_answer_to_the_person(slow, before, line, expected):
    for earlier in before:
        await slow.send(earlier)
    replies = await _answers(slow, line)
    assert expected.format(job=_job(slow)) in replies[-1]["text"]
    assert all(r["via"] == "response_url" for r in replies)


# (the command, the title of the form it opens)
FORMS = [
    ("/ticket new", "Create ticket"),
    ("/job new", "Create job"),
    ("/note ticket 34", "Add note"),
    ("/deskhand note ticket 34", "Add note"),
    ("/deskhand ticket new", "Create ticket"),
    ("/deskhand job new", "Create job"),
]


@pytest.mark.parametrize(("line", "title"), FORMS, ids=[f[0] for f in FORMS])
async def test_a_slow_backend_still_opens_the_form(slow, line, title):
    replies = await _answers(slow, line)
    assert replies[0]["via"] == "views.open"
    assert slow.slack.views[slow.slack.last_view_id]["title"]["text"] == title


# What needs no backend may be the acknowledgement itself.
AT_ONCE = [
    ("/deskhand help", "Deskhand commands"),
    ("/digest", "Usage: `/digest add"),
    ("/ticket", "Usage: `/ticket"),
    ("/tickets help", "Usage: `/tickets"),
    ("/note", "Where should the note go?"),
]


@pytest.mark.parametrize(("line", "expected"), AT_ONCE, ids=[a[0] for a in AT_ONCE])
async def test_usage_answers_come_with_the_ack(slow, line, expected):
    [reply] = await slow.send(line)
    assert reply["via"] == "ack" and expected in reply["text"]
