"""Notes from /note, the Add note buttons and the note form: once per intent, attributed,
permitted, audited, and nothing typed is lost. Asserted on the fakes' own state."""

import json
import subprocess
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from api.times import local_time
from bot.settings import Settings
from handlers import forms
from playground.console import Console
from playground.web.app import STATE_DIR
from sandbox.readydesk import SANDBOX_KEY
from tests.conftest import directory_filled, ready_store, run_cli
from tests.readme import readme_settings
from tests.slack_helpers import is_signed
from workers.claims import sweep_claims


def _history(console: Console, tid: int) -> list:
    return console.fake("readydesk").state.data.history.get(tid, [])


def _job_notes(console: Console, job_number: int) -> list:
    data = console.fake("kickserv").state.data
    job = data.jobs[job_number]
    return [n for n in data.notes.values() if n.noteable_type == "Job" and n.noteable_id == job.id]


async def _audit(console: Console) -> list[tuple[str, str, str]]:
    return [(r.action, r.target, r.outcome) for r in await console.store.audit.recent()]


async def test_note_with_text_is_written_to_the_ticket_history_as_the_linked_technician(console):
    before = len(_history(console, 34))
    [reply] = await console.send("/note ticket 34 Called back, printer fixed")
    assert reply["text"].startswith("Added the note to ticket #34 (note ")
    entries = _history(console, 34)
    assert len(entries) == before + 1
    assert is_signed(entries[-1].note, "Called back, printer fixed")
    assert entries[-1].updated_by == "alice"  # the console user's technician, by email
    assert (await _audit(console))[0] == ("note.ticket", "ticket #34", "written")


async def test_customer_and_job_notes_go_to_kickserv(console):
    job_number = next(iter(console.fake("kickserv").state.data.jobs))
    [reply] = await console.send(f"/note job {job_number} Gate code 4411")
    assert reply["text"].startswith(f"Added the note to job {job_number}")
    assert is_signed(_job_notes(console, job_number)[-1].note, "Gate code 4411")
    customer = next(iter(console.fake("kickserv").state.data.customers.values()))
    [reply] = await console.send(f"/note customer {customer.customer_number} Prefers mornings")
    assert reply["text"].startswith(f"Added the note to customer {customer.customer_number}")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/note", "Where should the note go?"),
        ("/note invoice 3 hi", "Where should the note go?"),
        ("/note ticket abc hi", "`abc` is not a ticket number"),
    ],
)
async def test_bad_note_commands_say_how(console, line, expected):
    [reply] = await console.send(line)
    assert expected in reply["text"] and "Usage:" in reply["text"]


async def test_the_form_writes_once_however_often_it_is_submitted(console):
    before = len(_history(console, 34))
    await console.send("/note ticket 34")
    view_id = console.slack.last_view_id
    assert console.slack.views[view_id]["callback_id"] == "note_modal"
    empty = await console.submit_view(view_id, {"note": "  "})
    assert empty == {"response_action": "errors", "errors": {"note": "Write something to add."}}
    first = await console.submit_view(view_id, {"note": "Replaced the fuser"})
    again = await console.submit_view(view_id, {"note": "Replaced the fuser"})  # double submit
    assert first["view"]["title"]["text"] == "Note added"
    assert again["view"]["title"]["text"] == "Already done"
    assert "Already done: that note was added to ticket #34" in str(again["view"]["blocks"])
    assert len(_history(console, 34)) == before + 1
    assert [o for _, _, o in (await _audit(console))][:2] == ["duplicate", "written"]


async def test_a_backend_failure_keeps_the_text_and_try_again_writes_it(console):
    faults = console.faults("readydesk")
    # A refusal proves nothing was written (a 5xx would not: see the apply window below).
    fault = faults.add("status", status=422, query={"action": "add_history"})
    before = len(_history(console, 34))
    await console.send("/note ticket 34")
    view_id = console.slack.last_view_id
    failed = await console.submit_view(view_id, {"note": "Toner swapped"})
    assert failed["view"]["title"]["text"] == "Note not added"
    assert "*Not added* to ticket #34. ReadyDesk rejected" in str(failed["view"]["blocks"])
    assert "Toner swapped" in str(failed["view"]["blocks"])  # the text is kept, visibly
    faults.active.remove(fault)
    console.slack.views[view_id] = {**failed["view"], "id": view_id}  # what Slack now shows
    await console.press_in_view(view_id, "Try again")
    form = console.slack.views[view_id]
    assert form["blocks"][0]["element"]["initial_value"] == "Toner swapped"
    written = await console.submit_view(view_id, {"note": "Toner swapped"})
    assert written["view"]["title"]["text"] == "Note added"
    assert len(_history(console, 34)) == before + 1
    assert [o for _, _, o in (await _audit(console))][:2] == ["written", "failed"]


