"""Threads that sync, in words: what `/deskhand threads` answers, what Deskhand says in a synced
thread (where replies go, why a reply was not added), the note a reply becomes, and a note added
elsewhere as a reply in the thread. Pure: text in, text out; outside text is escaped."""

from datetime import datetime

from api.signatures import read_signature
from api.times import local_time
from cards.live import split_key
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.outcomes import plain_reason

THREADS_USAGE = "Usage: `/deskhand threads on`, `/deskhand threads off` or `/deskhand threads`."
NOTE_TEXT_MAX = 3000  # a note posted in a thread keeps this much of its text (a section's limit)
GIVEN_BACK_MAX = 36_000  # a reply given back in a message (Slack truncates text past 40,000)


def record_words(record_key: str) -> tuple[str, str]:
    """("ticket #34", "ReadyDesk ticket history") or ("job 86001", "Kickserv job notes")."""
    kind, number = split_key(record_key)
    if kind == "ticket":
        return f"ticket #{number}", "its ReadyDesk history"
    return f"job {number}", "its Kickserv notes"


def status_text(synced: bool) -> str:
    """`/deskhand threads`: which way this channel is."""
    if synced:
        return (
            "Threads sync in this channel: a reply under a ticket or job card Deskhand posted "
            "here becomes a note on that record, and notes added elsewhere appear in the thread. "
            "`/deskhand threads off` stops it."
        )
    return (
        "Threads do not sync in this channel. `/deskhand threads on` makes replies under "
        "Deskhand's ticket and job cards here notes on their records."
    )


def turned_on_text(joined: bool, private: bool, in_channel: bool) -> str:
    """`/deskhand threads on`: what now happens, and for a private channel Deskhand is not in,
    how to let it hear the replies."""
    said = (
        "Threads sync in this channel now: a reply under a ticket or job card Deskhand posted "
        "here becomes a note on that record (ReadyDesk history may be shown to the customer), "
        "and notes added elsewhere appear in the thread."
    )
    if private and not in_channel:
        return (
            f"{said} Slack sends Deskhand the replies only in channels it is a member of, and "
            "an app cannot join a private channel by itself: type `/invite @deskhand` here."
        )
    if joined:
        return f"{said} Deskhand joined the channel to hear the replies."
    return said


JOIN_FAILED = (
    "Deskhand could not join this channel ({why}), so it cannot hear the replies: "
    "type `/invite @deskhand` here."
)
TURNED_OFF = (
    "Threads no longer sync in this channel: replies stay in Slack and nothing new is posted "
    "in the threads. Notes already added stay on their records."
)
NOT_A_CHANNEL = "Threads sync in channels only: run `/deskhand threads on` in a channel."


def where_replies_go(record_key: str, reaction: str) -> str:
    """The one line under a thread's first synced reply."""
    what, where = record_words(record_key)
    return (
        f"Replies in this thread are added to {what} as notes ({where}), each marked "
        f":{reaction}: once it is. Notes added there elsewhere appear here."
    )


def refused_text(why: str, record_key: str) -> str:
    """Said once per thread to someone who may not write (`why` is mrkdwn already, and names
    whom to ask)."""
    what, _ = record_words(record_key)
    return f"Your replies in this thread are not added to {what}: {why}"


def not_added_text(
    record_key: str, why: str, typed: str, *, checked: bool = False, part: str = ""
) -> str:
    """A reply that was not added (or, for a reply written in parts, the `part` that was not,
    "part 2 of 3"): why, and what was not added, to send again."""
    what, _ = record_words(record_key)
    how = (
        ", and Deskhand checked until the system could no longer apply it: it is not there"
        if checked
        else ""
    )
    if part:
        return (
            f"Your reply is long, so it went to {what} in parts: the parts before {part} were "
            f"added, {part} was *not added* — {escape_mrkdwn(plain_reason(why))}{how}. "
            f"Here is what was not added, to reply again with it.\n{quoted(typed)}"
        )
    return (
        f"Your reply was *not added* to {what} — {escape_mrkdwn(plain_reason(why))}{how}. "
        f"Nothing was lost: here is what you wrote, to reply again.\n{quoted(typed)}"
    )


