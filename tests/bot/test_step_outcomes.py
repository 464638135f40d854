"""A write step whose outcome is not proven when its reply is lost: confirmed by a read-back,
failed as not written, or failed as not confirmed (and the interactor told); an unattended one
says where its ending will be recorded."""

import asyncio
from datetime import UTC, datetime, timedelta

from api.writes import WriteSettings
from bot.app import build_web_client
from cards import ids
from cards.steps import STEPS
from playground.step_runs import function_event, step_inputs
from tests.bot.served import served
from tests.bot.step_helpers import ALICE, run, tickets
from workers.claims import sweep_claims

_ADD_TICKET = {"query": {"action": "add_ticket"}}


async def test_a_reply_lost_after_the_write_completes_as_confirmed(slack):
    async with served(slack) as app:
        before = tickets(app)
        app.readydesk.state.faults.add("applied_status", times=1, status=504, **_ADD_TICKET)
        done = await run(app, slack, ids.STEP_CREATE_TICKET, customer="demo", subject="Slow")
        assert tickets(app) == before + 1
    assert done.outputs is not None, done.error
    assert done.outputs["summary"].endswith("(confirmed after a slow reply)")


async def test_a_write_shown_not_there_after_the_window_fails_as_not_written(slack):
    async with served(slack) as app:
        app.desk.writes = WriteSettings(apply_window=timedelta(0))
        before = tickets(app)
        app.readydesk.state.faults.add("status", times=1, status=502, **_ADD_TICKET)
        failed = await run(app, slack, ids.STEP_CREATE_TICKET, customer="demo", subject="Lost")
        assert tickets(app) == before
    assert failed.error is not None and failed.error.startswith("Not done: ")
    assert failed.error.endswith("Deskhand checked: it is not there.")


async def test_a_write_still_unknown_fails_could_not_confirm_and_the_interactor_is_told(
    slack, monkeypatch
):
    monkeypatch.setattr("api.settling.SWEEP_MARGIN", timedelta(seconds=0.2))
    async with served(slack) as app:
        app.desk.writes = WriteSettings(apply_window=timedelta(seconds=0.3))
        before = tickets(app)
        app.readydesk.state.faults.add("status", times=1, status=502, **_ADD_TICKET)
        unsure = await run(app, slack, ids.STEP_CREATE_TICKET, customer="demo", subject="Maybe")
        mark = len(slack.calls)
        later = datetime.now(UTC) + timedelta(seconds=61)
        await sweep_claims(app.desk, app.store, build_web_client(app.settings), later)
        assert tickets(app) == before
    assert unsure.error is not None
    assert unsure.error.startswith(
        f"could not confirm; Deskhand will tell <@{ALICE}> when it knows"
    )
    told = [c for c in slack.calls_since(mark) if c.name == "chat.postMessage"]
    assert told and told[0].payload["channel"] == ALICE
    assert "*not written*" in str(told[0].payload)


async def test_an_unattended_write_still_unknown_says_where_its_ending_will_be_recorded(
    slack, monkeypatch
):
    monkeypatch.setattr("api.settling.SWEEP_MARGIN", timedelta(seconds=0.2))
    async with served(slack, DESKHAND_WORKFLOW_WRITES="unattended") as app:
        app.desk.writes = WriteSettings(apply_window=timedelta(seconds=0.3))
        app.readydesk.state.faults.add("status", times=1, status=502, **_ADD_TICKET)
        unsure = await run(
            app,
            slack,
            ids.STEP_CREATE_TICKET,
            customer="demo",
            subject="Maybe",
            interactivity="none",
        )
    assert unsure.error == (
        "could not confirm; Deskhand will record how it ended in its audit log (deskhand audit) "
        "when it knows (whether the ticket was created: it may still go through, so do not run "
        "the step again before then)"
    )


async def test_a_write_that_lands_within_the_window_completes_the_step_as_written(slack):
    async with served(slack) as app:
        app.desk.writes = WriteSettings(apply_window=timedelta(seconds=30))
        faults = app.readydesk.state.faults
        faults.add("error_now_applied_later", times=1, status=504, seconds=600, **_ADD_TICKET)
        step = STEPS[ids.STEP_CREATE_TICKET]
        inputs = step_inputs(step, {"customer": "demo", "subject": "Late"}, ALICE)
        assert isinstance(inputs, dict)
        execution = slack.functions.start(step.callback_id, inputs)
        running = asyncio.create_task(app.event(function_event(step, execution)))
        key = f"step:{execution.execution_id}"
        async with asyncio.timeout(15):  # the step waits, its write not confirmed yet
            while (claim := await app.store.claims.get(key)) is None or claim.state != "unknown":
                await asyncio.sleep(0.05)
        assert execution.outputs is None and execution.error is None
        await faults.land()  # the help desk applies it now, inside the window
        soon = datetime.now(UTC) + timedelta(seconds=3)  # the sweeper's next look, in the window
        await sweep_claims(app.desk, app.store, build_web_client(app.settings), soon)
        await running
    assert execution.outputs is not None, execution.error
    assert execution.outputs["summary"].endswith("(confirmed after a slow reply)")
