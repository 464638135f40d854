"""A ticket note the form accepts is never refused for its length: one that one ReadyDesk
request cannot hold (its limit is on the URL, URL-encoded) is written as numbered parts, each
once, and the outcome says so."""

import re
from datetime import UTC, datetime, timedelta

from api.signatures import read_signature
from playground.console import Console
from sandbox.faults import Fault
from workers.claims import sweep_claims

_LABEL = re.compile(r"\A\[Part (\d+) of (\d+)\] ")


def _history(console: Console, tid: int) -> list:
    return console.fake("readydesk").state.data.history.get(tid, [])


def _faults(console: Console):
    return console.faults("readydesk")


def _parts(console: Console, tid: int, since: int) -> list[tuple[int, int, str]]:
    """The notes added since `since`, as (part, of, text without its label and signature)."""
    found = []
    for entry in _history(console, tid)[since:]:
        text = read_signature(entry.note).text
        label = _LABEL.match(text)
        assert label, entry.note[:60]
        found.append((int(label[1]), int(label[2]), text[label.end() :]))
    return found


async def _submit_with_second_part_faulty(
    console: Console, view_id: str, typed: str, fault: Fault
) -> tuple[dict, int]:
    """Submit the note form with `fault` on the second part's request only; the answer, and
    how many parts were sent."""
    faults, sent = _faults(console), []
    real_take = faults.take

    def second_part(scope):
        if b"action=add_history" in scope.get("query_string", b""):
            sent.append(scope)
            if len(sent) == 2:
                return fault
        return real_take(scope)

    faults.take = second_part
    try:
        return await console.submit_view(view_id, {"note": typed}), len(sent)
    finally:
        faults.take = real_take


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
    # The first part goes in; the second is refused (a 422 proves nothing was applied).
    refused = Fault("status", status=422)
    failed, _ = await _submit_with_second_part_faulty(console, view_id, typed, refused)
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


async def test_a_part_that_lands_late_is_told_as_that_part_and_the_rest_is_given_back(console):
    typed = "ü" * 1500
    before = len(_history(console, 34))
    view_id = await _note_form(console, 34)
    # Part 2's reply is a gateway's 504; ReadyDesk applies it later (when the test lands it).
    late = Fault("error_now_applied_later", seconds=3600, status=504)
    shown, sent = await _submit_with_second_part_faulty(console, view_id, typed, late)
    said = str(shown["view"]["blocks"])
    assert "Could not confirm yet" in said and "Try again" not in said, said
    assert "part 1 was added (note " in said and "part 2 may not have been added" in said, said
    assert sent == 2  # nothing written on top of a part whose outcome is unknown
    assert await _faults(console).land() == 1
    count = _parts(console, 34, before)[0][1]
    assert count > 2 and len(_parts(console, 34, before)) == 2
    mark = len(console.slack.calls)
    later = datetime.now(UTC) + timedelta(seconds=15)
    await sweep_claims(console.desk, console.store, console.app.client, later)
    told = str([call.payload for call in console.slack.calls_since(mark)])
    # Not "the note was written": part 2 was, and the parts after it were never sent.
    assert f"Part 2 of {count} of the note on ticket #34 was written" in told, told
    assert "not sent" in told, told
    rest = "".join(text for *_, text in _parts(console, 34, before))
    assert typed.removeprefix(rest)[:100] in told  # the rest comes back, to send again


async def test_a_part_never_applied_gives_back_every_part_not_written(console):
    typed = "ü" * 700 + "ö" * 800
    before = len(_history(console, 34))
    view_id = await _note_form(console, 34)
    # Part 2's reply is a 502: it may still land, and never does.
    await _submit_with_second_part_faulty(console, view_id, typed, Fault("status", status=502))
    written = "".join(text for *_, text in _parts(console, 34, before))
    mark = len(console.slack.calls)
    later = datetime.now(UTC) + timedelta(seconds=61)
    await sweep_claims(console.desk, console.store, console.app.client, later)
    told = str([call.payload for call in console.slack.calls_since(mark)])
    assert "*not written*" in told, told
    assert "ö" * 50 in told  # the last part's text, never sent, is not lost
    assert len(typed.removeprefix(written)) > 0
