"""A job card's On my way, Started and Done: written once as Kickserv sees it, refused to a
non-writer who is not on the job, a refusal from Kickserv named, and one line to dispatch."""

from datetime import UTC, datetime, timedelta

from api.refs import JobRef
from bot.app import handler_config
from bot.settings import Settings
from cards import ids
from playground.console import Console
from sandbox.kickserv_data import SANDBOX_PERSON
from tests.bot.served import served
from tests.conftest import FAST_RETRY, UNPACED
from tests.slack_helpers import block_action
from workers.claims import sweep_claims

DISPATCH = "C0DISPATCH"
PAT = 846787


def _data(console: Console):
    return console.fake("kickserv").state.data


def _alices_job(console: Console):
    """A job today on the console person's (Alice Moreno's) calendar."""
    data = _data(console)
    hers = {t.job_id for t in data.tasks.values() if SANDBOX_PERSON.id in t.employee_ids}
    return next(j for j in data.jobs.values() if j.id in hers and j.status == "scheduled")


def _someone_elses_job(console: Console):
    data = _data(console)
    hers = {t.job_id for t in data.tasks.values() if SANDBOX_PERSON.id in t.employee_ids}
    on_calendar = {t.job_id for t in data.tasks.values()}
    return next(
        j
        for j in data.jobs.values()
        if j.id in on_calendar and j.id not in hers and j.status == "scheduled"
    )


def _dispatch_lines(console: Console) -> list[str]:
    return [
        c.payload["text"]
        for c in console.slack.calls
        if c.name == "chat.postMessage" and c.payload.get("channel") == DISPATCH
    ]


async def _press(console: Console, label: str) -> list[dict]:
    """The replies to the presser (the dispatch line is a post of its own)."""
    return [r for r in await console.send(f"click {label}") if r["via"] != "chat.postMessage"]


