"""The read side of the fault suite: every read command under every fault of the backend fakes.

The person always hears which system failed (ReadyDesk, Kickserv), never a "no match" / "no
record" / "does not exist" for a system that did not answer, and never a stack trace; with one
system down the other's part is shown with one line naming the failed one.

One console (the real app over the sandboxes) serves the module: its directory is filled before
any fault, and each test starts with no faults and empty lookup caches. Fake latencies are longer
than the small read deadline, so a slow backend costs a test a quarter of a second.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio

from bot.settings import Settings
from cards.config import HandlerConfig
from cards.refs import JobRef
from cards.views import card_for
from playground.console import Console
from sandbox.faults import Faults
from tests.conftest import clean_settings

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.long_running]

DEADLINE = 0.25  # DESKHAND_READ_DEADLINE for every read of one request, retries included
MODES: dict[str, dict[str, Any]] = {
    "latency": {"kind": "latency", "seconds": 1.0},
    "status-503": {"kind": "status", "status": 503},
    "status-401": {"kind": "status", "status": 401},  # a wrong key
    "status-429": {"kind": "status", "status": 429, "headers": {"Retry-After": "120"}},
    "html-200": {"kind": "html", "status": 200},
    "html-502": {"kind": "html", "status": 502},
    "empty": {"kind": "empty"},
    "truncated": {"kind": "truncated"},
    "malformed": {"kind": "malformed"},
    "drop": {"kind": "drop"},
}
# What a person must never be told about a system that could not be read.
NOT_AN_ANSWER = (
    "no customer matches",
    "nothing matches",
    "no record",
    "does not exist",
    "has no ",
    "nobody yet",
    "no kickserv employee",
    "traceback",
    "something went wrong",
)
# A part drawn as empty, which only a system that answered may say.
EMPTY_PART = {"ReadyDesk": "readydesk tickets:* none", "Kickserv": "not done yet:* none"}
EMAIL = "john.smith@democompany.com"  # one business, in both systems


def _faults(console: Console, system: str) -> Faults:
    return console.faults(system.lower())


def _break(console: Console, systems: tuple[str, ...], mode: str, **where: Any) -> None:
    for system in systems:
        _faults(console, system).add(**{**MODES[mode], **where})


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served() -> AsyncIterator[Console]:
    """The app with both sandboxes and a small read deadline; the directory filled first."""
    settings = clean_settings(DESKHAND_READ_DEADLINE=DEADLINE, DESKHAND_LOOKING_UP_AFTER=5.0)
    async with Console(settings) as console:
        assert await console.desk.directory.refresh()
        yield console


@pytest.fixture
def console(served: Console) -> Iterator[Console]:
    """The shared console with no faults and nothing cached, so every read reaches a fake."""
    for client in (served.desk.readydesk, served.desk.kickserv):
        client.forget_lookups()
    for backend in ("readydesk", "kickserv"):
        served.faults(backend).clear()
    yield served
    for system in ("ReadyDesk", "Kickserv"):
        _faults(served, system).clear()


async def _answer(console: Console, line: str) -> str:
    """Send a line; the final reply's text and blocks, waiting in the Slack sandbox for it
    (the ack may come before the listener answers)."""
    mark = len(console.slack.calls)
    acks = [r for r in await console.send(line) if r["via"] in ("ack", "console")]
    async with asyncio.timeout(5):
        while True:
            calls = console.slack.calls_since(mark)
            replies = acks + [
                {"text": c.payload.get("text", ""), "blocks": c.payload.get("blocks") or []}
                for c in calls
                if c.kind == "response_url" or c.name.startswith("chat.")
            ]
            final = [r for r in replies if not r["text"].startswith("Looking up")]
            if final:
                return final[-1]["text"] + " " + repr(final[-1]["blocks"])
            await asyncio.sleep(0.01)


def _scheduled_job(console: Console) -> int:
    data = console.fake("kickserv").state.data
    job = next(j for j in data.jobs.values() if any(t.job_id == j.id for t in data.tasks.values()))
    return job.job_number


def _assert_named(shown: str, *down: str) -> None:
    """`shown` names a system that is down and claims nothing of the ones that are."""
    assert any(system in shown for system in down), shown
    lowered = shown.lower()
    claims = [*NOT_AN_ANSWER, *(EMPTY_PART[system] for system in down)]
    assert not [p for p in claims if p in lowered], shown


# -- every read command x every fault, both systems failing ----------------------------------

COMMANDS = {
    "/ticket": ("/ticket 34", ("ReadyDesk",)),
    "/tickets": ("/tickets", ("ReadyDesk",)),
    "/tickets filters": ("/tickets status:open priority:high printer", ("ReadyDesk",)),
    "/customer": (f"/customer {EMAIL}", ("ReadyDesk", "Kickserv")),
    "/job": ("/job {job}", ("Kickserv",)),
    "/digest preview tickets": ("/digest preview unresolved", ("ReadyDesk",)),
    "/digest preview jobs": ("/digest preview jobs-today", ("Kickserv",)),
    "/deskhand whoami": ("/deskhand whoami", ("ReadyDesk", "Kickserv")),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("command", COMMANDS)
async def test_a_read_command_names_the_system_that_failed(console, command, mode):
    line, systems = COMMANDS[command]
    line = line.format(job=_scheduled_job(console))
    _break(console, ("ReadyDesk", "Kickserv"), mode)
    _assert_named(await _answer(console, line), *systems)


@pytest.mark.parametrize("mode", MODES)
async def test_customer_before_the_directory_is_filled_names_both_systems(
    console, mode, monkeypatch
):
    monkeypatch.setattr(console.desk.directory, "is_ready", _not_yet)
    _break(console, ("ReadyDesk", "Kickserv"), mode)
    shown = await _answer(console, "/customer demo")
    assert "ReadyDesk" in shown and "Kickserv" in shown
    _assert_named(shown, "ReadyDesk")


BUTTONS = {
    "ticket Refresh": ("/ticket 34", "Refresh", ("ReadyDesk",)),
    "ticket Customer": ("/ticket 34", "Customer", ("ReadyDesk", "Kickserv")),
    "tickets Next": ("/tickets", "Next", ("ReadyDesk",)),
    "tickets Open": ("/tickets", "Open", ("ReadyDesk",)),
    "picker Open": ("/customer example.com", "Open", ("ReadyDesk", "Kickserv")),
    "job Refresh": ("/job {job}", "Refresh", ("Kickserv",)),
    "job Notes": ("/job {job}", "Notes", ("Kickserv",)),
    "job Customer": ("/job {job}", "Customer", ("Kickserv",)),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("button", BUTTONS)
async def test_a_card_button_names_the_system_that_failed(console, button, mode):
    line, label, systems = BUTTONS[button]
    card = await _answer(console, line.format(job=_scheduled_job(console)))
    assert f"'text': '{label}'" in card  # the card was drawn before anything broke
    _break(console, ("ReadyDesk", "Kickserv"), mode)
    _assert_named(await _answer(console, f"click {label}"), *systems)


@pytest.mark.parametrize("mode", MODES)
async def test_reads_that_need_no_backend_still_answer(console, mode):
    _break(console, ("ReadyDesk", "Kickserv"), mode)
    assert "Nothing is watched here" in await _answer(console, "/deskhand watches")
    answer = await console.suggest("customer_picker", "democompany")
    groups = {g["label"]["text"] for g in answer["option_groups"]}
    assert groups == {"ReadyDesk", "Kickserv"}  # from the directory, not the backends


# -- one system down: the other's part, and one line naming the failed one --------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("down", "up"), [("ReadyDesk", "Kickserv"), ("Kickserv", "ReadyDesk")])
async def test_a_customer_card_shows_the_system_that_answered(console, mode, down, up):
    _break(console, (down,), mode)
    shown = await _answer(console, f"/customer {EMAIL}")
    section = {"ReadyDesk": "ReadyDesk tickets:", "Kickserv": "Kickserv jobs not done yet"}
    assert section[up] in shown and section[down] not in shown
    assert f"{down} could not be read: " in shown
    _assert_named(shown, down)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("down", "up"), [("ReadyDesk", "Kickserv"), ("Kickserv", "ReadyDesk")])
async def test_a_search_before_the_fill_shows_what_the_other_system_found(
    console, mode, down, up, monkeypatch
):
    monkeypatch.setattr(console.desk.directory, "is_ready", _not_yet)
    _break(console, (down,), mode)
    shown = await _answer(console, "/customer demo")
    assert f"{down} could not be searched: " in shown
    assert ("*Customer ID*\\ndemo" if up == "ReadyDesk" else "Kickserv #") in shown
    _assert_named(shown, down)


@pytest.mark.parametrize("mode", MODES)
async def test_whoami_with_kickserv_down_shows_the_technician(console, mode):
    _break(console, ("Kickserv",), mode)
    shown = await _answer(console, "/deskhand whoami")
    assert "You are ReadyDesk technician `alice`" in shown
    assert "Your Kickserv employee could not be looked up: Kickserv" in shown
    _assert_named(shown, "Kickserv")


# -- a card whose secondary reads fail --------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_job_card_whose_other_reads_fail_shows_the_job_and_one_line(console, mode):
    job = _scheduled_job(console)
    for path in ("/tasks.json", "/notes.json", "/calendar.json"):
        _break(console, ("Kickserv",), mode, path=path)
    shown = await _answer(console, f"/job {job}")
    assert f"Job {job} · " in shown and "*Status*" in shown
    assert "*Assigned to*\\nNot read" in shown
    one_reason = "The service, the assignments and the latest note could not be read: Kickserv"
    assert one_reason in shown or shown.count("could not be read: Kickserv") == 3
    _assert_named(shown, "Kickserv")


@pytest.mark.parametrize("status", [400, 404])
async def test_a_calendar_that_refuses_is_no_missing_job(console, status):
    job = _scheduled_job(console)
    _faults(console, "Kickserv").add("status", status=status, path="/tasks.json")
    shown = await _answer(console, f"/job {job}")
    assert f"Job {job} · " in shown
    assert "The assignments could not be read: Kickserv" in shown
    _assert_named(shown, "Kickserv")


@pytest.mark.parametrize("mode", MODES)
async def test_a_ticket_card_whose_statuses_fail_comes_without_the_select(console, mode):
    _break(console, ("ReadyDesk",), mode, query={"action": "get_tech_groups"})
    shown = await _answer(console, "/ticket 34")
    assert "#34 " in shown and "static_select" not in shown
    assert "The statuses for the Status menu could not be read: ReadyDesk" in shown


@pytest.mark.parametrize("mode", MODES)
async def test_customer_tickets_that_fail_are_one_line_not_none(console, mode):
    _break(console, ("ReadyDesk",), mode, query={"action": "get_tickets"})
    shown = await _answer(console, f"/customer {EMAIL}")
    assert "*Customer ID*\\ndemo" in shown and "Kickserv jobs not done yet" in shown
    assert "ReadyDesk tickets could not be read: ReadyDesk" in shown
    _assert_named(shown, "ReadyDesk")


# -- the job card's reads run at once ------------------------------------------------------


class Meeting:
    """An ASGI wrapper holding each request until every path in `paths` has arrived: reads
    made one after another never meet, and the request that waited in vain says so."""

    def __init__(self, app: Any, paths: list[str]) -> None:
        self.app, self.paths = app, paths
        self.arrived: set[str] = set()
        self.everyone = asyncio.Event()
        self.missed: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        mine = next((p for p in self.paths if scope["path"].endswith(p)), None)
        if mine is not None:
            self.arrived.add(mine)
            if self.arrived == set(self.paths):
                self.everyone.set()
            try:
                await asyncio.wait_for(self.everyone.wait(), 2.0)
            except TimeoutError:
                self.missed.append(mine)
        await self.app(scope, receive, send)


async def test_the_job_its_services_and_its_notes_are_read_at_once(console):
    job = _scheduled_job(console)
    transport = console.desk.kickserv.transport  # the sandbox's: its `app` is the fake
    fake = transport.app
    transport.app = Meeting(
        fake, [f"/jobs/{job}.json", f"/jobs/{job}/notes.json", "/calendar.json"]
    )
    try:
        view = await console.desk.read(JobRef(job_number=job), HandlerConfig().now())
        card = card_for(view, HandlerConfig())
    finally:
        meeting, transport.app = transport.app, fake
    assert meeting.missed == []
    assert "Not read" not in repr(card.message())


# -- both systems down from the start ------------------------------------------------------


def _fresh(**settings: Any) -> Console:
    return Console(Settings(_env_file=None, DESKHAND_READ_DEADLINE=DEADLINE, **settings))


@pytest.mark.parametrize("mode", ["drop", "status-401"])
async def test_with_both_systems_down_from_the_start_customer_names_both(mode):
    async with _fresh() as console:
        _break(console, ("ReadyDesk", "Kickserv"), mode)
        shown = await _answer(console, "/customer demo")  # the directory never filled
        assert "ReadyDesk" in shown and "Kickserv" in shown
        _assert_named(shown, "ReadyDesk")
        # The typeahead answers from the directory: nothing yet, which Slack shows as
        # "No results", and no option that is not a customer.
        assert await console.suggest("customer_picker", "demo") == {"option_groups": []}
        await console.desk.directory.aclose()


async def test_the_directory_fill_does_not_inherit_a_requests_read_deadline():
    async with _fresh() as console:
        # Each page of customers takes longer than a request may wait, as a big help desk does.
        _faults(console, "ReadyDesk").add("latency", seconds=0.4, query={"action": "get_customers"})
        assert "#34" in await _answer(console, "/ticket 34")  # the request's own read is fine
        async with asyncio.timeout(5):
            while not await console.desk.directory.is_ready():
                await asyncio.sleep(0.05)
        # Every slow page arrived: the typeahead now finds customers from the whole directory.
        found = await console.suggest("customer_picker", "demo")
        assert any("Demo" in str(group) for group in found["option_groups"]), found
        await console.desk.directory.aclose()


async def test_a_directory_that_cannot_fill_is_tried_again_later_not_in_a_loop(monkeypatch):
    async with _fresh() as console:
        directory = console.desk.directory
        walks: list[int] = []

        async def failing() -> bool:
            walks.append(1)
            return False

        monkeypatch.setattr(directory, "refresh", failing)
        directory.start()
        await asyncio.sleep(0.3)
        await directory.aclose()
    assert walks == [1]  # the next try waits seconds, not a turn of the event loop


async def _not_yet() -> bool:
    return False
