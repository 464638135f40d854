"""The soak's bookkeeping over a recorded sample: the words the app says today, read as what
the person was told, and each write counted once in the right column."""

import re

from bench._soak_ledger import (
    DONE,
    NOT_DONE,
    PENDING,
    UNCONFIRMED,
    Write,
    classify,
    count_keys,
    flat_text,
    tally,
)

# Messages recorded from soak runs (the Slack fake's calls, flattened), and the sweeper's.
ADDED = "Added the note to ticket #53 (note 568). Added the note to ticket #53"
ADDED_SLOW = "Added the note to ticket #43 (note 501), confirmed after a slow reply."
ADDING = "Adding the note to ticket #12 …"
NOT_ADDED = (
    "*Not added* to ticket #34. ReadyDesk is not answering. Deskhand checked: it is not there."
)
SAVING_FORM = "Adding the note to ticket #18 … Done Saving…"
FORM_FAILED = "Note not added *Not added* to ticket #7. Kickserv answered 502. Try again"
STATUS_CARD = "Ticket #286: Laptop will not boot after update #286 Laptop will not boot *Status*"
STATUS_DONE = "Done on ticket #287, confirmed after a slow reply."
TICKET_CREATED = "Created *ticket #301* (confirmed after a slow reply). Done Ticket created"
JOB_CREATED = "Created *job 86095* for Kickserv customer #14. Done Job created"
JOB_CARD = "Job 86095: Gutter Cleaning (Unscheduled) Job 86095 · Gutter Cleaning *Scheduled* Not"
UNSURE = (
    "*Could not confirm* whether the note was added to ticket #9: ReadyDesk did not answer in "
    "time. Check ticket #9 in ReadyDesk before adding it again."
)
SWEEPER_UNSURE = (
    "Update: Deskhand stopped while writing the note to ticket #9 and *could not confirm* yet "
    "whether it went through. It keeps checking and will tell you; please do not send it again."
)
SWEEPER_WRITTEN = (
    "Update: The note to ticket #9 was written (Deskhand confirmed it afterwards: 77)."
)
SWEEPER_NOT = "Update: The note to ticket #9 was *not written* — Deskhand stopped before it went."
WENT_WRONG = "Not done Something went wrong on Deskhand's side (ref 3f2a). Please try again."


def test_the_apps_words_read_as_what_the_person_was_told():
    assert [classify(t) for t in (ADDED, ADDED_SLOW, STATUS_CARD, STATUS_DONE)] == [DONE] * 4
    assert [classify(t) for t in (TICKET_CREATED, JOB_CREATED, SWEEPER_WRITTEN)] == [DONE] * 3
    assert [classify(t) for t in (NOT_ADDED, FORM_FAILED, SWEEPER_NOT, WENT_WRONG)] == [
        NOT_DONE
    ] * 4
    assert [classify(t) for t in (ADDING, SAVING_FORM, SWEEPER_UNSURE)] == [PENDING] * 3
    assert classify(UNSURE) == UNCONFIRMED
    assert classify(JOB_CARD) is None  # a card alone says nothing about the outcome


def _write(key: str, *said: str, status: int = 200) -> Write:
    return Write(key, "note", f"U{key}", f"w{key}", status, [(n, t) for n, t in enumerate(said)])


def test_each_write_is_counted_by_its_landings_and_what_its_person_last_heard():
    writes = [
        _write("once", ADDING, ADDED),
        _write("twice", ADDED_SLOW),
        _write("lie", NOT_ADDED),
        _write("honest", FORM_FAILED),
        _write("silent", ADDING),
        _write("unsure", UNSURE),
        _write("told-later", SWEEPER_UNSURE, SWEEPER_WRITTEN),
        _write("refused", status=0),
        _write("refused-but-written", status=503),
        _write("refused-then-told", JOB_CREATED, status=404),
        _write("told-done-not-there", STATUS_DONE),
    ]
    landed = {
        "once": 1,
        "twice": 2,
        "lie": 1,
        "silent": 1,
        "unsure": 1,
        "told-later": 1,
        "refused-but-written": 1,
        "refused-then-told": 1,
    }
    result = tally(writes, landed)
    assert (result.tried, result.once, result.duplicates) == (11, 7, 1)
    assert result.duplicate_keys == ["twice"]
    assert result.lie_keys == ["lie", "refused-but-written", "told-done-not-there"]
    assert (result.lies, result.told_done_not_there) == (2, 1)
    assert result.silent_keys == ["silent", "unsure"] and result.unconfirmed == 1
    assert (result.not_acked, result.never_landed) == (3, 3)
    assert result.failed


def test_a_clean_sample_proves_nothing_broken():
    result = tally([_write("a", ADDED), _write("b", NOT_ADDED)], {"a": 1})
    assert not result.failed and (result.once, result.never_landed) == (1, 1)


def test_keys_are_found_once_per_record_in_the_backends_texts_and_in_views():
    pattern = re.compile(r"SOAK\w+W\d{6}")
    texts = ["Soak check SOAK24XW000001 — Pat via Slack", "SOAK24XW000001 SOAK24XW000001", None]
    assert count_keys(texts, pattern) == {"SOAK24XW000001": 2}
    view = {"title": {"text": "Note added"}, "blocks": [{"text": {"text": ADDED_SLOW}}]}
    assert classify(flat_text(view)) == DONE
