"""Bad input through the app as served (signed HTTP): a clear message, never a traceback, and
nothing the person typed is lost."""

import json
import logging
from urllib.parse import parse_qsl, urlencode

import pytest

from handlers import ids
from tests.bot.served import FORM, JSON, Served, served, texts
from tests.slack_helpers import block_action, command_body, event_body, signed_headers

WEB = "https://helpdesk.example/readydesk/tickets.aspx?tid={tid}"
KICKSERV = "https://app.kickserv.com/sandbox"  # the default KICKSERV_WEB_URL, sandbox account
NOTE = "Called back; the printer\nneeds a new fuser — ordered *today*"


@pytest.fixture
async def app(slack):
    async with served(slack, READYDESK_WEB_URL=WEB) as running:
        yield running


async def _command(app: Served, command: str, text: str, url: str, **fields: str | None) -> dict:
    """A signed slash command (`fields` replace Slack's; None leaves one out); its ack's body."""
    sent = dict(parse_qsl(command_body(command, text, url), keep_blank_values=True))
    sent = {k: v for k, v in (sent | fields).items() if v is not None}
    body = urlencode(sent)
    response = await app.http.post(
        "/slack/events", content=body, headers={**FORM, **signed_headers(body)}
    )
    await app.work.wait()
    assert response.status_code == 200
    return response.json() if response.content else {}


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or "unhandled error" in r.getMessage()]


def _buttons(blocks: list[dict]) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def _history(app: Served, tid: int) -> int:
    return len(app.readydesk.state.data.history.get(tid, []))


# /note whose record is not a number: the usage, and the text given back.


@pytest.mark.parametrize("where", ["ticket -1", "ticket 0", "job -86001", "ticket #", "tikcet 34"])
async def test_a_note_to_no_record_gives_back_every_character_and_the_form_to_finish_it(
    app, slack, caplog, where
):
    before = await _history(app, 34)
    with caplog.at_level(logging.INFO):
        answer = await _command(app, "/note", f"{where} {NOTE}", slack.response_url("note"))
    shown = texts(answer["blocks"])
    assert "Usage:" in answer["text"] and "Usage:" in shown
    assert f"{where} {NOTE}" in shown  # what was typed, whole, as plain text
    assert NOTE in answer["text"]  # and in the fallback (notifications, screen readers)
    [again] = _buttons(answer["blocks"])
    assert again["text"]["text"] == "Open the note form"
    # The button opens the form with the note in it; the form asks where it goes.
    await app.interactive(block_action(again["action_id"], again["value"], slack.response_url("b")))
    [opened] = [c for c in slack.calls if c.name == "views.open"]
    field = json.dumps(opened.payload["view"])
    assert json.dumps(NOTE)[1:-1] in field and "Ticket number" in field
    assert await _history(app, 34) == before and _tracebacks(caplog) == []


async def test_a_note_too_long_for_a_button_is_still_given_back_whole(app, slack):
    long_note = "word " * 700  # over a button value's 2000 characters
    answer = await _command(app, "/note", f"ticket -1 {long_note}", slack.response_url("n"))
    shown = "".join(b["text"]["text"] for b in answer["blocks"] if b["type"] == "section")
    assert long_note.strip() in shown
    assert _buttons(answer["blocks"]) == []  # no button whose value Slack would refuse


# /note when the form cannot open


async def test_a_note_form_without_a_trigger_says_so_and_keeps_what_was_typed(app, slack, caplog):
    with caplog.at_level(logging.INFO):
        answer = await _command(
            app, "/note", "ticket 34", slack.response_url("nt"), trigger_id=None
        )
    said = answer.get("text") or (await slack.wait_for_call("response_url", "nt")).payload["text"]
    assert "form could not open" in said and "/note ticket 34" in said
    assert [c for c in slack.calls if c.name == "views.open"] == []
    assert _tracebacks(caplog) == []


# Buttons and selects whose value or block id Deskhand did not write


