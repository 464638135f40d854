"""The Home tab's view: within Slack's 100 blocks however busy the person is."""

from datetime import UTC, date, datetime, timedelta

from api.home import HomeJob, HomeView, JobPart, Standing, TicketPart
from api.identity import Match
from api.kickserv import Employee, Job
from cards.home import build_home
from store.alerts import Watch

TODAY = date(2026, 12, 1)


def _job(number: int) -> HomeJob:
    job = Job.model_validate({"id": number, "job_number": number, "status": "scheduled"})
    starts = datetime(2026, 12, 1, 8, tzinfo=UTC) + timedelta(minutes=number)
    return HomeJob(job, starts, "Demo Company", "Repair")


def test_a_busy_day_stays_within_slacks_block_limit_and_says_how_many_more():
    jobs = JobPart(
        Employee.model_validate({"id": 1, "employee_number": 17, "name": "Pat Lee"}),
        Match("email", email="pat@fieldcrew.example"),
        days={
            TODAY: [_job(n) for n in range(40)],
            TODAY + timedelta(1): [_job(n) for n in range(3)],
        },
    )
    tickets = TicketPart("alice", Match("email", email="alice@x.example"), counts={"Open": 900})
    many = [Standing(n, "C1", "unresolved", None, "at 08:00 daily UTC", False) for n in range(200)]
    watches = [Watch(n, "C1", "tickets", "", "U1", False, "", None) for n in range(200)]
    home = HomeView("U1", "pat@fieldcrew.example", tickets, jobs, many, watches)
    view = build_home(home, timezone="UTC", admins=[], now=datetime(2026, 12, 1, 7))
    blocks = view.to_dict()["blocks"]  # to_dict checks Slack's limits (100 blocks, 3000 chars)
    assert len(blocks) < 100
    text = repr(blocks)
    assert "… and 30 more in Kickserv." in text
    assert "*Your unresolved tickets: 900*" in text