async def test_a_note_for_a_record_that_does_not_exist_gives_the_text_back_without_try_again(
    console,
):
    """Try again reopens the form on the same ticket or job, which would fail the same way:
    the text is given back to copy instead, in the reply and in the form's closing view."""
    [reply] = await console.send("/note ticket 999999 Called the customer back")
    assert reply["text"].startswith("*Not added* to ticket #999999")
    assert "Called the customer back" in str(reply["blocks"])
    assert "Try again" not in str(reply["blocks"])
    await console.send("/note job 999999")
    closed = await console.submit_view(console.slack.last_view_id, {"note": "Gate code 4411"})
    assert closed["view"]["title"]["text"] == "Note not added"
    assert "Gate code 4411" in str(closed["view"]["blocks"])
    assert "Try again" not in str(closed["view"]["blocks"])


async def test_a_slow_backend_gets_a_saving_view_then_the_outcome(console, monkeypatch):
    monkeypatch.setattr(forms, "ACK_BUDGET", 0.05)
    console.faults("readydesk").add("latency", seconds=0.3, query={"action": "add_history"})
    await console.send("/note ticket 34")
    view_id = console.slack.last_view_id
    ack = await console.submit_view(view_id, {"note": "Slow but sure"})
    assert ack["view"]["title"]["text"] == "Saving…"
    assert console.slack.views[view_id]["title"]["text"] == "Note added"  # views.update after


async def test_a_dropped_connection_is_not_added_only_once_the_apply_window_is_over(console):
    before = len(_history(console, 34))
    console.faults("readydesk").add("drop", query={"action": "add_history"}, times=1)
    [reply] = await console.send("/note ticket 34 Maybe written")
    assert reply["text"].startswith("*Could not confirm yet* whether the note was added")
    assert "Try again" not in str(reply["blocks"])  # ReadyDesk may still apply it
    assert len(_history(console, 34)) == before  # and no retry happened by itself
    assert (await _audit(console))[0][2] == "unknown"
    mark = len(console.slack.calls)
    window_over = datetime.now(UTC) + timedelta(seconds=61)
    await sweep_claims(console.desk, console.store, console.app.client, window_over)
    [told] = [c for c in console.slack.calls_since(mark) if c.kind == "response_url"]
    assert "was *not written* — ReadyDesk could not be reached" in told.payload["text"]
    assert "Maybe written" in str(told.payload["blocks"])
    assert "Try again" in str(told.payload["blocks"])
    assert (await _audit(console))[0][2] == "failed"


async def test_an_outcome_the_read_back_cannot_decide_says_so_without_try_again(console):
    before = len(_history(console, 34))
    faults = console.faults("readydesk")
    faults.add("applied_drop", query={"action": "add_history"}, times=1)
    faults.add("status", status=503, query={"action": "get_history"})
    *_, reply = await console.send("/note ticket 34 Maybe written")  # after "Adding …"
    assert reply["text"].startswith("*Could not confirm yet* whether the note was added to ")
    assert "Try again" not in str(reply["blocks"])
    assert "Maybe written" in str(reply["blocks"])  # the text is still given back
    assert len(_history(console, 34)) == before + 1  # it was in fact applied, once
    assert (await _audit(console))[0][2] == "unknown"