def rest_not_sent_text(record_key: str, part: str, rest: str) -> str:
    """A long reply whose `part` was confirmed only later: the parts after it were never sent."""
    what, _ = record_words(record_key)
    return (
        f"Your reply is long, so it went to {what} in parts: {part} was added after all, but "
        f"the parts after it were *not sent*. Here they are, to reply again with them.\n"
        f"{quoted(rest)}"
    )


def given_up_text(record_key: str, typed: str) -> str:
    """A reply whose note could not be checked for a day."""
    what, _ = record_words(record_key)
    return (
        f"Deskhand could not check for a day whether your reply was added to {what}, and no "
        f"longer tries. Look at it before you reply again:\n{quoted(typed)}"
    )


def edit_kept_text(record_key: str) -> str:
    """An edited reply on a ticket: ReadyDesk history cannot change."""
    what, _ = record_words(record_key)
    return (
        f"Your edit stays in Slack: ReadyDesk history cannot be changed, so the note on {what} "
        "keeps the first text. Reply again to add the change."
    )


def edit_failed_text(record_key: str, why: str, typed: str) -> str:
    """An edited reply whose Kickserv note could not be changed."""
    what, _ = record_words(record_key)
    return (
        f"The note on {what} was *not changed* — {escape_mrkdwn(plain_reason(why))}. It keeps "
        f"the first text; your edit:\n{quoted(typed)}"
    )


def deleted_text(record_key: str) -> str:
    """A deleted reply: its note stays."""
    what, _ = record_words(record_key)
    return (
        f"Deleting a reply does not delete its note: the note on {what} stays. Remove it in "
        "the system itself if it must go."
    )


def note_text(text: str, files: list[tuple[str, str]], permalink: str) -> str:
    """The note a reply becomes (before its signature, which names the person): the reply as
    written, its files by name and link, and the link back to the Slack message."""
    lines = [text.strip()] if text.strip() else []
    lines += [f"Attached in Slack: {name} ({link})" for name, link in files]
    if permalink:
        lines.append(f"From Slack: {permalink}")
    return "\n".join(lines)


def outside_note_text(
    author: str,
    at: datetime | None,
    text: str,
    system: str,
    timezone: str,
    *,
    of_itself: bool = False,
) -> str:
    """A note added to the record elsewhere, as the thread shows it (mrkdwn, escaped): one
    Deskhand wrote from another Slack surface is said as the person who signed it (the system
    names only Deskhand's own account), its signature line taken off; one it wrote `of_itself`
    (a visit's job changed in Kickserv) as Deskhand's."""
    when = f" at {local_time(at, timezone)}" if at else ""  # as every card says a time
    signed = read_signature(text)
    if signed.slack_author and of_itself:  # signed by the visit's booker; no one wrote it
        author, where, text = "Deskhand", f"in {system}", signed.text
    elif signed.slack_author:
        author, where, text = signed.slack_author, f"in {system} from Slack", signed.text
    else:
        where = f"in {system}"
    who = escape_mrkdwn(truncate(author, 80)) if author else "Someone"
    body = escape_mrkdwn(truncate(text.strip(), NOTE_TEXT_MAX))
    return f"*{who}* added a note {where}{when}:\n{quoted_mrkdwn(body)}"


def quoted(typed: str) -> str:
    """Plain text given back as a quote, escaped: whole, as far as a message's text holds it
    (a reply is never longer than Slack's own limit, but escaping lengthens it)."""
    keep = len(typed)
    while len(said := quoted_mrkdwn(escape_mrkdwn(truncate(typed, keep)))) > GIVEN_BACK_MAX:
        keep = keep * GIVEN_BACK_MAX // len(said) - 1  # shorter each time: the loop ends
    return said


def quoted_mrkdwn(text: str) -> str:
    """Mrkdwn already escaped, as a quote (each line)."""
    return "\n".join(f">{line}" for line in (text or " ").splitlines() or [" "])
