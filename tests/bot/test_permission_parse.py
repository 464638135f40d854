"""Who may write is decided on the same parse of a command as what runs: a linked, entity-encoded,
uppercase or oddly spaced first word is refused for a non-writer and works for a writer. Every
write button, select and form is behind the writers check. Requests go to the app as served."""

import contextlib
import json
from dataclasses import dataclass

import httpx
import pytest
from pydantic import SecretStr

from bot.app import build_app, build_sandbox_desk
from bot.server import build_http_app
from bot.settings import Settings
from cards import ids
from cards.modals import NOTE_BLOCK, NOTE_INPUT, note_modal
from cards.refs import NoteTarget
from sandbox.data import seeded
from sandbox.kickserv import build_kickserv_app
from sandbox.kickserv_data import seeded_kickserv
from sandbox.readydesk import build_readydesk_app
from store import Store
from tests.conftest import ready_store
from tests.slack_helpers import SIGNING_SECRET, block_action, command_body, interactive_body
from tests.slack_helpers import signed_headers as sign

FORM = {"content-type": "application/x-www-form-urlencoded"}
NOT_A_WRITER = "not on Deskhand's list of people who may write"
NOT_AN_ADMIN = "Only Deskhand admins can do that"
# The user in every request is U1; U9 is someone else.
NOTE_TEXTS = [
    "<https://x.example|note> ticket 34 hi",
    "&#110;ote ticket 34 hi",
    "<mailto:x@y.example|note> ticket 34 hi",
    "<note> ticket 34 hi",
    "NOTE ticket 34 hi",
    "&#78;oTe ticket 34 hi",
    "  note\tticket 34 hi",
    "note\nticket 34 hi",
    "note\u00a0ticket 34 hi",
]
DIGEST_TEXTS = [
    "&#97;dd unresolved at 08:00",
    "<https://x.example|add> unresolved at 08:00",
    "ADD unresolved at 08:00",
    "add\tunresolved at 08:00",
]
ADMIN_TEXTS = ["<https://x.example|audit>", "&#97;udit", "AUDIT", " audit\t"]
LINK_TEXTS = [
    "<https://x.example|link> <@U0CONSOLE|alice> tech:alice",
    "&#108;ink <@U0CONSOLE> tech:alice",
]


@dataclass
class Served:
    """The app as `deskhand serve` runs it, and what the fakes and the store hold."""

    http: httpx.AsyncClient
    history: dict
    store: Store
    counter: int = 0

    async def command(self, slack, command: str, text: str) -> tuple[httpx.Response, str]:
        """Send a signed slash command from U1; returns the ack and its response_url's name."""
        self.counter += 1
        name = f"r{self.counter}"
        body = command_body(command, text, slack.response_url(name))
        response = await self.http.post(
            "/slack/events", content=body, headers={**FORM, **sign(body)}
        )
        return response, name

    async def interactive(self, payload: dict) -> httpx.Response:
        """Send a signed interactivity payload."""
        body = interactive_body(payload)
        return await self.http.post("/slack/events", content=body, headers={**FORM, **sign(body)})


async def _answer(slack, ack: httpx.Response, name: str) -> str:
    """What the person was told: in the ack when it needed no I/O, else through respond()."""
    if ack.content and ack.json().get("text"):
        return ack.json()["text"]
    return (await slack.wait_for_call("response_url", name)).payload["text"]


@pytest.fixture
def serve(slack):
    @contextlib.asynccontextmanager
    async def running(writers: str = "", admins: str = ""):
        settings = Settings(
            _env_file=None,
            SLACK_API_URL=slack.api_url,
            SLACK_BOT_TOKEN=SecretStr("xoxb-test-token"),
            SLACK_SIGNING_SECRET=SecretStr(SIGNING_SECRET),
            DESKHAND_WRITERS=writers,
            DESKHAND_ADMINS=admins,
            DESKHAND_LOOKING_UP_AFTER="30",
        )
        data = seeded(tickets=50, customers=10)
        rd_app = build_readydesk_app(data)
        store = ready_store()
        desk = build_sandbox_desk(store, rd_app, build_kickserv_app(seeded_kickserv(data)))
        app = build_http_app(
            settings, desk, store=store, bolt=build_app(settings, desk, store=store)
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://d"
        ) as http:
            yield Served(http, rd_app.state.data.history, store)
        await desk.aclose()
        await store.close()

    return running


async def _reply(slack, name: str, starts: str) -> dict:
    call = await slack.wait_for_call("response_url", name)
    assert call.payload["text"].startswith(starts), call.payload["text"]
    return call.payload


@pytest.mark.parametrize("text", NOTE_TEXTS)
async def test_an_encoded_note_is_refused_for_a_non_writer(serve, slack, text):
    async with serve(writers="U9") as app:
        before = len(app.history.get(34, []))
        ack, _ = await app.command(slack, ids.DESKHAND_COMMAND, text)
        assert NOT_A_WRITER in ack.json()["text"]
        assert len(app.history.get(34, [])) == before
        assert [r.outcome for r in await app.store.audit.recent()] == ["refused"]


