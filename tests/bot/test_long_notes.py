"""A ticket note the form accepts is never refused for its length: one that one ReadyDesk
request cannot hold (its limit is on the URL, URL-encoded) is written as numbered parts, each
once, and the outcome says so."""

import re

from api.signatures import read_signature
from playground.console import Console
from sandbox.faults import Fault

_LABEL = re.compile(r"\A\[Part (\d+) of (\d+)\] ")


def _history(console: Console, tid: int) -> list:
    return console._desk.readydesk._http._transport.app.state.data.history.get(tid, [])


def _faults(console: Console):
    return console._desk.readydesk._http._transport.app.state.faults


def _parts(console: Console, tid: int, since: int) -> list[tuple[int, int, str]]:
    """The notes added since `since`, as (part, of, text without its label and signature)."""
    found = []
    for entry in _history(console, tid)[since:]:
        text = read_signature(entry.note).text
        label = _LABEL.match(text)
        assert label, entry.note[:60]
        found.append((int(label[1]), int(label[2]), text[label.end() :]))
    return found


async def _note_form(console: Console, tid: int) -> str:
    await console.send(f"/note ticket {tid}")
    view = console.slack.views[console.slack.last_view_id]
    assert view["blocks"][0]["element"]["max_length"] >= 2000
    return console.slack.last_view_id


async def test_two_thousand_accented_letters_and_emoji_are_written_whole_in_parts(console):
    for tid, typed in ((34, "é" * 1000 + " " + "é" * 999), (35, "🙂" * 2000)):
        before = len(_history(console, tid))
        view_id = await _note_form(console, tid)
        added = await console.submit_view(view_id, {"note": typed})
        assert added["view"]["title"]["text"] == "Note added", added
        parts = _parts(console, tid, before)
        count = len(parts)
        assert count > 1
        assert [(p, of) for p, of, _ in parts] == [(n, count) for n in range(1, count + 1)]
        assert "".join(text for *_, text in parts) == typed  # every character, once
        assert f"{count} parts: notes " in str(added["view"]["blocks"])
        again = await console.submit_view(view_id, {"note": typed})  # a double submit
        assert again["view"]["title"]["text"] == "Already done"
        assert len(_history(console, tid)) == before + count


async def test_a_part_that_fails_is_told_and_try_again_writes_only_the_rest(console):
    typed = "ü" * 1500
    before = len(_history(console, 34))
    view_id = await _note_form(console, 34)
    # The first part goes in; the second is refused (a 422: proof nothing was applied).
    faults, refused = _faults(console), Fault("status", status=422)
    real_take, sent = faults.take, []

    def second_fails(scope):
        if b"action=add_history" in scope.get("query_string", b""):
            sent.append(scope)
            if len(sent) == 2:
                return refused
        return real_take(scope)

    faults.take = second_fails
    failed = await console.submit_view(view_id, {"note": typed})
    faults.take = real_take
    assert failed["view"]["title"]["text"] == "Note not added"
    blocks = failed["view"]["blocks"]
    assert blocks[1]["type"] == "actions"  # Try again sits above the text
    said = blocks[0]["text"]["text"]
    assert "part 1 was added (note " in said and "part 2 was not added" in said
    assert len(_parts(console, 34, before)) == 1
    console.slack.views[view_id] = {**failed["view"], "id": view_id}
    await console.press_in_view(view_id, "Try again")
    done = await console.submit_view(view_id, {"note": typed})
    assert done["view"]["title"]["text"] == "Note added"
    parts = _parts(console, 34, before)
    assert [p for p, *_ in parts] == list(range(1, parts[0][1] + 1))  # each part once
    assert "".join(text for *_, text in parts) == typed