def _labels(card: dict) -> list[str]:
    return [
        e["text"]["text"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]


async def test_started_and_done_set_the_jobs_status_and_tell_dispatch():
    settings = Settings(_env_file=None, **FAST_RETRY, **UNPACED, DESKHAND_DISPATCH_CHANNEL=DISPATCH)
    async with Console(settings) as console:
        job = _alices_job(console)
        customer = _data(console).customer_by_global_id(job.customer_id)
        [card] = await console.send(f"/job {job.job_number}")
        assert {"On my way", "Started", "Done"} <= set(_labels(card))
        [started] = await _press(console, "Started")
        assert job.status == "in_progress"
        assert started["replace_original"] is True
        assert "*Status*\\nIn progress" in str(started["blocks"])
        assert "Started" not in _labels(started) and "Done" in _labels(started)
        [done] = await _press(console, "Done")
        assert job.status == "completed"
        assert not {"On my way", "Started", "Done"} & set(_labels(done))
        assert _dispatch_lines(console) == [
            f"alice started job {job.job_number} for {customer.name}",
            f"alice finished job {job.job_number} for {customer.name}",
        ]
        outcomes = [(r.action, r.outcome) for r in await console.store.audit.recent()]
        assert outcomes[:2] == [("job.done", "written"), ("job.started", "written")]


async def test_on_my_way_writes_a_job_note_once_and_says_so_in_dispatch():
    settings = Settings(_env_file=None, **FAST_RETRY, **UNPACED, DESKHAND_DISPATCH_CHANNEL=DISPATCH)
    async with Console(settings) as console:
        job = _alices_job(console)
        customer = _data(console).customer_by_global_id(job.customer_id)
        await console.send(f"/job {job.job_number}")
        await _press(console, "On my way")
        [again, _] = await _press(console, "On my way")  # the same card, pressed twice
        notes = [n for n in _data(console).notes.values() if n.noteable_id == job.id]
        assert len(notes) == 1 and notes[0].note.startswith("On my way.\n— alice via Slack")
        assert again["text"] == f"Already done on job {job.job_number} (on my way)."
        assert _dispatch_lines(console) == [
            f"alice is on the way to {customer.name}, job {job.job_number}"
        ]


async def test_a_status_kickserv_refuses_is_named_and_nothing_is_posted():
    settings = Settings(_env_file=None, **FAST_RETRY, **UNPACED, DESKHAND_DISPATCH_CHANNEL=DISPATCH)
    async with Console(settings) as console:
        job = _alices_job(console)
        console.faults("kickserv").add(
            "status",
            status=422,
            method="PUT",
            path=f"/jobs/{job.job_number}.json",
            body='{"errors": ["Status is not included in the list"]}',
        )
        await console.send(f"/job {job.job_number}")
        [refused] = await _press(console, "Started")
        assert refused["text"].startswith(f"*Not done* (started) on job {job.job_number}.")
        assert "Status is not included in the list" in refused["text"]
        assert job.status == "scheduled"
        assert _dispatch_lines(console) == []


async def test_a_non_writer_may_take_steps_on_their_own_jobs_only():
    async with Console(
        Settings(_env_file=None, **FAST_RETRY, **UNPACED, DESKHAND_WRITERS="U0BOSS")
    ) as console:
        other = _someone_elses_job(console)
        await console.send(f"/job {other.job_number}")
        [refused] = await _press(console, "Started")
        assert refused["text"].startswith("Only the job's assigned technician or a writer")
        assert other.status == "scheduled"
        mine = _alices_job(console)
        await console.send(f"/job {mine.job_number}")
        [started] = await _press(console, "Started")
        assert mine.status == "in_progress" and started["replace_original"] is True


async def test_a_status_whose_reply_was_lost_is_read_back_from_the_job():
    async with Console(Settings(_env_file=None, **FAST_RETRY, **UNPACED)) as console:
        job = _alices_job(console)
        path = f"/jobs/{job.job_number}.json"
        console.faults("kickserv").add("applied_status", status=502, method="PUT", path=path)
        await console.send(f"/job {job.job_number}")
        [confirmed, redrawn] = await _press(console, "Done")
        assert (
            confirmed["text"]
            == f"Done on job {job.job_number} (done), confirmed after a slow reply."
        )
        assert job.status == "completed" and redrawn["replace_original"] is True


async def test_a_step_written_whose_card_cannot_be_read_again_says_so_and_still_tells_dispatch():
    settings = Settings(_env_file=None, **FAST_RETRY, **UNPACED, DESKHAND_DISPATCH_CHANNEL=DISPATCH)
    async with Console(settings) as console:
        job = _alices_job(console)
        await console.send(f"/job {job.job_number}")
        console.faults("kickserv").add("status", status=503, method="GET", path="/jobs/")
        [said] = await _press(console, "Started")
        assert job.status == "in_progress"
        assert said["text"].startswith(f"Done on job {job.job_number}, but the card could not")
        assert _dispatch_lines(console) == [f"alice started job {job.job_number} for the customer"]


async def test_the_channels_rule_holds_for_the_assigned_technician_too():
    settings = Settings(
        _env_file=None, DESKHAND_WRITERS="U0BOSS", DESKHAND_WRITE_CHANNELS="C0DISPATCH"
    )
    async with Console(settings) as console:
        mine = _alices_job(console)
        await console.send(f"/job {mine.job_number}")
        [refused] = await _press(console, "On my way")
        assert refused["text"].startswith("Deskhand writes only from <#C0DISPATCH>")
        assert not [n for n in _data(console).notes.values() if n.noteable_id == mine.id]


async def test_served_over_http_the_assigned_non_writer_starts_their_job(slack):
    async with served(slack, DESKHAND_WRITERS="U0BOSS", DESKHAND_DISPATCH_CHANNEL=DISPATCH) as app:
        data = app.kickserv.state.data
        task = next(t for t in data.tasks.values() if t.starts_at.date() == data.today)
        task.employee_ids = [PAT]  # U1 is Pat Lee, Kickserv employee 846787 by email
        job = next(j for j in data.jobs.values() if j.id == task.job_id)
        job.status = "scheduled"
        value = JobRef(job_number=job.job_number).model_dump_json()
        press = block_action(ids.JOB_STARTED, value, slack.response_url("steps"))
        answer = await app.interactive(press)
        assert answer.status_code == 200
        assert job.status == "in_progress"
        [card] = [c.payload for c in slack.calls if c.name == "steps"]
        assert card["replace_original"] is True and "In progress" in str(card["blocks"])
        [line] = [
            c.payload["text"]
            for c in slack.calls
            if c.name == "chat.postMessage" and c.payload.get("channel") == DISPATCH
        ]
        assert line.startswith(f"pat started job {job.job_number} for ")


async def test_a_step_confirmed_only_by_the_sweeper_is_still_said_in_dispatch_once():
    settings = Settings(_env_file=None, DESKHAND_DISPATCH_CHANNEL=DISPATCH)
    async with Console(settings) as console:
        job = _alices_job(console)
        path = f"/jobs/{job.job_number}.json"
        faults = console.faults("kickserv")
        # A gateway answers 504 at once; Kickserv applies the status only later.
        faults.add(
            "error_now_applied_later", times=1, seconds=3600, status=504, method="PUT", path=path
        )
        await console.send(f"/job {job.job_number}")
        [unsure, *_] = await _press(console, "Started")
        assert "Could not confirm yet" in unsure["text"]
        assert _dispatch_lines(console) == []  # not said while it is not known
        await faults.land()
        client, config = console.app.client, handler_config(settings)
        for later in (61, 120):  # the window over; a second sweep finds nothing more to say
            now = datetime.now(UTC) + timedelta(seconds=later)
            await sweep_claims(console.desk, console.store, client, now, config=config)
        assert job.status == "in_progress"
        customer = next(c for c in _data(console).customers.values() if c.id == job.customer_id)
        said = f"alice started job {job.job_number} for {customer.company_name or customer.name}"
        assert _dispatch_lines(console) == [said]