@pytest.mark.parametrize("text", NOTE_TEXTS)
async def test_the_same_note_is_written_for_a_writer(serve, slack, text):
    async with serve(writers="U1") as app:
        before = len(app.history.get(34, []))
        ack, name = await app.command(slack, ids.DESKHAND_COMMAND, text)
        assert ack.status_code == 200
        await _reply(slack, name, "Added the note to ticket #34")
        entries = app.history.get(34, [])
        assert len(entries) == before + 1 and entries[-1].note.startswith("hi\n— ")


@pytest.mark.parametrize("text", DIGEST_TEXTS)
async def test_an_encoded_digest_change_is_refused_for_a_non_writer_and_made_for_a_writer(
    serve, slack, text
):
    async with serve(writers="U9") as app:
        ack, _ = await app.command(slack, ids.DIGEST_COMMAND, text)
        assert NOT_A_WRITER in ack.json()["text"]
        assert await app.store.digests.in_channel("C1") == []
    async with serve(writers="U1") as app:
        ack, name = await app.command(slack, ids.DIGEST_COMMAND, text)
        assert (await _answer(slack, ack, name)).startswith("Subscribed: ")
        assert [s.kind for s in await app.store.digests.in_channel("C1")] == ["unresolved"]


@pytest.mark.parametrize("text", ADMIN_TEXTS + LINK_TEXTS)
async def test_an_encoded_admin_subcommand_is_refused_for_a_non_admin(serve, slack, text):
    async with serve(admins="U9") as app:
        ack, _ = await app.command(slack, ids.DESKHAND_COMMAND, text)
        assert NOT_AN_ADMIN in ack.json()["text"]
        assert await app.store.links.get("U0CONSOLE") is None


@pytest.mark.parametrize("text", ADMIN_TEXTS)
async def test_the_same_audit_runs_for_an_admin(serve, slack, text):
    async with serve(admins="U1") as app:
        ack, name = await app.command(slack, ids.DESKHAND_COMMAND, text)
        assert await _answer(slack, ack, name) == "No writes from Slack yet."


@pytest.mark.parametrize("text", LINK_TEXTS)
async def test_the_same_link_is_saved_for_an_admin(serve, slack, text):
    async with serve(admins="U1") as app:
        _, name = await app.command(slack, ids.DESKHAND_COMMAND, text)
        await _reply(slack, name, "Saved. ")
        assert (await app.store.links.get("U0CONSOLE")).technician == "alice"


async def test_a_note_form_opened_from_a_card_is_refused_on_submit_for_a_non_writer(serve):
    """Add note (which only opens the form) is open to all; the submit is what is checked."""
    view = note_modal(NoteTarget(kind="ticket", number="34", channel_id="C1")).to_dict()
    state = {NOTE_BLOCK: {NOTE_INPUT: {"type": "plain_text_input", "value": "hi"}}}
    payload = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX"},
        "user": {"id": "U1"},
        "api_app_id": "A0DESKHAND",
        "trigger_id": "1.2.3",
        "view": {**view, "id": "V1", "hash": "h", "state": {"values": state}},
    }
    async with serve(writers="U9") as app:
        before = len(app.history.get(34, []))
        ack = await app.interactive(payload)
        answer = ack.json()
        assert answer["response_action"] == "errors"
        assert NOT_A_WRITER in answer["errors"][NOTE_BLOCK]
        assert len(app.history.get(34, [])) == before


@pytest.mark.parametrize("action_id", ids.WRITE_ACTIONS)
async def test_every_write_button_and_select_is_refused_for_a_non_writer(serve, slack, action_id):
    value = json.dumps({"ticket_id": 34, "customer_id": ""})
    async with serve(writers="U9") as app:
        await app.interactive(block_action(action_id, value, slack.response_url("pressed")))
        # A job's steps also let its assigned employee by, and say so first.
        said = (
            "Only the job's assigned technician or a writer may do that. You are not on"
            if action_id in ids.JOB_STEPS
            else "You are not on Deskhand's list"
        )
        await _reply(slack, "pressed", said)
        assert [r.outcome for r in await app.store.audit.recent()] == ["refused"]


@pytest.mark.parametrize("callback_id", ids.WRITE_VIEWS)
async def test_every_write_form_is_refused_for_a_non_writer(serve, callback_id):
    view = {"id": "V1", "type": "modal", "callback_id": callback_id, "state": {"values": {}}}
    payload = {"type": "view_submission", "team": {"id": "T0SANDBOX"}, "user": {"id": "U1"}}
    async with serve(writers="U9") as app:
        ack = await app.interactive({**payload, "view": view})
        assert ack.json()["response_action"] == "errors"
        assert [r.outcome for r in await app.store.audit.recent()] == ["refused"]