def _status_choice(block_id: str, option: object, url: str) -> dict:
    payload = block_action(ids.TICKET_SET_STATUS, "", url)
    del payload["actions"][0]["value"]
    payload["actions"][0] |= {"type": "static_select", "block_id": block_id}
    if option is not None:
        payload["actions"][0]["selected_option"] = option
    return payload


ESCALATED = {"text": {"type": "plain_text", "text": "Escalated"}, "value": "Escalated"}


@pytest.mark.parametrize(
    ("block_id", "option"),
    [
        ("ticket_abc", ESCALATED),
        ("ticket_-1", ESCALATED),
        ("ticket_0", ESCALATED),
        ("ticket_", ESCALATED),
        ("b", ESCALATED),
        ("ticket_34", None),
        ("ticket_34", {"value": 7}),
        ("ticket_34", "Escalated"),
        ("ticket_34", {"value": ""}),
    ],
)
async def test_a_status_select_on_no_ticket_says_the_card_is_damaged_without_a_traceback(
    app, slack, caplog, block_id, option
):
    before = app.readydesk.state.data.tickets[34].status
    with caplog.at_level(logging.INFO):
        response = await app.interactive(_status_choice(block_id, option, slack.response_url("s")))
    assert response.status_code == 200
    said = (await slack.wait_for_call("response_url", "s")).payload["text"]
    assert said == "This message is out of date or damaged; run the command again."
    assert _tracebacks(caplog) == [] and await app.store.audit.recent() == []
    assert app.readydesk.state.data.tickets[34].status == before


TICKET_BUTTONS = [ids.TICKET_ASSIGN_ME, ids.TICKET_CLOSE]
REF_BUTTONS = [ids.TICKET_REFRESH, ids.SHARE_CARD, ids.TICKETS_OPEN, ids.JOB_REFRESH, ids.HOME_OPEN]
NOTE_BUTTONS = [ids.ADD_NOTE, ids.NOTE_TRY_AGAIN]
NO_TICKET = ['{"ticket_id": -1}', '{"kind": "ticket", "ticket_id": 0}']
NO_RECORD = [
    *NO_TICKET,
    '{"kind": "job", "job_number": -5}',
    '{"kind": "customer", "kickserv_number": 0}',
]
NO_NOTE = [
    '{"kind": "ticket", "number": "-1"}',
    '{"kind": "job", "number": "abc"}',
    '{"kind": "customer"}',
]
DAMAGED = [(a, v) for a in TICKET_BUTTONS for v in NO_TICKET]
DAMAGED += [(a, v) for a in REF_BUTTONS for v in ["not json", *NO_RECORD]]
DAMAGED += [(a, v) for a in NOTE_BUTTONS for v in NO_NOTE]
DAMAGED += [(ids.DIGEST_PAUSE, "abc"), (ids.DIGEST_PAUSE, "-1"), (ids.DIGEST_PAUSE, "0")]
DAMAGED += [(ids.CREATE_JOB, '{"kind": "customer", "readydesk_id": "demo"}')]
DAMAGED += [(ids.CREATE_JOB, '{"kind": "customer", "kickserv_number": 0}')]
DAMAGED += [(ids.JOB_SHOW_NOTES, '{"kind": "job", "job_number": -5}')]
DAMAGED += [(ids.JOB_TRY_AGAIN, "again"), (ids.TICKET_TRY_AGAIN, "again")]  # on no form


@pytest.mark.parametrize(("action_id", "value"), DAMAGED)
async def test_a_button_whose_value_is_no_record_says_so_without_a_traceback(
    app, slack, caplog, action_id, value
):
    with caplog.at_level(logging.INFO):
        await app.interactive(block_action(action_id, value, slack.response_url("v")))
    said = (await slack.wait_for_call("response_url", "v")).payload["text"]
    assert said == "This message is out of date or damaged; run the command again."
    assert _tracebacks(caplog) == [] and await app.store.audit.recent() == []
    assert [c.name for c in slack.calls if c.name.startswith(("views.", "chat."))] == []