async def test_only_writers_may_write_and_a_refusal_keeps_the_text():
    settings = Settings(_env_file=None, DESKHAND_WRITERS="U0BOSS")
    async with Console(settings) as console:
        before = len(_history(console, 34))
        [refused] = await console.send("/note ticket 34 Secret plan")
        assert "not on Deskhand's list of people who may write" in refused["text"]
        assert "Secret plan" in refused["text"]
        [also] = await console.send("/deskhand note ticket 34 Secret plan")
        assert "not on Deskhand's list" in also["text"]
        assert len(_history(console, 34)) == before
        assert [o for _, _, o in (await _audit(console))] == ["refused", "refused"]
        await console.send(f"/note ticket 34 the API key is {SANDBOX_KEY}")  # pasted by mistake
        [(_, target, outcome), *_] = await _audit(console)
        assert outcome == "refused" and target == "ticket 34 the API key is ***"


async def test_the_readmes_writers_example_refuses_whoever_it_does_not_list():
    env = readme_settings("Example: the support team writes from two channels")
    assert set(env) == {"DESKHAND_WRITERS", "DESKHAND_WRITE_CHANNELS", "DESKHAND_ADMINS"}
    async with Console(Settings(_env_file=None, **env)) as console:  # the console's person: none
        before = len(_history(console, 34))
        [refused] = await console.send("/note ticket 34 Called back")  # from another channel
        assert refused["text"].startswith("Deskhand writes only from <#C0DISPATCH>, <#C0SUPPORT>")
        assert "Called back" in refused["text"]  # what was typed, given back
        [audit] = await console.send("/deskhand audit")
        assert "Only Deskhand admins can do that" in audit["text"]
        assert len(_history(console, 34)) == before


async def test_write_channels_limit_where_writes_come_from():
    settings = Settings(_env_file=None, DESKHAND_WRITE_CHANNELS="C0SUPPORT")
    async with Console(settings) as console:
        [refused] = await console.send("/note ticket 34 From the wrong channel")
    assert "Deskhand writes only from <#C0SUPPORT>" in refused["text"]


async def test_add_note_on_a_card_opens_the_form_for_that_record(console):
    await console.send("/ticket 34")
    await console.send("click Add note")
    view = console.slack.views[console.slack.last_view_id]
    assert view["blocks"][0]["label"]["text"] == "Note on ticket #34"


async def test_admins_see_the_audit_log_in_slack_and_everyone_on_the_server(console, tmp_path):
    await console.send("/note ticket 34 First")
    [shown] = await console.send("/deskhand audit")
    line = shown["blocks"][0]["text"]["text"]
    assert "note.ticket ticket #34 (First): *written*" in line  # what was asked, too
    [row] = await console.store.audit.recent(limit=1)
    assert line.startswith(f"`{local_time(row.at, 'UTC')}` ")  # as cards write a time, zone named
    settings = Settings(_env_file=None, DESKHAND_ADMINS="U0BOSS")
    async with Console(settings) as other:
        [refused] = await other.send("/deskhand audit")
    assert refused["text"] == "Only Deskhand admins can do that. Ask <@U0BOSS>."


