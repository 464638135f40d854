"""ReadyDesk bodies in all three formats read into the same typed models."""

from datetime import datetime

import pytest

from api.errors import MalformedResponse
from api.readydesk import Customer, Ticket
from api.readydesk.wire import detect_format, parse_records
from tests.conftest import fixture_text

FORMATS = ("xml", "json", "txt")


def _tickets(ext: str) -> list[Ticket]:
    body = fixture_text(f"readydesk/get_tickets_34.{ext}")
    return [Ticket.model_validate(r) for r in parse_records(body, action="get_tickets")]


def _customers(ext: str) -> list[Customer]:
    body = fixture_text(f"readydesk/get_customers_demo.{ext}")
    return [Customer.model_validate(r) for r in parse_records(body, action="get_customers")]


def test_ticket_34_reads_the_same_in_every_format():
    xml, json_, delimited = (_tickets(ext) for ext in FORMATS)
    assert xml == json_ == delimited
    assert len(xml) == 1


def test_ticket_fields_are_typed_and_decoded():
    [ticket] = _tickets("xml")
    assert ticket.ticket_id == 34
    assert ticket.customer_id == "demo"
    assert ticket.company_name == "Demo Company"
    assert ticket.contact == "John Smith"
    assert ticket.email == "john.Smith@company.com"
    assert ticket.source == "Web Ticketing System"
    assert ticket.opened_at == datetime(2014, 4, 24, 10, 42, 43)
    assert ticket.updated_at == datetime(2014, 4, 30, 15, 47, 57)
    assert ticket.closed_at is None and ticket.due_at is None
    assert ticket.locked is False
    assert ticket.parent_ticket == 0
    assert ticket.custom_fields == {
        "Custom_field_1": "Gold plan",
        "Custom_field_2": "",
        "Custom_field_3": "",
        "Custom_field_4": "",
    }
    assert ticket.subject == "Example subject"
    assert not ticket.is_closed


def test_customer_demo_reads_the_same_in_every_format():
    xml, json_, delimited = (_customers(ext) for ext in FORMATS)
    assert xml == json_ == delimited


def test_customer_fields_are_typed_and_decoded():
    [customer] = _customers("json")
    assert customer.record_id == 1
    assert customer.customer_id == "demo"
    assert customer.email == "John.Smith@DemoCompany.com"
    assert customer.address == "123 demo street"
    assert customer.country == "United States"
    assert customer.support is True and customer.use_encryption is False
    assert customer.added_at == datetime(2006, 8, 25, 19, 27, 29)
    assert customer.selectable_categories == ["Hardware", "Software"]
    assert customer.support_contracts == [3, 7]
    assert customer.support_contract_start_dates == [datetime(2014, 1, 1), datetime(2014, 2, 1)]
    assert customer.ticket_num_limit is None and customer.chat_num_limit == 0
    assert customer.latitude == pytest.approx(33.8604722)
    assert "password" not in customer.model_dump()


def test_repeated_field_keeps_the_first_non_empty_value():
    # The seed's delimited ticket repeats `cid` with an empty second value.
    body = "tid=34&cid=demo&cid=&subject=Hi"
    [record] = parse_records(body, action="get_tickets")
    assert Ticket.model_validate(record).customer_id == "demo"


def test_yes_spelled_out_is_true():
    [record] = parse_records("customer_id=demo&support=YES&chat=n", action="get_customers")
    customer = Customer.model_validate(record)
    assert customer.support is True and customer.chat is False


@pytest.mark.parametrize(
    ("body", "expected"),
    [("<?xml?><a/>", "xml"), ('{"a": []}', "json"), ("[]", "json"), ("a=1&b=2", "delimited")],
)
def test_format_is_detected_from_the_body(body, expected):
    assert detect_format(body) == expected


@pytest.mark.parametrize(
    ("fixture", "action"),
    [
        ("readydesk/get_customers_seed-mismatched-tags.xml", "get_customers"),
        ("readydesk/get_tech_groups_seed-missing-commas.json", "get_tech_groups"),
    ],
)
def test_the_seed_examples_typing_mistakes_raise_malformed_response(fixture, action):
    with pytest.raises(MalformedResponse) as caught:
        parse_records(fixture_text(fixture), action=action)
    assert caught.value.backend == "ReadyDesk"
    assert action in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   \n",
        "<!DOCTYPE html><html><body><h1>Server Error in '/' Application.</h1></body></html>",
        '<?xml version="1.0"?>\n<tickets><ticket><tid>34</tid><sub',
        '{"tickets": [{"tid": "34", "cid": "de',
        "Service Unavailable",
    ],
    ids=["empty", "blank", "html", "truncated-xml", "truncated-json", "plain-text"],
)
def test_unreadable_bodies_raise_malformed_response(body):
    with pytest.raises(MalformedResponse, match="get_tickets"):
        parse_records(body, action="get_tickets")


@pytest.mark.parametrize(
    ("status", "closed"),
    [("Closed", True), ("resolved", True), ("Open", False), ("Escalated", False)],
)
def test_a_ticket_is_closed_by_a_closed_or_resolved_status_without_a_close_date(status, closed):
    [record] = parse_records(f"tid=7&cid=demo&status={status}", action="get_tickets")
    assert Ticket.model_validate(record).is_closed is closed


LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    "<tickets><ticket><tid>34</tid><subject>&b;</subject></ticket></tickets>"
)
OUTSIDE = (
    '<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<tickets><ticket><tid>34</tid><subject>&x;</subject></ticket></tickets>"
)
UNDECLARED = "<tickets><ticket><tid>34</tid><subject>&x;</subject></ticket></tickets>"


@pytest.mark.parametrize("body", [LAUGHS, OUTSIDE, UNDECLARED], ids=["laughs", "file", "bare"])
def test_a_reply_that_declares_or_uses_entities_is_refused_not_expanded(body):
    with pytest.raises(MalformedResponse, match="get_tickets"):
        parse_records(body, action="get_tickets")


def test_comments_cdata_and_escapes_in_a_reply_still_read():
    body = (
        '<?xml version="1.0"?>\n<!-- a proxy said hello --><tickets><ticket><tid>34</tid>'
        "<subject><![CDATA[Printer <jammed>]]> &amp; &lt;loud&gt;</subject></ticket></tickets>"
    )
    [record] = parse_records(body, action="get_tickets")
    assert record["subject"] == "Printer <jammed> & <loud>"