# What Slack sends form-encoded (commands, interactivity) never arrives as JSON, and back


def _command_fields(url: str) -> dict[str, str]:
    return dict(parse_qsl(command_body("/note", f"ticket 34 {NOTE}", url)))


def _wrong_encodings(url: str) -> dict[str, tuple[dict[str, str], str]]:
    press = block_action(ids.TICKET_CLOSE, '{"kind": "ticket", "ticket_id": 34}', url)
    event = json.loads(event_body("Ev1", {"type": "app_mention", "text": "hi", "channel": "C1"}))
    return {
        "a slash command as JSON": (JSON, json.dumps(_command_fields(url))),
        "a button press as JSON": (JSON, json.dumps(press)),
        "an event carrying a command": (JSON, json.dumps(event | _command_fields(url))),
        "JSON of no Events API type": (JSON, json.dumps({"type": "surprise"})),
        "an event as a form payload": (FORM, urlencode({"payload": json.dumps(event)})),
        "a form that is no command": (FORM, urlencode({"text": "ticket 34", "user_id": "U1"})),
    }


@pytest.mark.parametrize("case", list(_wrong_encodings("")))
async def test_a_signed_body_in_an_encoding_slack_does_not_send_for_it_is_400(
    app, slack, caplog, case
):
    content_type, body = _wrong_encodings(slack.response_url("wrong"))[case]
    before = await _history(app, 34)
    with caplog.at_level(logging.INFO):
        response = await app.http.post(
            "/slack/events", content=body, headers={**content_type, **signed_headers(body)}
        )
        await app.work.wait()
    assert response.status_code == 400
    assert response.json() == {"error": "malformed payload"}
    assert slack.calls == [] and await app.store.audit.recent() == []
    assert (
        await _history(app, 34) == before
        and app.readydesk.state.data.tickets[34].date_closed is None
    )
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
    assert _tracebacks(caplog) == []


# A link_shared event whose fields are not what Slack sends


def _link_shared(**fields: object) -> dict:
    event = {
        "type": "link_shared",
        "channel": "C0SUPPORT",
        "is_bot_user_member": True,
        "user": "U1",
        "message_ts": "1700000100.000200",
        "unfurl_id": "C0SUPPORT.1700000100.000200",
        "source": "conversations_history",
        "event_ts": "1700000100.000200",
        "links": [{"domain": "helpdesk.example", "url": WEB.replace("{tid}", "34")}],
    }
    return event | fields


ODD_FIELDS = {
    "links an object": {"links": {"domain": "helpdesk.example", "url": WEB.replace("{tid}", "34")}},
    "links a string": {"links": WEB.replace("{tid}", "34")},
    "a link not an object": {"links": [WEB.replace("{tid}", "34")]},
    "a link's url a list": {"links": [{"domain": "helpdesk.example", "url": [WEB]}]},
    "channel an object": {"channel": {"id": "C0SUPPORT"}},
    "message_ts a list": {"message_ts": ["1700000100.000200"]},
    "message_ts a number": {"message_ts": 1700000100.0002},
    "source a list": {"source": ["composer"]},
    "unfurl_id an object": {"source": "composer", "unfurl_id": {"id": "x"}},
}


@pytest.mark.parametrize("case", list(ODD_FIELDS))
async def test_a_link_shared_event_slack_would_not_send_is_ignored_with_one_log_line(
    app, slack, caplog, case
):
    with caplog.at_level(logging.INFO):
        response = await app.event(_link_shared(**ODD_FIELDS[case]))
    assert response.status_code == 200
    assert [c.name for c in slack.calls if c.name.startswith(("chat.", "views."))] == []
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 1 and "link_shared" in warned[0].getMessage()
    assert _tracebacks(caplog) == []
    await app.event(_link_shared(message_ts="1700000200.000300"))  # as Slack sends it: unfurled
    [call] = [c for c in slack.calls if c.name == "chat.unfurl"]
    assert list(call.payload["unfurls"]) == [WEB.replace("{tid}", "34")]


