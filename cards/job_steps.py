"""How a technician's step on a job (On my way, Started, Done) is told: to the person who
pressed it, and in one line to the dispatch channel."""

from api.job_status import STEP_WORDS, Step
from api.writes import WriteResult
from cards.mrkdwn import escape_mrkdwn
from cards.outcomes import unconfirmed_text


def step_notice(step: Step, job_number: int, result: WriteResult) -> str | None:
    """What the presser is told aside (mrkdwn), or None when the redrawn card says it all
    (written at once). A refusal names Kickserv's reason (a 422's message)."""
    what = STEP_WORDS[step].summary
    where = f"job {job_number}"
    reason = escape_mrkdwn(result.error.message) if result.error else ""
    checked = " Deskhand checked: the job is unchanged." if result.checked else ""
    return {
        "failed": f"*Not done* ({what}) on {where}. {reason}{checked}".rstrip(),
        "unknown": unconfirmed_text(f"{what} on {where} was written", result),
        "duplicate": f"Already done on {where} ({what}).",
        "confirmed": f"Done on {where} ({what}), confirmed after a slow reply.",
    }.get(result.outcome)


def dispatch_line(step: Step, who: str, customer: str | None, job_number: int) -> str:
    """The dispatch channel's line: "Sam is on the way to John Smith, job 617" (mrkdwn)."""
    return STEP_WORDS[step].dispatch.format(
        who=escape_mrkdwn(who), customer=escape_mrkdwn(customer or "the customer"), job=job_number
    )
