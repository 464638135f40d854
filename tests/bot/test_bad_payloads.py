"""Bad payloads through the app as served (signed HTTP): button values, block ids, events and
encodings Slack would not send get a clear message or a 400, never a traceback; links unfurl as
a browser opens them."""

import json
import logging
from urllib.parse import parse_qsl, urlencode

import pytest

from cards import ids
from tests.bot.bad_input import NOTE, WEB, history, serving, tracebacks
from tests.bot.served import FORM, JSON, texts
from tests.slack_helpers import block_action, command_body, event_body, signed_headers

pytestmark = pytest.mark.long_running


@pytest.fixture
async def app(slack):
    async for running in serving(slack):
        yield running


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
    assert tracebacks(caplog) == [] and await app.store.audit.recent() == []
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
    assert tracebacks(caplog) == [] and await app.store.audit.recent() == []
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
    before = await history(app, 34)
    with caplog.at_level(logging.INFO):
        response = await app.http.post(
            "/slack/events", content=body, headers={**content_type, **signed_headers(body)}
        )
        await app.work.wait()
    assert response.status_code == 400
    assert response.json() == {"error": "malformed payload"}
    assert slack.calls == [] and await app.store.audit.recent() == []
    assert (
        await history(app, 34) == before
        and app.readydesk.state.data.tickets[34].date_closed is None
    )
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
    assert tracebacks(caplog) == []


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
    assert tracebacks(caplog) == []
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
    assert tracebacks(caplog) == []
    await app.event(opened)  # as Slack sends it: the Home tab is published
    assert [c.payload["user_id"] for c in slack.calls if c.name == "views.publish"] == ["U1"]


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
    assert tracebacks(caplog) == []


@pytest.mark.parametrize("user", ["U1", {"name": "pat"}, {"id": 7}])
async def test_interactivity_whose_user_is_no_slack_user_object_is_400(app, slack, caplog, user):
    press = block_action(ids.TICKET_CLOSE, '{"kind": "ticket", "ticket_id": 34}', "")
    press["user"] = user
    with caplog.at_level(logging.INFO):
        response = await app.interactive(press)
    assert response.status_code == 400
    assert slack.calls == [] and app.readydesk.state.data.tickets[34].date_closed is None
    assert tracebacks(caplog) == []
