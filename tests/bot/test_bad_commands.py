"""Bad commands through the app as served (signed HTTP): a clear message, never a traceback,
and every character typed given back (a slash command's box is empty once sent)."""

import json
import logging

import pytest

from cards import ids
from tests.bot.bad_input import NOTE, WEB, buttons, history, send_command, serving, tracebacks
from tests.bot.served import Served, served, texts
from tests.slack_helpers import block_action


@pytest.fixture
async def app(slack):
    async for running in serving(slack):
        yield running


# /note whose record is not a number: the usage, and the text given back.


@pytest.mark.parametrize("where", ["ticket -1", "ticket 0", "job -86001", "ticket #", "tikcet 34"])
async def test_a_note_to_no_record_gives_back_every_character_and_the_form_to_finish_it(
    app, slack, caplog, where
):
    before = await history(app, 34)
    with caplog.at_level(logging.INFO):
        answer = await send_command(app, "/note", f"{where} {NOTE}", slack.response_url("note"))
    shown = texts(answer["blocks"])
    assert "Usage:" in answer["text"] and "Usage:" in shown
    assert f"{where} {NOTE}" in shown  # what was typed, whole, as plain text
    assert NOTE in answer["text"]  # and in the fallback (notifications, screen readers)
    [again] = buttons(answer["blocks"])
    assert again["text"]["text"] == "Open the note form"
    # The button opens the form with the note in it; the form asks where it goes.
    await app.interactive(block_action(again["action_id"], again["value"], slack.response_url("b")))
    [opened] = [c for c in slack.calls if c.name == "views.open"]
    field = json.dumps(opened.payload["view"])
    assert json.dumps(NOTE)[1:-1] in field and "Ticket number" in field
    assert await history(app, 34) == before and tracebacks(caplog) == []


async def test_a_note_too_long_for_a_button_is_still_given_back_whole(app, slack):
    long_note = "word " * 700  # over a button value's 2000 characters
    answer = await send_command(app, "/note", f"ticket -1 {long_note}", slack.response_url("n"))
    shown = "".join(b["text"]["text"] for b in answer["blocks"] if b["type"] == "section")
    assert long_note.strip() in shown
    assert buttons(answer["blocks"]) == []  # no button whose value Slack would refuse


# /note when the form cannot open


async def test_a_note_form_without_a_trigger_says_so_and_keeps_what_was_typed(app, slack, caplog):
    with caplog.at_level(logging.INFO):
        answer = await send_command(
            app, "/note", "ticket 34", slack.response_url("nt"), trigger_id=None
        )
    said = answer.get("text") or (await slack.wait_for_call("response_url", "nt")).payload["text"]
    assert "form could not open" in said and "/note ticket 34" in said
    assert [c for c in slack.calls if c.name == "views.open"] == []
    assert tracebacks(caplog) == []


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
    answer = await send_command(app, command, text, slack.response_url(name))
    return (
        answer if answer.get("text") else (await slack.wait_for_call("response_url", name)).payload
    )


@pytest.mark.parametrize(("command", "text"), TYPO_COMMANDS)
async def test_a_commands_usage_error_gives_back_every_character_typed(app, slack, command, text):
    reply = await _reply(app, slack, command, text, "typo")
    sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
    assert f"{command} {text}" in sections  # whole, the command too: copied, fixed, sent again
    assert "What you typed:" in texts(reply["blocks"])


async def test_deskhand_link_gives_back_what_was_typed_too(slack):
    async with served(slack, READYDESK_WEB_URL=WEB, DESKHAND_ADMINS="U1") as app:
        text = "link someone tech:alice emp:7"
        reply = await _reply(app, slack, "/deskhand", text, "link")
    assert f"/deskhand {text}" in [
        b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"
    ]


async def test_a_note_form_slack_will_no_longer_open_says_so_and_keeps_the_text(app, slack, caplog):
    expired = json.dumps({"ok": False, "error": "expired_trigger_id"})
    json_reply = {"content-type": "application/json"}
    slack.faults.add("status", path="/views.open", status=200, body=expired, headers=json_reply)
    with caplog.at_level(logging.INFO):
        await send_command(app, "/note", "job 86001", slack.response_url("late"))
        form = '{"kind": "pick", "text": "Gate code 4411"}'
        await app.interactive(block_action(ids.NOTE_TRY_AGAIN, form, slack.response_url("again")))
    late = (await slack.wait_for_call("response_url", "late")).payload
    assert "3 seconds" in late["text"] and "/note job 86001" in late["text"]
    again = (await slack.wait_for_call("response_url", "again")).payload
    assert "Gate code 4411" in texts(again["blocks"])
    assert tracebacks(caplog) == []


async def test_an_add_note_button_without_a_trigger_says_the_form_could_not_open(app, slack):
    press = block_action(
        ids.ADD_NOTE, '{"kind": "ticket", "number": "34"}', slack.response_url("a")
    )
    del press["trigger_id"]
    await app.interactive(press)
    said = (await slack.wait_for_call("response_url", "a")).payload["text"]
    assert said.startswith("The note form could not open")


async def test_a_note_with_text_but_no_trigger_is_not_lost_or_written_twice(app, slack, caplog):
    before = await history(app, 34)
    with caplog.at_level(logging.INFO):
        answer = await send_command(
            app, "/note", f"ticket 34 {NOTE}", slack.response_url("nt"), trigger_id=None
        )
    assert "Nothing was written" in answer["text"]
    assert f"ticket 34 {NOTE}" in texts(answer["blocks"])
    assert await history(app, 34) == before and tracebacks(caplog) == []


async def test_a_customer_note_to_no_kickserv_customer_gives_the_note_back(app, slack):
    await send_command(app, "/note", f"customer nosuch-co {NOTE}", slack.response_url("c"))
    reply = (await slack.wait_for_call("response_url", "c")).payload
    assert "has no Kickserv customer linked" in reply["text"]
    assert f"customer nosuch-co {NOTE}" in texts(reply["blocks"])
    [again] = buttons(reply["blocks"])
    assert json.loads(again["value"])["text"] == NOTE


async def test_a_subcommands_line_comes_back_exactly_as_typed(app, slack):
    text = "Watch  jobs yesterday"  # its capital and double space kept
    reply = await _reply(app, slack, "/deskhand", text, "exact")
    sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
    assert f"/deskhand {text}" in sections
