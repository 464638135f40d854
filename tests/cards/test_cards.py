"""Ticket and customer cards: literal text, escaping, Slack's limits."""

import json
from datetime import UTC, datetime

import pytest

from api.readydesk import Ticket
from api.visits import VisitView
from cards.live import change_reply, describe_state
from cards.mrkdwn import as_read, escape_mrkdwn, truncate
from cards.refs import CustomerRef, TicketRef, parse_ref
from cards.threads import outside_note_text
from cards.tickets import build_ticket_card, ticket_text
from cards.visits import visit_rows

HOSTILE = "<!channel> *urgent* & <https://x|click>"


def _ticket(**overrides) -> Ticket:
    values = {
        "tid": "34",
        "cid": "demo",
        "contact": "John+Smith",
        "company_name": "Demo+Company",
        "status": "Open",
        "priority": "High",
        "assigned_tech": "alice",
        "assigned_group_name": "Tier+1",
        "date_opened": "4/24/2014 10:42:43 AM",
        "subject": "Printer+offline",
        "summary": "It+stopped.",
        "source": "Email",
    }
    values.update(overrides)
    return Ticket.model_validate(values)


def _card(ticket: Ticket) -> list[dict]:
    return [block.to_dict() for block in build_ticket_card(ticket)]  # to_dict validates limits


def _mrkdwn_texts(blocks: list[dict]) -> list[str]:
    texts = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                texts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return texts


