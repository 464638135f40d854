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

# Messages recorded from soak runs on the merged app (the Slack fake's calls, flattened: a
# reply's text and blocks, a form's view, a DM), the sweeper's among them.
ADDED = "Added the note to ticket #53 (note 568). Added the note to ticket #53 (note 568)."
ADDED_SLOW = "Added the note to ticket #43 (note 501), confirmed after a slow reply."
ADDING = "Adding the note to ticket #12 …"
NOT_ADDED = (
    "*Not added* to ticket #34. ReadyDesk is not answering. Deskhand checked: it is not there."
)
SAVING_FORM = "Adding the note to ticket #18 … Done Saving…"
SAVING_JOB = "Creating the job in Kickserv … Close Saving…"
SAVING_TICKET = "Creating … Done Saving…"
STILL_SAVING = "This is already being saved; the outcome will show here when it is known. Saving…"
FORM_FAILED = "Note not added *Not added* to ticket #7. Kickserv answered 502. Try again"
STATUS_CARD = "Ticket #286: Laptop will not boot after update #286 Laptop will not boot *Status*"
STATUS_DONE = "Done on ticket #287, confirmed after a slow reply."
STATUS_NOT = "*Not changed* on ticket #287. Deskhand checked: the ticket is unchanged."
TICKET_CREATED = "Created *ticket #301* (confirmed after a slow reply). Done Ticket created"
JOB_CREATED = "Created *job 86095* for Delta Dental 3 (#14). Done Job created"
JOB_CARD = "Job 86095: Gutter Cleaning (Unscheduled) Job 86095 · Gutter Cleaning *Scheduled* Not"
NOT_YET = (
    "*Could not confirm yet* whether the note was added to ticket #9 (ReadyDesk did not answer "
    "in time). It may still go through: Deskhand keeps checking and will tell you how it ended "
    "within about a minute. Please do not send it again before then."
)
NOT_YET_FORM = (  # the form's view: the later word comes by DM
    "*Could not confirm yet* whether the ticket was created (ReadyDesk did not answer in time). "
    "It may still go through: Deskhand keeps checking and will tell you in a direct message how "
    "it ended within about a minute. Please do not send it again before then. Not confirmed"
)
UNSURE = (
    "*Could not confirm* whether the note was added to ticket #9: ReadyDesk did not answer in "
    "time. Check ticket #9 in ReadyDesk before adding it again."
)
SWEEPER_STOPPED = (
    "Update: *Could not confirm yet* whether the note on ticket #9 was written (Deskhand stopped "
    "before it went through). It may still go through: Deskhand keeps checking and will tell you "
    "how it ended as soon as it can check. Please do not send it again before then."
)
SWEEPER_WRITTEN = (
    "Update: The note on ticket #9 was written (Deskhand confirmed it afterwards: 77). "
    "Update: The note on ticket #9 was written (Deskhand confirmed it afterwards: 77)."
)
SWEEPER_WRITTEN_UNDONE = (
    "Update: The job for Delta Dental 3 was written (Deskhand confirmed it afterwards: 86100), "
    "but it was not assigned to Sam Ortiz: Deskhand does that only when it knows at once that "
    "it was written. Please do it in the system itself."
)
SWEEPER_NOT = (
    "Update: The note on job 86001 was *not written* — Kickserv did not answer in time, and "
    "Deskhand checked until the system could no longer apply it: it is not there. Nothing was "
    "lost: here is what you wrote, to send again."
)
SWEEPER_GAVE_UP = (
    "Update: Deskhand could not check for a day whether the note on ticket #9 was written "
    "(ReadyDesk did not answer in time), and no longer tries. Look at it before you send it "
    "again: here is what you wrote."
)
WENT_WRONG = "Not done Something went wrong on Deskhand's side (ref 3f2a). Please try again."


def test_the_apps_words_read_as_what_the_person_was_told():
    done = (ADDED, ADDED_SLOW, STATUS_CARD, STATUS_DONE, TICKET_CREATED, JOB_CREATED)
    assert [classify(t) for t in done] == [DONE] * 6
    assert [classify(t) for t in (SWEEPER_WRITTEN, SWEEPER_WRITTEN_UNDONE)] == [DONE] * 2
    refused = (NOT_ADDED, FORM_FAILED, STATUS_NOT, SWEEPER_NOT, WENT_WRONG)
    assert [classify(t) for t in refused] == [NOT_DONE] * 5
    promised = (ADDING, SAVING_FORM, SAVING_JOB, SAVING_TICKET, STILL_SAVING, NOT_YET)
    assert [classify(t) for t in promised] == [PENDING] * 6
    assert [classify(t) for t in (NOT_YET_FORM, SWEEPER_STOPPED)] == [PENDING] * 2
    # Given up after a day: not an outcome, though its sentence says "was written".
    assert [classify(t) for t in (UNSURE, SWEEPER_GAVE_UP)] == [UNCONFIRMED] * 2
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
        _write("not-yet-only", ADDING, NOT_YET),
        _write("gave-up", NOT_YET, SWEEPER_GAVE_UP),
        _write("told-later", ADDING, NOT_YET, SWEEPER_WRITTEN),
        _write("form-told-by-dm", SAVING_TICKET, NOT_YET_FORM, SWEEPER_WRITTEN_UNDONE),
        _write("not-yet-then-not", SWEEPER_STOPPED, SWEEPER_NOT),
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
        "not-yet-only": 1,
        "gave-up": 1,
        "told-later": 1,
        "form-told-by-dm": 1,
        "refused-but-written": 1,
        "refused-then-told": 1,
    }
    result = tally(writes, landed)
    assert (result.tried, result.once, result.duplicates) == (14, 9, 1)
    assert result.duplicate_keys == ["twice"]
    assert result.lie_keys == ["lie", "refused-but-written", "told-done-not-there"]
    assert (result.lies, result.told_done_not_there) == (2, 1)
    assert result.silent_keys == ["silent", "not-yet-only", "gave-up"]
    assert result.unconfirmed == 1  # the sweeper gave up: told it could not be confirmed
    assert (result.not_acked, result.never_landed) == (3, 4)
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
