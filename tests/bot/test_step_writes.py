"""Each write step (Create ticket, Add note, Create job, Book a visit) through the app as
served, where who it acts for or the backend's reply is in doubt: a `user` input naming a
writer lets no non-writer write, and a backend fault's outcome is told to the workflow."""

from datetime import UTC, datetime, timedelta

import pytest

from api.writes import WriteSettings
from cards import ids
from tests.bot.served import Served, served
from tests.bot.step_helpers import ALICE, completions, run

AT = str(int(datetime(2026, 12, 9, 15, tzinfo=UTC).timestamp()))
# Each write step with inputs that would write, as a workflow's author fills them in.
WRITE_STEPS = {
    ids.STEP_CREATE_TICKET: {"customer": "demo", "subject": "Printer jam"},
    ids.STEP_ADD_NOTE: {"ticket_number": "34", "text": "Called the customer"},
    ids.STEP_CREATE_JOB: {"customer": "demo", "service": "Printer Repair", "scheduled": AT},
    ids.STEP_BOOK_VISIT: {"ticket_number": "34", "service": "Printer Repair", "scheduled": AT},
}


def records(app: Served) -> tuple[int, ...]:
    """How many tickets, ticket notes, jobs and job notes both systems hold."""
    desk, field = app.readydesk.state.data, app.kickserv.state.data
    notes = sum(len(h) for h in desk.history.values())
    return len(desk.tickets), notes, len(field.jobs), len(field.notes)


@pytest.mark.parametrize("callback_id", list(WRITE_STEPS))
async def test_naming_a_writer_as_user_does_not_let_a_non_writer_write(slack, callback_id):
    async with served(slack, DESKHAND_WRITERS="U1") as app:
        before = records(app)
        refused = await run(app, slack, callback_id, user="U1", **WRITE_STEPS[callback_id])
        assert records(app) == before
        [row] = await app.store.audit.recent()
    # The interactor Slack vouches for is who is checked; the `user` input is only recorded.
    assert refused.outputs is None and refused.error is not None
    assert refused.error.startswith(f"<@{ALICE}> is not on Deskhand's list of people who may")
    assert row.outcome == "refused" and row.user_id == ALICE and '"user": "U1"' in row.summary


_JOB_POST = {"path": "/jobs.json", "method": "POST"}
# Each write step but Create ticket (above): the backend its write goes to, how to aim a fault
# at that write alone, and how to count what it writes.
FAULTED = {
    ids.STEP_ADD_NOTE: (
        "readydesk",
        {"query": {"action": "add_history"}},
        lambda app: len(app.readydesk.state.data.history.get(34, [])),
    ),
    ids.STEP_CREATE_JOB: ("kickserv", _JOB_POST, lambda app: len(app.kickserv.state.data.jobs)),
    ids.STEP_BOOK_VISIT: ("kickserv", _JOB_POST, lambda app: len(app.kickserv.state.data.jobs)),
}


@pytest.mark.parametrize("callback_id", list(FAULTED))
async def test_each_write_step_whose_reply_is_lost_after_the_write_completes_once(
    slack, callback_id
):
    backend, aim, count = FAULTED[callback_id]
    async with served(slack) as app:
        before = count(app)
        fakes = {"readydesk": app.readydesk, "kickserv": app.kickserv}
        fakes[backend].state.faults.add("applied_status", times=1, status=504, **aim)
        done = await run(app, slack, callback_id, **WRITE_STEPS[callback_id])
        assert count(app) == before + 1
    assert done.error is None and done.outputs is not None
    assert "(confirmed after a slow reply)" in done.outputs["summary"]
    assert len(completions(slack, done)) == 1


@pytest.mark.parametrize("callback_id", list(FAULTED))
async def test_each_write_step_refused_before_the_write_fails_as_not_written(slack, callback_id):
    backend, aim, count = FAULTED[callback_id]
    async with served(slack) as app:
        app.desk.writes = WriteSettings(apply_window=timedelta(0))
        before = count(app)
        fakes = {"readydesk": app.readydesk, "kickserv": app.kickserv}
        fakes[backend].state.faults.add("status", times=1, status=502, **aim)
        failed = await run(app, slack, callback_id, **WRITE_STEPS[callback_id])
        assert count(app) == before
    assert failed.outputs is None and failed.error is not None
    assert failed.error.startswith("Not done: ")
    assert failed.error.endswith("Deskhand checked: it is not there.")
