"""Reading submitted forms: the values people chose, and the field errors they are shown."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cards.job_form import DATE, EMPLOYEE, JobForm
from cards.modals import PICK_JOB, PICK_TICKET
from handlers.form_values import JobFormValues, picked_record


def _view(**inputs: str) -> dict:
    values = {
        block: {block: {"type": "plain_text_input", "value": v}} for block, v in inputs.items()
    }
    return {"state": {"values": values}}


def _job(day: str | None, at: str | None, employee: str | None = None) -> JobFormValues:
    return JobFormValues(JobForm(), "kickserv:380", "7", day, at, employee)


def test_a_note_from_a_message_goes_to_the_one_record_chosen():
    assert picked_record(_view(pick_ticket=" #34 ")) == ("ticket", "34")
    assert picked_record(_view(pick_job="86001")) == ("job", "86001")


@pytest.mark.parametrize(
    ("inputs", "block", "says"),
    [
        ({}, PICK_TICKET, "Choose one"),
        ({"pick_ticket": "34", "pick_job": "86001"}, PICK_TICKET, "Choose one"),
        ({"pick_job": "boiler"}, PICK_JOB, "is not a number"),
    ],
)
def test_a_note_from_a_message_says_on_which_field_the_choice_is_wrong(inputs, block, says):
    with pytest.raises(ValueError) as raised:
        picked_record(_view(**inputs))
    assert raised.value.args[0] == block
    assert says in raised.value.args[1]


def test_a_job_is_booked_in_the_persons_time_zone_at_nine_without_a_time():
    assert _job("2026-03-02", "14:30").scheduled("America/Chicago") == datetime(
        2026, 3, 2, 14, 30, tzinfo=ZoneInfo("America/Chicago")
    )
    assert _job("2026-03-02", None).scheduled("UTC") == datetime(
        2026, 3, 2, 9, 0, tzinfo=ZoneInfo("UTC")
    )
    assert _job(None, None).scheduled("UTC") is None


@pytest.mark.parametrize(
    ("job", "block"), [(_job(None, "14:30"), DATE), (_job(None, None, employee="5"), EMPLOYEE)]
)
def test_a_time_or_an_employee_without_a_date_is_refused_on_its_field(job, block):
    with pytest.raises(ValueError) as raised:
        job.scheduled("UTC")
    assert raised.value.args[0] == block