# A link unfurls as the record a browser would open, on the configured host only


async def test_a_link_a_browser_opens_elsewhere_does_not_unfurl_as_a_record(app, slack):
    job = next(iter(app.kickserv.state.data.jobs.values())).job_number
    evil = f"https://evil.example\\@app.kickserv.com/sandbox/jobs/{job}"
    odd_but_true = f"https://APP.kickserv.com.\\sandbox\\jobs\\{job}"  # a browser opens the job
    await app.event(_link_shared(links=[{"domain": "app.kickserv.com", "url": evil}]))
    assert [c for c in slack.calls if c.name == "chat.unfurl"] == []
    await app.event(_link_shared(links=[{"domain": "app.kickserv.com", "url": odd_but_true}]))
    *_, last = [c for c in slack.calls if c.name == "chat.unfurl"]  # the crew may follow
    assert list(last.payload["unfurls"]) == [odd_but_true]
    assert f"*Job {job}* · " in texts(last.payload["unfurls"][odd_but_true]["blocks"])


# Every command's usage error gives back what was typed (the message box is empty once sent)

TYPO_COMMANDS = [
    ("/tickets", '"printer jam on floor 3 tech:me'),
    ("/tickets", "status:opne printer jam on floor 3"),
    ("/ticket", "34 the printer on floor 3 is jammed again, and the toner is out"),
    ("/job", "86001 gate code 4411, round the back by the bins, ring twice"),
    ("/digest", "ad status:open at 08:00 weekdays tz Europe/Berlin"),
    ("/digest", "add status:open at 25:00 weekdays tz Europe/Berlin"),
    ("/deskhand", "watch tickets status:opne printer floor 3"),  # watch's listener: the rest
    ("/deskhand", f"nite ticket 34 {NOTE}"),  # no such word: all of it
]


async def _reply(app: Served, slack, command: str, text: str, name: str) -> dict:
    """What the person sees: the acknowledgement's answer, or else the first reply."""
    answer = await _command(app, command, text, slack.response_url(name))
    return (
        answer if answer.get("text") else (await slack.wait_for_call("response_url", name)).payload
    )


@pytest.mark.parametrize(("command", "text"), TYPO_COMMANDS)
async def test_a_commands_usage_error_gives_back_every_character_typed(app, slack, command, text):
    reply = await _reply(app, slack, command, text, "typo")
    sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
    given_back = text.removeprefix("watch ")
    assert given_back in sections  # whole, as plain text that can be copied
    assert "What you typed:" in texts(reply["blocks"])


async def test_deskhand_link_gives_back_what_was_typed_too(slack):
    async with served(slack, READYDESK_WEB_URL=WEB, DESKHAND_ADMINS="U1") as app:
        text = "link someone tech:alice emp:7"
        reply = await _reply(app, slack, "/deskhand", text, "link")
    assert text.removeprefix("link ") in [
        b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"
    ]


async def test_pausing_a_digest_that_is_gone_says_so(app, slack):
    await app.interactive(block_action(ids.DIGEST_PAUSE, "999", slack.response_url("p")))
    said = (await slack.wait_for_call("response_url", "p")).payload["text"]
    assert said == "Digest #999 no longer exists; `/digest list` shows this channel's."


ODD_HOME = {
    "no user": {"user": None},
    "user an object": {"user": {"id": "U1"}},
    "tab a list": {"tab": ["home"]},
    "view a list": {"view": []},
}


@pytest.mark.parametrize("case", list(ODD_HOME))
async def test_an_app_home_opened_event_slack_would_not_send_is_ignored_with_one_log_line(
    app, slack, caplog, case
):
    opened = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}
    odd = {k: v for k, v in (opened | ODD_HOME[case]).items() if v is not None}
    with caplog.at_level(logging.INFO):
        response = await app.event(odd)
    assert response.status_code == 200
    assert [c.name for c in slack.calls if c.name.startswith(("chat.", "views."))] == []
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 1 and "app_home_opened" in warned[0].getMessage()
    assert _tracebacks(caplog) == []
    await app.event(opened)  # as Slack sends it: the Home tab is published
    assert [c.payload["user_id"] for c in slack.calls if c.name == "views.publish"] == ["U1"]


