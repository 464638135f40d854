"""Any ticket, customer or job makes cards Slack accepts: slack-sdk's validation and the limits."""

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pytest import raises
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import ButtonElement, MarkdownTextObject, SectionBlock

from api.business import Business, Entry
from api.kickserv import Job, KickservCustomer, Note
from api.readydesk import Customer, Ticket
from api.readydesk.search import TicketPage
from cards.common import Card
from cards.customers import BusinessView, build_business_card, build_picker_card
from cards.jobs import build_job_card, build_notes_card
from cards.refs import TicketQuery, ref_value
from cards.tickets import build_ticket_card, build_ticket_list_card

# Anything a backend might send: short, and far past Slack's limits (both drawn often).
# Long text is a short draw repeated, so examples stay cheap to generate.
text = st.text(max_size=40) | st.text(min_size=1, max_size=20).map(lambda s: s * (6000 // len(s)))
short = st.text(max_size=300)
when = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))
aware = when.map(lambda d: d.replace(tzinfo=UTC))
money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)

tickets = st.builds(
    Ticket,
    ticket_id=st.integers(1, 10**9),
    customer_id=short,
    contact=text,
    company_name=text,
    subject=text,
    summary=text,
    status=short,
    priority=short,
    assigned_tech=short,
    assigned_group_name=short,
    source=short,
    category=short,
    opened_by=short,
    opened_at=when,
    due_at=st.none() | when,
)
customers = st.builds(
    Customer,
    customer_id=short.filter(bool),
    contact=text,
    company_name=text,
    email=text,
    phone=text,
    address=text,
    city=short,
    notes=text,
)
ks_customers = st.builds(
    KickservCustomer,
    global_id=st.integers(1, 10**9),
    customer_number=st.integers(1, 10**7),
    name=text,
    email=st.none() | text,
    phone_number=st.none() | text,
    balance=money,
)
jobs = st.builds(
    Job,
    global_id=st.integers(1, 10**9),
    job_number=st.integers(1, 10**9),
    name=text,
    description=st.none() | text,
    status=short,
    scheduled_on=st.none() | aware,
    total=st.none() | money,
    balance_remaining=st.none() | money,
)
notes = st.builds(Note, global_id=st.integers(1, 10**9), text=text, created_at=aware)


def assert_slack_accepts(card: Card) -> None:
    """slack-sdk validates every block on to_dict; the rest are Slack's documented limits."""
    assert len(card.blocks) <= 50
    blocks = [block.to_dict() for block in card.blocks]  # raises when a limit is broken
    assert len(card.text) <= 3000
    assert card.message()["blocks"] == blocks  # what is sent is exactly slack-sdk's rendering
    for block in blocks:
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
                assert len(element.get("value", "")) <= 2000
        for obj in [block.get("text") or {}, *block.get("fields", []), *block.get("elements", [])]:
            if obj.get("type") == "mrkdwn":
                assert "<!" not in obj["text"] and "<http" not in obj["text"]


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(tickets, st.none() | st.just("https://desk.example/t?tid={tid}"))
def test_ticket_cards(ticket, web_url):
    assert_slack_accepts(Card("t", build_ticket_card(ticket, web_url=web_url)))


@FAST
@given(st.lists(tickets, max_size=10), st.integers(0, 10**7), text)
def test_ticket_list_cards(page, total, words):
    result = TicketPage(total=max(total, len(page)), tickets=page, page=1, page_size=10)
    query = TicketQuery(words=words[:500])
    try:
        ref_value(query.model_copy(update={"page": 99_999}))
    except ValueError:
        assume(False)  # /tickets refuses a search that would not fit its buttons
    card = build_ticket_list_card(result, query, described="x" * 600, now=datetime(2026, 1, 1))
    assert_slack_accepts(card)


@FAST
@given(
    st.none() | customers,
    st.none() | ks_customers,
    st.lists(tickets, max_size=5),
    st.lists(jobs, max_size=15),
    st.lists(text, max_size=2),
)
def test_customer_cards(customer, ks_customer, open_tickets, active_jobs, failures):
    view = BusinessView(
        name="n" * 400,
        readydesk=customer,
        kickserv=ks_customer,
        ticket_counts={"Open": 3, "<!channel>": 1},
        open_tickets=open_tickets,
        jobs=active_jobs,
        failed=failures,
        linked="linked",
    )
    assert_slack_accepts(build_business_card(view, timezone="America/New_York"))


@FAST
@given(st.lists(st.tuples(text, text, st.integers(1, 10**7)), min_size=2, max_size=30), text)
def test_customer_pickers(rows, typed):
    businesses = [
        Business(
            readydesk=Entry("readydesk", name[:255], name, email=email),
            kickserv=Entry("kickserv", str(number), name),
            linked_by="email",
        )
        for name, email, number in rows
    ]
    assert_slack_accepts(build_picker_card(typed, businesses, note=typed))


@FAST
@given(
    jobs,
    st.none() | text,
    st.none() | notes,
    st.lists(text, max_size=6),
    st.lists(notes, max_size=40),
)
def test_job_and_notes_cards(job, customer_name, latest, assigned, all_notes):
    card = build_job_card(
        job,
        customer_name=customer_name,
        customer_number=7,
        service="s",
        latest_note=latest,
        assigned=assigned,
        timezone="Europe/Berlin",
    )
    assert_slack_accepts(card)
    assert_slack_accepts(build_notes_card(job.job_number, all_notes, "UTC"))


def test_money_is_shown_with_two_decimals():
    customer = KickservCustomer(id=1, customer_number=2, name="x")
    view = BusinessView(name="x", kickserv=customer, owed=Decimal("1464.2"))
    assert "1,464.20" in repr(build_business_card(view, timezone="UTC").message())


def test_a_card_past_slacks_limits_is_refused_when_sent():
    too_long = SectionBlock(text=MarkdownTextObject(text="x" * 3001))
    with raises(SlackObjectFormationError):
        Card("t", [too_long]).message()
    button = ButtonElement(text="b" * 76, action_id="a", value="v")
    with raises(SlackObjectFormationError):
        Card("t", [SectionBlock(text="ok", accessory=button)]).message()
