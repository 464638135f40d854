"""The write fault matrix: every write path under every way a backend reply can go wrong.

Each case holds Deskhand to its promise: the write happens once or not at all, the person is
told which (never "not written" when the backend applied it), and what they typed is never lost.
Faults sit in front of the sandbox fakes and hit only the write request, once.
"""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio

from playground.console import Console
from tests.conftest import clean_settings, directory_filled
from workers.claims import sweep_claims

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.long_running]

TYPED = "Replaced the pickup roller"
NEVER = ("Nothing was written",)
NOT_WRITTEN = ("Not added", "Not created", "Not changed", "not written")

# (fault kind, options, whether the backend carries the write out)
MODES = [
    ("pass", {}, True),
    ("status", {"status": 502}, False),
    ("html", {"status": 500}, False),
    ("drop", {}, False),
    ("empty", {}, False),
    ("latency", {"seconds": 0.05}, True),
    ("applied_status", {"status": 504}, True),
    ("applied_drop", {}, True),
    ("truncated", {}, True),
    ("short_length", {}, True),
    ("malformed", {}, True),
    ("latency_after", {"seconds": 0.05}, True),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served() -> AsyncIterator[Console]:
    """One app over the sandboxes for the whole matrix (each case counts what it adds); its
    posts are not paced, or each case would wait out the last one's post to the channel."""
    settings = clean_settings(DESKHAND_LOOKING_UP_AFTER=60, DESKHAND_SLACK_POST_GAP=0)
    async with Console(settings) as console:
        await directory_filled(console)
        yield console


@pytest.fixture
def console(served: Console) -> Iterator[Console]:
    """The shared app with no faults, and ticket 34 open and unassigned again."""
    ticket = served.fake("readydesk").state.data.tickets[34]
    ticket.status, ticket.date_closed, ticket.assigned_tech = "Open", None, ""
    for backend in ("readydesk", "kickserv"):
        served.faults(backend).clear()
    yield served
    for backend in ("readydesk", "kickserv"):
        served.faults(backend).clear()


@dataclass
class Path:
    """One way to write from Slack: the backend it writes to, how to aim a fault at the write,
    how to count what was written, and how to do it (returning all the person was shown)."""

    name: str
    backend: str  # "readydesk" or "kickserv"
    fault: dict[str, Any]
    keeps_text: bool

    def count(self, console: Console) -> int:
        rd = console.fake("readydesk").state.data
        ks = console.fake("kickserv").state.data
        return {
            "note command": lambda: len(rd.history.get(34, [])),
            "note form": lambda: sum(n.noteable_type == "Job" for n in ks.notes.values()),
            "add as note": lambda: len(rd.history.get(34, [])),
            "ticket new": lambda: len(rd.tickets),
            "job new": lambda: len(ks.jobs),
            "close": lambda: int(rd.tickets[34].date_closed is not None),
            "status": lambda: int(rd.tickets[34].status == "Escalated"),
            "assign to me": lambda: int(rd.tickets[34].assigned_tech == "alice"),
        }[self.name]()

    async def run(self, console: Console) -> str:
        return str(await _RUNS[self.name](console))


def _job(console: Console) -> int:
    return min(console.fake("kickserv").state.data.jobs)


async def _note_command(console: Console) -> Any:
    return await console.send(f"/note ticket 34 {TYPED}")


async def _note_form(console: Console) -> Any:
    await console.send(f"/note job {_job(console)}")
    view_id = console.slack.last_view_id
    ack = await console.submit_view(view_id, {"note": TYPED})
    return [ack, console.slack.views.get(view_id)]


async def _add_as_note(console: Console) -> Any:
    await console.send(f'shortcut "Add as note" {TYPED}')
    view_id = console.slack.last_view_id
    ack = await console.submit_view(view_id, {"pick_ticket": "34", "note": TYPED})
    return [ack, console.slack.views.get(view_id)]


async def _ticket_new(console: Console) -> Any:
    await console.send("/ticket new")
    view_id = console.slack.last_view_id
    values = {"customer": "readydesk:demo", "subject": "Scanner jams", "description": TYPED}
    ack = await console.submit_view(view_id, values)
    return [ack, console.slack.views.get(view_id)]


async def _job_new(console: Console) -> Any:
    await console.send("/job new democompany")
    view_id = console.slack.last_view_id
    view = console.slack.views[view_id]
    customer = view["blocks"][0]["element"]["initial_option"]["value"]
    service = view["blocks"][1]["element"]["options"][0]["value"]
    values = {"customer": customer, "service": service, "description": TYPED}
    ack = await console.submit_view(view_id, values)
    return [ack, console.slack.views.get(view_id)]


async def _button(console: Console, line: str) -> Any:
    await console.send("/ticket 34")
    return await console.send(line)


_RUNS = {
    "note command": _note_command,
    "note form": _note_form,
    "add as note": _add_as_note,
    "ticket new": _ticket_new,
    "job new": _job_new,
    "close": lambda console: _button(console, "click Close"),
    "status": lambda console: _button(console, "choose Escalated"),
    "assign to me": lambda console: _button(console, "click Assign to me"),
}
_UPDATE = {"query": {"action": "update_ticket"}}
PATHS = [
    Path("note command", "readydesk", {"query": {"action": "add_history"}}, True),
    Path("note form", "kickserv", {"path": "/notes", "method": "POST"}, True),
    Path("add as note", "readydesk", {"query": {"action": "add_history"}}, True),
    Path("ticket new", "readydesk", {"query": {"action": "add_ticket"}}, True),
    Path("job new", "kickserv", {"path": "/jobs.json", "method": "POST"}, True),
    Path("close", "readydesk", _UPDATE, False),
    Path("status", "readydesk", _UPDATE, False),
    Path("assign to me", "readydesk", _UPDATE, False),
]


@pytest.mark.parametrize("mode", MODES, ids=[m[0] for m in MODES])
@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
async def test_a_write_happens_once_or_not_at_all_and_the_person_is_told_which(console, path, mode):
    kind, options, applied = mode
    before = path.count(console)
    if kind != "pass":
        console.faults(path.backend).add(kind, times=1, **path.fault, **options)
    shown = await path.run(console)
    written = path.count(console) - before
    assert written == (1 if applied else 0), shown
    assert not any(phrase in shown for phrase in NEVER)
    if applied:
        assert not any(phrase in shown for phrase in NOT_WRITTEN), shown
        assert "Could not confirm" not in shown
    else:
        # Not there yet proves nothing while the backend may still apply it: no Try again.
        assert "Could not confirm yet" in shown, shown
        assert "Try again" not in shown
        if path.name in MODALS:  # the modal is not where the outcome comes: say where it does
            assert "will tell you in a direct message how it ended" in shown, shown
        if path.keeps_text:
            assert TYPED in shown  # what was typed is shown with the answer
        mark = len(console.slack.calls)
        window_over = datetime.now(UTC) + timedelta(seconds=61)
        await sweep_claims(console.desk, console.store, console.app.client, window_over)
        told = str([call.payload for call in console.slack.calls_since(mark)])
        assert "*not written*" in told and "it is not there" in told, told
        if path.keeps_text:
            assert TYPED in told  # what was typed comes back with the final answer
        assert path.count(console) == before


MODALS = ("note form", "add as note", "ticket new", "job new")
LATE = [4, 50]  # seconds after Deskhand gave up that the backend applies the write


@pytest.mark.parametrize("late", LATE, ids=[f"{s}s late" for s in LATE])
@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
async def test_a_write_applied_after_the_read_back_is_told_written_once_and_never_written_twice(
    console, path, late, monkeypatch
):
    before = path.count(console)
    faults = console.faults(path.backend)
    # A gateway answers 504 at once; the backend applies the write when the test says (below).
    faults.add("error_now_applied_later", times=1, seconds=3600, status=504, **path.fault)
    bodies: list[str] = []
    dispatch = console.app.async_dispatch

    async def recorded(request: Any) -> Any:
        bodies.append(request.body)
        return await dispatch(request)

    monkeypatch.setattr(console.app, "async_dispatch", recorded)
    shown = await path.run(console)
    gave_up = datetime.now(UTC)
    assert path.count(console) == before
    assert "Could not confirm yet" in shown and "Try again" not in shown, shown
    assert any(phrase in shown for phrase in ("within about a minute", "within 60 seconds"))
    mark = len(console.slack.calls)

    async def sweep(after: float) -> list[str]:
        now = gave_up + timedelta(seconds=after)
        return await sweep_claims(console.desk, console.store, console.app.client, now)

    for after in (3, 10, 30) if late == 50 else (3,):
        await sweep(after)  # read back: not there yet, and nothing said
    assert console.slack.calls_since(mark) == []
    assert await faults.land() == 1  # the backend applies it now, `late` seconds on
    assert path.count(console) == before + 1
    assert await sweep(late + 11) != []
    assert await sweep(late + 120) == []  # settled: never read back or told again
    told = [str(call.payload) for call in console.slack.calls_since(mark)]
    assert len(told) == 1 and "was written (Deskhand confirmed it afterwards" in told[0], told
    await console.dispatch(bodies[-1])  # the same intent again (a retry): nothing runs
    assert path.count(console) == before + 1