async def test_a_note_form_slack_will_no_longer_open_says_so_and_keeps_the_text(
    app, slack, caplog, monkeypatch
):
    answer = slack._answer

    def expired(method: str, payload: dict) -> dict:
        if method == "views.open":
            return {"ok": False, "error": "expired_trigger_id"}
        return answer(method, payload)

    monkeypatch.setattr(slack, "_answer", expired)
    with caplog.at_level(logging.INFO):
        await _command(app, "/note", "job 86001", slack.response_url("late"))
        form = '{"kind": "pick", "text": "Gate code 4411"}'
        await app.interactive(block_action(ids.NOTE_TRY_AGAIN, form, slack.response_url("again")))
    late = (await slack.wait_for_call("response_url", "late")).payload
    assert "3 seconds" in late["text"] and "/note job 86001" in late["text"]
    again = (await slack.wait_for_call("response_url", "again")).payload
    assert "Gate code 4411" in texts(again["blocks"])
    assert _tracebacks(caplog) == []


async def test_an_add_note_button_without_a_trigger_says_the_form_could_not_open(app, slack):
    press = block_action(
        ids.ADD_NOTE, '{"kind": "ticket", "number": "34"}', slack.response_url("a")
    )
    del press["trigger_id"]
    await app.interactive(press)
    said = (await slack.wait_for_call("response_url", "a")).payload["text"]
    assert said.startswith("The note form could not open")


async def test_a_note_with_text_but_no_trigger_is_not_lost_or_written_twice(app, slack, caplog):
    before = await _history(app, 34)
    with caplog.at_level(logging.INFO):
        answer = await _command(
            app, "/note", f"ticket 34 {NOTE}", slack.response_url("nt"), trigger_id=None
        )
    assert "Nothing was written" in answer["text"]
    assert f"ticket 34 {NOTE}" in texts(answer["blocks"])
    assert await _history(app, 34) == before and _tracebacks(caplog) == []


@pytest.mark.parametrize("typed", [5, ["acme"], {"q": "acme"}])
async def test_a_customer_picker_asked_for_no_text_offers_nothing_without_a_traceback(
    app, caplog, typed
):
    ask = {
        "type": "block_suggestion",
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A0DESKHAND",
        "user": {"id": "U1", "team_id": "T0SANDBOX"},
        "action_id": ids.CUSTOMER_PICKER,
        "block_id": "pick_customer",
        "value": typed,
        "container": {"type": "view", "view_id": "V1"},
    }
    with caplog.at_level(logging.INFO):
        response = await app.interactive(ask)
    assert response.status_code == 200 and response.json() == {"options": []}
    assert _tracebacks(caplog) == []


@pytest.mark.parametrize("user", ["U1", {"name": "pat"}, {"id": 7}])
async def test_interactivity_whose_user_is_no_slack_user_object_is_400(app, slack, caplog, user):
    press = block_action(ids.TICKET_CLOSE, '{"kind": "ticket", "ticket_id": 34}', "")
    press["user"] = user
    with caplog.at_level(logging.INFO):
        response = await app.interactive(press)
    assert response.status_code == 400
    assert slack.calls == [] and app.readydesk.state.data.tickets[34].date_closed is None
    assert _tracebacks(caplog) == []


async def test_a_customer_note_to_no_kickserv_customer_gives_the_note_back(app, slack):
    await _command(app, "/note", f"customer nosuch-co {NOTE}", slack.response_url("c"))
    reply = (await slack.wait_for_call("response_url", "c")).payload
    assert "has no Kickserv customer linked" in reply["text"]
    assert f"customer nosuch-co {NOTE}" in texts(reply["blocks"])
    [again] = _buttons(reply["blocks"])
    assert json.loads(again["value"])["text"] == NOTE
