"""A job created from a ticket's Book a visit, linked to the ticket: what the job form's submit
adds once the job exists (the desk links them and writes the two notes once each)."""

from api.desk import Desk
from api.errors import BackendError
from api.identity import Profile
from api.job_writes import JobCreation
from api.visits import Booking
from cards.config import HandlerConfig, utc_now
from cards.job_form import JobForm
from cards.outcomes import visit_pending_text


async def book_visit(
    desk: Desk,
    config: HandlerConfig,
    form: JobForm,
    created: JobCreation,
    employee: str | None,
    user_id: str,
    author: Profile,
) -> str:
    """Link the created job to the form's ticket and write its notes; the line (mrkdwn) that
    says so, and which note is still pending."""
    assert created.result.reference is not None
    crew = []
    if employee and created.job is not None and created.unassigned is None:
        try:
            crew = [e.name for e in await desk.employees() if str(e.global_id) == employee]
        except BackendError:
            crew = []
    web = config.readydesk_web_url
    booking = Booking(
        ticket_id=form.ticket_id,
        subject=form.ticket_subject,
        ticket_link=web.replace("{tid}", str(form.ticket_id)) if web else "",
        job_number=int(created.result.reference),
        job=created.job,
        crew=crew,
        user_id=user_id,
        author=author,
        timezone=config.timezone,
    )
    pending = await desk.book_visit(booking, utc_now())  # retries run on real time
    return visit_pending_text(form.ticket_id, booking.job_number, [n.kind for n in pending])