def test_card_shows_the_ticket_facts():
    blocks = _card(_ticket())
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "#34 Printer offline"},
    }
    fields = [f["text"] for f in blocks[1]["fields"]]
    assert "*Status*\nOpen" in fields
    assert "*Priority*\nHigh" in fields
    assert "*Customer*\nJohn Smith (demo)\nDemo Company" in fields
    assert "*Assigned to*\nalice · Tier 1" in fields
    assert "*Opened*\nApr 24, 2014 10:42 AM UTC" in fields
    assert blocks[2]["text"] == {"type": "plain_text", "text": "It stopped."}
    buttons = blocks[-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == [
        "Refresh",
        "Add note",
        "Assign to me",
        "Book a visit",
        "Close",
        "Customer",
        "Share in channel",
    ]
    assert parse_ref(buttons[0]["value"]) == TicketRef(ticket_id=34)
    assert parse_ref(buttons[5]["value"]) == CustomerRef(readydesk_id="demo")


def test_hostile_subject_is_shown_literally_and_cannot_ping_anyone():
    ticket = _ticket(subject=HOSTILE, summary=HOSTILE, contact=HOSTILE, source=HOSTILE)
    blocks = _card(ticket)
    assert blocks[0]["text"] == {"type": "plain_text", "text": f"#34 {HOSTILE}"}
    assert blocks[2]["text"] == {"type": "plain_text", "text": HOSTILE}
    mrkdwn = _mrkdwn_texts(blocks)
    assert any("&lt;!channel&gt; *urgent* &amp; &lt;https://x|click&gt;" in t for t in mrkdwn)
    for text in mrkdwn:
        assert "<!channel>" not in text and "<https://" not in text
    assert "<" not in ticket_text(ticket)


def test_oversized_backend_text_is_truncated_not_rejected():
    ticket = _ticket(subject="S" * 500, summary="word " * 2000, contact="C" * 5000)
    blocks = _card(ticket)
    assert len(blocks[0]["text"]["text"]) == 150
    assert blocks[0]["text"]["text"].endswith("…")
    assert len(blocks[2]["text"]["text"]) <= 3000
    assert all(len(f["text"]) <= 2000 for f in blocks[1]["fields"])
    assert len(json.dumps(blocks)) < 13_000  # under Slack's undocumented aggregate limit


def test_closed_ticket_shows_when_it_closed_and_unassigned_reads_so():
    ticket = _ticket(date_closed="5/1/2014 9:00:00 AM", assigned_tech="", assigned_group_name="")
    fields = [f["text"] for f in _card(ticket)[1]["fields"]]
    assert "*Closed*\nMay 1, 2014 9:00 AM UTC" in fields
    assert "*Assigned to*\nUnassigned" in fields


def test_a_ticket_without_customer_has_no_customer_button():
    blocks = _card(_ticket(cid="", contact=""))
    assert [b["action_id"] for b in blocks[-1]["elements"]] == [
        "ticket_refresh",
        "add_note",
        "ticket_assign_me",
        "book_visit",
        "ticket_close",
        "share_card",
    ]


def test_open_in_readydesk_links_to_the_ticket_only_when_configured():
    web = "https://helpdesk.example/readydesk/ticket.aspx?tid={tid}"
    buttons = _card_with(_ticket(), web_url=web)[-1]["elements"]
    links = [b for b in buttons if b.get("url")]
    assert [b["url"] for b in links] == ["https://helpdesk.example/readydesk/ticket.aspx?tid=34"]
    assert not any(b.get("url") for b in _card(_ticket())[-1]["elements"])


def _card_with(ticket: Ticket, **options) -> list[dict]:
    return [block.to_dict() for block in build_ticket_card(ticket, **options)]


def test_escape_and_truncate():
    assert escape_mrkdwn("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"


def test_a_visit_row_says_unscheduled_once_and_a_scheduled_one_its_time():
    unscheduled = VisitView(86101, "unscheduled", None, "Printer Repair")
    booked = VisitView(86102, "scheduled", datetime(2026, 12, 9, 14, 0, tzinfo=UTC), "Repair")
    rows = [b.text.text for b in visit_rows([unscheduled, booked], "UTC")[1:]]
    assert rows[0] == "*Job 86101* · Printer Repair · nobody assigned · Unscheduled"
    assert rows[1] == "*Job 86102* · Repair · Dec 9, 2026 2:00 PM UTC · nobody assigned · Scheduled"


def test_a_jobs_new_time_is_said_under_the_label_its_card_shows():
    before = {"Status": "Scheduled", "Scheduled": "Dec 9, 3:00 PM", "Assigned to": "Sam"}
    after = {**before, "Scheduled": "Dec 9, 6:00 PM"}
    said = change_reply("Job 86100", before, after, None)
    assert said == "Job 86100 changed: *When*: Dec 9, 3:00 PM → Dec 9, 6:00 PM"
    assert describe_state(after).startswith("*Status*: Scheduled · *When*: Dec 9, 6:00 PM")


def test_a_note_deskhand_wrote_of_a_visit_is_not_said_as_its_bookers():
    moved = "Visit moved: job 86100, now Dec 9\n— alice via Slack · ref 44A14655"
    said = outside_note_text("Deskhand API", None, moved, "ReadyDesk", "UTC", of_itself=True)
    assert said == "*Deskhand* added a note in ReadyDesk:\n>Visit moved: job 86100, now Dec 9"
    # A person's own note that happens to begin the same way is theirs.
    said = outside_note_text("Deskhand API", None, moved, "ReadyDesk", "UTC")
    assert said.startswith("*alice* added a note in ReadyDesk from Slack:")
    typed = "Parts ordered\n— alice via Slack · ref 44A14656"
    said = outside_note_text("Deskhand API", None, typed, "ReadyDesk", "UTC")
    assert said == "*alice* added a note in ReadyDesk from Slack:\n>Parts ordered"


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        ("<@U0ABC123> fixed it", "@Pat Lee fixed it"),  # a mention as Slack sends it now
        ("<@U1|pat>", "@pat"),
        ("<@U0NOBODY>", "@U0NOBODY"),  # no name known: the ID, never nothing
        ("<!here> and <!here|here>", "@here and @here"),
        ("<!subteam^S1|@field-team> <!subteam^S2>", "@field-team @group"),
        ("<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"),
        ("<#C1|ops> <#C2>", "#ops #C2"),
        ("<http://example.com|example.com>", "example.com"),  # an address Slack linked
        ("<https://kb.example/12|the KB article>", "the KB article (https://kb.example/12)"),
        ("<mailto:a@b.example|a@b.example>", "a@b.example"),
        ("R&amp;D &lt;b&gt; &amp;lt;", "R&D <b> &lt;"),
    ],
)
def test_slack_message_text_is_read_as_people_see_it(sent, read):
    assert as_read(sent, {"U0ABC123": "Pat Lee"}) == read