async def test_deskhand_audit_prints_rows_and_json(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = ready_store(url)
    await store.audit.record(
        user_id="U1",
        channel_id="C1",
        action="note.job",
        target="job 7",
        summary="Gate code",
        outcome="written",
        reference="24601",
    )
    await store.close()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli("audit", *args, env={"DESKHAND_DATABASE_URL": url})

    plain = run("--since", "1h")
    assert plain.returncode == 0, plain.stderr
    assert "U1 note.job job 7: written -> 24601" in plain.stdout
    [row] = [json.loads(line) for line in run("--json").stdout.splitlines()]
    assert row["summary"] == "Gate code" and row["outcome"] == "written"
    bad = run("--since", "yesterday")
    assert bad.returncode == 2 and "--since takes" in bad.stderr


async def _shortcut(console: Console, callback_id: str, text: str) -> None:
    payload = {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": "9.9",
        "team": {"id": "T0SANDBOX"},
        "user": {"id": "U0CONSOLE"},
        "api_app_id": "A0DESKHAND",
        "channel": {"id": "C0CONSOLE"},
        "response_url": console.slack.response_url("sc"),
        "message": {"type": "message", "text": text, "ts": "1700000001.000200", "user": "U1"},
    }
    await console.dispatch(payload)


async def test_add_as_note_asks_where_and_keeps_the_message_and_its_link(console):
    await directory_filled(console)
    await _shortcut(console, "add_as_note", "Customer says <@U1|pat> fixed it &amp; left")
    view_id = console.slack.last_view_id
    form = console.slack.views[view_id]
    note = next(b for b in form["blocks"] if b.get("block_id") == "note")
    assert note["element"]["initial_value"] == (
        "Customer says @pat fixed it & left\n"
        "https://sandbox.slack.example/archives/C0CONSOLE/p1700000001000200"
    )
    nowhere = await console.submit_view(view_id, {"note": "x"})
    assert nowhere["errors"] == {
        "pick_ticket": "Choose one: a ticket number, a customer or a job number."
    }
    before = len(_history(console, 34))
    written = await console.submit_view(view_id, {"pick_ticket": "#34", "note": "From chat"})
    assert written["view"]["title"]["text"] == "Note added"
    assert is_signed(_history(console, 34)[-1].note, "From chat")
    assert len(_history(console, 34)) == before + 1


async def test_create_ticket_and_create_job_shortcuts_prefill_their_forms(console):
    await _shortcut(console, "create_ticket_from_message", "Printer on fire\nThird floor")
    ticket_form = console.slack.views[console.slack.last_view_id]
    subject = next(b for b in ticket_form["blocks"] if b.get("block_id") == "subject")
    assert subject["element"]["initial_value"] == "Printer on fire"
    await _shortcut(console, "create_job_from_message", "Gutters, both sides")
    job_form = console.slack.views[console.slack.last_view_id]
    description = next(b for b in job_form["blocks"] if b.get("block_id") == "description")
    assert description["element"]["initial_value"].startswith("Gutters, both sides\nhttps://")


async def test_a_slow_note_command_says_it_is_adding_then_replaces_that():
    settings = Settings(_env_file=None, DESKHAND_LOOKING_UP_AFTER=0.05)
    async with Console(settings) as console:
        console.faults("readydesk").add("latency", seconds=0.3, query={"action": "add_history"})
        waiting, done = await console.send("/note ticket 34 Slowly")
    assert waiting["text"] == "Adding the note to ticket #34 …"
    assert done["replace_original"] is True and done["text"].startswith("Added the note")


async def test_slack_redelivering_the_same_command_writes_once(console):
    before = len(_history(console, 34))
    body = urlencode(
        {
            "team_id": "T0SANDBOX",
            "channel_id": "C0CONSOLE",
            "user_id": "U0CONSOLE",
            "command": "/note",
            "text": "ticket 34 Once only",
            "api_app_id": "A0DESKHAND",
            "response_url": console.slack.response_url("retry"),
            "trigger_id": "777.same-trigger",
        }
    )
    [first] = await console.deliver(body, len(console.slack.calls))
    [second] = await console.deliver(body, len(console.slack.calls))  # the same delivery again
    assert first["text"].startswith("Added the note to ticket #34")
    assert second["text"].startswith("Already done: that note was added to ticket #34")
    assert len(_history(console, 34)) == before + 1


async def test_a_customer_note_by_readydesk_id_goes_to_the_linked_kickserv_customer(console):
    await directory_filled(console)
    [written] = await console.send("/note customer demo Prefers email")
    assert written["text"].startswith("Added the note to customer ")
    data = console.fake("kickserv").state.data
    assert any(n.note.startswith("Prefers email") for n in data.notes.values())
    [refused] = await console.send("/note customer nosuchone Hello")
    assert "has no Kickserv customer linked to it" in refused["text"]


def test_audit_on_a_database_that_does_not_exist_says_so_and_creates_nothing(tmp_path):
    """`deskhand audit` pointed at no database (the web sandbox keeps its own) says where it
    looked and where the sandbox's is, rather than making an empty one and printing nothing."""
    missing = tmp_path / "deskhand.db"
    result = run_cli(
        "audit", "--since", "7d", env={"DESKHAND_DATABASE_URL": f"sqlite:///{missing}"}
    )
    assert result.returncode == 1
    assert f"There is no database at {missing}" in result.stderr
    assert f"sqlite:///{STATE_DIR / 'sandbox.db'}" in result.stderr  # where the sandbox keeps it
    assert not missing.exists()
